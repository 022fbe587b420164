"""The earned value API, called as every kind of viewer, and what each side reads back."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.planning import services as planning
from tandem.planning.models import Task
from tandem.resources import services as resources
from tandem.resources.models import Resource
from tandem.testing.api import MEMBERS_READ, Caller, Case, matrix_test, world_fixture
from tandem.testing.earned_value import RATE, build_worked_example, log_time
from tandem.testing.personas import World

P = "/projects/ERP"

CASES = [
    Case("evm.detail", "GET", f"{P}/evm", MEMBERS_READ),
    Case("evm.detail-as-of", "GET", f"{P}/evm?as_of=2026-01-16", MEMBERS_READ),
]


def seed(world: World) -> dict[str, Any]:
    """The issue's worked example in ERP."""
    example = build_worked_example(world)
    return {"build": example.build.pk, "vendor_work": example.vendor_work.pk, "bob": example.bob.pk}


api_world = world_fixture(seed)

test_it_answers_each_viewer_as_the_matrix_says = matrix_test(CASES)


def test_it_answers_the_worked_example(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    """BAC 500,000, PV 250,000, EV 200,000, AC 210,000 → CPI 0.952, SPI 0.80, EAC 525,000, TCPI 1.034."""
    world, _ids = api_world
    body = Caller(world, "pm").get(f"{P}/evm?as_of=2026-01-16").json
    figures = {
        k: body[k] for k in ("bac", "pv", "ev", "ac", "sv", "cv", "spi", "cpi", "eac", "etc", "vac", "tcpi")
    }
    assert figures == {
        "bac": 500000.0,
        "pv": 250000.0,
        "ev": 200000.0,
        "ac": 210000.0,
        "sv": -50000.0,
        "cv": -10000.0,
        "spi": 0.8,
        "cpi": 0.952,
        "eac": 525000.0,
        "etc": 315000.0,
        "vac": -25000.0,
        "tcpi": 1.034,
    }
    assert body["as_of"] == "2026-01-16" and body["currency"] == "CNY"
    assert body["eac_method"] == "typical" and body["spi_t"] == 0.8
    assert body["rag"] == "red"  # SPI 0.80 is under 0.90
    assert body["baseline"]["name"] == "Contract" and body["baseline"]["approved"]
    assert body["verdict"] == (
        "The project has spent ¥210,000 for ¥200,000 of work done: 5 % over cost and 20 % behind plan; "
        "at this rate it will cost ¥525,000, ¥25,000 over budget."
    )
    assert [(p["name"], p["bac"], p["pv"], p["ev"], p["ac"]) for p in body["phases"]] == [
        ("Phase 1", 250000.0, 250000.0, 200000.0, 210000.0),
        ("Phase 2", 250000.0, 0.0, 0.0, 0.0),
    ]
    points = body["s_curve"]["points"]
    assert [p["date"] for p in points] == [
        "2026-01-04",
        "2026-01-11",
        "2026-01-16",
        "2026-01-18",
        "2026-01-25",
        "2026-02-01",
    ]
    assert [p["pv"] for p in points] == [0.0, 125000.0, 250000.0, 250000.0, 375000.0, 500000.0]
    assert [p["ev"] for p in points] == [None, None, 200000.0, None, None, None]
    assert [p["ac"] for p in points] == [0.0, 125000.0, 210000.0, None, None, None]
    assert body["s_curve"]["ev_history"] is False


def test_it_speaks_the_callers_language(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    """The verdict follows the caller's language."""
    world, _ids = api_world
    world.pm.language = "zh-hans"
    world.pm.save(update_fields=["language"])
    caller = Caller(world, "pm")
    verdict = caller.get(f"{P}/evm?as_of=2026-01-16").json["verdict"]
    assert verdict == (
        "项目已花费 ¥210,000，完成了价值 ¥200,000 的工作：超支 5 %，落后计划 20 %；"
        "按此趋势，完工时将花费 ¥525,000，超出预算 ¥25,000。"
    )


def test_it_counts_actual_cost_up_to_as_of(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    """Time logged after as_of is left out; today's figures count it."""
    world, _ids = api_world
    pm = Caller(world, "pm")
    assert pm.get(f"{P}/evm?as_of=2026-01-09").json["ac"] == 125000.0
    assert pm.get(f"{P}/evm?as_of=2026-01-16").json["ac"] == 210000.0
    assert pm.get(f"{P}/evm?as_of=2026-01-20").json["ac"] == 210000.0 + 25000.0
    assert pm.get(f"{P}/evm?as_of=2026-01-09").json["pv"] == 125000.0


def test_it_refuses_a_bad_date_naming_as_of(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    """A date that is not a date is a 422 naming ``as_of``."""
    world, _ids = api_world
    for bad in ("tomorrow", "2026-02-30", "16/01/2026"):
        response = Caller(world, "pm").get(f"{P}/evm?as_of={bad}")
        assert response.status == 422 and "as_of" in response.text, (bad, response.text)


def test_it_gives_the_client_the_figures_but_no_rate_or_task_cost(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    """A client reads the money figures and the verdict; never a rate, never an internal phase."""
    world, ids = api_world
    build = Task.objects.get(pk=ids["build"])
    secrets = (RATE, "3125", str(build.cost_cents), "Vendor work", "Phase 2")
    for viewer in ("client_viewer", "client_pm", "sponsor"):
        response = Caller(world, viewer).get(f"{P}/evm?as_of=2026-01-16")
        body = response.json
        assert body["bac"] == 500000.0 and body["cpi"] == 0.952 and body["verdict"]
        assert [p["name"] for p in body["phases"]] == ["Phase 1"]
        for secret in secrets:
            assert secret not in response.text, (viewer, secret)
    assert "Phase 2" in Caller(world, "pm").get(f"{P}/evm").text


def test_it_answers_in_a_constant_number_of_queries(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    """Ten more tasks, with time, cost no more queries."""
    world, ids = api_world
    pm = Caller(world, "pm")

    def counted() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert pm.get(f"{P}/evm?as_of=2026-01-16").status == 200
        return len(queries)

    before = counted()
    for n in range(10):
        task = planning.do_add_task(world.project, actor=world.pm, name=f"More {n}", duration_minutes=480)
        resources.do_assign(world.project, actor=world.pm, task_id=task.pk, resource_id=ids["bob"], units=100)
        log_time(world, task, Resource.objects.get(pk=ids["bob"]), dt.date(2026, 1, 12), 60)
    planning.do_save_baseline(world.project, name="Again", actor=world.pm)
    assert counted() == before
