"""Template helpers: translated labels for stored codes, badges and the activity sentence."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.apps import apps
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from tandem.core.choices import Visibility
from tandem.projects.choices import CharterSectionKey, DecisionKind, KpiStatus, ProjectStatus, Raci, Role
from tandem.web.planning_forms import to_days

register = template.Library()

#: The verbs services write into the audit trail, as readers see them.
VERBS: dict[str, Any] = {
    "created": pgettext_lazy("audit verb", "created"),
    "updated": pgettext_lazy("audit verb", "updated"),
    "added": pgettext_lazy("audit verb", "added"),
    "removed": pgettext_lazy("audit verb", "removed"),
    "joined": pgettext_lazy("audit verb", "joined"),
    "invited": pgettext_lazy("audit verb", "invited"),
    "revoked": pgettext_lazy("audit verb", "revoked"),
    "confirmed": pgettext_lazy("audit verb", "confirmed"),
    "changed role": pgettext_lazy("audit verb", "changed the role of"),
    "changed decision rights": pgettext_lazy("audit verb", "changed the decision rights of"),
    "changed RACI": pgettext_lazy("audit verb", "changed the RACI of"),
    # the registers (risks, issues, conflicts, client decisions) and the tasks they hold
    "closed": pgettext_lazy("audit verb", "closed"),
    "occurred": pgettext_lazy("audit verb", "recorded as occurred"),
    "planned": pgettext_lazy("audit verb", "made a plan task of"),
    "decided": pgettext_lazy("audit verb", "decided"),
    "withdrew": pgettext_lazy("audit verb", "withdrew"),
    "held": pgettext_lazy("audit verb", "held back"),
    "released": pgettext_lazy("audit verb", "released"),
    # plans, requirements and change requests
    "approved baseline": pgettext_lazy("audit verb", "approved the baseline"),
    "saved baseline": pgettext_lazy("audit verb", "saved the baseline"),
    "changed calendar": pgettext_lazy("audit verb", "changed the calendar"),
    "changed link": pgettext_lazy("audit verb", "changed the link"),
    "imported plan": pgettext_lazy("audit verb", "imported the plan into"),
    "issued calendar feed": pgettext_lazy("audit verb", "issued a calendar feed for"),
    "linked": pgettext_lazy("audit verb", "linked"),
    "unlinked": pgettext_lazy("audit verb", "unlinked"),
    "moved": pgettext_lazy("audit verb", "moved"),
    "added sandbox edit": pgettext_lazy("audit verb", "added a sandbox edit to"),
    "changed sandbox edit": pgettext_lazy("audit verb", "changed a sandbox edit of"),
    "removed sandbox edit": pgettext_lazy("audit verb", "removed a sandbox edit from"),
    "applied change": pgettext_lazy("audit verb", "applied the change"),
    "computed impact": pgettext_lazy("audit verb", "computed the impact of"),
    "decided change": pgettext_lazy("audit verb", "decided on the change"),
    "proposed change": pgettext_lazy("audit verb", "proposed the change"),
    "submitted change": pgettext_lazy("audit verb", "submitted for decision"),
    "updated change": pgettext_lazy("audit verb", "updated the change"),
    "withdrew change": pgettext_lazy("audit verb", "withdrew the change"),
    "updated change settings": pgettext_lazy("audit verb", "updated the change settings of"),
    "reordered": pgettext_lazy("audit verb", "reordered"),
    "revised": pgettext_lazy("audit verb", "revised"),
    "status_changed": pgettext_lazy("audit verb", "changed the status of"),
    # quality and acceptance
    "filed": pgettext_lazy("audit verb", "filed"),
    "imported": pgettext_lazy("audit verb", "imported"),
    "retired": pgettext_lazy("audit verb", "retired"),
    "reactivated": pgettext_lazy("audit verb", "reactivated"),
    "checked": pgettext_lazy("audit verb", "checked"),
    "attached": pgettext_lazy("audit verb", "attached evidence to"),
    "detached": pgettext_lazy("audit verb", "removed evidence from"),
    "prepared": pgettext_lazy("audit verb", "prepared"),
    "sent for review": pgettext_lazy("audit verb", "sent for review"),
    "reviewed": pgettext_lazy("audit verb", "reviewed"),
    "signed": pgettext_lazy("audit verb", "signed"),
    "completed": pgettext_lazy("audit verb", "completed"),
    "reopened": pgettext_lazy("audit verb", "reopened"),
}

#: The parts of a charter, as the "changed since" list names them.
PARTS: dict[str, Any] = {
    "sections": _("Section"),
    "goals": _("Goal"),
    "kpis": _("KPI"),
    "stakeholders": _("Stakeholder"),
    "deliverables": _("Deliverable"),
}

CHANGES: dict[str, Any] = {
    "added": pgettext_lazy("charter change", "added"),
    "removed": pgettext_lazy("charter change", "removed"),
    "changed": pgettext_lazy("charter change", "changed"),
}


@register.filter
def verb_label(verb: str) -> Any:
    """The audit verb in the reader's language."""
    return VERBS.get(verb, verb)


@register.filter
def target_label(target_type: str) -> Any:
    """The model behind an audit record's ``app.model`` label, by its translated name."""
    try:
        model = apps.get_model(target_type)
    except (LookupError, ValueError):
        return target_type
    return model._meta.verbose_name


@register.filter
def part_label(part: str) -> Any:
    """A charter part's name."""
    return PARTS.get(part, part)


@register.filter
def change_label(change: str) -> Any:
    """Added, removed or changed."""
    return CHANGES.get(change, change)


@register.filter
def role_label(role: str) -> Any:
    """A role code's name."""
    return Role(role).label if role in Role.values else role


@register.filter
def decision_label(kind: str) -> Any:
    """A decision kind's name."""
    return DecisionKind(kind).label if kind in DecisionKind.values else kind


@register.filter
def section_label(key: str) -> Any:
    """A charter section's name."""
    return CharterSectionKey(key).label if key in CharterSectionKey.values else key


@register.filter
def raci_label(letter: str) -> Any:
    """The meaning of a RACI letter."""
    return Raci(letter).label if letter in Raci.values else ""


@register.filter
def status_label(status: str) -> Any:
    """A project status's name."""
    return ProjectStatus(status).label if status in ProjectStatus.values else status


@register.simple_tag
def kpi_status(status: str) -> str:
    """A KPI status as a badge (on target, warning, alarm, not measured)."""
    label = KpiStatus(status).label if status in KpiStatus.values else status
    return format_html('<span class="badge kpi-{}">{}</span>', status, label)


@register.simple_tag
def sparkline(values: Any) -> str:
    """A tiny SVG line of a KPI's trend (its values oldest first); empty for fewer than two."""
    numbers = [float(v.value) for v in values]
    if len(numbers) < 2:
        return ""
    low, high = min(numbers), max(numbers)
    span = (high - low) or 1.0
    step = 80 / (len(numbers) - 1)
    points = " ".join(f"{2 + i * step:.1f},{18 - (n - low) / span * 16:.1f}" for i, n in enumerate(numbers))
    return format_html(
        '<svg class="sparkline" viewBox="0 0 84 20" role="img" aria-label="{}"><polyline points="{}"/></svg>',
        _("Trend"),
        points,
    )


@register.simple_tag
def visibility_badge(visibility: str) -> SafeString:
    """The Internal / Shared badge.

    Built here rather than by an included template: lists draw it on every row, and rendering a
    template per badge was a visible share of a list page's time.
    """
    if visibility == Visibility.INTERNAL:
        return format_html(
            '<span class="badge badge-internal" title="{}">{}</span>',
            gettext("Seen by the delivery team only"),
            gettext("Internal"),
        )
    return format_html(
        '<span class="badge badge-shared" title="{}">{}</span>',
        gettext("Seen by the team and the client"),
        gettext("Shared"),
    )


@register.simple_tag
def query_with(query: str, **params: Any) -> str:
    """``query`` (an urlencoded string) with some parameters replaced."""
    data = QueryDict(query, mutable=True)
    for key, value in params.items():
        data[key] = value
    return data.urlencode()


@register.filter
def field_type(bound_field: Any) -> str:
    """The widget's class name, for styling checkboxes and selects."""
    return type(bound_field.field.widget).__name__.lower()


@register.filter
def amount(value: Any) -> str:
    """A money amount with thousands grouped (4,800,000 or 1,234.50), the same in every language."""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return "" if value is None else str(value)
    if number == number.to_integral_value():
        return f"{number:,.0f}"
    return f"{number:,.2f}"


@register.filter
def hundredths(value: Any) -> Decimal | None:
    """An amount stored in hundredths (a task's ``cost_cents``) as the amount itself; None stays None."""
    if value is None or value == "":
        return None
    return Decimal(int(value)) / 100


@register.filter
def work_days(minutes: Any) -> Decimal | None:
    """Working minutes as working days (eight hours), to two decimals; None stays None."""
    if minutes is None or minutes == "":
        return None
    return to_days(int(minutes))


@register.simple_tag(takes_context=True)
def project_nav(context: Any, scope: Any) -> Any:
    """The project bar of this request: seven sections and the current section's pages."""
    from tandem.web import navigation

    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    return navigation.build(scope, getattr(match, "url_name", None))
