"""The rows a change request names: stored on create and update, and what the editor cannot see is kept."""

from __future__ import annotations

from tandem.changes import services
from tandem.changes.models import ChangeRequest
from tandem.core.choices import Visibility
from tandem.requirements import services as requirement_services
from tandem.requirements.models import Requirement
from tandem.testing.api import Caller

from .conftest import Plan

P = "/projects/ERP"


def _requirement(plan: Plan, title: str, visibility: str = Visibility.SHARED) -> Requirement:
    """A requirement of the project written by the PM."""
    return requirement_services.do_create_requirement(
        plan.world.project, actor=plan.world.pm, title=title, visibility=visibility
    )


def test_it_stores_the_requirements_a_request_names(plan: Plan) -> None:
    world = plan.world
    first, second = _requirement(plan, "Daily sales"), _requirement(plan, "Weekly sales")
    request = services.do_propose_change(
        world.project, actor=world.client_pm, title="Reports", affected_requirement_ids=[first.pk]
    )
    assert list(ChangeRequest.objects.get(pk=request.pk).affected_requirements.all()) == [first]
    updated = services.do_update_change(
        request, actor=world.client_pm, version=request.version, affected_requirement_ids=[second.pk]
    )
    assert list(ChangeRequest.objects.get(pk=updated.pk).affected_requirements.all()) == [second]


def test_it_answers_with_the_requirements_given_through_the_api(plan: Plan) -> None:
    world = plan.world
    first, second = _requirement(plan, "Daily sales"), _requirement(plan, "Weekly sales")
    client_pm = Caller(world, "client_pm")
    created = client_pm.call(
        "POST", f"{P}/changes", {"title": "Reports", "affected_requirement_ids": [first.pk]}
    )
    assert created.status == 201
    code = created.json["code"]
    assert client_pm.get(f"{P}/changes/{code}").json["affected_requirement_ids"] == [first.pk]
    changed = client_pm.call(
        "PATCH",
        f"{P}/changes/{code}",
        {"version": created.json["version"], "affected_requirement_ids": [first.pk, second.pk]},
    )
    assert changed.status == 200
    assert sorted(client_pm.get(f"{P}/changes/{code}").json["affected_requirement_ids"]) == sorted(
        [first.pk, second.pk]
    )


def test_a_client_edit_keeps_the_internal_rows_the_team_linked(plan: Plan) -> None:
    world = plan.world
    hidden = _requirement(plan, "Margin check", Visibility.INTERNAL)
    request = services.do_propose_change(world.project, actor=world.client_pm, title="Reports")
    request = services.do_update_change(
        request,
        actor=world.pm,
        version=request.version,
        affected_task_ids=[plan.design.pk, plan.secret.pk],
        affected_requirement_ids=[hidden.pk],
    )
    client_pm = Caller(world, "client_pm")
    seen = client_pm.get(f"{P}/changes/{request.code}").json
    assert seen["affected_task_ids"] == [plan.design.pk] and seen["affected_requirement_ids"] == []
    changed = client_pm.call(
        "PATCH",
        f"{P}/changes/{request.code}",
        {"version": seen["version"], "affected_task_ids": [plan.build.pk], "affected_requirement_ids": []},
    )
    assert changed.status == 200
    stored = ChangeRequest.objects.get(pk=request.pk)
    assert sorted(stored.affected_tasks.values_list("pk", flat=True)) == sorted(
        [plan.build.pk, plan.secret.pk]
    )
    assert list(stored.affected_requirements.all()) == [hidden]
    assert client_pm.get(f"{P}/changes/{request.code}").json["affected_task_ids"] == [plan.build.pk]


def test_a_client_cannot_name_an_internal_row(plan: Plan) -> None:
    world = plan.world
    request = services.do_propose_change(world.project, actor=world.client_pm, title="Reports")
    refused = Caller(world, "client_pm").call(
        "PATCH",
        f"{P}/changes/{request.code}",
        {"version": request.version, "affected_task_ids": [plan.secret.pk]},
    )
    assert refused.status == 422 and refused.json["detail"][0]["field"] == "affected_task_ids"
