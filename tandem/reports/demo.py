"""Demo status reports: the last three Fridays' weekly reports, generated from the demo data and sent.

Built through the services, so the facts, ratings, snapshots and audit trail are genuine; the
narrative is written in the project's language. Call after the other demo loaders (plan, changes,
risks, and the communication plan when there is one):

    from tandem.reports.demo import load_demo_reports
    load_demo_reports(project)          # idempotent: a second call adds nothing
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db import transaction
from django.utils import timezone

from tandem.meetings.choices import CommunicationKind
from tandem.meetings.models import CommunicationItem
from tandem.projects.choices import Role
from tandem.projects.models import Project
from tandem.reports import services
from tandem.reports.models import StatusReport

REPORT_TIME = dt.time(16, 0)
WEEKS = 3

#: What the PM wrote each week, oldest first: (Chinese, English).
NARRATIVE: tuple[tuple[str, str], ...] = (
    (
        "本周完成了门店试点的数据迁移演练，主数据质量问题已列入问题清单并指定负责人。",
        "This week the store pilot's data migration rehearsal was completed; the master data quality "
        "problems are in the issue log with an owner.",
    ),
    (
        "接口规格仍有延迟，影响集成测试的开始时间；我们已与客户 IT 约定每日站会跟进。",
        "The interface specifications are still late and hold up integration testing; we agreed a daily "
        "stand-up with the client's IT to follow up.",
    ),
    (
        "集成测试已开始。请客户本周内就支付网关做出决策，否则上线里程碑将继续推迟。",
        "Integration testing has started. We need the client's decision on the payment gateway this week, "
        "otherwise the go-live milestone slips further.",
    ),
)


def last_fridays(today: dt.date, count: int = WEEKS) -> list[dt.date]:
    """The ``count`` most recent Fridays strictly before ``today``, oldest first."""
    back = (today.weekday() - 4) % 7 or 7
    latest = today - dt.timedelta(days=back)
    return [latest - dt.timedelta(weeks=n) for n in reversed(range(count))]


@transaction.atomic
def load_demo_reports(project: Project, *, today: dt.date | None = None) -> int:
    """Send the weekly reports of the last three Fridays once; return how many reports the project has."""
    existing = StatusReport.objects.filter(project=project)
    if existing.exists():
        return existing.count()
    zone = zoneinfo.ZoneInfo(project.time_zone or "UTC")
    today = today or timezone.localdate()
    membership = project.memberships.filter(role=Role.PROJECT_MANAGER).select_related("user").first()
    if membership is None:
        return 0
    pm = membership.user
    item = (
        CommunicationItem.objects.filter(project=project, kind=CommunicationKind.STATUS_REPORT, active=True)
        .order_by("id")
        .first()
    )
    chinese = (project.language or "").lower().startswith("zh")
    for week, friday in enumerate(last_fridays(today)):
        moment = dt.datetime.combine(friday, REPORT_TIME, tzinfo=zone)
        report = services.generate_report(
            project,
            period_start=friday - dt.timedelta(days=6),
            period_end=friday,
            actor=pm,
            item=item,
            slot=moment if item is not None else None,
            now=moment,
        )
        zh, en = NARRATIVE[week % len(NARRATIVE)]
        report = services.do_edit_report(
            report, actor=pm, version=report.version, summary=f"{zh if chinese else en}\n\n{report.summary}"
        )
        services.do_send_report(report, actor=pm, version=report.version, at=moment, deliver=False)
    return existing.count()
