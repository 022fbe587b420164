"""Demo communication plan and meetings: the weekly report and status meeting, the monthly steering review,
milestone demos; a held kickoff with approved minutes, decisions and action items, and the weekly meetings.

Built through the services (without mailing anyone), so adherence, fulfilments, the client decision
register and the audit trail are genuine. Call after the demo plan and risks, and before the demo
reports (which attach to the weekly report entry):

    from tandem.meetings.demo import load_demo_meetings
    load_demo_meetings(project)          # idempotent: a second call adds nothing
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tandem.core.choices import Visibility
from tandem.meetings import cadence, services
from tandem.meetings.choices import (
    ActionStatus,
    Channel,
    CommunicationKind,
    Frequency,
    MeetingKind,
    MonthlyRule,
)
from tandem.meetings.models import CommunicationItem, Meeting
from tandem.planning import scheduling
from tandem.projects.choices import Role
from tandem.projects.demo import demo_people
from tandem.projects.models import Project

BOTH_SIDES = [Role.PROJECT_MANAGER, Role.LEAD, Role.SPONSOR, Role.CLIENT_PM]

KICKOFF_MINUTES = """\
## 启动会纪要 Kickoff minutes

- 双方确认了项目目标、范围和里程碑。Both sides confirmed the goals, scope and milestones.
- 沟通计划：每周五发送周报，每周一召开例会，每月第一个工作日召开指导委员会。
  Communication: weekly report on Fridays, status meeting on Mondays, steering review on the first
  working day of each month.
- 客户方指定了主数据负责人。The client named an owner for master data.
"""


def _at(project: Project, day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time).replace(tzinfo=scheduling.zone_of(project))


def _previous_weekday(today: dt.date, weekday: int) -> dt.date:
    """The most recent ``weekday`` strictly before ``today``."""
    back = (today.weekday() - weekday) % 7 or 7
    return today - dt.timedelta(days=back)


@transaction.atomic
def load_demo_meetings(project: Project, *, today: dt.date | None = None) -> int:
    """Fill the communication plan and meetings of ``project`` once; return the number of meetings."""
    if CommunicationItem.objects.filter(project=project).exists():
        return Meeting.objects.filter(project=project).count()
    today = today or timezone.localdate()
    people = demo_people(project)
    pm = people.get(Role.PROJECT_MANAGER)
    if pm is None:
        return 0
    lead = people.get(Role.LEAD, pm)
    member = people.get(Role.MEMBER, lead)
    client_pm = people.get(Role.CLIENT_PM) or people.get(Role.SPONSOR)
    start = project.start_date or today - dt.timedelta(days=60)

    services.do_add_item(
        project,
        actor=pm,
        kind=CommunicationKind.STATUS_REPORT,
        title="项目周报 Weekly status report",
        purpose="进度、风险、待客户决策事项 Progress, risks and decisions awaiting the client",
        audience_roles=[*BOTH_SIDES, Role.REVIEWER],
        channel=Channel.EMAIL,
        frequency=Frequency.WEEKLY,
        weekday=4,
        time_of_day=dt.time(16, 0),
        # Written reports began three Fridays ago (the demo's three sent reports), once the build began.
        starts_on=_previous_weekday(today, 4) - dt.timedelta(weeks=2),
        owner_id=pm.pk,
        auto_send=False,
        template="## 本周进展 This week\n\n## 下周计划 Next week\n\n## 需要客户支持 Needed from the client\n",
    )
    weekly = services.do_add_item(
        project,
        actor=pm,
        kind=CommunicationKind.MEETING,
        title="周例会 Weekly status meeting",
        purpose="同步进度、处理行动项 Progress and action items",
        audience_roles=[Role.PROJECT_MANAGER, Role.LEAD, Role.MEMBER, Role.CLIENT_PM],
        channel=Channel.MEETING,
        frequency=Frequency.WEEKLY,
        weekday=0,
        time_of_day=dt.time(10, 0),
        starts_on=start,
        owner_id=pm.pk,
    )
    steering = services.do_add_item(
        project,
        actor=pm,
        kind=CommunicationKind.REVIEW,
        title="月度指导委员会 Monthly steering review",
        purpose="里程碑、预算、重大风险与决策 Milestones, budget, major risks and decisions",
        audience_roles=[Role.SPONSOR, Role.CLIENT_PM, Role.PROJECT_MANAGER],
        channel=Channel.MEETING,
        frequency=Frequency.MONTHLY,
        monthly_rule=MonthlyRule.FIRST_WORKING_DAY,
        time_of_day=dt.time(10, 0),
        starts_on=start,
        owner_id=pm.pk,
    )
    services.do_add_item(
        project,
        actor=pm,
        kind=CommunicationKind.DEMO,
        title="里程碑演示 Milestone demos",
        purpose="每个里程碑向关键用户演示 A demo to key users at each milestone",
        audience_roles=[Role.CLIENT_PM, Role.REVIEWER, Role.LEAD],
        channel=Channel.MEETING,
        frequency=Frequency.AS_NEEDED,
        starts_on=start,
        owner_id=lead.pk,
    )

    # The kickoff: held on the first day, agenda from the charter, minutes approved.
    everyone = [{"user_id": m.user_id} for m in project.memberships.order_by("id")]
    kickoff_day = start if start < today else today - dt.timedelta(days=1)
    kickoff = services.do_schedule_meeting(
        project,
        actor=pm,
        notify=False,
        title="项目启动会 Project kickoff",
        kind=MeetingKind.KICKOFF,
        starts_at=_at(project, kickoff_day, dt.time(9, 30)),
        ends_at=_at(project, kickoff_day, dt.time(11, 30)),
        location="客户总部 3 楼会议室 Client HQ, meeting room 3F",
        attendees=everyone,
    )
    kickoff = services.do_mark_held(kickoff, version=kickoff.version, actor=pm)
    kickoff = services.do_save_minutes(kickoff, version=kickoff.version, actor=pm, minutes=KICKOFF_MINUTES)
    services.do_record_attendance(kickoff, actor=pm, attended=[a.pk for a in kickoff.attendees.all()])
    services.do_add_decision(
        kickoff,
        actor=pm,
        text="上线日期定为双十一之后 Go-live after the Singles' Day peak",
        concerns_client=True,
    )
    services.do_add_decision(
        kickoff,
        actor=pm,
        text="由我方架构师兼任接口负责人 Our architect also owns the interfaces",
        visibility=Visibility.INTERNAL,
    )
    done = services.do_add_action(
        kickoff,
        actor=pm,
        title="发送会议纪要与沟通计划 Send the minutes and the communication plan",
        owner_id=pm.pk,
        due_date=kickoff_day + dt.timedelta(days=2),
    )
    services.do_update_action(done, version=done.version, actor=pm, status=ActionStatus.DONE)
    services.do_add_action(
        kickoff,
        actor=pm,
        title="提供门店主数据样本 Provide a sample of store master data",
        owner_id=client_pm.pk if client_pm else None,
        due_date=today + dt.timedelta(days=5),
    )
    planned = services.do_add_action(
        kickoff,
        actor=pm,
        title="准备数据迁移演练环境 Prepare the data migration rehearsal environment",
        owner_id=member.pk,
        due_date=today + dt.timedelta(days=10),
    )
    services.do_make_action_a_task(planned, version=planned.version, actor=pm, duration_minutes=3 * 480)
    services.do_approve_minutes(kickoff, version=kickoff.version, actor=pm, notify=False)

    # Weekly status meetings: last Monday's held (it fulfils the plan entry), next Monday's ahead.
    last_monday = _previous_weekday(today + dt.timedelta(days=1), 0)

    def weekly_meeting(monday: dt.date) -> Meeting:
        return services.do_schedule_meeting(
            project,
            actor=pm,
            notify=False,
            title="周例会 Weekly status meeting",
            kind=MeetingKind.WEEKLY_STATUS,
            item_id=weekly.pk,
            starts_at=_at(project, monday, dt.time(10, 0)),
            ends_at=_at(project, monday, dt.time(11, 0)),
            online_url="https://meeting.example.com/erp-weekly",
            attendees=[{"user_id": u.pk} for u in {pm, lead, member, client_pm} if u is not None],
        )

    previous = weekly_meeting(last_monday)
    if previous.starts_at < timezone.now():
        previous = services.do_mark_held(previous, version=previous.version, actor=pm)
    services.do_add_action(
        previous,
        actor=pm,
        title="确认支付网关接口规格 Confirm the payment gateway interface specification",
        owner_id=client_pm.pk if client_pm else None,
        due_date=today + dt.timedelta(days=3),
    )
    services.do_add_action(
        previous,
        actor=pm,
        title="复核分包商人天 Review the subcontractor's man-days",
        owner_id=lead.pk,
        visibility=Visibility.INTERNAL,
    )
    next_monday = last_monday + dt.timedelta(days=7)
    upcoming = weekly_meeting(next_monday)
    for title, minutes, visibility in (
        ("上周行动项 Last week's action items", 10, Visibility.SHARED),
        ("进度与里程碑 Progress and milestones", 20, Visibility.SHARED),
        ("风险与问题 Risks and issues", 15, Visibility.SHARED),
        ("分包商成本 Subcontractor cost", 10, Visibility.INTERNAL),
    ):
        services.do_add_agenda_item(
            upcoming, actor=pm, title=title, duration_minutes=minutes, visibility=visibility
        )

    # History: most weekly meetings and steering reviews took place; one week was skipped.
    now = timezone.now()
    before_last = min(now, previous.starts_at - dt.timedelta(hours=1))
    past = cadence.slots(weekly, cadence.started_at(weekly), before_last)
    for n, slot in enumerate(past):
        if n % 5 != 3:
            services.record_fulfilment(weekly, at=slot + dt.timedelta(minutes=5), label="周例会", actor=pm)
    for slot in cadence.slots(steering, cadence.started_at(steering), now):
        services.record_fulfilment(steering, at=slot + dt.timedelta(minutes=10), label="指导委员会", actor=pm)
    return Meeting.objects.filter(project=project).count()
