"""A stale edit of any record answers 409 with one conflict component: the saved values beside the user's
(kept in the form), and the current version, so saving again applies."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tandem.communication import services as comment_services
from tandem.core.choices import Visibility
from tandem.projects import services as project_services
from tandem.projects.models import Goal, Note
from tandem.requirements import services as requirement_services
from tandem.requirements.models import Requirement
from tandem.risks import services as risk_services
from tandem.risks.models import Risk
from tandem.testing.personas import World

pytestmark = pytest.mark.django_db

COMPONENT = "data-conflict"


def _as(world: World, viewer: str) -> Client:
    client = Client()
    client.force_login(world.people[viewer])
    return client


def _assert_conflict(response: Any, *, saved: str, yours: str, version: int) -> str:
    assert response.status_code == 409
    body: str = response.content.decode()
    assert COMPONENT in body, "the conflict component is shown"
    assert saved in body, "the value saved meanwhile is shown"
    assert yours in body, "the user's own text is kept"
    assert f'name="version" value="{version}"' in body, "the form carries the current version"
    return body


def test_a_stale_risk_edit_shows_the_saved_title_beside_the_users(world: World) -> None:
    risk = risk_services.do_add_risk(
        world.project,
        actor=world.pm,
        title="Legacy data quality",
        probability=3,
        impact=3,
        category="technical",
        visibility=Visibility.SHARED,
    )
    opened = risk.version
    risk_services.do_update_risk(risk, version=opened, actor=world.lead, title="Legacy data is worse")
    data = {
        "title": "Legacy data needs cleansing",
        "probability": 3,
        "impact": 3,
        "inherent_probability": 3,
        "inherent_impact": 3,
        "category": "technical",
        "impact_dimension": "schedule",
        "proximity": "this_project",
        "strategy": "mitigate",
        "contingency_days": 0,
        "contingency_money": 0,
        "status": "open",
        "visibility": "shared",
        "version": opened,
    }
    url = reverse("web:risk_edit", args=["ERP", risk.pk])
    client = _as(world, "pm")
    current = Risk.objects.get(pk=risk.pk).version
    _assert_conflict(
        client.post(url, data),
        saved="Legacy data is worse",
        yours="Legacy data needs cleansing",
        version=current,
    )
    assert Risk.objects.get(pk=risk.pk).title == "Legacy data is worse"
    assert client.post(url, {**data, "version": current}).status_code == 302
    assert Risk.objects.get(pk=risk.pk).title == "Legacy data needs cleansing"


def test_a_stale_requirement_revision_keeps_the_users_text(world: World) -> None:
    requirement = requirement_services.do_create_requirement(
        world.project, actor=world.pm, title="Single sign-on", description="Staff sign in.", priority="must"
    )
    opened = requirement.version
    requirement_services.do_revise_requirement(
        requirement, actor=world.lead, version=opened, description="Staff sign in with AD.", reason="Workshop"
    )
    data = {
        "title": "Single sign-on",
        "description": "Staff and contractors sign in with SSO.",
        "priority": "must",
        "acceptance_criteria": "",
        "source": "workshop",
        "visibility": "shared",
        "reason": "Mine",
        "version": opened,
    }
    url = reverse("web:requirement_edit", kwargs={"code": "ERP", "ref": requirement.code})
    current = Requirement.objects.get(pk=requirement.pk).version
    body = _assert_conflict(
        _as(world, "pm").post(url, data),
        saved="Staff sign in with AD.",
        yours="Staff and contractors sign in with SSO.",
        version=current,
    )
    assert "Single sign-on</td>" not in body, "a field the user did not change is not listed"


def test_a_stale_goal_edit_lists_the_saved_values_through_the_component(world: World) -> None:
    goal = world.records["goal_shared"]
    opened = Goal.objects.get(pk=goal.pk).version
    project_services.do_update_charter_item(
        Goal.objects.get(pk=goal.pk), data={"statement": "Theirs"}, version=opened, actor=world.lead
    )
    response = _as(world, "pm").post(
        reverse("web:item_edit", args=["ERP", "goals", goal.pk]),
        {"statement": "Mine", "measure": "m", "target": "t", "visibility": "shared", "version": opened},
    )
    _assert_conflict(response, saved="Theirs", yours="Mine", version=Goal.objects.get(pk=goal.pk).version)


def test_a_stale_note_edit_shows_the_saved_body(world: World) -> None:
    note = world.records["note_shared"]
    opened = Note.objects.get(pk=note.pk).version
    project_services.do_update_note(
        Note.objects.get(pk=note.pk), title="Shared note", body="Their body", version=opened, actor=world.pm
    )
    response = _as(world, "pm").post(
        reverse("web:note_edit", args=["ERP", note.pk]),
        {"title": "Shared note", "body": "My body", "visibility": "shared", "version": opened},
    )
    _assert_conflict(
        response, saved="Their body", yours="My body", version=Note.objects.get(pk=note.pk).version
    )


def test_an_inline_comment_edit_shows_the_same_component(world: World) -> None:
    note = world.records["note_shared"]
    comment = comment_services.do_add_comment(note, actor=world.client_pm, body="First words")
    comment_services.do_edit_comment(
        comment, actor=world.client_pm, body="Second words", version=comment.version
    )
    response = _as(world, "client_pm").post(
        reverse("web:comment_edit", args=["ERP", comment.pk]),
        {"body": "My words", "version": 1},
        headers={"HX-Request": "true"},
    )
    _assert_conflict(response, saved="Second words", yours="My words", version=2)
