"""The client PM readiness checklist is computed from the project's data, check by check, in a fixed
number of queries."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.core.choices import Visibility
from tandem.meetings import services as meetings
from tandem.meetings.choices import CommunicationKind, Frequency
from tandem.onboarding import services
from tandem.onboarding.models import TrainingKind
from tandem.onboarding.readiness import readiness_of
from tandem.projects import services as projects
from tandem.projects.choices import DecisionKind, Role
from tandem.projects.models import Charter, Membership, Project
from tandem.testing.personas import World, make_user

pytestmark = pytest.mark.django_db


def done(project: Project) -> dict[str, bool]:
    fresh = Project.objects.get(pk=project.pk)
    return {c.key: c.done for c in readiness_of(fresh).checks}


def test_each_check_follows_the_data(world: World) -> None:
    project, pm = world.project, world.pm
    assert done(project) == dict.fromkeys(
        ("guide", "charter", "rights", "communication", "training", "meeting"), False
    ) | {"rights": True}

    services.do_record_guide_opened(project, actor=world.sponsor)  # not the client PM: still open
    assert not done(project)["guide"]
    services.do_record_guide_opened(project, actor=world.client_pm)
    assert done(project)["guide"]

    revision = Charter.objects.get(project=project).revision
    projects.do_confirm_charter(project, revision=revision, actor=world.sponsor)
    assert done(project)["charter"]
    projects.do_update_section(project, key="scope_out", body="Payroll", version=0, actor=pm)
    assert not done(project)["charter"]  # a new revision waits for its confirmation

    # The client's decisions held only by the team: the check names what is missing.
    projects.do_set_decision_right(
        project, kind=DecisionKind.APPROVE_CHANGE, roles=[Role.PROJECT_MANAGER], actor=pm
    )
    fresh = Project.objects.get(pk=project.pk)
    rights = next(c for c in readiness_of(fresh).checks if c.key == "rights")
    assert not rights.done and str(DecisionKind.APPROVE_CHANGE.label) in str(rights.hint)

    meetings.do_add_item(
        project,
        actor=pm,
        frequency=Frequency.AS_NEEDED,
        title="Internal sync",
        audience_roles=[Role.CLIENT_PM],
        visibility=Visibility.INTERNAL,
    )
    assert not done(project)["communication"]  # the client cannot see it
    meetings.do_add_item(
        project, actor=pm, frequency=Frequency.AS_NEEDED, title="Team stand-up", audience_roles=[Role.MEMBER]
    )
    assert not done(project)["communication"]  # it does not reach the client
    meetings.do_add_item(
        project,
        actor=pm,
        kind=CommunicationKind.STATUS_REPORT,
        title="Weekly report",
        frequency=Frequency.WEEKLY,
        weekday=4,
        audience_roles=[Role.SPONSOR, Role.CLIENT_PM],
    )
    assert done(project)["communication"]

    first = services.do_add_training_item(
        project, actor=pm, data={"kind": TrainingKind.GUIDE, "title": "A", "body": "a"}
    )
    second = services.do_add_training_item(
        project,
        actor=pm,
        data={"kind": TrainingKind.GUIDE, "title": "B", "body": "b", "audience_roles": [Role.SPONSOR]},
    )
    services.do_mark_training_done(second, actor=world.sponsor)
    assert not done(project)["training"]
    services.do_mark_training_done(first, actor=world.client_pm)
    assert done(project)["training"]  # the sponsor's item is not the client PM's

    starts = dt.datetime(2026, 1, 6, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    kickoff = meetings.do_schedule_meeting(
        project,
        actor=pm,
        title="Kickoff",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        notify=False,
    )
    assert not done(project)["meeting"]
    meetings.do_mark_held(kickoff, version=kickoff.version, actor=pm)
    assert done(project)["meeting"]


def test_without_a_client_pm_the_guide_and_training_stay_open(world: World) -> None:
    Membership.objects.filter(project=world.project, role=Role.CLIENT_PM).delete()
    fresh = Project.objects.get(pk=world.project.pk)
    checks = {c.key: c for c in readiness_of(fresh).checks}
    assert not checks["guide"].done and not checks["training"].done
    assert readiness_of(fresh).score <= readiness_of(fresh).total == 6


def test_it_reads_the_same_queries_however_many_people_and_items(world: World) -> None:
    def count() -> int:
        fresh = Project.objects.get(pk=world.project.pk)
        with CaptureQueriesContext(connection) as captured:
            readiness_of(fresh)
        return len(captured)

    def grow(i: int) -> None:
        person = make_user(f"pm{i}@northwind.test", f"PM {i}", world.client)
        projects.do_add_member(world.project, user=person, role=Role.CLIENT_PM, actor=world.pm)
        item = services.do_add_training_item(
            world.project, actor=world.pm, data={"kind": "guide", "title": f"T{i}", "body": "x"}
        )
        services.do_mark_training_done(item, actor=person)
        meetings.do_add_item(
            world.project,
            actor=world.pm,
            frequency=Frequency.AS_NEEDED,
            title=f"Entry {i}",
            audience_roles=[Role.SPONSOR],
        )

    grow(0)  # one of each first: an empty list needs no query at all
    before = count()
    for i in range(1, 7):
        grow(i)
    assert count() == before <= 6
