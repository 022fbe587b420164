"""What a status report says, generated from live data as the client may read it.

Every query runs through ``ClientLens``: the facts name only shared records, so a report that will
be sent to the client never carries an internal task, risk, issue, decision or change request. The
result is plain JSON (dates as ISO strings) stored in ``StatusReport.facts``.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from tandem.changes import queries as change_queries
from tandem.changes.choices import ChangeStatus
from tandem.core.scoping import ClientLens
from tandem.costs import evm
from tandem.planning import queries as plan_queries
from tandem.planning import scheduling
from tandem.planning.choices import TaskStatus
from tandem.projects import kpis as kpi_readings
from tandem.projects.models import Deliverable, Kpi, Project
from tandem.quality import metrics
from tandem.quality.choices import OPEN_DEFECT_STATES, AcceptanceStatus, DefectSeverity
from tandem.quality.models import AcceptanceRequest, Defect
from tandem.reports import rag
from tandem.reports.rendering import cost_verdict, rag_label, reason_text
from tandem.risks import queries as risk_queries
from tandem.risks.choices import ACTIVE_RISK_STATUSES, DecisionStatus, IssueStatus, RiskLevel, Severity

#: Working minutes in a working day (the plan's unit for days).
MINUTES_PER_DAY = 480
#: How many rows each list of a report carries at most.
LIST_LIMIT = 15
TOP_RISKS = 5
OPEN_ISSUE_STATUSES = (IssueStatus.OPEN, IssueStatus.IN_PROGRESS)
SEVERE = (Severity.HIGH, Severity.CRITICAL)
PENDING_CHANGE_STATUSES = (ChangeStatus.AWAITING, ChangeStatus.MORE_INFO)


def _days(minutes: int | None) -> int | None:
    """Working minutes as whole working days, rounded away from zero (a part day counts)."""
    if minutes is None:
        return None
    days = minutes / MINUTES_PER_DAY
    return math.ceil(days) if days > 0 else -math.ceil(-days)


def _local_date(moment: dt.datetime | None, zone: dt.tzinfo) -> str | None:
    return moment.astimezone(zone).date().isoformat() if moment else None


def _name(user: Any) -> str:
    return (getattr(user, "full_name", "") or getattr(user, "email", "")) if user else ""


def _lens(actor: Any) -> Any:
    """The actor through the client's eyes (the real user when they already are a client)."""
    return ClientLens(actor.user if isinstance(actor, ClientLens) else actor)


def schedule_facts(lens: Any, project: Project, *, today: dt.date, zone: dt.tzinfo) -> dict[str, Any]:
    """Milestones (baseline vs forecast) and the forecast finish against the agreed baseline."""
    baseline, forecasts = plan_queries.milestone_forecast(lens, project)
    milestones = []
    for m in forecasts:
        baseline_date = _local_date(m.baseline_finish, zone)
        milestones.append(
            {
                "name": m.task.name,
                "baseline": baseline_date,
                "forecast": _local_date(m.forecast, zone),
                "slip_days": _days(m.variance_minutes),
                "done": m.task.status == TaskStatus.DONE,
                "missed": bool(
                    baseline_date
                    and m.task.status != TaskStatus.DONE
                    and dt.date.fromisoformat(baseline_date) < today
                ),
            }
        )
    if baseline is not None:
        # A milestone deleted since the agreement is still reported, as deleted, with the agreed date.
        milestones += [
            {
                "name": row.name,
                "baseline": _local_date(row.finish, zone),
                "forecast": None,
                "slip_days": None,
                "done": False,
                "missed": False,
                "deleted": True,
            }
            for row in plan_queries.removed_since_baseline(lens, project, baseline, milestones_only=True)
        ]
    finish = plan_queries.plan_summary(lens, project)["finish"]
    finish_slip = None
    if baseline is not None and baseline.project_finish and finish:
        calendar = scheduling.project_engine_calendar(project)
        finish_slip = _days(scheduling.working_minutes(calendar, project, baseline.project_finish, finish))
    return {
        "baseline": baseline.name if baseline else None,
        "baseline_finish": _local_date(baseline.project_finish, zone) if baseline else None,
        "forecast_finish": _local_date(finish, zone),
        "finish_slip_days": finish_slip,
        "milestones": milestones,
    }


def work_facts(
    lens: Any, project: Project, *, start: dt.date, end: dt.date, zone: dt.tzinfo
) -> dict[str, list[dict[str, Any]]]:
    """Leaf tasks completed in the period, in progress, and planned to start in the next period."""
    leaves = plan_queries.plan_of(lens, project).filter(is_summary=False)
    begin = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    stop = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    following = stop + (stop - begin)

    def row(task: Any) -> dict[str, Any]:
        return {
            "name": task.name,
            "wbs": plan_queries.shown_wbs(task),
            "start": _local_date(task.start, zone),
            "finish": _local_date(task.actual_finish or task.finish, zone),
            "percent": task.percent_complete,
            "milestone": task.kind == "milestone",
        }

    done = leaves.filter(status=TaskStatus.DONE).filter(
        Q(actual_finish__gte=begin, actual_finish__lt=stop)
        | Q(actual_finish__isnull=True, finish__gte=begin, finish__lt=stop)
    )
    started = (TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED)
    doing = leaves.filter(status__in=started)
    # A task already under way is listed as in progress even when its planned start is still ahead,
    # so the plan for the next period never names it twice.
    upcoming = leaves.exclude(status__in=(TaskStatus.DONE, *started)).filter(
        start__gte=stop, start__lt=following
    )
    return {
        "completed": [row(t) for t in done[:LIST_LIMIT]],
        "in_progress": [row(t) for t in doing[:LIST_LIMIT]],
        "next": [row(t) for t in upcoming.order_by("start", "outline_key")[:LIST_LIMIT]],
    }


def change_facts(
    lens: Any, project: Project, *, start: dt.date, end: dt.date, zone: dt.tzinfo
) -> dict[str, Any]:
    """Change requests awaiting a decision or decided in the period, and the scope added since the charter."""
    begin = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    stop = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    changes = change_queries.changes_of(lens, project)
    pending = changes.filter(status__in=PENDING_CHANGE_STATUSES)
    approved = changes.filter(
        status__in=(ChangeStatus.APPROVED, ChangeStatus.APPLIED), decided_at__gte=begin, decided_at__lt=stop
    )
    listed = changes.filter(
        Q(status__in=PENDING_CHANGE_STATUSES) | Q(decided_at__gte=begin, decided_at__lt=stop)
    )
    scope = change_queries.cumulative_scope(lens, project)
    return {
        "pending": pending.count(),
        "approved_in_period": approved.count(),
        "scope_added_days": scope.days,
        "scope_added_cost": str(scope.cost),
        "scope_changes": scope.codes,
        "scope_since": _local_date(scope.since, zone),
        "requests": [
            {
                "code": c.code,
                "title": c.title,
                "status": c.status,
                "decided": _local_date(c.decided_at, zone),
                "decision_due": c.decision_due_date.isoformat() if c.decision_due_date else None,
            }
            for c in listed[:LIST_LIMIT]
        ],
    }


def risk_facts(lens: Any, project: Project) -> dict[str, Any]:
    """Open risks by level, those high or critical without a response action, and the top risks."""
    active: list[Any] = list(
        risk_queries.risks_of(lens, project)
        .filter(status__in=ACTIVE_RISK_STATUSES)
        .annotate(action_count=Count("actions"))
    )
    severe = [r for r in active if r.level in (RiskLevel.HIGH, RiskLevel.CRITICAL)]
    return {
        "open": len(active),
        "high": sum(1 for r in severe if r.level == RiskLevel.HIGH),
        "critical": sum(1 for r in severe if r.level == RiskLevel.CRITICAL),
        "unanswered": sum(1 for r in severe if not r.action_count),
        "critical_unanswered": sum(1 for r in severe if r.level == RiskLevel.CRITICAL and not r.action_count),
        "top": [
            {
                "title": r.title,
                "level": r.level,
                "score": r.score,
                "strategy": r.strategy,
                "owner": _name(r.owner),
                "responses": r.action_count,
            }
            for r in active[:TOP_RISKS]
        ],
    }


def issue_facts(
    lens: Any, project: Project, *, start: dt.date, end: dt.date, today: dt.date
) -> dict[str, Any]:
    """Open issues (overdue, high) and the issues resolved in the period with their solution."""
    issues = risk_queries.issues_of(lens, project)
    open_issues = list(issues.filter(status__in=OPEN_ISSUE_STATUSES).order_by("due_date", "id"))
    resolved = issues.filter(resolved_at__date__gte=start, resolved_at__date__lte=end).order_by(
        "resolved_at", "id"
    )

    def row(issue: Any) -> dict[str, Any]:
        overdue = bool(issue.due_date and issue.due_date < today and issue.status in OPEN_ISSUE_STATUSES)
        return {
            "title": issue.title,
            "severity": issue.severity,
            "status": issue.status,
            "due": issue.due_date.isoformat() if issue.due_date else None,
            "overdue": overdue,
            "owner": _name(issue.owner),
            "resolution": issue.resolution,
        }

    rows = [row(i) for i in open_issues]
    return {
        "open": len(rows),
        "overdue": sum(1 for r in rows if r["overdue"]),
        "high": sum(1 for r in rows if r["severity"] in SEVERE),
        "high_overdue": sum(1 for r in rows if r["severity"] in SEVERE and r["overdue"]),
        "items": rows[:LIST_LIMIT],
        "resolved": [row(i) for i in resolved[:LIST_LIMIT]],
    }


def decision_facts(lens: Any, project: Project, *, today: dt.date) -> list[dict[str, Any]]:
    """Open decisions the client must take, soonest due first, overdue ones flagged."""
    return [
        {
            "question": d.question,
            "due": d.due_date.isoformat() if d.due_date else None,
            "overdue": d.is_overdue(today),
            "decider": _name(d.decider),
            "recommendation": d.recommendation,
        }
        for d in risk_queries.decisions_of(lens, project, status=DecisionStatus.OPEN, today=today)[
            :LIST_LIMIT
        ]
    ]


def _number(value: Decimal | None) -> str | None:
    """A KPI figure as plain text: ``4.5``, ``92``, never ``4.5000``."""
    if value is None:
        return None
    text = f"{value.normalize():f}"
    return text


def kpi_facts(lens: Any, project: Project) -> list[dict[str, Any]]:
    """The charter's KPIs the client reads: latest value, status against the thresholds, the trend.

    Two queries whatever the number of KPIs and values (the KPIs, then each one's latest values).
    """
    shown = list(Kpi.objects.visible_to(lens).filter(project=project).order_by("position", "id"))
    read = kpi_readings.readings(shown)
    out = []
    for kpi in shown:
        reading = read[kpi.pk]
        out.append(
            {
                "name": kpi.name,
                "unit": kpi.unit,
                "target": _number(kpi.target),
                "direction": kpi.direction,
                "value": _number(reading.latest.value) if reading.latest else None,
                "measured_on": reading.latest.measured_on.isoformat() if reading.latest else None,
                "status": str(reading.status),
                "trend": [_number(m.value) for m in reading.trend],
            }
        )
    return out


def budget_facts(project: Project, changes: dict[str, Any]) -> dict[str, Any] | None:
    """The budget and the cost of approved changes, only when there is cost data."""
    added = Decimal(changes["scope_added_cost"] or "0")
    if project.budget is None and not added:
        return None
    return {
        "budget": str(project.budget) if project.budget is not None else None,
        "approved_changes": str(added),
        "total": str((project.budget or Decimal(0)) + added),
        "currency": project.currency,
    }


def cost_facts(project: Project, *, today: dt.date) -> dict[str, Any]:
    """Earned value at ``today``: the money figures and indices, no rate and no task's cost.

    The client's report carries them too: a client reads the project's earned value figures (the
    issue's "the client reads the money figures"), never what a person or a task costs. Amounts are
    decimal strings in the project's currency; null when they cannot be measured.
    """
    result = evm.earned_value(project, today, with_curve=False)
    f = result.figures

    def amount(cents: int | None) -> str | None:
        value = evm.money(cents)
        return None if value is None else str(value)

    def index(value: float | None) -> float | None:
        return None if value is None else round(value, 3)

    return {
        "as_of": today.isoformat(),
        "baseline": result.baseline.name if result.baseline else None,
        "currency": result.currency,
        "bac": amount(f.bac) if f else None,
        "pv": amount(f.pv) if f else None,
        "ev": amount(f.ev) if f else None,
        "ac": amount(result.ac),
        "eac": amount(f.eac) if f else None,
        "vac": amount(f.vac) if f else None,
        "cpi": index(f.cpi) if f else None,
        "spi": index(f.spi) if f else None,
        "eac_method": result.eac_method,
    }


def quality_facts(lens: Any, project: Project, *, today: dt.date) -> dict[str, Any] | None:
    """Tests, defects and acceptances as the client reads them (shared records only); None when the
    project has none of them. A fixed number of queries whatever their number.

    The pass rate is over each shared case's latest executed run; open defects are counted by
    severity; acceptances signed (accepted, with conditions, rejected) and awaiting a decision; and
    the open critical defects on a deliverable due within ``rag.QUALITY_DUE_DAYS`` days.
    """
    figures = metrics.figures(project, shared_only=True)
    signed = dict(
        AcceptanceRequest.objects.visible_to(lens)
        .filter(project=project)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    soon = today + dt.timedelta(days=rag.QUALITY_DUE_DAYS)
    due = list(
        Defect.objects.visible_to(lens)
        .filter(
            project=project,
            status__in=OPEN_DEFECT_STATES,
            severity=DefectSeverity.CRITICAL,
            deliverable__in=Deliverable.objects.visible_to(lens).filter(project=project, due_date__lte=soon),
        )
        .order_by("deliverable__due_date", "code")
        .values_list("code", "title", "deliverable__name", "deliverable__due_date")[:LIST_LIMIT]
    )
    executed = sum(figures.results.values())
    if not executed and not figures.open_defect_total and not signed and figures.reopen_rate is None:
        return None
    return {
        "pass_rate": _number(figures.pass_rate),
        "executed": executed,
        "results": figures.results,
        "open_defects": figures.open_defects,
        "reopen_rate": _number(figures.reopen_rate),
        "acceptances": {
            "accepted": signed.get(AcceptanceStatus.ACCEPTED, 0),
            "accepted_with_conditions": signed.get(AcceptanceStatus.ACCEPTED_WITH_CONDITIONS, 0),
            "rejected": signed.get(AcceptanceStatus.REJECTED, 0),
            "awaiting": signed.get(AcceptanceStatus.IN_REVIEW, 0),
        },
        "critical_due_soon": [
            {"code": code, "title": title, "deliverable": name, "due": day.isoformat() if day else None}
            for code, title, name, day in due
        ],
    }


def ratings(facts: dict[str, Any], *, today: dt.date) -> dict[str, rag.Rating]:
    """The four dimensions rated from the facts."""
    schedule = facts["schedule"]
    slips = [
        rag.MilestoneSlip(
            m["name"],
            m["slip_days"],
            dt.date.fromisoformat(m["baseline"]) if m["baseline"] else None,
            m["done"],
        )
        for m in schedule["milestones"]
        if not m.get("deleted")  # a deleted milestone can no longer slip or be missed
    ]
    changes, risks, issues = facts["changes"], facts["risks"], facts["issues"]
    out = {
        "schedule": rag.rate_schedule(
            finish_slip_days=schedule["finish_slip_days"],
            milestones=slips,
            today=today,
            has_baseline=schedule["baseline"] is not None,
        ),
        "scope": rag.rate_scope(
            pending=changes["pending"],
            approved_in_period=changes["approved_in_period"],
            added_days=changes["scope_added_days"],
        ),
        "risks": rag.rate_risks(
            high=risks["high"],
            critical=risks["critical"],
            critical_unanswered=risks["critical_unanswered"],
            unanswered=risks["unanswered"],
        ),
        "issues": rag.rate_issues(
            open_count=issues["open"],
            overdue=issues["overdue"],
            high=issues["high"],
            high_overdue=issues["high_overdue"],
        ),
    }
    cost = facts.get("cost")
    if cost is not None:  # reports generated before earned value have no cost facts
        out["cost"] = rag.rate_cost(
            cpi=cost["cpi"], spi=cost["spi"], has_baseline=cost["baseline"] is not None
        )
    quality = facts.get("quality")
    if quality:  # only a project with tests, defects or acceptances is rated on quality
        out["quality"] = rag.rate_quality(
            critical_due_soon=len(quality["critical_due_soon"]),
            open_critical=quality["open_defects"].get(DefectSeverity.CRITICAL, 0),
            open_major=quality["open_defects"].get(DefectSeverity.MAJOR, 0),
            pass_rate=None if quality["pass_rate"] is None else float(quality["pass_rate"]),
        )
    return out


def collect_facts(
    project: Project,
    *,
    actor: Any,
    period_start: dt.date,
    period_end: dt.date,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Everything a report states, read through the client's eyes, with the RAG ratings."""
    moment = now or timezone.now()
    zone = zoneinfo.ZoneInfo(project.time_zone or "UTC")
    today = moment.astimezone(zone).date()
    lens = _lens(actor)
    changes = change_facts(lens, project, start=period_start, end=period_end, zone=zone)
    facts: dict[str, Any] = {
        "generated_at": moment.isoformat(),
        "today": today.isoformat(),
        "period": {"start": period_start.isoformat(), "end": period_end.isoformat()},
        "project": {"code": project.code, "name": project.name},
        "schedule": schedule_facts(lens, project, today=today, zone=zone),
        "work": work_facts(lens, project, start=period_start, end=period_end, zone=zone),
        "changes": changes,
        "risks": risk_facts(lens, project),
        "issues": issue_facts(lens, project, start=period_start, end=period_end, today=today),
        "decisions": decision_facts(lens, project, today=today),
        "budget": budget_facts(project, changes),
        "cost": cost_facts(project, today=today),
        "kpis": kpi_facts(lens, project),
        "quality": quality_facts(lens, project, today=today),
    }
    rated = ratings(facts, today=today)
    facts["rag"] = {
        "overall": rag.overall(rated),
        "dimensions": {name: rating.as_dict() for name, rating in rated.items()},
    }
    return facts


def default_narrative(facts: dict[str, Any], language: str) -> dict[str, str]:
    """The narrative fields pre-filled from the facts, in the report's language (Markdown).

    The summary names what drives the overall rating; achievements and help needed say how much the
    lists below them hold (the lists come from the data, so the narrative does not repeat them).
    """
    with override(language):
        overall = facts["rag"]["overall"]
        lines = [_("Overall status: %(rag)s.") % {"rag": rag_label(overall)}]
        if overall != rag.GREEN:
            for rating in facts["rag"]["dimensions"].values():
                if rating["colour"] == overall:
                    lines += [f"- {reason_text(r)}" for r in rating["reasons"]]
        if facts.get("cost"):
            lines += ["", _("Cost: %(verdict)s") % {"verdict": cost_verdict(facts["cost"])}]
        work = facts["work"]
        achievements = (
            _("Tasks completed in this period: %(count)s.") % {"count": len(work["completed"])}
            if work["completed"]
            else _("No work was completed in this period.")
        )
        next_steps = [f"- {t['name']}" for t in work["next"] + work["in_progress"]] or [
            _("No work is planned to start in the next period.")
        ]
        decisions = facts["decisions"]
        overdue = sum(1 for d in decisions if d["overdue"])
        help_needed = (
            _("Decisions waiting for the client: %(count)s (overdue: %(overdue)s).")
            % {"count": len(decisions), "overdue": overdue}
            if decisions
            else ""
        )
        return {
            "summary": "\n".join(lines),
            "achievements": achievements,
            "next_steps": "\n".join(next_steps),
            "help_needed": help_needed,
        }
