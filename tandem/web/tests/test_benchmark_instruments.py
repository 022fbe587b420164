"""The benchmark scripts' building blocks import, and read the headers the server really sends.

The benchmarks themselves are not tests (see benchmarks/README.md); this only keeps them runnable.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from tandem.testing.personas import World

BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks"


@pytest.fixture
def scripts() -> Iterator[dict[str, ModuleType]]:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        yield {name: importlib.import_module(name) for name in ("harness", "e2e", "load")}
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_it_parses_the_options_of_both_scripts(scripts: dict[str, ModuleType]) -> None:
    for name in ("e2e", "load"):
        with pytest.raises(SystemExit) as exited:
            scripts[name].main(["--help"])
        assert exited.value.code == 0


def test_it_summarises_samples_with_a_nearest_rank_p95(scripts: dict[str, ModuleType]) -> None:
    harness = scripts["harness"]
    samples = [
        harness.Sample(s, 200, 1000 + i, 10 + i, None) for i, s in enumerate((0.3, 0.1, 0.2, 0.5, 0.4))
    ]
    summary = harness.summarise(samples)
    assert summary.runs == 5
    assert summary.median_ms == pytest.approx(300)
    assert summary.p95_ms == pytest.approx(500)  # with five runs the 95th percentile is the slowest
    assert summary.queries == 12
    assert summary.server_ms is None
    assert harness.percentile(list(range(1, 101)), 0.95) == 95


@override_settings(QUERY_COUNT_HEADER=True)
def test_it_reads_the_query_count_and_server_time_the_middleware_sends(
    world: World, scripts: dict[str, ModuleType]
) -> None:
    harness = scripts["harness"]
    client = Client()
    client.force_login(world.pm)
    answer = client.get(reverse("web:project_home", args=["ERP"]))
    response = httpx.Response(200, headers={k: v for k, v in answer.items()})
    assert harness.query_count(response) == int(answer["X-Query-Count"]) > 0
    server_ms = harness.server_ms(response)
    assert server_ms is not None
    assert server_ms > 0
    assert harness.query_count(httpx.Response(200)) is None
    assert harness.server_ms(httpx.Response(200)) is None
