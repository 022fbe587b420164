"""The demo communication plan and meetings: loaded once, with history, a kickoff and the weekly meetings."""

from __future__ import annotations

import datetime as dt

from tandem.meetings import queries
from tandem.meetings.choices import ActionStatus, MeetingKind, MeetingStatus, MinutesStatus
from tandem.meetings.demo import load_demo_meetings
from tandem.meetings.models import ActionItem, CommunicationItem, Meeting
from tandem.planning.demo import load_demo_plan
from tandem.projects.demo import load_demo
from tandem.risks.models import ClientDecision


def test_it_fills_the_plan_and_meetings_once(db: None) -> None:
    today = dt.date.today()
    project = load_demo()
    load_demo_plan(project, today=today)
    assert load_demo_meetings(project, today=today) == 3
    assert load_demo_meetings(project, today=today) == 3
    assert CommunicationItem.objects.filter(project=project).count() == 4
    report = CommunicationItem.objects.get(project=project, kind="status_report")
    assert report.weekday == 4 and report.time_of_day == dt.time(16, 0) and not report.auto_send
    kickoff = Meeting.objects.get(project=project, kind=MeetingKind.KICKOFF)
    assert kickoff.status == MeetingStatus.HELD and kickoff.minutes_status == MinutesStatus.APPROVED
    assert kickoff.agenda.count() == 7
    statuses = sorted(("task" if a.task_id else a.status) for a in ActionItem.objects.filter(meeting=kickoff))
    assert statuses == [ActionStatus.DONE, ActionStatus.OPEN, "task"]
    assert ClientDecision.objects.filter(
        project=project, status="decided", outcome__contains="Singles"
    ).exists()
    pm = project.memberships.get(role="pm").user
    plan = {s.item.title: s for s in queries.plan_of(pm, project)}
    weekly = plan["周例会 Weekly status meeting"]
    assert weekly.cadence == "每周一 10:00" or weekly.cadence == "Every Monday at 10:00"
    assert weekly.adherence.percent is not None and 50 <= weekly.adherence.percent < 100
    upcoming = Meeting.objects.filter(project=project, status=MeetingStatus.SCHEDULED).get()
    carried = list(queries.carried_over(pm, upcoming))
    assert len(carried) == 2
    client = project.memberships.get(role="client_viewer").user
    assert len(list(queries.carried_over(client, upcoming))) == 1
