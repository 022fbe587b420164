"""The workload API, called as every kind of viewer, and what each side reads back (minutes, no cost)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.resources import services
from tandem.resources.models import Resource
from tandem.testing.api import MEMBERS_READ, TEAM_READS, Caller, Case, matrix_test, world_fixture
from tandem.testing.personas import World
from tandem.testing.plans import DAY

from .conftest import SECRET_COST, SECRET_OVERTIME, SECRET_RATE, make_pool

W = "start=2026-01-05&weeks=3"
#: Who reads a pool may pass bad input and hear which field is wrong.
CLIENT_POOL_422 = "401 404 404 422 422 422 422 422"

CASES = [
    Case("workload.client", "GET", f"/organizations/{{client}}/workload?{W}", MEMBERS_READ),
    Case("workload.client-roles", "GET", f"/organizations/{{client}}/workload?{W}&group=role", MEMBERS_READ),
    Case(
        "workload.client-project", "GET", f"/organizations/{{client}}/workload?{W}&project=ERP", MEMBERS_READ
    ),
    Case("workload.vendor", "GET", f"/organizations/{{vendor}}/workload?{W}", TEAM_READS),
    Case("workload.bad-weeks", "GET", "/organizations/{client}/workload?weeks=0", CLIENT_POOL_422),
    Case("workload.week-client", "GET", "/resources/{rita}/workload/2026-01-05", MEMBERS_READ),
    Case("workload.week-vendor", "GET", "/resources/{bob}/workload/2026-01-05", TEAM_READS),
    Case("workload.bad-week", "GET", "/resources/{rita}/workload/someday", CLIENT_POOL_422),
]


def seed(world: World) -> dict[str, Any]:
    """The pool of both sides; Rita also works on the internal task."""
    pool = make_pool(world)
    services.do_assign(
        world.project,
        actor=world.pm,
        task_id=pool.plan.secret.pk,
        resource_id=pool.rita.pk,
        units=100,
        work_minutes=DAY,
    )
    return {"client": world.client.pk, "vendor": world.vendor.pk, "bob": pool.bob.pk, "rita": pool.rita.pk}


api_world = world_fixture(seed)

test_it_answers_each_viewer_as_the_matrix_says = matrix_test(CASES)


def test_it_gives_rows_per_person_and_week(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, ids = api_world
    body = Caller(world, "client_pm").get(f"/organizations/{ids['client']}/workload?{W}").json
    assert body["weeks"] == ["2026-01-05", "2026-01-12", "2026-01-19"]
    rita = next(r for r in body["rows"] if r["name"] == "Rita Reviewer")
    assert rita["resource_id"] == ids["rita"]
    assert rita["capacity_minutes"] == [2400, 2400, 2400]
    # Build (720) and the internal task (480): the load counts all of her work, not only what she sees.
    assert rita["work_minutes"] == [1200, 0, 0]
    assert rita["load_percent"] == [50, 0, 0]
    assert rita["over"] == [False, False, False]
    roles = Caller(world, "pm").get(f"/organizations/{ids['client']}/workload?{W}&group=role").json
    assert [r["name"] for r in roles["rows"]] == ["Environment", "Reviewer"]


def test_it_names_the_bad_field(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, ids = api_world
    pm = Caller(world, "pm")
    base = f"/organizations/{ids['client']}/workload"
    for query, field in (
        ("start=2026-02-30", "start"),
        ("weeks=105", "weeks"),
        ("weeks=many", "weeks"),
        ("group=team", "group"),
        ("project=NOPE", "project"),
        ("project=CRM", "project"),  # another client's project
    ):
        response = pm.get(f"{base}?{query}")
        assert response.status == 422, (query, response.text)
        assert field in response.text, (query, response.text)


def test_the_drill_down_shows_the_client_shared_tasks_only(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    path = f"/resources/{ids['rita']}/workload/2026-01-07"
    client = Caller(world, "client_pm").get(path).json
    assert client["week"] == "2026-01-05"
    assert [(t["project_code"], t["task_name"], t["work_minutes"]) for t in client["tasks"]] == [
        ("ERP", "Build", 720)
    ]
    team = Caller(world, "pm").get(path).json
    assert [t["task_name"] for t in team["tasks"]] == ["Build", "Margin review"]


def test_it_never_carries_a_rate_or_a_cost(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, ids = api_world
    for viewer in ("client_viewer", "client_pm", "sponsor", "member", "pm"):
        caller = Caller(world, viewer)
        for case in CASES:
            response = caller.get(case.path.format(**ids))
            for secret in (SECRET_RATE, SECRET_OVERTIME, SECRET_COST):
                assert secret not in response.text, f"{case.name} as {viewer}"
            assert not [k for k in _keys(response.json) if "cost" in k or "rate" in k], case.name


def _keys(value: Any) -> list[str]:
    """Every key of a JSON answer, at any depth."""
    if isinstance(value, dict):
        return [*value, *(k for v in value.values() for k in _keys(v))]
    if isinstance(value, list):
        return [k for v in value for k in _keys(v)]
    return []


def test_it_answers_in_a_constant_number_of_queries(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    pm = Caller(world, "pm")
    path = f"/organizations/{ids['vendor']}/workload?{W}"

    def counted() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert pm.get(path).status == 200
        return len(queries)

    before = counted()
    design = world.project.tasks.get(name="Design")
    for n in range(15):
        resource = Resource.objects.create(organization=world.vendor, name=f"Dev {n}", role="Developer")
        services.do_assign(
            world.project, actor=world.pm, task_id=design.pk, resource_id=resource.pk, work_minutes=DAY
        )
    assert counted() == before
