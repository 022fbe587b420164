"""The earned value page of a project: the figures with their formulas, the verdict, the S-curve
(inline SVG with a table beside it) and the phases, at a status date the reader picks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from tandem.costs import evm
from tandem.web.evm_forms import AsOfForm
from tandem.web.views.base import ProjectScope, project_view, render_page

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 720, 260, 72, 16, 16, 28


@dataclass(frozen=True)
class Chart:
    """The S-curve drawn on the server as SVG (the page runs no script of its own)."""

    width: int
    height: int
    left: int
    bottom: float
    right: int
    pv: str
    ac: str
    ev: list[tuple[float, float, str]]
    markers: list[tuple[float, str]]
    as_of_x: float | None
    first: str
    last: str
    top_label: str


def chart_of(result: evm.Result) -> Chart | None:
    """Polylines of cumulative PV and AC, EV's point(s), and the dates the plan changed."""
    points = result.curve
    if len(points) < 1:
        return None
    first, last = points[0].day, points[-1].day
    span = max((last - first).days, 1)
    top = max([p.pv for p in points] + [p.ac or 0 for p in points] + [p.ev or 0 for p in points] + [1])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: dt.date) -> float:
        return round(LEFT + plot_w * (day - first).days / span, 1)

    def y(cents: int) -> float:
        return round(TOP + plot_h * (1 - cents / top), 1)

    def label(cents: int) -> str:
        return evm.format_money(cents, result.currency)

    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        bottom=HEIGHT - BOTTOM,
        right=WIDTH - RIGHT,
        pv=" ".join(f"{x(p.day)},{y(p.pv)}" for p in points),
        ac=" ".join(f"{x(p.day)},{y(p.ac)}" for p in points if p.ac is not None),
        ev=[(x(p.day), y(p.ev), f"{p.day:%Y-%m-%d} EV {label(p.ev)}") for p in points if p.ev is not None],
        markers=[(x(m.day), f"{m.day:%Y-%m-%d} {m.label}") for m in result.markers],
        as_of_x=x(result.as_of) if first <= result.as_of <= last else None,
        first=f"{first:%Y-%m-%d}",
        last=f"{last:%Y-%m-%d}",
        top_label=label(top),
    )


def _formulas() -> list[tuple[str, str, str]]:
    """(key, name, formula) of each figure, in the order the page lists them."""
    return [
        ("bac", _("Budget at completion"), _("BAC = Σ baseline cost of the tasks")),
        ("pv", _("Planned value"), _("PV = baseline cost planned by the status date")),
        ("ev", _("Earned value"), _("EV = Σ baseline cost × percent complete")),
        ("ac", _("Actual cost"), _("AC = approved time and expenses")),
        ("sv", _("Schedule variance"), "SV = EV − PV"),
        ("cv", _("Cost variance"), "CV = EV − AC"),
        ("spi", _("Schedule performance index"), "SPI = EV / PV"),
        ("cpi", _("Cost performance index"), "CPI = EV / AC"),
        ("eac", _("Estimate at completion"), _("EAC = BAC / CPI (+ tasks added since the baseline)")),
        ("etc", _("Estimate to complete"), "ETC = EAC − AC"),
        ("vac", _("Variance at completion"), "VAC = BAC − EAC"),
        ("tcpi", _("To-complete performance index"), "TCPI = (BAC − EV) / (BAC − AC)"),
    ]


INDICES = ("spi", "cpi", "tcpi")


def _shown(figures: evm.Figures | None, ac: int, currency: str) -> dict[str, str]:
    """Each figure as the page writes it ("—" when it cannot be measured)."""
    if figures is None:
        values: dict[str, Any] = {key: None for key, _n, _f in _formulas()} | {"ac": ac}
    else:
        values = {key: getattr(figures, key) for key, _n, _f in _formulas()}
    out = {}
    for key, value in values.items():
        if value is None:
            out[key] = "—"
        elif key in INDICES:
            out[key] = f"{value:.3f}"
        else:
            sign = "−" if value < 0 else ""
            out[key] = sign + evm.format_money(value, currency)
    return out


@project_view
def earned_value(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The project's earned value at the status date of the form (today when empty or invalid)."""
    form = AsOfForm(request.GET or None)
    as_of = form.cleaned_data.get("as_of") if form.is_valid() else None
    status = 400 if form.is_bound and not form.is_valid() else 200
    result = evm.earned_value(scope.project, as_of, viewer=scope.viewer)
    shown = _shown(result.figures, result.ac, result.currency)
    figures = [(key, name, formula, shown[key]) for key, name, formula in _formulas()]
    phases = [(phase, _shown(phase.figures, phase.figures.ac, result.currency)) for phase in result.phases]
    context: dict[str, Any] = {
        "scope": scope,
        "project": scope.project,
        "form": form,
        "result": result,
        "figures": figures,
        "phases": phases,
        "chart": chart_of(result),
        "curve": [
            (
                p.day,
                evm.format_money(p.pv, result.currency),
                evm.format_money(p.ev, result.currency) if p.ev is not None else "—",
                evm.format_money(p.ac, result.currency) if p.ac is not None else "—",
            )
            for p in result.curve
        ],
        "spi_t": f"{result.spi_t:.3f}" if result.spi_t is not None else "—",
        "percent_complete": result.figures.percent_complete if result.figures else None,
        "percent_spent": result.figures.percent_spent if result.figures else None,
        "green_at": evm.GREEN_AT,
        "amber_at": evm.AMBER_AT,
    }
    return render_page(request, "web/costs/evm.html", context, status=status)
