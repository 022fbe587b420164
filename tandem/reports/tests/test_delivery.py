"""Sending a report: emails on both sides in the report's language with the PDF; the PDF's text; the
Markdown; the scheduled generation (idempotent) and the plan entry's fulfilment."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.contrib.contenttypes.models import ContentType

from tandem.communication.models import Notification
from tandem.meetings import services as meeting_services
from tandem.meetings.choices import CommunicationKind, Frequency
from tandem.meetings.models import Fulfilment
from tandem.projects.choices import Role
from tandem.reports import mailing, rendering, services, tasks
from tandem.reports.choices import ReportStatus
from tandem.reports.models import StatusReport
from tandem.testing.pdf import pdf_text
from tandem.testing.smtp import SMTPServer

from .conftest import EARLY, Plan

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
SECRETS = ("Margin review", "Subcontractor payout")


def _sent(
    plan: Plan,
    capture: Any = None,
    *,
    language: str = "zh-hans",
    summary: str = "上线推迟一周，原因是集成测试。",
) -> StatusReport:
    """A report generated, edited and sent by the PM (its after-commit jobs run when ``capture`` is given)."""
    world = plan.world
    report = services.generate_report(
        world.project,
        period_start=dt.date(2026, 1, 5),
        period_end=dt.date(2026, 1, 9),
        actor=world.pm,
        language=language,
        now=EARLY,
    )
    report = services.do_edit_report(report, actor=world.pm, version=1, summary=summary)
    if capture is None:
        return services.do_send_report(report, actor=world.pm, version=2)
    with capture(execute=True):
        return services.do_send_report(report, actor=world.pm, version=2)


def test_every_member_on_both_sides_gets_the_report_in_its_language_with_the_pdf(
    plan: Plan, smtp_server: SMTPServer, django_capture_on_commit_callbacks: Any
) -> None:
    world = plan.world
    report = _sent(plan, django_capture_on_commit_callbacks)
    members = list(world.project.memberships.values_list("user__email", flat=True))
    assert sorted(report.recipients) == sorted(members)
    smtp_server.wait_for(len(members))
    for persona in ("sponsor", "client_viewer", "pm"):
        (mail,) = smtp_server.to(world.people[persona].email)
        assert mail.subject.strip().startswith("[ERP] 状态报告")
        assert "上线推迟一周" in mail.text and "上线推迟一周" in mail.html
        assert "里程碑“Go-live”预计延迟 7 个工作日。" in mail.text
        assert "/projects/ERP/reports/" in mail.text
        for secret in SECRETS:
            assert secret not in mail.text and secret not in mail.html
        ((name, kind, data),) = mail.attachments()
        assert kind == "application/pdf" and name.endswith(".pdf") and data.startswith(b"%PDF")


def test_the_pdf_says_what_the_page_says_in_chinese(plan: Plan) -> None:
    report = _sent(plan)
    text = pdf_text(rendering.render_pdf(report))
    assert "上线推迟一周" in text
    assert "里程碑" in text and "Go-live" in text
    assert "总体状态" in text
    for secret in SECRETS:
        assert secret not in text
    english = pdf_text(rendering.render_pdf(_sent(plan, language="en", summary="Go-live moves a week.")))
    assert "Go-live moves a week." in english and "Milestones" in english


def test_the_markdown_has_the_narrative_the_rating_and_the_milestone_table(plan: Plan) -> None:
    report = _sent(plan, language="en", summary="Go-live moves a week.")
    text = rendering.render_markdown_text(report)
    assert text.startswith("# Status report ERP upgrade")
    assert "## Overall status: Red" in text
    assert "Go-live moves a week." in text
    assert "| Go-live | " in text and "| 7 |" in text
    assert "- Budget: 1,200,000.00 CNY" in text


def _item(plan: Plan, **extra: object) -> object:
    world = plan.world
    return meeting_services.do_add_item(
        world.project,
        actor=world.pm,
        kind=CommunicationKind.STATUS_REPORT,
        title="Weekly status",
        frequency=Frequency.WEEKLY,
        weekday=4,
        starts_on=dt.date(2026, 1, 5),
        owner_id=world.pm.pk,
        **extra,
    )


def test_the_scheduled_job_makes_one_draft_per_slot_and_tells_the_owner(
    plan: Plan, django_capture_on_commit_callbacks: Any
) -> None:
    item = _item(plan)
    now = dt.datetime(2026, 1, 9, 17, 0, tzinfo=SHANGHAI)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.generate_scheduled(now)
    tasks.generate_scheduled(now + dt.timedelta(minutes=1))
    (report,) = StatusReport.objects.filter(item=item)
    assert report.status == ReportStatus.DRAFT
    assert report.slot == dt.datetime(2026, 1, 9, 16, 0, tzinfo=SHANGHAI)
    assert (report.period_start, report.period_end) == (dt.date(2026, 1, 3), dt.date(2026, 1, 9))
    assert (
        Notification.objects.filter(
            recipient=plan.world.pm, verb=mailing.VERB_READY, target_id=report.pk
        ).count()
        == 1
    )
    # Before the next Friday's slot nothing more is made; after it, the next week's report.
    tasks.generate_scheduled(dt.datetime(2026, 1, 16, 15, 0, tzinfo=SHANGHAI))
    assert StatusReport.objects.filter(item=item).count() == 1
    tasks.generate_scheduled(dt.datetime(2026, 1, 16, 16, 5, tzinfo=SHANGHAI))
    latest = StatusReport.objects.filter(item=item).order_by("-slot").first()
    assert latest is not None and latest.period_start == dt.date(2026, 1, 10)


def test_an_auto_send_entry_sends_to_its_audience_and_is_fulfilled(
    plan: Plan, smtp_server: SMTPServer, django_capture_on_commit_callbacks: Any
) -> None:
    world = plan.world
    item = _item(plan, auto_send=True, audience_roles=[Role.SPONSOR, Role.PROJECT_MANAGER])
    now = dt.datetime(2026, 1, 9, 16, 1, tzinfo=SHANGHAI)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.generate_scheduled(now)
    tasks.generate_scheduled(now)
    (report,) = StatusReport.objects.filter(item=item)
    assert report.status == ReportStatus.SENT
    assert sorted(report.recipients) == sorted([world.sponsor.email, world.pm.email])
    smtp_server.wait_for(2)
    assert smtp_server.to(world.sponsor.email) and not smtp_server.to(world.client_viewer.email)
    fulfilment = Fulfilment.objects.get(item=item)
    assert fulfilment.source_type == ContentType.objects.get_for_model(StatusReport)
    assert fulfilment.source_id == report.pk
    assert Notification.objects.filter(recipient=world.sponsor, verb=mailing.VERB_SENT).count() == 1


def test_approval_keeps_an_auto_send_entry_as_a_draft(plan: Plan) -> None:
    world = plan.world
    services.do_update_report_settings(world.project, actor=world.pm, version=0, require_approval=True)
    item = _item(plan, auto_send=True)
    tasks.generate_scheduled(dt.datetime(2026, 1, 9, 16, 1, tzinfo=SHANGHAI))
    (report,) = StatusReport.objects.filter(item=item)
    assert report.status == ReportStatus.DRAFT


def test_the_sent_report_reaches_each_recipients_notifications_and_a_draft_never_a_clients(
    plan: Plan, django_capture_on_commit_callbacks: Any, client: Any
) -> None:
    """In-app notifications about a report show on the notifications page and lead to the report."""
    from tandem.communication.queries import notifications_of

    world = plan.world
    draft = services.generate_report(
        world.project,
        period_start=dt.date(2026, 1, 5),
        period_end=dt.date(2026, 1, 9),
        actor=world.pm,
        now=EARLY,
    )
    content_type = ContentType.objects.get_for_model(StatusReport)
    # A notification about a draft (internal) never reaches a client, even if one was stored.
    Notification.objects.create(
        recipient=world.sponsor,
        project=world.project,
        verb="report_ready",
        target_type=content_type,
        target_id=draft.pk,
    )
    assert not notifications_of(world.sponsor).filter(target_id=draft.pk).exists()
    report = _sent(plan, django_capture_on_commit_callbacks)
    told = notifications_of(world.sponsor).filter(target_id=report.pk)
    assert [n.verb for n in told] == ["report_sent"]
    client.force_login(world.sponsor)
    page = client.get("/notifications/").content.decode()
    assert f"/projects/ERP/reports/{report.pk}/" in page
    assert "sent a status report" in page or "发送了状态报告" in page
