"""A KPI's page: its latest value and status, a chart of its values against the target and the
thresholds, the values themselves, and (for those who edit the charter) entering a value and
choosing the KPI's source."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.projects import kpis, queries
from tandem.projects.models import Kpi, KpiMeasurement
from tandem.web.kpi_forms import KpiSourceForm, KpiValueForm
from tandem.web.views.base import ProjectScope, project_view, render_page, require_allowed, submit_form

VALUES_PAGE_SIZE = 25
#: Values drawn on the chart (the latest, about a year of weekly values).
CHART_POINTS = 52
WIDTH, HEIGHT, PAD = 640, 200, 28


@dataclass(frozen=True)
class Chart:
    """A line chart drawn on the server as SVG (no script; the page's CSP allows no inline code)."""

    width: int
    height: int
    points: str
    dots: list[tuple[float, float, str, str]]
    lines: list[tuple[float, str, str]]
    first: str
    last: str
    low: str
    high: str


def chart_of(kpi: Kpi, values: list[KpiMeasurement]) -> Chart | None:
    """The values as a polyline, with the target and thresholds as horizontal lines; None for no value."""
    if not values:
        return None
    marks = [
        (kpi.target, "target", _("Target")),
        (kpi.warning_threshold, "warning", _("Warning at")),
        (kpi.alarm_threshold, "alarm", _("Alarm at")),
    ]
    numbers = [m.value for m in values] + [v for v, _c, _l in marks if v is not None]
    low, high = min(numbers), max(numbers)
    if low == high:
        low, high = low - 1, high + 1
    span = high - low
    days = [(m.measured_on - values[0].measured_on).days for m in values]
    last_day = days[-1] or 1

    def x(day: int) -> float:
        return round(PAD + (WIDTH - 2 * PAD) * (day / last_day if len(values) > 1 else 0.5), 1)

    def y(value: Decimal) -> float:
        return round(HEIGHT - PAD - float((value - low) / span) * (HEIGHT - 2 * PAD), 1)

    dots = [
        (x(d), y(m.value), kpis.status_of(kpi, m.value), f"{m.measured_on:%Y-%m-%d}: {m.value.normalize():f}")
        for d, m in zip(days, values, strict=True)
    ]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        points=" ".join(f"{px},{py}" for px, py, _s, _t in dots),
        dots=dots,
        lines=[(y(v), css, f"{label} {v.normalize():f}") for v, css, label in marks if v is not None],
        first=f"{values[0].measured_on:%Y-%m-%d}",
        last=f"{values[-1].measured_on:%Y-%m-%d}",
        low=f"{low.normalize():f}",
        high=f"{high.normalize():f}",
    )


@project_view
def kpi_detail(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """The KPI's page; POST ``action`` = ``value`` (enter one), ``source`` or ``remove``."""
    kpi = queries.access_item(scope.viewer, scope.project, Kpi, pk)
    value_form: forms.Form = KpiValueForm(initial={"measured_on": timezone.localdate()})
    source_form: forms.Form = KpiSourceForm(initial={"source": kpi.source})
    status = 200
    if request.method == "POST":
        require_allowed(scope.can_edit_charter)
        action = request.POST.get("action")
        handlers: dict[str, tuple[forms.Form, Callable[..., Any], str]] = {
            "value": (KpiValueForm(request.POST), kpis.do_record_measurement, _("The value was saved.")),
            "source": (KpiSourceForm(request.POST), kpis.do_set_kpi_source, _("The KPI's source was saved.")),
        }
        if action in handlers:
            form, service, saved = handlers[action]
            done, status = submit_form(form, lambda: service(kpi, actor=scope.user, **form.cleaned_data))
            if done is not None:
                messages.success(request, saved)
                return redirect("web:kpi_detail", scope.project.code, kpi.pk)
            value_form, source_form = (form, source_form) if action == "value" else (value_form, form)
        elif action == "remove":
            row = kpis.measurements_of(scope.viewer, kpi).filter(pk=request.POST.get("value_id") or 0).first()
            if row is None:
                raise Http404(_("No such value."))
            kpis.do_delete_measurement(row, actor=scope.user)
            messages.success(request, _("The value was removed."))
            return redirect("web:kpi_detail", scope.project.code, kpi.pk)
        else:
            raise Http404(_("Unknown action."))
    reading = kpis.readings([kpi], points=CHART_POINTS)[kpi.pk]
    values = kpis.measurements_of(scope.viewer, kpi)
    page = Paginator(values, VALUES_PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "scope": scope,
        "project": scope.project,
        "kpi": kpi,
        "reading": reading,
        "chart": chart_of(kpi, reading.trend),
        "page": page,
        "rows": [(m, kpis.status_of(kpi, m.value)) for m in page],
        "source_label": dict(kpis.source_choices()).get(kpi.source, kpi.source),
        "value_form": value_form,
        "source_form": source_form,
        "manual": kpi.source == kpis.MANUAL,
    }
    return render_page(request, "web/project/kpi.html", context, status=status)
