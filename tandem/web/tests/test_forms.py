"""Bad input gets a form error naming the field, never a 500; a stale edit gets a conflict, loses nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tandem.accounts.models import ApiToken, Organization
from tandem.projects import queries, services
from tandem.projects.models import CharterSection, Goal, Note, Project
from tandem.testing.personas import World


def post(client: Client, name: str, args: list[Any], data: dict[str, Any], *, htmx: bool = False) -> Any:
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse(f"web:{name}", args=args), data, **headers)


def error_of(response: Any) -> str:
    assert response.status_code in (400, 422), response.status_code
    return response.content.decode()


BAD_INPUT = [
    # (who, url name, args, posted data, a message the page must show)
    (
        "pm",
        "project_edit",
        ["ERP"],
        {"name": "ERP", "status": "active", "currency": "CNY", "budget": "lots"},
        "Enter a number.",
    ),
    (
        "pm",
        "project_edit",
        ["ERP"],
        {
            "name": "ERP",
            "status": "active",
            "currency": "CNY",
            "start_date": "2026-05-01",
            "target_date": "2026-01-01",
        },
        "The target date cannot be before the start date.",
    ),
    (
        "pm",
        "project_edit",
        ["ERP"],
        {"name": "", "status": "paused", "currency": "CNY"},
        "This field is required.",
    ),
    (
        "pm",
        "project_create",
        [],
        {"code": "", "name": "X", "status": "proposed", "currency": "CNY", "preset": "joint"},
        "This field is required.",
    ),
    (
        "pm",
        "project_create",
        [],
        {"code": "X-1", "name": "X", "status": "proposed", "currency": "CNY", "preset": "joint"},
        "Choose the client or name a new one.",
    ),
    (
        "pm",
        "item_create",
        ["ERP", "goals"],
        {"statement": "", "visibility": "shared"},
        "This field is required.",
    ),
    (
        "pm",
        "item_create",
        ["ERP", "goals"],
        {"statement": "G", "due_date": "2026-13-45", "visibility": "shared"},
        "Enter a valid date.",
    ),
    (
        "pm",
        "item_create",
        ["ERP", "goals"],
        {"statement": "G", "visibility": "secret"},
        "Select a valid choice.",
    ),
    (
        "pm",
        "item_create",
        ["ERP", "kpis"],
        {
            "name": "Uptime",
            "direction": "higher",
            "warning_threshold": "95",
            "alarm_threshold": "99",
            "visibility": "shared",
        },
        "The alarm threshold must lie beyond the warning threshold.",
    ),
    (
        "pm",
        "item_create",
        ["ERP", "stakeholders"],
        {"name": "", "visibility": "shared"},
        "This field is required.",
    ),
    ("pm", "section_edit", ["ERP", "scope_in"], {"body": "x", "version": "abc"}, "Enter a whole number."),
    ("pm", "members", ["ERP"], {"email": "not-an-email", "role": "reviewer"}, "Enter a valid email address."),
    ("client_pm", "members", ["ERP"], {"email": "x@northwind.test", "role": "pm"}, "Select a valid choice."),
    ("pm", "members", ["ERP"], {"email": "sam@northwind.test", "role": "reviewer"}, "already a member"),
    ("pm", "notes", ["ERP"], {"title": "", "visibility": "shared"}, "This field is required."),
    ("pm", "decisions", ["ERP"], {"preset": "anarchy"}, "Select a valid choice."),
    (
        "pm",
        "decision_right_edit",
        ["ERP", "confirm_charter"],
        {"confirm_charter-roles": []},
        "At least one role must hold each decision.",
    ),
    (
        "pm",
        "decision_right_edit",
        ["ERP", "confirm_charter"],
        {"confirm_charter-roles": ["emperor"]},
        "Select a valid choice.",
    ),
    ("pm", "token_create", [], {"name": ""}, "This field is required."),
    ("pm", "token_create", [], {"name": "x" * 101}, "characters"),
    ("pm", "profile", [], {"full_name": "Alice", "language": "fr"}, "Select a valid choice."),
]


@pytest.mark.parametrize(
    ("who", "name", "args", "data", "message"),
    BAD_INPUT,
    ids=[f"{c[1]}-{i}" for i, c in enumerate(BAD_INPUT)],
)
def test_it_answers_bad_input_with_a_form_error(
    world: World, client: Client, who: str, name: str, args: list[Any], data: dict[str, Any], message: str
) -> None:
    client.force_login(world.people[who])
    body = error_of(post(client, name, args, data))
    assert message in body
    assert 'class="error"' in body or "alert-error" in body


def test_it_changes_nothing_when_the_input_is_bad(world: World, client: Client) -> None:
    client.force_login(world.pm)
    before = Project.objects.get(code="ERP")
    post(
        client,
        "project_edit",
        ["ERP"],
        {"name": "Renamed", "status": "active", "currency": "CNY", "budget": "lots"},
    )
    after = Project.objects.get(code="ERP")
    assert (after.name, after.version) == (before.name, before.version)
    post(client, "token_create", [], {"name": ""})
    assert not ApiToken.objects.filter(user=world.pm).exists()
    goals = Goal.objects.count()
    post(client, "item_create", ["ERP", "goals"], {"statement": "", "visibility": "shared"})
    assert Goal.objects.count() == goals


GARBAGE = [
    # (who, url name, the record in the URL, posted data): values no form of ours would send
    ("sponsor", "charter_confirm", None, {"revision": "latest"}),
    ("pm", "member_role", "membership", {"role": "emperor"}),
    ("pm", "item_delete", "goal_shared", {"version": "abc"}),
    ("pm", "note_edit", "note_shared", {"title": "T", "visibility": "shared", "version": "zz"}),
    ("pm", "raci_edit", "deliverable_shared", {"stakeholder": "Z", "version": "1"}),
]


@pytest.mark.parametrize(("who", "name", "record", "data"), GARBAGE, ids=[g[1] for g in GARBAGE])
def test_it_never_answers_garbage_with_a_server_error(
    world: World, client: Client, who: str, name: str, record: str | None, data: dict[str, Any]
) -> None:
    args: list[Any] = ["ERP"]
    if record == "membership":
        args.append(world.project.memberships.get(user=world.client_viewer).pk)
    elif record is not None:
        args.append(world.records[record].pk)
    if name == "item_delete":
        args.insert(1, "goals")
    if "stakeholder" in data:
        data = {f"s{world.records['stakeholder_shared'].pk}": data.pop("stakeholder"), **data}
    client.force_login(world.people[who])
    response = post(client, name, args, data)
    assert 400 <= response.status_code < 500


def test_it_refuses_a_raci_row_with_two_accountables(world: World, client: Client) -> None:
    second = services.do_add_charter_item(
        world.project, kind="stakeholders", data={"name": "Second"}, actor=world.pm
    )
    deliverable = world.records["deliverable_shared"]
    client.force_login(world.pm)
    body = error_of(
        post(
            client,
            "raci_edit",
            ["ERP", deliverable.pk],
            {
                f"s{world.records['stakeholder_shared'].pk}": "A",
                f"s{second.pk}": "A",
                "version": deliverable.version,
            },
        )
    )
    assert "exactly one Accountable" in body


@pytest.mark.parametrize("query", ["?page=abc", "?page=9999", "?status=bogus", "?q=%00"])
def test_it_reads_odd_list_parameters_without_failing(world: World, client: Client, query: str) -> None:
    client.force_login(world.pm)
    assert client.get(reverse("web:project_list") + query).status_code == 200
    assert client.get(reverse("web:activity", args=["ERP"]) + query).status_code == 200


# ---------------------------------------------------------------- conflicts


def _someone_else_edits_the_scope(world: World, version: int) -> None:
    services.do_update_section(
        world.project, key="scope_in", body="Stores only (Larry)", version=version, actor=world.lead
    )


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_a_stale_section_edit_gets_a_conflict_and_loses_nothing(
    world: World, client: Client, htmx: bool
) -> None:
    client.force_login(world.pm)
    opened = CharterSection.objects.get(project=world.project, key="scope_in").version
    _someone_else_edits_the_scope(world, opened)

    response = post(
        client,
        "section_edit",
        ["ERP", "scope_in"],
        {"body": "Stores and the web shop (Alice)", "version": opened},
        htmx=htmx,
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed this in the meantime" in body
    assert "Stores and the web shop (Alice)" in body, "the user's own text is kept in the form"
    assert "Stores only (Larry)" in body, "the text saved meanwhile is shown"
    section = CharterSection.objects.get(project=world.project, key="scope_in")
    assert section.body == "Stores only (Larry)"
    # The form now carries the current version: saving again (after merging) succeeds.
    response = post(
        client,
        "section_edit",
        ["ERP", "scope_in"],
        {"body": "Stores only, then the web shop", "version": section.version},
    )
    assert response.status_code == 302
    assert (
        CharterSection.objects.get(project=world.project, key="scope_in").body
        == "Stores only, then the web shop"
    )


def test_it_puts_the_current_version_into_the_conflicting_form(world: World, client: Client) -> None:
    client.force_login(world.pm)
    opened = CharterSection.objects.get(project=world.project, key="scope_in").version
    _someone_else_edits_the_scope(world, opened)
    body = post(
        client, "section_edit", ["ERP", "scope_in"], {"body": "Mine", "version": opened}
    ).content.decode()
    current = CharterSection.objects.get(project=world.project, key="scope_in").version
    assert f'name="version" value="{current}"' in body


def test_a_stale_goal_edit_shows_the_current_values(world: World, client: Client) -> None:
    goal = world.records["goal_shared"]
    opened = Goal.objects.get(pk=goal.pk).version
    services.do_update_charter_item(
        Goal.objects.get(pk=goal.pk), data={"statement": "Theirs"}, version=opened, actor=world.lead
    )
    client.force_login(world.pm)
    response = post(
        client,
        "item_edit",
        ["ERP", "goals", goal.pk],
        {"statement": "Mine", "visibility": "shared", "version": opened},
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Theirs" in body and "Mine" in body
    assert Goal.objects.get(pk=goal.pk).statement == "Theirs"


def test_a_stale_note_edit_is_refused(world: World, client: Client) -> None:
    note = world.records["note_shared"]
    opened = Note.objects.get(pk=note.pk).version
    services.do_update_note(Note.objects.get(pk=note.pk), title="Their title", version=opened, actor=world.pm)
    client.force_login(world.pm)
    response = post(
        client,
        "note_edit",
        ["ERP", note.pk],
        {"title": "My title", "visibility": "shared", "version": opened},
    )
    assert response.status_code == 409
    assert Note.objects.get(pk=note.pk).title == "Their title"


def test_confirming_a_revision_that_is_no_longer_current_is_refused(world: World, client: Client) -> None:
    read = Project.objects.get(pk=world.project.pk).charter.revision
    services.do_update_section(
        world.project, key="assumptions", body="New assumption", version=0, actor=world.pm
    )
    client.force_login(world.sponsor)
    response = post(client, "charter_confirm", ["ERP"], {"revision": read})
    assert response.status_code == 409
    assert "The charter changed after you opened it" in response.content.decode()
    assert queries.latest_confirmation(world.project) is None


def test_a_refused_new_project_leaves_no_new_client_behind(world: World, client: Client) -> None:
    """The new client organization is created in the project's transaction, so it goes with it."""
    client.force_login(world.pm)
    data = {"code": "ERP", "name": "Again", "new_client": "Fabrikam Foods", "status": "proposed"}
    response = post(client, "project_create", [], {**data, "currency": "CNY", "preset": "joint"})
    assert "ERP" in error_of(response)
    assert not Organization.objects.filter(name="Fabrikam Foods").exists()
