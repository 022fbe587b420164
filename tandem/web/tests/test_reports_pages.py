"""Status report pages: who sees what (drafts never reach a client), the workflow, downloads, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.meetings import services as meeting_services
from tandem.meetings.choices import CommunicationKind, Frequency
from tandem.meetings.models import Fulfilment
from tandem.reports import services
from tandem.reports.choices import ReportStatus
from tandem.reports.models import StatusReport
from tandem.reports.tests.conftest import EARLY, make_plan
from tandem.testing.personas import World

START, END = dt.date(2026, 1, 5), dt.date(2026, 1, 9)
CLIENTS = ("sponsor", "client_pm", "reviewer", "client_viewer")


def _client(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.people[persona])
    return client


def _report(world: World, *, sent: bool = False, summary: str = "") -> StatusReport:
    report = services.generate_report(
        world.project, period_start=START, period_end=END, actor=world.pm, now=EARLY
    )
    if summary:
        report = services.do_edit_report(report, actor=world.pm, version=report.version, summary=summary)
    if sent:
        report = services.do_send_report(report, actor=world.pm, version=report.version)
    return report


@pytest.fixture
def reports(world: World) -> tuple[World, StatusReport, StatusReport]:
    make_plan(world, slip_days=7)
    draft = _report(world, summary="Draft thoughts on the margin")
    sent = _report(world, sent=True, summary="Go-live moves a week")
    return world, draft, sent


def test_drafts_are_invisible_to_every_client_persona(
    reports: tuple[World, StatusReport, StatusReport],
) -> None:
    world, draft, sent = reports
    code = world.project.code
    for persona in CLIENTS:
        client = _client(world, persona)
        page = client.get(reverse("web:reports", kwargs={"code": code}))
        assert page.status_code == 200
        assert (
            sent.title in page.content.decode()
            and reverse("web:report_detail", kwargs={"code": code, "pk": draft.pk})
            not in page.content.decode()
        )
        for name in ("web:report_detail", "web:report_pdf", "web:report_markdown", "web:report_edit"):
            assert client.get(reverse(name, kwargs={"code": code, "pk": draft.pk})).status_code == 404, name
        detail = client.get(reverse("web:report_detail", kwargs={"code": code, "pk": sent.pk}))
        assert detail.status_code == 200 and "Go-live moves a week" in detail.content.decode()
    # The team's client view hides drafts too.
    preview = _client(world, "pm").get(
        reverse("web:report_detail", kwargs={"code": code, "pk": draft.pk}) + "?view=client"
    )
    assert preview.status_code == 404
    assert (
        _client(world, "other_client").get(reverse("web:reports", kwargs={"code": code})).status_code == 404
    )


def test_the_pm_generates_edits_and_sends(world: World) -> None:
    make_plan(world, slip_days=7)
    client = _client(world, "pm")
    code = world.project.code
    response = client.post(
        reverse("web:report_generate", kwargs={"code": code}),
        {"period_start": "2026-01-05", "period_end": "2026-01-09", "language": "zh-hans"},
    )
    assert response.status_code == 302
    report = StatusReport.objects.get(project=world.project)
    assert report.language == "zh-hans" and "Go-live" in report.summary
    page = client.get(reverse("web:report_detail", kwargs={"code": code, "pk": report.pk}))
    assert "里程碑" in page.content.decode()
    edit_url = reverse("web:report_edit", kwargs={"code": code, "pk": report.pk})
    bad = client.post(
        edit_url, {"version": 1, "title": "W2", "rag_override": "green", "rag_override_reason": "x"}
    )
    assert bad.status_code == 400 and "rag_override" in bad.context["form"].errors
    ok = client.post(edit_url, {"version": 1, "title": "W2", "summary": "本周进展顺利"})
    assert ok.status_code == 302
    send = reverse("web:report_action", kwargs={"code": code, "pk": report.pk, "action": "send"})
    assert client.post(send, {"version": 2}).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SENT
    # Sent: the edit page refuses, and sending again changes nothing.
    assert client.post(send, {"version": report.version}).status_code == 302
    follow = client.get(edit_url, follow=True)
    assert "can no longer change" in follow.content.decode()
    md = client.get(reverse("web:report_markdown", kwargs={"code": code, "pk": report.pk}))
    assert md.status_code == 200 and "本周进展顺利" in md.content.decode()


def test_members_cannot_write(reports: tuple[World, StatusReport, StatusReport]) -> None:
    world, draft, _sent = reports
    code = world.project.code
    for persona in ("member", "team_viewer"):
        client = _client(world, persona)
        assert (
            client.get(reverse("web:report_detail", kwargs={"code": code, "pk": draft.pk})).status_code == 200
        )
        assert (
            client.get(reverse("web:report_edit", kwargs={"code": code, "pk": draft.pk})).status_code == 403
        )
        generate = client.post(
            reverse("web:report_generate", kwargs={"code": code}),
            {"period_start": "2026-01-05", "period_end": "2026-01-09", "language": "en"},
        )
        assert generate.status_code == 403


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_for_3_and_30_reports(world: World) -> None:
    url = reverse("web:reports", kwargs={"code": world.project.code})
    for _ in range(3):
        _report(world, sent=True)
    pm, sponsor = _client(world, "pm"), _client(world, "sponsor")
    few = (_count(pm, url), _count(sponsor, url))
    for _ in range(27):
        _report(world, sent=True)
    assert (_count(pm, url), _count(sponsor, url)) == few


def test_a_sent_report_takes_comments_from_the_client(
    reports: tuple[World, StatusReport, StatusReport],
) -> None:
    world, draft, sent = reports
    code = world.project.code
    sponsor = _client(world, "sponsor")
    url = reverse("web:comments", kwargs={"code": code, "target": f"report:{sent.pk}"})
    assert sponsor.get(url).status_code == 200
    added = sponsor.post(url, {"body": "Thanks — please add the UAT dates next week."}, follow=True)
    assert added.status_code == 200
    assert "please add the UAT dates" in _client(world, "pm").get(url).content.decode()
    assert (
        sponsor.get(
            reverse("web:comments", kwargs={"code": code, "target": f"report:{draft.pk}"})
        ).status_code
        == 404
    )


def test_a_report_generated_for_the_plan_entry_fulfils_it_when_sent(world: World) -> None:
    make_plan(world, slip_days=7)
    item = meeting_services.do_add_item(
        world.project,
        actor=world.pm,
        kind=CommunicationKind.STATUS_REPORT,
        title="Weekly status",
        frequency=Frequency.WEEKLY,
        weekday=4,
        starts_on=dt.date(2026, 1, 5),
    )
    client = _client(world, "pm")
    code = world.project.code
    page = client.get(reverse("web:reports", kwargs={"code": code}))
    assert f'<option value="{item.pk}" selected>Weekly status</option>' in page.content.decode()
    client.post(
        reverse("web:report_generate", kwargs={"code": code}),
        {"period_start": "2026-01-05", "period_end": "2026-01-09", "language": "en", "item": str(item.pk)},
    )
    report = StatusReport.objects.get(project=world.project)
    assert report.item == item
    bad = client.post(
        reverse("web:report_generate", kwargs={"code": code}),
        {"period_start": "2026-01-05", "period_end": "2026-01-09", "language": "en", "item": "99999"},
    )
    assert bad.status_code == 400 and "item" in bad.context["form"].errors
    send = reverse("web:report_action", kwargs={"code": code, "pk": report.pk, "action": "send"})
    client.post(send, {"version": report.version})
    assert Fulfilment.objects.filter(item=item, source_id=report.pk).exists()
