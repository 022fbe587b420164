"""Tandem's work and cost against what MS Project saved in real files (``../shared/data/msproject``).

For every task of every MSPDI file whose tasks carry work or cost in MS Project — the files MS
Project wrote and the ``.mpp`` files MPXJ re-saved as MSPDI — the engine computes work and cost
from resources, assignments (units, contour, delay), rates and calendars, and compares them with
the task Work and Cost MS Project stored (``expected/*.work_cost.csv``; the stored totals are only
read here, as the expected values). Each assignment's work and cost are compared too.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

import pytest

from tandem_engine import TaskCost, apply_assignments, cost_schedule, read_mspdi, rollup_work_cost, schedule

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "msproject"
pytestmark = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"reference data not present at {DATA} (a fresh clone has no ../shared/data)"
)


def _sources() -> list[tuple[str, str]]:
    if not DATA.is_dir():
        return []
    sources = [
        (f"mpxj/{x.name}", f"mpxj__{x.name}.work_cost.csv") for x in sorted((DATA / "mpxj").glob("*.xml"))
    ]
    for xml in sorted((DATA / "derived_mspdi").glob("*.xml")):
        mpp = xml.name.removeprefix("mpxj__").removesuffix(".mspdi.xml") + ".mpp"
        sources.append((f"derived_mspdi/{xml.name}", f"mpxj__{mpp}.work_cost.csv"))
    return sources


def _rows(expected: str) -> list[dict[str, str]]:
    path = DATA / "expected" / expected
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _cases() -> list[object]:
    params: list[object] = []
    for file, expected in _sources():
        rows = _rows(expected)
        tasks = [r for r in rows if r["kind"] == "task"]
        if not any(float(r["work_minutes_or_calendar"] or 0) or float(r["cost"] or 0) for r in tasks):
            continue
        params.extend(pytest.param(file, r, id=f"{file}:task {r['uid']}") for r in tasks)
        params.extend(
            pytest.param(file, r, id=f"{file}:assignment {r['uid']}x{r['resource_uid']}")
            for r in rows
            if r["kind"] == "assignment" and r["resource_uid"]
        )
    return params


@functools.cache
def _costed(file: str) -> dict[object, TaskCost]:
    project = read_mspdi(DATA / file)
    network = apply_assignments(project.network, project.resourcing)
    costs: dict[object, TaskCost] = dict(
        cost_schedule(project.network, project.resourcing, schedule(network))
    )
    costs.update(rollup_work_cost(costs, project.summaries, project.resourcing))
    return costs


@pytest.mark.parametrize(("file", "row"), _cases())
def test_it_matches_ms_project_work_and_cost(file: str, row: dict[str, str]) -> None:
    costs = _costed(file)
    expected_work = float(row["work_minutes_or_calendar"] or 0)
    expected_cost = float(row["cost"] or 0)
    task = costs.get(int(row["uid"]))
    if row["kind"] == "task":
        work, cost = (task.work, task.cost) if task else (0.0, 0.0)
    else:
        assert task is not None
        (assignment,) = [a for a in task.assignments if a.resource_id == int(row["resource_uid"])]
        work, cost = assignment.work, assignment.cost
    assert work == pytest.approx(expected_work, abs=1), f"{file} {row['kind']} {row['uid']}: work"
    assert cost == pytest.approx(expected_cost, abs=0.01), f"{file} {row['kind']} {row['uid']}: cost"


@pytest.mark.parametrize(("file", "row"), [c for c in _cases() if c.values[1]["kind"] == "task"])  # type: ignore[attr-defined]
def test_it_derives_actual_work_from_progress(file: str, row: dict[str, str]) -> None:
    task = _costed(file).get(int(row["uid"]))
    actual = task.actual_work if task else 0.0
    assert actual == pytest.approx(float(row["actual_work_minutes"] or 0), abs=1)
    assert (task.actual_cost if task else 0.0) == pytest.approx(float(row["actual_cost"] or 0), abs=0.01)
