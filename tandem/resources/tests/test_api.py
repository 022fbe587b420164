"""The resource API, called as every kind of viewer, and what each side reads back."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.planning import services as planning_services
from tandem.resources import services
from tandem.testing.api import MEMBERS_READ, TEAM_READS, Caller, Case, matrix_test, world_fixture
from tandem.testing.personas import World

from .conftest import SECRET_COST, SECRET_OVERTIME, SECRET_RATE, make_pool

P = "/projects/ERP"
#: The client's pool: its own people read it, its PM keeps it with the team's PM.
CLIENT_POOL_READ = MEMBERS_READ
#: The vendor's pool: the team and (as they are people of another organization) not the client.
VENDOR_POOL_READ = TEAM_READS


def plan_editors(ok: str) -> str:
    """Whoever edits the plan (the team's PM and leads; the client PM only when the client acts as PM)."""
    return f"401 404 404 403 403 403 403 {ok}"


CASES = [
    Case(
        "resources.list-client",
        "GET",
        "/organizations/{client}/resources?search=r&role=Reviewer",
        CLIENT_POOL_READ,
    ),
    Case("resources.list-vendor", "GET", "/organizations/{vendor}/resources", VENDOR_POOL_READ),
    Case(
        "resources.create-client",
        "POST",
        "/organizations/{client}/resources",
        "401 404 404 403 201 403 403 201",
        {"name": "Data delivery: stores", "kind": "equipment", "role": "Data"},
    ),
    Case(
        "resources.create-vendor",
        "POST",
        "/organizations/{vendor}/resources",
        "401 404 404 404 404 404 403 201",
        {"name": "Dana Developer", "role": "Developer", "cost_per_use": "10.00"},
    ),
    Case("resources.detail", "GET", "/resources/{rita}", CLIENT_POOL_READ),
    Case(
        "resources.update",
        "PATCH",
        "/resources/{rita}",
        "401 404 404 403 200 403 403 200",
        {"version": 1, "skills": ["SAP", "finance"]},
    ),
    Case("rates.list", "GET", "/resources/{rita}/rates", TEAM_READS),
    Case(
        "rates.create",
        "POST",
        "/resources/{rita}/rates",
        "401 404 404 404 404 404 403 201",
        {"effective_from": "2026-07-01", "standard_rate": "300.00"},
    ),
    Case("assignments.list", "GET", f"{P}/assignments", MEMBERS_READ),
    Case("assignments.list-by-task", "GET", f"{P}/assignments?task_id={{design}}", MEMBERS_READ),
    Case(
        "assignments.create",
        "POST",
        f"{P}/assignments",
        plan_editors("201"),
        {"task_id": "{golive}", "resource_id": "{uat_env}", "units": 100},
    ),
    Case(
        "assignments.update",
        "PATCH",
        f"{P}/assignments/{{design_bob}}",
        plan_editors("200"),
        {"version": 1, "units": 50},
    ),
    Case(
        "assignments.update-internal",
        "PATCH",
        f"{P}/assignments/{{secret_bob}}",
        "401 404 404 404 404 404 403 200",
        {"version": 1, "units": 50},
    ),
    Case("assignments.delete", "DELETE", f"{P}/assignments/{{design_bob}}?version=1", plan_editors("204")),
]


def seed(world: World) -> dict[str, Any]:
    """The pool of both sides with rates, and three assignments (one on an internal task)."""
    pool = make_pool(world)
    secret = pool.plan.secret.assignments.get()
    return {
        "client": world.client.pk,
        "vendor": world.vendor.pk,
        "bob": pool.bob.pk,
        "rita": pool.rita.pk,
        "uat_env": pool.uat_env.pk,
        "design": pool.plan.design.pk,
        "golive": pool.plan.golive.pk,
        "design_bob": pool.plan.design.assignments.get().pk,
        "secret_bob": secret.pk,
    }


api_world = world_fixture(seed)

test_it_answers_each_viewer_as_the_matrix_says = matrix_test(CASES)


def test_it_never_gives_the_client_a_rate_or_a_cost(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    """Every read of the resource API a client may make carries no rate, overtime rate or cost."""
    world, ids = api_world
    reads = [c for c in CASES if c.method == "GET"]
    for viewer in ("client_viewer", "client_pm", "sponsor"):
        caller = Caller(world, viewer)
        for case in reads:
            response = caller.get(case.path.format(**ids))
            for secret in (SECRET_RATE, SECRET_OVERTIME, SECRET_COST):
                assert secret not in response.text, f"{case.name} as {viewer}"
    team = Caller(world, "pm")
    assert SECRET_RATE in team.get(f"/resources/{ids['rita']}/rates").text
    assert SECRET_COST in team.get(f"/organizations/{ids['vendor']}/resources").text


def test_it_shows_the_client_assignments_of_shared_tasks_only(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    """A client reads who works on the shared tasks, by name; the internal task's assignment stays hidden."""
    world, _ids = api_world
    items = Caller(world, "client_viewer").get(f"{P}/assignments").json["items"]
    assert {(a["task_name"], a["resource"]["name"]) for a in items} == {
        ("Design", "Bob Member"),
        ("Build", "Rita Reviewer"),
    }
    assert len(Caller(world, "pm").get(f"{P}/assignments").json["items"]) == 3


def test_it_refuses_bad_assignments_naming_the_field(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    """Negative or excessive units, an unknown or foreign resource, a duplicate: 422 naming the field."""
    world, ids = api_world
    other = services.do_add_resource(
        world.other_client, actor=world.people["other_pm"], name="Contoso tester"
    )
    pm = Caller(world, "pm")
    cases = [
        ({"units": -1}, "units"),
        ({"units": 1001}, "units"),
        ({"resource_id": 999_999}, "resource_id"),
        ({"resource_id": other.pk}, "resource_id"),
        ({"task_id": ids["design"], "resource_id": ids["bob"]}, "resource_id"),
        ({"task_id": 999_999}, "task_id"),
    ]
    for change, field in cases:
        body = {"task_id": ids["golive"], "resource_id": ids["uat_env"], "units": 100, **change}
        response = pm.call("POST", f"{P}/assignments", body)
        assert response.status == 422, (change, response.text)
        assert field in response.text, (change, response.text)


def test_it_refuses_a_rate_without_a_date(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    """A rate without its effective date is a 422 naming ``effective_from``; nothing is saved."""
    world, ids = api_world
    pm = Caller(world, "pm")
    before = pm.get(f"/resources/{ids['bob']}/rates").json["count"]
    response = pm.call("POST", f"/resources/{ids['bob']}/rates", {"standard_rate": "100"})
    assert response.status == 422 and "effective_from" in response.text
    assert pm.get(f"/resources/{ids['bob']}/rates").json["count"] == before


def test_it_refuses_a_cost_from_the_client_pm(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    """The client's PM keeps the client's pool but never sets a cost."""
    world, ids = api_world
    response = Caller(world, "client_pm").call(
        "PATCH", f"/resources/{ids['rita']}", {"version": 1, "cost_per_use": "5"}
    )
    assert response.status == 403


def test_it_lists_in_a_constant_number_of_queries(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    """The pool and the assignments cost the same number of queries with 3 rows or 30."""
    world, ids = api_world
    pm = Caller(world, "pm")

    def counted(path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert pm.get(path).status == 200
        return len(queries)

    paths = [f"/organizations/{ids['client']}/resources", f"{P}/assignments"]
    before = [counted(path) for path in paths]
    for n in range(12):
        resource = services.do_add_resource(world.client, actor=world.pm, name=f"Tester {n}", role="Tester")
        services.do_add_leave(
            resource, actor=world.pm, start=world.project.start_date, end=world.project.start_date
        )
        task = planning_services.do_add_task(
            world.project, actor=world.pm, name=f"Test {n}", duration_minutes=480
        )
        services.do_assign(world.project, actor=world.pm, task_id=task.pk, resource_id=resource.pk)
    assert [counted(path) for path in paths] == before
