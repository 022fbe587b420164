"""The events that send a pulse, found by a scan the clock runs every minute (``tasks.scan_triggers``).

The lower layers (planning, quality, projects) know nothing of pulses: the scan reads what they
stored — a shared milestone at 100 %, a signed acceptance, the project's status, the date — for
the projects whose settings turn the trigger on, and sends one pulse per event. The event's key is
unique per project and trigger (``Pulse`` constraint), so a second scan, a second clock or a
restart never sends twice, and events before the trigger was turned on (``triggers_since``) are
never surveyed. The cost is a handful of queries per tick whatever the number of projects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from tandem.core.choices import Visibility
from tandem.planning.choices import TaskKind
from tandem.planning.models import Task
from tandem.planning.scheduling import zone_of
from tandem.projects.choices import ProjectStatus
from tandem.pulses import services
from tandem.pulses.choices import Trigger
from tandem.pulses.models import Pulse, PulseSettings
from tandem.quality.choices import AcceptanceStatus
from tandem.quality.models import AcceptanceRequest

SIGNED = (AcceptanceStatus.ACCEPTED, AcceptanceStatus.ACCEPTED_WITH_CONDITIONS)

Event = tuple[int, str, str, str]  # project id, trigger, event key, subject


def _enabled() -> list[PulseSettings]:
    return list(
        PulseSettings.objects.select_related("project", "survey")
        .filter(triggers_since__isnull=False, survey__isnull=False)
        .filter(Q(on_milestone=True) | Q(on_acceptance=True) | Q(on_schedule=True) | Q(on_closure=True))
        .exclude(project__status=ProjectStatus.ON_HOLD)
    )


def due_events(now: dt.datetime, configs: Iterable[PulseSettings]) -> list[Event]:
    """Every event of the enabled projects at ``now`` (surveyed or not)."""
    configs = list(configs)
    events: list[Event] = []
    milestone = {c.project_id: c.triggers_since for c in configs if c.on_milestone and c.triggers_since}
    if milestone:
        reached = Task.objects.filter(
            project_id__in=list(milestone),
            kind=TaskKind.MILESTONE,
            visibility=Visibility.SHARED,
            percent_complete=100,
        ).values_list("project_id", "pk", "name", "actual_finish", "updated_at")
        # Reached when its actual finish says (or, without one, when it was last changed).
        events += [
            (p, Trigger.MILESTONE, str(pk), name)
            for p, pk, name, finished, updated in reached
            if (finished or updated) >= milestone[p]
        ]
    acceptance = {c.project_id: c.triggers_since for c in configs if c.on_acceptance and c.triggers_since}
    if acceptance:
        signed = AcceptanceRequest.objects.filter(
            project_id__in=list(acceptance), status__in=SIGNED, signed_at__isnull=False
        ).values_list("project_id", "pk", "title", "signed_at")
        events += [
            (p, Trigger.ACCEPTANCE, str(pk), title)
            for p, pk, title, signed_at in signed
            if signed_at is not None and signed_at >= acceptance[p]
        ]
    for config in configs:
        project = config.project
        if config.on_closure and project.status == ProjectStatus.CLOSED:
            events.append((project.pk, Trigger.CLOSURE, "closure", ""))
        if config.on_schedule and project.status == ProjectStatus.ACTIVE and config.triggers_since:
            local = now.astimezone(zone_of(project)).date()
            if (
                local.day >= config.schedule_day
                and local >= config.triggers_since.astimezone(zone_of(project)).date()
            ):
                events.append((project.pk, Trigger.SCHEDULE, f"{local:%Y-%m}", f"{local:%Y-%m}"))
    return events


def scan(now: dt.datetime | None = None) -> list[Pulse]:
    """Send a pulse for every event not surveyed yet; returns the pulses sent."""
    moment = now or timezone.now()
    configs = _enabled()
    if not configs:
        return []
    events = due_events(moment, configs)
    if not events:
        return []
    done = set(
        Pulse.objects.filter(project_id__in={e[0] for e in events}).values_list(
            "project_id", "trigger", "event_key"
        )
    )
    by_project = {c.project_id: c for c in configs}
    sent = []
    for project_id, trigger, key, subject in events:
        if (project_id, str(trigger), key) in done:
            continue
        pulse = services.do_send_pulse(
            by_project[project_id].project, trigger=trigger, event_key=key, subject=subject
        )
        if pulse is not None:
            sent.append(pulse)
    return sent
