"""KPI measurements: values entered by hand or taken every day from a live source, and their status.

A charter KPI has a target and thresholds; this module gives it values. A value is entered with a
date and a note (``do_record_measurement``), or the KPI is bound to a *live source* — a function of
the project and a day registered by the app that knows the figure (the plan registers "milestones
on time" and "percent complete"; cost, quality and satisfaction register theirs the same way) — and
the daily job ``measure_live_kpis`` records its value. ``status_of`` grades a value against the
KPI's target and thresholds; ``trend_of`` gives the latest values, oldest first.

Who may do what: those who may edit the charter enter and remove values and choose a KPI's source;
whoever may see a KPI sees its values (a client member: the shared KPIs only).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.accounts.models import User
from tandem.core import audit
from tandem.core.choices import Visibility
from tandem.core.scoping import Viewer
from tandem.projects import permissions
from tandem.projects.choices import KpiDirection, KpiStatus
from tandem.projects.models import Kpi, KpiMeasurement, Project
from tandem.projects.permissions import Action

logger = logging.getLogger(__name__)

MANUAL = "manual"
#: How many values a trend shows (the latest, oldest first).
TREND_POINTS = 12
#: The largest value a measurement holds (the column's 14 digits, 4 after the point).
LIMIT = Decimal("9999999999.9999")


@dataclass(frozen=True)
class Source:
    """A live source of KPI values: ``measure(project, day, shared_only)`` is the value on that day,
    or None when the figure cannot be measured yet (no baseline, nothing due). With ``shared_only``
    it counts shared records only: a shared KPI's value never tells the client about internal work."""

    key: str
    label: str | Promise
    unit: str
    measure: Callable[[Project, dt.date, bool], Decimal | None]


#: Every live source, by key (apps register theirs when they are ready).
SOURCES: dict[str, Source] = {}


def register(source: Source) -> Source:
    """Make ``source`` available to bind KPIs to (an app's ``ready()`` calls it)."""
    SOURCES[source.key] = source
    return source


def source_choices() -> list[tuple[str, str]]:
    """(key, label) of manual entry and of every live source, for forms and the API's documentation."""
    return [
        (MANUAL, str(gettext_lazy("Entered by hand"))),
        *((s.key, str(s.label)) for s in SOURCES.values()),
    ]


# ---------------------------------------------------------------- status


def status_of(kpi: Kpi, value: Decimal | None) -> str:
    """A ``KpiStatus`` for ``value``: past the alarm threshold, past the warning one, or on target.

    "Past" follows the KPI's direction: for a KPI where higher is better, a value at or under the
    alarm threshold is an alarm; where lower is better, at or over it. Without thresholds, a value
    that misses the target is a warning. No value, or neither target nor thresholds: unknown.
    """
    if value is None:
        return KpiStatus.UNKNOWN
    higher = kpi.direction == KpiDirection.HIGHER

    def past(threshold: Decimal | None) -> bool:
        if threshold is None:
            return False
        return value <= threshold if higher else value >= threshold

    if past(kpi.alarm_threshold):
        return KpiStatus.ALARM
    if past(kpi.warning_threshold):
        return KpiStatus.WARNING
    if kpi.alarm_threshold is None and kpi.warning_threshold is None:
        if kpi.target is None:
            return KpiStatus.UNKNOWN
        meets = value >= kpi.target if higher else value <= kpi.target
        return KpiStatus.ON_TARGET if meets else KpiStatus.WARNING
    return KpiStatus.ON_TARGET


@dataclass(frozen=True)
class Reading:
    """What a page shows of a KPI: its latest value and status, and the values of its trend."""

    kpi: Kpi
    latest: KpiMeasurement | None
    status: str
    trend: list[KpiMeasurement]


def readings(kpis: Iterable[Kpi], points: int = TREND_POINTS) -> dict[int, Reading]:
    """Each KPI's reading, with one query for all of them (the caller has scoped the KPIs).

    Only each KPI's latest ``points`` values leave the database (a window function ranks them), so
    years of daily values cost a page no more than a week of them.
    """
    kpis = list(kpis)
    by_kpi: dict[int, list[KpiMeasurement]] = {k.pk: [] for k in kpis}
    newest_first = [F("measured_on").desc(), F("id").desc()]
    rows = (
        KpiMeasurement.objects.filter(kpi__in=[k.pk for k in kpis])
        .annotate(rank=Window(RowNumber(), partition_by=[F("kpi_id")], order_by=newest_first))
        .filter(rank__lte=points)
        .order_by("kpi_id", *newest_first)
    )
    for row in rows:
        by_kpi[row.kpi_id].append(row)
    out: dict[int, Reading] = {}
    for kpi in kpis:
        trend = list(reversed(by_kpi[kpi.pk]))
        latest = trend[-1] if trend else None
        out[kpi.pk] = Reading(kpi, latest, status_of(kpi, latest.value if latest else None), trend)
    return out


def measurements_of(user: Viewer, kpi: Kpi) -> QuerySet[KpiMeasurement]:
    """The KPI's values the user may see, newest first."""
    return KpiMeasurement.objects.visible_to(user).filter(kpi=kpi).order_by("-measured_on", "-id")


# ---------------------------------------------------------------- writing


def _value(raw: Any) -> Decimal:
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"value": [_("Enter a number.")]}) from None
    if not value.is_finite() or abs(value) > LIMIT:
        raise ValidationError({"value": [_("Enter a number between -9,999,999,999 and 9,999,999,999.")]})
    return value.quantize(Decimal("0.0001"))


@transaction.atomic
def do_record_measurement(
    kpi: Kpi, *, value: Any, measured_on: dt.date | None, actor: User, note: str = ""
) -> KpiMeasurement:
    """Enter the KPI's value on a date (today in the project's zone when not given); a value already
    entered for that date is replaced. Refused for a KPI bound to a live source."""
    permissions.require(actor, kpi.project, Action.EDIT_CHARTER)
    if kpi.source != MANUAL:
        raise ValidationError(
            {"value": [_("This KPI is measured by its live source; values are not entered by hand.")]}
        )
    if measured_on is None:
        raise ValidationError({"measured_on": [_("Enter the date of the value.")]})
    if len(note) > 300:
        raise ValidationError({"note": [_("Keep the note under 300 characters.")]})
    return _store(kpi, measured_on, _value(value), note.strip(), MANUAL, actor)


def _store(
    kpi: Kpi, day: dt.date, value: Decimal, note: str, source: str, actor: User | None
) -> KpiMeasurement:
    row, created = KpiMeasurement.objects.select_for_update().get_or_create(
        kpi=kpi,
        measured_on=day,
        defaults={"value": value, "note": note, "source": source, "recorded_by": actor},
    )
    before = None if created else str(row.value)
    if not created:
        row.value, row.note, row.source, row.recorded_by = value, note, source, actor
        row.save(update_fields=["value", "note", "source", "recorded_by", "updated_at"])
    audit.record(
        actor=actor,
        verb="measured",
        target=kpi,
        project=kpi.project,
        changes={"date": [None, day.isoformat()], "value": [before, str(value)]},
        visibility=kpi.visibility,
    )
    return row


@transaction.atomic
def do_delete_measurement(row: KpiMeasurement, *, actor: User) -> None:
    """Remove a value entered by mistake."""
    kpi = row.kpi
    permissions.require(actor, kpi.project, Action.EDIT_CHARTER)
    audit.record(
        actor=actor,
        verb="unmeasured",
        target=kpi,
        project=kpi.project,
        changes={"date": [row.measured_on.isoformat(), None], "value": [str(row.value), None]},
        visibility=kpi.visibility,
    )
    row.delete()


@transaction.atomic
def do_set_kpi_source(kpi: Kpi, *, source: str, actor: User) -> Kpi:
    """Bind the KPI to a live source, or back to values entered by hand ("manual")."""
    permissions.require(actor, kpi.project, Action.EDIT_CHARTER)
    if source != MANUAL and source not in SOURCES:
        raise ValidationError({"source": [_("Choose one of the listed sources.")]})
    if source != kpi.source:
        audit.record(
            actor=actor,
            verb="changed",
            target=kpi,
            project=kpi.project,
            changes={"source": [kpi.source, source]},
            visibility=kpi.visibility,
        )
        kpi.source = source
        kpi.save(update_fields=["source", "updated_at"])
    return kpi


def measure_live(project: Project, day: dt.date, kpis: Mapping[int, Kpi] | None = None) -> int:
    """Record today's value of every KPI of the project bound to a live source; how many were recorded.

    A source that cannot measure yet records nothing; one that fails is logged and skipped.
    """
    bound = (
        kpis
        if kpis is not None
        else {k.pk: k for k in Kpi.objects.filter(project=project).exclude(source=MANUAL)}
    )
    recorded = 0
    for kpi in bound.values():
        source = SOURCES.get(kpi.source)
        if source is None:
            continue
        try:
            with transaction.atomic():
                value = source.measure(project, day, kpi.visibility == Visibility.SHARED)
                if value is not None:
                    _store(kpi, day, _value(value), "", source.key, None)
                    recorded += 1
        except Exception:  # one source's failure never stops the others
            logger.exception("KPI %s of project %s: source %s failed", kpi.pk, project.pk, source.key)
    return recorded
