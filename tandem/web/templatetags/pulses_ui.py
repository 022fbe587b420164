"""Template tags of satisfaction pulses: the trend chart (server-drawn SVG) and the project home's panel."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from tandem.projects.permissions import is_team
from tandem.pulses import queries, results
from tandem.pulses.models import Pulse

register = template.Library()

WIDTH, HEIGHT, PAD = 320, 80, 6


@register.simple_tag
def pulse_trend(trend: list[tuple[Pulse, results.Figures]]) -> str:
    """The average score of each pulse with answers, oldest first, as a line with a dot per pulse."""
    points = [(p, f.average, f.average_scale) for p, f in trend if f.average is not None]
    if not points:
        return ""
    top = Decimal(10) if any(scale == "0–10" for _p, _a, scale in points) else Decimal(5)
    step = (WIDTH - 2 * PAD) / max(len(points) - 1, 1)

    def xy(i: int, value: Decimal) -> tuple[float, float]:
        x = PAD + i * step if len(points) > 1 else WIDTH / 2
        return round(x, 1), round(HEIGHT - PAD - float(value / top) * (HEIGHT - 2 * PAD), 1)

    coords = [xy(i, a) for i, (_p, a, _s) in enumerate(points)]
    dots = format_html_join(
        "",
        '<circle class="dot" cx="{}" cy="{}" r="3"><title>{}: {}</title></circle>',
        ((x, y, f"{p.sent_at:%Y-%m-%d}", a) for (x, y), (p, a, _s) in zip(coords, points, strict=True)),
    )
    return format_html(
        '<svg class="pulse-trend" viewBox="0 0 {} {}" role="img" aria-label="{}">'
        '<polyline points="{}"/>{}</svg>',
        WIDTH,
        HEIGHT,
        _("Average score of each pulse, oldest first"),
        " ".join(f"{x},{y}" for x, y in coords),
        dots,
    )


@register.simple_tag
def pulse_home(scope: Any) -> dict[str, Any] | None:
    """What the project home shows: the latest figures and trend for those who see results, and a
    survey waiting for the reader (a few queries, whatever the number of answers)."""
    if scope is None:
        return None
    project, user = scope.project, scope.user
    pulses = list(Pulse.objects.filter(project=project).order_by("-sent_at", "-id")[:12])
    if not pulses:
        return None  # no pulse yet: nothing to answer, nothing to show (one query)
    waiting = queries.waiting_for(user, project)
    outcome = None
    if queries.can_see_results(scope.viewer, project):
        figures = results.by_pulse(p.pk for p in pulses)
        trend = [(p, figures[p.pk]) for p in reversed(pulses)]
        answered = [(p, f) for p, f in trend if f.answers]
        outcome = {"latest": answered[-1] if answered else None, "trend": trend}
    if not waiting and outcome is None:
        return None
    return {"waiting": waiting, "results": outcome, "team": is_team(scope.viewer, project)}
