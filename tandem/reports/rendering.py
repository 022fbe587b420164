"""A status report in every format: HTML body (page, email, PDF), Markdown, plain text, PDF.

Every format is rendered in the report's language from the report's stored facts and narrative; a
sent report keeps the snapshot stored at sending and is never rendered from live data again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext, override

from tandem.changes.choices import ChangeStatus
from tandem.core import pdf
from tandem.core.jobs import Progress
from tandem.costs.evm import verdict
from tandem.projects.choices import KpiStatus
from tandem.quality.choices import DefectSeverity
from tandem.reports.choices import Dimension, Rag
from tandem.requirements.markup import render_markdown
from tandem.risks.choices import IssueStatus, RiskLevel, RiskStrategy, Severity

if TYPE_CHECKING:
    from tandem.reports.models import StatusReport


def rag_label(colour: str) -> str:
    """The colour's name in the active language."""
    return str(Rag(colour).label) if colour in Rag.values else colour


def _number(params: dict[str, Any], key: str) -> int:
    """The count a sentence agrees with (a stored reason's number may be a string or a decimal)."""
    try:
        return int(Decimal(str(params.get(key, 0))))
    except ArithmeticError:
        return 0


def reason_text(reason: dict[str, Any]) -> str:
    """One reason of a rating as a sentence in the active language."""
    p = reason.get("params", {})
    code = reason.get("code", "")
    texts: dict[str, Callable[[], str]] = {
        "no_baseline": lambda: _("No baseline has been approved yet, so slips cannot be measured."),
        "on_schedule": lambda: _("The forecast meets the agreed baseline."),
        "finish_slip": lambda: (
            ngettext(
                "The forecast finish is %(days)s working day later than agreed.",
                "The forecast finish is %(days)s working days later than agreed.",
                _number(p, "days"),
            )
            % p
        ),
        "milestone_slip": lambda: (
            ngettext(
                "Milestone “%(name)s” is forecast %(days)s working day late.",
                "Milestone “%(name)s” is forecast %(days)s working days late.",
                _number(p, "days"),
            )
            % p
        ),
        "milestone_missed": lambda: _("Milestone “%(name)s” was due on %(date)s and is not finished.") % p,
        "changes_pending": lambda: (
            ngettext(
                "%(count)s change request awaits a decision.",
                "%(count)s change requests await a decision.",
                _number(p, "count"),
            )
            % p
        ),
        "changes_approved": lambda: (
            ngettext(
                "%(count)s change request was approved in this period.",
                "%(count)s change requests were approved in this period.",
                _number(p, "count"),
            )
            % p
        ),
        "scope_added": lambda: (
            ngettext(
                "Approved changes added %(days)s working day since the charter was confirmed.",
                "Approved changes added %(days)s working days since the charter was confirmed.",
                _number(p, "days"),
            )
            % p
        ),
        "scope_stable": lambda: _("No change to the agreed scope."),
        "risks_high": lambda: (
            ngettext(
                "%(count)s open risk is high or critical (%(critical)s critical).",
                "%(count)s open risks are high or critical (%(critical)s critical).",
                _number(p, "count"),
            )
            % p
        ),
        "risks_unanswered": lambda: (
            ngettext(
                "%(count)s high or critical risk has no response action.",
                "%(count)s high or critical risks have no response action.",
                _number(p, "count"),
            )
            % p
        ),
        "risks_low": lambda: _("No open risk is high or critical."),
        "issues_high": lambda: (
            ngettext(
                "%(count)s open issue is high or critical.",
                "%(count)s open issues are high or critical.",
                _number(p, "count"),
            )
            % p
        ),
        "issues_overdue": lambda: (
            ngettext(
                "%(count)s issue is past its due date.",
                "%(count)s issues are past their due date.",
                _number(p, "count"),
            )
            % p
        ),
        "issues_open": lambda: (
            ngettext(
                "%(count)s open issue, not overdue or severe.",
                "%(count)s open issues, none overdue or severe.",
                _number(p, "count"),
            )
            % p
        ),
        "cost_no_baseline": lambda: _("No baseline has been saved yet, so earned value cannot be measured."),
        "cost_not_measurable": lambda: _(
            "Nothing is planned or spent yet, so earned value cannot be measured."
        ),
        "cost_over": lambda: (
            _("The cost performance index is %(cpi)s: the work done cost more than planned.") % p
        ),
        "cost_behind": lambda: (
            _("The schedule performance index is %(spi)s: less work is done than planned.") % p
        ),
        "cost_on_track": lambda: (
            _("Cost and schedule performance are on track (CPI %(cpi)s, SPI %(spi)s).") % p
        ),
        "quality_critical_due": lambda: (
            ngettext(
                "%(count)s open critical defect is on deliverables due within %(days)s days.",
                "%(count)s open critical defects are on deliverables due within %(days)s days.",
                _number(p, "count"),
            )
            % p
        ),
        "quality_open_serious": lambda: _("Open defects: %(critical)s critical and %(major)s major.") % p,
        "quality_pass_rate": lambda: _("The test pass rate is %(rate)s %%.") % p,
        "quality_ok": lambda: _("No critical or major defect is open (pass rate %(rate)s %%).") % p,
    }
    text = texts.get(code)
    return str(text()) if text else code


def cost_verdict(cost: dict[str, Any]) -> str:
    """The earned value verdict of a report's cost facts (amounts as decimal strings), in the active
    language."""

    def hundredths(value: str | None) -> int | None:
        return None if value is None else int(Decimal(value) * 100)

    return verdict(
        hundredths(cost.get("bac")),
        hundredths(cost.get("pv")),
        hundredths(cost.get("ev")),
        hundredths(cost.get("ac")) or 0,
        hundredths(cost.get("eac")),
        cost.get("currency", ""),
    )


def _money(value: str | None) -> str:
    """An amount with thousands separators and two decimals ("—" when unknown)."""
    if value in (None, ""):
        return "—"
    try:
        return f"{Decimal(str(value)):,.2f}"
    except InvalidOperation:
        return str(value)


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


@dataclass(frozen=True)
class ChartBar:
    """One milestone row of the chart: x positions of the baseline and forecast marks."""

    name: str
    y: int
    baseline_x: float | None
    forecast_x: float | None
    late: bool


CHART_LEFT, CHART_WIDTH, ROW = 180, 460, 22


def milestone_chart(milestones: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Positions for the inline SVG chart: baseline (hollow) vs forecast (solid) per milestone."""
    dates = [dt.date.fromisoformat(d) for m in milestones for d in (m["baseline"], m["forecast"]) if d]
    if not dates:
        return None
    first, last = min(dates), max(dates)
    span = max((last - first).days, 1)

    def x(value: str | None) -> float | None:
        if not value:
            return None
        return CHART_LEFT + (dt.date.fromisoformat(value) - first).days / span * CHART_WIDTH

    bars = [
        ChartBar(
            m["name"],
            24 + i * ROW,
            x(m["baseline"]),
            x(m["forecast"]),
            bool(m["slip_days"] and m["slip_days"] > 0),
        )
        for i, m in enumerate(milestones)
    ]
    return {
        "bars": bars,
        "height": 40 + len(bars) * ROW,
        "width": CHART_LEFT + CHART_WIDTH + 20,
        "first": first.isoformat(),
        "last": last.isoformat(),
        "left": CHART_LEFT,
        "right": CHART_LEFT + CHART_WIDTH,
    }


def page_url(report: StatusReport) -> str:
    """The report's page."""
    return f"{settings.SITE_URL}/projects/{report.project.code}/reports/{report.pk}/"


def context(report: StatusReport) -> dict[str, Any]:
    """What the report templates render (call inside the report's language)."""
    facts = report.facts or {}
    dimensions = facts.get("rag", {}).get("dimensions", {})
    rows = [
        {
            "name": str(Dimension(name).label) if name in Dimension.values else name,
            "colour": d["colour"],
            "label": rag_label(d["colour"]),
            "reasons": [reason_text(r) for r in d["reasons"]],
        }
        for name, d in dimensions.items()
    ]
    risks = [
        r
        | {
            "level_label": _label(RiskLevel, r["level"]),
            "strategy_label": _label(RiskStrategy, r["strategy"]),
        }
        for r in facts.get("risks", {}).get("top", [])
    ]
    issues = facts.get("issues", {})
    issue_rows = [
        i
        | {
            "severity_label": _label(Severity, i["severity"]),
            "status_label": _label(IssueStatus, i["status"]),
        }
        for i in issues.get("items", []) + issues.get("resolved", [])
    ]
    changes = [
        c | {"status_label": _label(ChangeStatus, c["status"])}
        for c in facts.get("changes", {}).get("requests", [])
    ]
    budget = facts.get("budget")
    money = (
        {key: _money(budget.get(key)) for key in ("budget", "approved_changes", "total")} if budget else None
    )
    cost = facts.get("cost")
    cost_shown = None
    if cost:
        from_facts = {key: _money(cost.get(key)) for key in ("bac", "pv", "ev", "ac", "eac", "vac")}
        indices = {key: "—" if cost.get(key) is None else f"{cost[key]:.3f}" for key in ("cpi", "spi")}
        cost_shown = from_facts | indices | {"verdict": cost_verdict(cost), "currency": cost["currency"]}
    kpi_rows = [k | {"status_label": _label(KpiStatus, k["status"])} for k in facts.get("kpis", [])]
    quality = facts.get("quality")
    quality_shown = None
    if quality:
        quality_shown = quality | {
            "defect_rows": [
                {"label": _label(DefectSeverity, severity), "count": quality["open_defects"].get(severity, 0)}
                for severity in DefectSeverity.values
            ],
        }
    return {
        "report": report,
        "facts": facts,
        "money": money,
        "cost": cost_shown,
        "kpi_rows": kpi_rows,
        "quality": quality_shown,
        "rag": report.shown_rag,
        "rag_label": rag_label(report.shown_rag),
        "computed_label": rag_label(report.rag),
        "dimensions": rows,
        "top_risks": risks,
        "issue_rows": issue_rows,
        "change_rows": changes,
        "chart": milestone_chart(facts.get("schedule", {}).get("milestones", [])),
        "summary_html": render_markdown(report.summary),
        "achievements_html": render_markdown(report.achievements),
        "next_steps_html": render_markdown(report.next_steps),
        "help_needed_html": render_markdown(report.help_needed),
        "url": page_url(report),
    }


def render_body(report: StatusReport) -> SafeString:
    """The report's HTML body (no page chrome): the page, the email and the PDF share it."""
    if report.is_sent and report.sent_html:
        return mark_safe(report.sent_html)  # noqa: S308 - rendered by our template and sanitised Markdown
    with override(report.language):
        return mark_safe(render_to_string("reports/body.html", context(report)))  # noqa: S308


def render_markdown_text(report: StatusReport) -> str:
    """The report as Markdown (the download and the plain-text email)."""
    if report.is_sent and report.sent_markdown:
        return report.sent_markdown
    with override(report.language):
        return render_to_string("reports/report.md", context(report)).strip() + "\n"


def render_plain_text(report: StatusReport) -> str:
    """The report as plain text for the email: the Markdown with a link to the page."""
    if report.is_sent and report.sent_text:
        return report.sent_text
    with override(report.language):
        link = _("Read it online: %(url)s") % {"url": page_url(report)}
    return render_markdown_text(report) + "\n" + link + "\n"


def render_pdf(report: StatusReport, *, progress: Progress | None = None) -> bytes:
    """The report as a PDF (A4, CJK font), from the stored snapshot once sent."""
    with override(report.language):
        if progress is not None:
            progress.begin(gettext_noop("Reading the report"), 1)
        html = render_to_string(
            "reports/pdf.html", {"report": report, "body": render_body(report), "language": report.language}
        )
        return pdf.write_pdf(html, progress=progress, expected_pages=4)


def filename(report: StatusReport, extension: str) -> str:
    """An ASCII file name for downloads."""
    return f"{report.project.code}-status-{report.period_end.isoformat()}.{extension}"
