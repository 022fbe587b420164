"""Discussion on every commentable page: who opens which panel, editing and deleting one's own
comment (inline with HTMX and without JavaScript), what a client never reads, query counts and zh-Hans."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.changes import services as changes
from tandem.communication import services
from tandem.communication.models import Comment
from tandem.communication.targets import COMMENTABLE, kind_of
from tandem.core.choices import Visibility
from tandem.core.models import Activity
from tandem.projects import services as projects
from tandem.risks import services as risks
from tandem.testing.personas import World
from tandem.web.tests.test_risks_pages import Registers, make_registers
from tandem.web.views.communication import RECORD_PAGES

#: Every persona, from the stranger to the project manager.
PERSONAS = (
    "outsider",
    "other_client",
    "client_viewer",
    "reviewer",
    "client_pm",
    "sponsor",
    "team_viewer",
    "member",
    "lead",
    "pm",
)
CLIENTS = ("client_viewer", "reviewer", "client_pm", "sponsor")
HX = {"HX-Request": "true"}


def as_(world: World, who: str) -> Client:
    client = Client()
    client.force_login(world.people[who])
    return client


@dataclass
class Records:
    regs: Registers
    shared: dict[str, Model]
    internal: dict[str, Model]

    @property
    def world(self) -> World:
        return self.regs.world


def make_records(world: World) -> Records:
    """One shared and one internal record of every commentable kind of the project."""
    regs = make_registers(world)
    pm, project = world.pm, world.project
    r = world.records
    shared_change = changes.do_propose_change(project, actor=world.client_pm, title="Sales reports")
    secret_change = changes.do_propose_change(
        project, actor=pm, title="Bill the extra day", visibility=Visibility.INTERNAL
    )
    secret_issue = risks.do_add_issue(
        project, actor=pm, title="Lead is leaving", visibility=Visibility.INTERNAL
    )
    shared: dict[str, Model] = {
        "goal": r["goal_shared"],
        "kpi": r["kpi_shared"],
        "stakeholder": r["stakeholder_shared"],
        "deliverable": r["deliverable_shared"],
        "note": r["note_shared"],
        "task": regs.plan.build,
        "change": shared_change,
        "risk": regs.risk,
        "issue": regs.issue,
        "conflict": regs.conflict,
        "decision": regs.decision,
    }
    internal: dict[str, Model] = {
        "goal": r["goal_internal"],
        "kpi": r["kpi_internal"],
        "stakeholder": r["stakeholder_internal"],
        "deliverable": r["deliverable_internal"],
        "note": r["note_internal"],
        "task": regs.plan.secret,
        "change": secret_change,
        "risk": regs.secret_risk,
        "issue": secret_issue,
        "conflict": regs.secret_conflict,
        "decision": regs.secret_decision,
    }
    return Records(regs, shared, internal)


@pytest.fixture
def recs(world: World) -> Records:
    return make_records(world)


def panel_url(record: Model) -> str:
    return reverse("web:comments", args=["ERP", f"{kind_of(record)}:{record.pk}"])


def test_the_fixture_covers_every_commentable_kind_but_the_requirement(recs: Records) -> None:
    # Requirements have their own page tests (tandem/communication/tests/test_web.py and the
    # requirements suite); meetings, reports and defects bring their own.
    assert set(recs.shared) == set(COMMENTABLE) - {"requirement", "meeting", "report", "defect"}


def _statuses(world: World, url: str, *, post: dict[str, str] | None = None) -> str:
    found = []
    for who in PERSONAS:
        client = as_(world, who)
        response = client.post(url, post, headers=HX) if post is not None else client.get(url, headers=HX)
        found.append(str(response.status_code))
    return " ".join(found)


@pytest.mark.parametrize("kind", sorted(set(COMMENTABLE) - {"requirement", "meeting", "report", "defect"}))
def test_each_persona_opens_the_panel_the_matrix_says(recs: Records, kind: str) -> None:
    world = recs.world
    # outsider other_client client_viewer reviewer client_pm sponsor team_viewer member lead pm
    assert _statuses(world, panel_url(recs.shared[kind])) == "404 404 200 200 200 200 200 200 200 200"
    assert _statuses(world, panel_url(recs.internal[kind])) == "404 404 404 404 404 404 200 200 200 200"
    added = _statuses(world, panel_url(recs.shared[kind]), post={"body": "Seen", "visibility": "shared"})
    assert added == "404 404 403 200 200 200 403 200 200 200"
    assert Comment.objects.filter(body="Seen").count() == 6
    anonymous = Client().get(panel_url(recs.shared[kind]))
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]


def test_a_client_never_reads_an_internal_comment_on_any_page(recs: Records) -> None:
    world = recs.world
    for kind, record in recs.shared.items():
        services.do_add_comment(
            record, actor=world.pm, body=f"Margin talk on {kind} SECRET", visibility="internal"
        )
        services.do_add_comment(record, actor=world.pm, body=f"Hello about {kind}")
    for kind, record in recs.internal.items():
        services.do_add_comment(record, actor=world.pm, body=f"Internal record {kind} SECRET")
    secret_ids = list(Comment.objects.filter(body__contains="SECRET").values_list("pk", flat=True))
    pages = [
        reverse("web:project_home", args=["ERP"]),
        reverse("web:charter", args=["ERP"]),
        reverse("web:notes", args=["ERP"]),
        reverse("web:issues", args=["ERP"]),
        reverse("web:conflicts", args=["ERP"]),
        reverse("web:risk_detail", args=["ERP", recs.regs.risk.pk]),
        reverse("web:decision_detail", args=["ERP", recs.regs.decision.pk]),
        reverse("web:change_detail", args=["ERP", recs.shared["change"].code]),  # type: ignore[attr-defined]
    ]
    for who in CLIENTS:
        client = as_(world, who)
        for kind, record in recs.shared.items():
            for headers in (HX, {}):
                page = client.get(panel_url(record), headers=headers)
                assert page.status_code == 200
                assert f"Hello about {kind}" in page.text and "SECRET" not in page.text, (who, kind)
                assert 'Comments <span class="muted">(1)</span>' in page.text
        for url in pages:
            page = client.get(url)
            assert page.status_code == 200 and "SECRET" not in page.text, (who, url)
        for pk in secret_ids:
            assert client.get(reverse("web:comment_edit", args=["ERP", pk])).status_code == 404
            assert client.post(reverse("web:comment_delete", args=["ERP", pk])).status_code == 404
    # The team previewing the client view reads what the client reads.
    preview = as_(world, "pm").get(panel_url(recs.shared["risk"]) + "?view=client")
    assert "Hello about risk" in preview.text and "SECRET" not in preview.text
    # The counts beside each row follow the same rule: the client counts one, the team two.
    home_client = as_(world, "client_pm").get(reverse("web:charter", args=["ERP"])).text
    home_team = as_(world, "member").get(reverse("web:charter", args=["ERP"])).text
    goal_url = panel_url(recs.shared["goal"])
    assert re.search(re.escape(goal_url) + r'"[^>]*>Comments \(1\)', home_client)
    assert re.search(re.escape(goal_url) + r'"[^>]*>Comments \(2\)', home_team)
    assert panel_url(recs.internal["goal"]) not in home_client


def test_each_page_offers_its_records_comments(recs: Records) -> None:
    client = as_(recs.world, "pm")
    expectations = {
        reverse("web:charter", args=["ERP"]): ["goal", "kpi", "stakeholder", "deliverable"],
        reverse("web:notes", args=["ERP"]): ["note"],
        reverse("web:issues", args=["ERP"]): ["issue"],
        reverse("web:conflicts", args=["ERP"]): ["conflict"],
        reverse("web:risk_detail", args=["ERP", recs.regs.risk.pk]): ["risk"],
        reverse("web:decision_detail", args=["ERP", recs.regs.decision.pk]): ["decision"],
        reverse("web:change_detail", args=["ERP", recs.shared["change"].code]): ["change"],  # type: ignore[attr-defined]
    }
    for url, kinds in expectations.items():
        page = client.get(url)
        assert page.status_code == 200, url
        for kind in kinds:
            assert panel_url(recs.shared[kind]) in page.text, (url, kind)
    lists = [
        u for u in expectations if "risks/" not in u and "client-decisions/" not in u and "changes/" not in u
    ]
    for url in lists:
        assert 'id="comments-slot"' in client.get(url).text
    # The plain comments page leads back to the record.
    back = client.get(panel_url(recs.shared["risk"])).text
    assert reverse("web:risk_detail", args=["ERP", recs.regs.risk.pk]) in back
    assert "web/communication.css" in back  # which hides the drawer's close button on the plain page
    # Every commentable kind has a page to go back to.
    assert set(RECORD_PAGES) == set(COMMENTABLE)


# ---------------------------------------------------------------- editing


def _edit_url(comment: Comment) -> str:
    return reverse("web:comment_edit", args=["ERP", comment.pk])


def test_the_author_edits_inline_and_the_comment_shows_when(recs: Records) -> None:
    world = recs.world
    risk = recs.shared["risk"]
    comment = services.do_add_comment(risk, actor=world.client_pm, body="First thought")
    client = as_(world, "client_pm")
    panel = client.get(panel_url(risk), headers=HX).text
    assert _edit_url(comment) in panel and "edited" not in panel
    form = client.get(_edit_url(comment), headers=HX)
    assert form.status_code == 200 and "<html" not in form.text
    assert 'name="version" value="1"' in form.text and "First thought" in form.text
    assert "data-ctrl-enter" in form.text and "data-cancel" in form.text  # Ctrl+Enter saves, Esc cancels
    cancelled = client.get(_edit_url(comment) + "?cancel=1", headers=HX)
    assert cancelled.status_code == 200 and 'id="comment-' in cancelled.text and "<form" not in cancelled.text
    saved = client.post(_edit_url(comment), {"body": "Second **thought**", "version": "1"}, headers=HX)
    assert saved.status_code == 200 and "<strong>thought</strong>" in saved.text
    assert re.search(r"edited \d{4}-\d\d-\d\d \d\d:\d\d", saved.text)
    comment.refresh_from_db()
    assert comment.body == "Second **thought**" and comment.version == 2
    assert Activity.objects.filter(verb="comment_edited", target_id=str(comment.pk)).exists()


def test_editing_works_without_javascript(recs: Records) -> None:
    world = recs.world
    comment = services.do_add_comment(recs.shared["goal"], actor=world.member, body="Plain")
    client = as_(world, "member")
    page = client.get(_edit_url(comment))
    assert page.status_code == 200 and "<html" in page.text and 'name="body"' in page.text
    done = client.post(_edit_url(comment), {"body": "Plainer", "version": "1"})
    assert done.status_code == 302
    assert done["Location"] == panel_url(recs.shared["goal"]) + f"#comment-{comment.pk}"
    assert "Plainer" in client.get(done["Location"]).text


@pytest.mark.parametrize("who", [p for p in PERSONAS if p != "member"])
def test_only_the_author_edits(recs: Records, who: str) -> None:
    world = recs.world
    comment = services.do_add_comment(recs.shared["issue"], actor=world.member, body="Mine")
    client = as_(world, who)
    expected = 404 if who in ("outsider", "other_client") else 403
    assert client.get(_edit_url(comment)).status_code == expected
    assert (
        client.post(_edit_url(comment), {"body": "Theirs", "version": "1"}, headers=HX).status_code
        == expected
    )
    assert Comment.objects.get(pk=comment.pk).body == "Mine"
    panel = client.get(panel_url(recs.shared["issue"]), headers=HX)
    if panel.status_code == 200:
        assert _edit_url(comment) not in panel.text


def test_an_internal_comment_is_unknown_to_the_client_who_cannot_edit_it(recs: Records) -> None:
    world = recs.world
    comment = services.do_add_comment(
        recs.shared["risk"], actor=world.member, body="x", visibility="internal"
    )
    assert as_(world, "client_pm").post(_edit_url(comment), {"body": "y", "version": "1"}).status_code == 404


def test_a_stale_version_is_a_conflict_showing_the_current_text(recs: Records) -> None:
    world = recs.world
    comment = services.do_add_comment(recs.shared["kpi"], actor=world.lead, body="Draft one")
    services.do_edit_comment(comment, actor=world.lead, body="Draft two from the other tab", version=1)
    client = as_(world, "lead")
    stale = client.post(_edit_url(comment), {"body": "Draft three", "version": "1"}, headers=HX)
    assert stale.status_code == 409
    assert "Someone else changed this in the meantime" in stale.text
    assert "Draft two from the other tab" in stale.text  # the current text, to compare
    assert 'name="version" value="2"' in stale.text and "Draft three" in stale.text  # theirs kept to retry
    assert Comment.objects.get(pk=comment.pk).body == "Draft two from the other tab"
    retried = client.post(_edit_url(comment), {"body": "Draft three", "version": "2"}, headers=HX)
    assert retried.status_code == 200 and Comment.objects.get(pk=comment.pk).body == "Draft three"


def test_bad_input_names_the_field(recs: Records) -> None:
    world = recs.world
    comment = services.do_add_comment(recs.shared["note"], actor=world.sponsor, body="Hi")
    client = as_(world, "sponsor")
    empty = client.post(_edit_url(comment), {"body": "  ", "version": "1"}, headers=HX)
    assert empty.status_code == 400 and 'class="error"' in empty.text
    missing = client.post(_edit_url(comment), {"body": "Hello"}, headers=HX)
    assert missing.status_code == 400
    assert as_(world, "sponsor").get(reverse("web:comment_edit", args=["ERP", 999999])).status_code == 404
    assert Comment.objects.get(pk=comment.pk).body == "Hi"


def test_the_client_preview_edits_nothing(recs: Records) -> None:
    world = recs.world
    comment = services.do_add_comment(recs.shared["goal"], actor=world.pm, body="Mine")
    client = as_(world, "pm")
    assert client.get(_edit_url(comment) + "?view=client").status_code == 403
    panel = client.get(panel_url(recs.shared["goal"]) + "?view=client", headers=HX).text
    assert _edit_url(comment) not in panel


# ---------------------------------------------------------------- deleting


def _delete_url(comment: Comment) -> str:
    return reverse("web:comment_delete", args=["ERP", comment.pk])


def test_deleting_asks_first_then_removes_without_javascript(recs: Records) -> None:
    world = recs.world
    record = recs.shared["conflict"]
    comment = services.do_add_comment(record, actor=world.client_pm, body="Wrong thread")
    client = as_(world, "client_pm")
    confirm = client.get(_delete_url(comment))
    assert (
        confirm.status_code == 200
        and "Delete this comment?" in confirm.text
        and "Wrong thread" in confirm.text
    )
    assert Comment.objects.filter(pk=comment.pk).exists()
    done = client.post(_delete_url(comment))
    assert done.status_code == 302 and done["Location"] == panel_url(record)
    assert not Comment.objects.filter(pk=comment.pk).exists()
    assert Activity.objects.filter(verb="comment_deleted").exists()


def test_deleting_with_htmx_confirms_and_redraws_the_panel(recs: Records) -> None:
    world = recs.world
    record = recs.shared["decision"]
    keep = services.do_add_comment(record, actor=world.member, body="Keep me")
    gone = services.do_add_comment(record, actor=world.member, body="Remove me")
    client = as_(world, "member")
    panel = client.get(panel_url(record), headers=HX).text
    assert f'hx-post="{_delete_url(gone)}" hx-confirm=' in panel
    redrawn = client.post(_delete_url(gone), headers=HX)
    assert redrawn.status_code == 200 and "Keep me" in redrawn.text and "Remove me" not in redrawn.text
    assert Comment.objects.filter(pk=keep.pk).exists()


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("outsider", 404),
        ("other_client", 404),
        ("client_viewer", 403),
        ("client_pm", 403),
        ("sponsor", 403),
        ("team_viewer", 403),
        ("lead", 403),
        ("pm", 302),  # the project manager may remove any comment
    ],
)
def test_who_deletes_someone_elses_comment(recs: Records, who: str, expected: int) -> None:
    world = recs.world
    comment = services.do_add_comment(recs.shared["task"], actor=world.member, body="Bob's")
    client = as_(world, who)
    assert client.post(_delete_url(comment)).status_code == expected
    assert Comment.objects.filter(pk=comment.pk).exists() == (expected != 302)


# ---------------------------------------------------------------- query counts


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _grow(world: World, n: int, start: int) -> None:
    """``n`` more notes, issues, conflicts and goals, each with a shared and an internal comment."""
    pm, project = world.pm, world.project
    for i in range(start, start + n):
        rows = [
            projects.do_add_note(
                project, actor=pm, title=f"Note {i}", body="b", visibility=Visibility.SHARED
            ),
            risks.do_add_issue(project, actor=pm, title=f"Issue {i}", visibility=Visibility.SHARED),
            risks.do_add_conflict(project, actor=pm, subject=f"Conflict {i}", visibility=Visibility.SHARED),
            projects.do_add_charter_item(
                project, kind="goals", actor=pm, data={"statement": f"Goal {i}", "visibility": "shared"}
            ),
        ]
        for row in rows:
            services.do_add_comment(row, actor=pm, body="shared")
            services.do_add_comment(row, actor=pm, body="internal", visibility="internal")


@pytest.mark.parametrize("who", ["pm", "client_pm"])
def test_the_comment_counts_cost_the_same_queries_for_3_or_30_rows(world: World, who: str) -> None:
    client = as_(world, who)
    urls = [
        reverse("web:project_home", args=["ERP"]),
        reverse("web:charter", args=["ERP"]),
        reverse("web:notes", args=["ERP"]),
        reverse("web:issues", args=["ERP"]),
        reverse("web:conflicts", args=["ERP"]),
    ]
    _grow(world, 3, 0)
    for url in urls:
        _queries(client, url)  # warm caches (content types, sessions)
    few = {url: _queries(client, url) for url in urls}
    _grow(world, 27, 3)
    many = {url: _queries(client, url) for url in urls}
    assert many == few
    counts = re.findall(r"Comments \((\d)\)", client.get(urls[3]).text)
    assert counts and set(counts) == ({"2"} if who == "pm" else {"1"})


def test_the_panel_costs_the_same_queries_for_3_or_30_comments(recs: Records) -> None:
    world = recs.world
    risk = recs.shared["risk"]
    client = as_(world, "client_pm")
    for i in range(3):
        services.do_add_comment(risk, actor=world.member, body=f'c{i} @"Cindy Client PM"')
    client.get(panel_url(risk), headers=HX)
    with CaptureQueriesContext(connection) as few:
        client.get(panel_url(risk), headers=HX)
    for i in range(27):
        services.do_add_comment(risk, actor=[world.member, world.client_pm][i % 2], body=f"d{i}")
    with CaptureQueriesContext(connection) as many:
        client.get(panel_url(risk), headers=HX)
    assert len(many) == len(few)


# ---------------------------------------------------------------- translations


def test_the_panel_and_the_edit_form_speak_chinese(recs: Records) -> None:
    world = recs.world
    world.client_pm.language = "zh-hans"
    world.client_pm.save(update_fields=["language"])
    record = recs.shared["risk"]
    comment = services.do_add_comment(record, actor=world.client_pm, body="你好")
    services.do_edit_comment(comment, actor=world.client_pm, body="你好！", version=1)
    client = as_(world, "client_pm")
    panel = client.get(panel_url(record), headers=HX).text
    assert "编辑于" in panel and "删除这条评论？删除后无法恢复。" in panel and "关闭" in panel
    form = client.get(_edit_url(comment), headers=HX).text
    assert "Ctrl+Enter 保存，Esc 取消。" in form
    stale = client.post(_edit_url(comment), {"body": "再见", "version": "1"}, headers=HX)
    assert stale.status_code == 409 and "当前已保存（版本 2）：" in stale.text
    assert "你好！" in stale.text and "再见" in stale.text and "您的填写" in stale.text
    assert "删除这条评论？" in client.get(_delete_url(comment)).text
    home = client.get(reverse("web:issues", args=["ERP"])).text
    assert "评论（0）" in home
    saved = client.post(_edit_url(comment), {"body": "再见", "version": "2"})
    assert saved.status_code == 302
    assert "评论已保存。" in client.get(saved["Location"]).text


def test_each_notification_links_to_its_discussion_at_flat_cost(recs: Records) -> None:
    world = recs.world
    client = as_(world, "client_pm")
    records = list(recs.shared.values())

    def mention(n: int, start: int = 0) -> None:
        for i in range(start, start + n):
            services.do_add_comment(
                records[i % len(records)], actor=world.member, body=f'@"Cindy Client PM" {i}'
            )

    mention(3)
    url = reverse("web:notifications")
    client.get(url)
    few = _queries(client, url)
    mention(24, 3)
    assert _queries(client, url) == few
    page = client.get(url).text
    first = Comment.objects.get(body='@"Cindy Client PM" 0')
    assert f'{panel_url(records[0])}#comment-{first.pk}">Open the discussion</a>' in page


def test_conflicts_take_comments_through_the_api_too_and_the_client_reads_only_shared_ones(
    recs: Records,
) -> None:
    world = recs.world
    shared, secret = recs.shared["conflict"], recs.internal["conflict"]
    services.do_add_comment(shared, actor=world.pm, body="Agreed in the steering group")
    services.do_add_comment(shared, actor=world.pm, body="Lead still unhappy", visibility="internal")
    api = "/api/v1/projects/ERP/comments?target=conflict:{}"
    client = as_(world, "client_pm")
    listed = client.get(api.format(shared.pk))
    assert listed.status_code == 200
    assert [c["body"] for c in listed.json()["items"]] == ["Agreed in the steering group"]
    assert client.get(api.format(secret.pk)).status_code == 404
    team = as_(world, "lead").get(api.format(shared.pk))
    assert len(team.json()["items"]) == 2
