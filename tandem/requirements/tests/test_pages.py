"""The requirements pages as every kind of viewer: who may open and post what, and what each side reads."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.requirements import services
from tandem.requirements.models import Requirement, TraceLink
from tandem.testing.personas import VIEWERS

from .conftest import Backlog

READ = "302 404 404 200 200 200 200 200"  # anonymous is sent to sign in
EDIT = "302 404 404 403 403 403 200 200"
SUBMIT = "302 404 404 403 200 200 200 200"


def _client(backlog: Backlog, viewer: str) -> Client:
    client = Client()
    if viewer != "anonymous":
        client.force_login(backlog.world.people[viewer])
    return client


PAGES = [
    ("requirements", {}, READ),
    ("requirements_traceability", {}, READ),
    ("requirement_detail", {"ref": "REQ-001"}, READ),
    ("requirement_create", {}, SUBMIT),
    ("requirement_edit", {"ref": "REQ-001"}, EDIT),
    ("requirements_from_notes", {}, EDIT),
    ("requirements_import", {}, EDIT),
    ("requirements_xlsx", {}, READ),
]


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize(("name", "kwargs", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_pages_answer_each_viewer(
    backlog: Backlog, viewer: str, name: str, kwargs: dict[str, str], expected: str
) -> None:
    url = reverse(f"web:{name}", kwargs={"code": "ERP", **kwargs})
    response = _client(backlog, viewer).get(url)
    assert response.status_code == int(expected.split()[VIEWERS.index(viewer)]), (name, viewer)


def test_a_client_never_sees_internal_requirements_or_tasks(backlog: Backlog) -> None:
    world = backlog.world
    services.do_link_task(backlog.login, actor=world.pm, task_id=backlog.secret.pk)
    services.do_link_task(backlog.login, actor=world.pm, task_id=backlog.build.pk)
    client = _client(backlog, "sponsor")
    for name, kwargs in (
        ("requirements", {}),
        ("requirements_traceability", {}),
        ("requirement_detail", {"ref": "REQ-001"}),
    ):
        html = client.get(reverse(f"web:{name}", kwargs={"code": "ERP", **kwargs})).content.decode()
        assert "Margin dashboard" not in html and "Margin review" not in html, name
        assert "Single sign-on" in html
    assert (
        client.get(reverse("web:requirement_detail", kwargs={"code": "ERP", "ref": "REQ-003"})).status_code
        == 404
    )
    team = _client(backlog, "pm").get(reverse("web:requirements", kwargs={"code": "ERP"}) + "?view=client")
    assert "Margin dashboard" not in team.content.decode()
    assert (
        "Margin dashboard"
        in _client(backlog, "pm").get(reverse("web:requirements", kwargs={"code": "ERP"})).content.decode()
    )


def test_a_client_submits_a_request(backlog: Backlog) -> None:
    client = _client(backlog, "client_pm")
    url = reverse("web:requirement_create", kwargs={"code": "ERP"})
    page = client.get(url).content.decode()
    assert "Submit a request" in page and 'name="visibility"' not in page and 'name="owner_id"' not in page
    assert client.post(url, {"title": "", "priority": "must"}).status_code == 400
    response = client.post(
        url,
        {
            "title": "Print gift receipts",
            "priority": "could",
            "acceptance_criteria": "Price hidden\n\nBarcode",
        },
    )
    assert response.status_code == 302
    made = Requirement.objects.get(title="Print gift receipts")
    assert made.requester == backlog.world.client_pm and made.acceptance_criteria == [
        "Price hidden",
        "Barcode",
    ]


def test_the_confirm_button_for_holders_records_the_version(backlog: Backlog) -> None:
    detail = reverse("web:requirement_detail", kwargs={"code": "ERP", "ref": "REQ-001"})
    confirm = reverse("web:requirement_confirm", kwargs={"code": "ERP", "ref": "REQ-001"})
    assert "Confirm version 1" not in _client(backlog, "pm").get(detail).content.decode()
    reviewer = _client(backlog, "reviewer")
    assert "Confirm version 1" in reviewer.get(detail).content.decode()
    assert _client(backlog, "pm").post(confirm, {"version_number": 1}).status_code == 403
    assert not backlog.login.confirmations.exists()
    reviewer.post(confirm, {"version_number": 1, "comment": "Agreed in the workshop"})
    page = reviewer.get(detail).content.decode()
    assert "Version 1 confirmed by Rita Reviewer" in page and "Agreed in the workshop" in page


def test_revising_makes_a_version_and_the_detail_shows_a_diff(backlog: Backlog) -> None:
    client = _client(backlog, "member")
    url = reverse("web:requirement_edit", kwargs={"code": "ERP", "ref": "REQ-001"})
    data = {
        "title": "Single sign-on",
        "description": "Staff sign in with AD.",
        "priority": "must",
        "acceptance_criteria": "Login with AD works\nLogin by SMS works",
        "source": "workshop",
        "visibility": "shared",
        "reason": "Workshop 2",
        "version": 1,
    }
    assert client.post(url, data).status_code == 302
    stale = client.post(url, {**data, "title": "Other"})
    assert stale.status_code == 409 and "version 2" in stale.content.decode()
    page = client.get(
        reverse("web:requirement_detail", kwargs={"code": "ERP", "ref": "REQ-001"})
    ).content.decode()
    assert "+ 2. Login by SMS works" in page and "Workshop 2" in page


def test_reorder_by_arrows_and_drag_for_holders_only(backlog: Backlog) -> None:
    move = reverse("web:requirement_move", kwargs={"code": "ERP", "ref": "REQ-002"})
    assert _client(backlog, "member").post(move, {"direction": "up"}).status_code == 403
    assert _client(backlog, "client_pm").post(move, {"direction": "up"}).status_code == 302
    assert list(Requirement.objects.order_by("rank").values_list("code", flat=True))[:2] == [
        "REQ-002",
        "REQ-001",
    ]
    reorder = reverse("web:requirements_reorder", kwargs={"code": "ERP"})
    ids = [backlog.margin.pk, backlog.login.pk, backlog.report.pk]
    assert _client(backlog, "pm").post(reorder, {"order": ids}).status_code == 302
    assert list(Requirement.objects.order_by("rank").values_list("pk", flat=True)) == ids
    assert _client(backlog, "pm").post(reorder, {"order": ["x"]}).status_code == 400
    assert _client(backlog, "sponsor").post(reorder, {"order": ids[1:]}).status_code == 403


def test_links_from_the_detail_page(backlog: Backlog) -> None:
    client = _client(backlog, "pm")
    link = reverse("web:requirement_link", kwargs={"code": "ERP", "ref": "REQ-002"})
    client.post(link, {"task_id": backlog.build.pk})
    assert TraceLink.objects.filter(requirement=backlog.report, task=backlog.build).exists()
    client.post(link, {"task_id": "junk"})
    assert TraceLink.objects.count() == 1
    unlink = reverse(
        "web:requirement_unlink", kwargs={"code": "ERP", "ref": "REQ-002", "task_id": backlog.build.pk}
    )
    assert _client(backlog, "sponsor").post(unlink).status_code == 403
    client.post(unlink)
    assert not TraceLink.objects.exists()


def test_notes_and_a_survey_import_with_preview(backlog: Backlog) -> None:
    client = _client(backlog, "pm")
    notes = reverse("web:requirements_from_notes", kwargs={"code": "ERP"})
    assert (
        client.post(
            notes, {"text": "no bullets", "source": "interview", "priority": "should", "visibility": "shared"}
        ).status_code
        == 400
    )
    client.post(
        notes,
        {
            "text": "- Loyalty card\n- Gift cards",
            "source": "interview",
            "priority": "should",
            "visibility": "shared",
        },
    )
    assert Requirement.objects.count() == 5
    url = reverse("web:requirements_import", kwargs={"code": "ERP"})
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["标题", "优先级"])
    sheet.append(["会员积分", "必须"])
    sheet.append(["", "应该"])
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("survey.xlsx", out.getvalue())
    preview = client.post(url, {"step": "preview", "file": upload, "visibility": "shared"})
    html = preview.content.decode()
    assert preview.status_code == 200 and "会员积分" in html and "The title is empty." in html
    assert Requirement.objects.count() == 5
    import html as html_lib
    import re

    candidates = html_lib.unescape(re.search(r'name="candidates" value="([^"]*)"', html).group(1))  # type: ignore[union-attr]
    done = client.post(
        url, {"step": "import", "candidates": candidates, "row": ["0"], "visibility": "shared"}
    )
    assert done.status_code == 302 and Requirement.objects.filter(title="会员积分", source="survey").exists()
    bad = client.post(
        url, {"step": "preview", "file": SimpleUploadedFile("x.pdf", b"%PDF"), "visibility": "shared"}
    )
    assert bad.status_code == 400 and "Upload a .csv or .xlsx file." in bad.content.decode()
    none = client.post(url, {"step": "import", "candidates": "not json", "visibility": "shared"})
    assert none.status_code == 400


def test_the_list_takes_the_same_queries_for_3_and_30_rows(backlog: Backlog) -> None:
    client = _client(backlog, "client_pm")
    url = reverse("web:requirements", kwargs={"code": "ERP"})
    client.get(url)
    counts = []
    for n in (0, 24):
        for i in range(n):
            services.do_create_requirement(
                backlog.world.project, actor=backlog.world.pm, title=f"R{i}", owner_id=backlog.world.member.pk
            )
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_the_pdf_page(backlog: Backlog) -> None:
    response = _client(backlog, "client_viewer").get(reverse("web:requirements_pdf", kwargs={"code": "ERP"}))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_a_control_character_is_a_form_error_of_its_field(backlog: Backlog) -> None:
    client = _client(backlog, "client_pm")
    url = reverse("web:requirement_create", kwargs={"code": "ERP"})
    response = client.post(url, {"title": "Gift\x11receipts", "priority": "could"})
    assert response.status_code == 400 and "U+0011" in response.content.decode()
    assert not Requirement.objects.filter(title__startswith="Gift").exists()
