"""The task page's assignments: plan editors add, change and remove them; a client reads the names."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from tandem.planning.models import Task
from tandem.resources.models import Assignment
from tandem.resources.tests.conftest import SECRET_COST, SECRET_OVERTIME, SECRET_RATE, Pool, make_pool
from tandem.testing.personas import World

DAY = 480


def url(name: str, *args: Any) -> str:
    return reverse(f"web:{name}", args=["ERP", *args])


def _client(world: World, who: str) -> Client:
    browser = Client()
    browser.force_login(world.people[who])
    return browser


def test_it_lists_the_assignments_with_units_and_work_for_the_pm(world: World) -> None:
    pool = make_pool(world)
    body = _client(world, "pm").get(url("plan_task_edit", pool.plan.design.pk)).content.decode()
    assert 'id="assignments"' in body and "Bob Member" in body
    # The choices: the active resources of both organizations not yet on the task.
    assert "Rita Reviewer" in body and "UAT environment" in body
    assert 'name="assign-resource"' in body


def test_it_assigns_with_work_following_the_duration_and_units(world: World) -> None:
    pool = make_pool(world)
    browser = _client(world, "pm")
    design = pool.plan.design
    post = {"assign-resource": pool.uat_env.pk, "assign-units": "75"}
    response = browser.post(url("plan_task_assignment_add", design.pk), post)
    assert response.status_code == 302
    assert response["Location"].endswith("#assignments")
    assignment = Assignment.objects.get(task=design, resource=pool.uat_env)
    assert (assignment.units, assignment.work_minutes) == (75, 2 * DAY * 75 // 100)


def test_it_changes_the_units_and_the_work_follows(world: World) -> None:
    pool = make_pool(world)
    assignment = Assignment.objects.get(task=pool.plan.design, resource=pool.bob)
    prefix = f"assignment-{assignment.pk}"
    post = {f"{prefix}-units": "50", f"{prefix}-version": assignment.version}
    response = _client(world, "pm").post(
        url("plan_task_assignment_edit", pool.plan.design.pk, assignment.pk), post
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.units, assignment.work_minutes) == (50, DAY)


def test_a_stale_version_answers_409_and_changes_nothing(world: World) -> None:
    pool = make_pool(world)
    assignment = Assignment.objects.get(task=pool.plan.design, resource=pool.bob)
    prefix = f"assignment-{assignment.pk}"
    post = {f"{prefix}-units": "50", f"{prefix}-version": assignment.version + 5}
    response = _client(world, "pm").post(
        url("plan_task_assignment_edit", pool.plan.design.pk, assignment.pk), post
    )
    assert response.status_code == 409
    assignment.refresh_from_db()
    assert assignment.units == 100


def test_it_removes_an_assignment(world: World) -> None:
    pool = make_pool(world)
    assignment = Assignment.objects.get(task=pool.plan.design, resource=pool.bob)
    response = _client(world, "pm").post(
        url("plan_task_assignment_remove", pool.plan.design.pk, assignment.pk),
        {"version": assignment.version},
    )
    assert response.status_code == 302
    assert not Assignment.objects.filter(pk=assignment.pk).exists()


def test_bad_input_is_a_form_error_naming_the_field(world: World) -> None:
    pool = make_pool(world)
    browser = _client(world, "pm")
    design = pool.plan.design
    cases = [
        ({"assign-resource": "", "assign-units": "50"}, "assign-resource"),
        ({"assign-resource": pool.uat_env.pk, "assign-units": "-5"}, "assign-units"),
        ({"assign-resource": pool.uat_env.pk, "assign-units": "abc"}, "assign-units"),
        # Already on the task: the service's error shows on the resource field.
        ({"assign-resource": pool.bob.pk, "assign-units": "50"}, "assign-resource"),
        # Above ten times the max units.
        ({"assign-resource": pool.uat_env.pk, "assign-units": "5000"}, "assign-units"),
    ]
    for post, field in cases:
        response = browser.post(url("plan_task_assignment_add", design.pk), post)
        assert response.status_code == 400, post
        body = response.content.decode()
        assert f'id="id_{field}"' in body and 'class="error"' in body, post
    assert Assignment.objects.filter(task=design).count() == 1


def test_an_assignment_of_another_task_is_404(world: World) -> None:
    pool = make_pool(world)
    assignment = Assignment.objects.get(task=pool.plan.design, resource=pool.bob)
    response = _client(world, "pm").post(
        url("plan_task_assignment_remove", pool.plan.build.pk, assignment.pk), {"version": assignment.version}
    )
    assert response.status_code == 404
    assert Assignment.objects.filter(pk=assignment.pk).exists()


def _client_owns_build(world: World, pool: Pool) -> None:
    Task.objects.filter(pk=pool.plan.build.pk).update(owner=world.client_pm)


def test_a_client_owner_reads_the_names_only(world: World) -> None:
    """The client PM owning a shared task sees who is on it, not the forms, units, rates or costs."""
    pool = make_pool(world)
    _client_owns_build(world, pool)
    page = _client(world, "client_pm").get(url("plan_task_edit", pool.plan.build.pk))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Rita Reviewer" in body
    assert 'name="assign-resource"' not in body and "assignments/" not in body
    for secret in (SECRET_RATE, SECRET_OVERTIME, SECRET_COST):
        assert secret not in body
