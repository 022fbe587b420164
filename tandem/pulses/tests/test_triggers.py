"""Triggers: a shared milestone reached, an acceptance signed, the monthly schedule, the project's
closure — each sends one pulse, however often the scan runs, and never for events before the trigger."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tandem.core import clock
from tandem.core.choices import Visibility
from tandem.planning import services as planning
from tandem.planning.choices import TaskKind
from tandem.projects import services as projects
from tandem.projects.choices import DecisionKind, ProjectStatus
from tandem.pulses import services, triggers
from tandem.pulses.choices import Trigger
from tandem.pulses.models import Pulse, PulseSettings
from tandem.quality.choices import AcceptanceStatus
from tandem.quality.models import AcceptanceRequest
from tandem.testing.personas import World


def _turn_on(world: World, **flags: bool) -> PulseSettings:
    return services.do_update_settings(world.project, actor=world.pm, version=None, **flags)


def _pulses(world: World, trigger: str) -> list[Pulse]:
    return list(Pulse.objects.filter(project=world.project, trigger=trigger))


def test_a_shared_milestone_reached_sends_one_pulse(world: World) -> None:
    _turn_on(world, on_milestone=True)
    milestone = planning.do_add_task(
        world.project, actor=world.pm, name="Go-live", kind=TaskKind.MILESTONE, visibility=Visibility.SHARED
    )
    hidden = planning.do_add_task(
        world.project,
        actor=world.pm,
        name="Internal gate",
        kind=TaskKind.MILESTONE,
        visibility=Visibility.INTERNAL,
    )
    assert triggers.scan() == []
    for task in (milestone, hidden):
        planning.do_set_milestone_reached(
            task, actor=world.sponsor, decision=DecisionKind.ACCEPT_DELIVERABLE, reached=True
        )
    sent = triggers.scan()
    assert [(p.trigger, p.event_key, p.subject) for p in sent] == [
        (Trigger.MILESTONE, str(milestone.pk), "Go-live")
    ]
    assert triggers.scan() == [] and triggers.scan() == []
    assert len(_pulses(world, Trigger.MILESTONE)) == 1


def test_events_before_the_trigger_was_turned_on_send_nothing(world: World) -> None:
    milestone = planning.do_add_task(
        world.project, actor=world.pm, name="Kick-off", kind=TaskKind.MILESTONE, visibility=Visibility.SHARED
    )
    planning.do_set_milestone_reached(
        milestone,
        actor=world.sponsor,
        decision=DecisionKind.ACCEPT_DELIVERABLE,
        reached=True,
        at=timezone.now() - dt.timedelta(days=3),
    )
    _turn_on(world, on_milestone=True)
    assert triggers.scan() == []


def test_a_signed_acceptance_sends_one_pulse(world: World) -> None:
    _turn_on(world, on_acceptance=True)
    request = AcceptanceRequest.objects.create(
        project=world.project, code="ACC-1", title="Data migration", visibility=Visibility.SHARED
    )
    assert triggers.scan() == []
    AcceptanceRequest.objects.filter(pk=request.pk).update(
        status=AcceptanceStatus.ACCEPTED_WITH_CONDITIONS, signed_at=timezone.now()
    )
    (pulse,) = triggers.scan()
    assert (pulse.trigger, pulse.subject) == (Trigger.ACCEPTANCE, "Data migration")
    assert triggers.scan() == []


def test_the_monthly_schedule_sends_once_a_month_from_its_day(world: World) -> None:
    _turn_on(world, on_schedule=True, schedule_day=10)
    projects.do_update_project(
        world.project, version=world.project.version, actor=world.pm, status=ProjectStatus.ACTIVE
    )
    world.project.refresh_from_db()
    start = timezone.now()
    local = start.date()
    first_due = dt.datetime(local.year, local.month, 10, 12, tzinfo=dt.UTC)
    if first_due < start:
        first_due = dt.datetime(local.year + (local.month == 12), local.month % 12 + 1, 10, 12, tzinfo=dt.UTC)
    assert triggers.scan(first_due - dt.timedelta(days=1)) == []
    (pulse,) = triggers.scan(first_due)
    assert pulse.event_key == f"{first_due:%Y-%m}"
    assert triggers.scan(first_due + dt.timedelta(days=5)) == []
    next_month = first_due + dt.timedelta(days=31)
    assert len(triggers.scan(next_month)) == 1
    assert len(_pulses(world, Trigger.SCHEDULE)) == 2


def test_closing_the_project_sends_one_pulse_through_the_clock(world: World) -> None:
    _turn_on(world, on_closure=True)
    clock.tick()
    assert _pulses(world, Trigger.CLOSURE) == []
    projects.do_update_project(
        world.project, version=world.project.version, actor=world.pm, status=ProjectStatus.CLOSED
    )
    clock.tick()
    clock.tick()
    assert len(_pulses(world, Trigger.CLOSURE)) == 1


def test_a_trigger_turned_off_sends_nothing(world: World) -> None:
    projects.do_update_project(
        world.project, version=world.project.version, actor=world.pm, status=ProjectStatus.CLOSED
    )
    assert triggers.scan() == []
    assert not Pulse.objects.exists()
