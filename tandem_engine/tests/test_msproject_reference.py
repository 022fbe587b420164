"""Tandem's schedule against the dates MS Project saved in real files (``../shared/data/msproject``).

Every automatically scheduled, non-summary task of every MSPDI file is one test case: start,
finish, early and late dates to the minute, and total slack. Files written by MS Project
(``mpxj/*.xml``) have slack in minutes; files MPXJ re-saved from ``.mpp`` (``derived_mspdi/``) are
compared with the ``.mpp`` expectations, whose slack is in days of 480 minutes.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

import pytest

from tandem_engine import ScheduleResult, read_mspdi, schedule

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "msproject"
pytestmark = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"reference data not present at {DATA} (a fresh clone has no ../shared/data)"
)

RESOURCE_DRIVEN = (
    "duration is driven by resource assignments (work / units on resource calendars); the engine "
    "schedules task durations on the task calendar only"
)
UNMATCHED_FILES: dict[str, str] = {
    "mpxj/sample.xml": "'Second Task' is resource-driven, which moves the project finish: " + RESOURCE_DRIVEN,
    "derived_mspdi/mpxj__sample.mspdi.xml": "'Second Task' is resource-driven: " + RESOURCE_DRIVEN,
    "mpxj/mspdisplittask.xml": "split tasks (a gap inside the task's work) are not modelled",
    "mpxj/mspditimephasedsegments.xml": RESOURCE_DRIVEN + "; the saved late dates also follow resource "
    "calendars",
    "derived_mspdi/mpxj__mpp14timephasedsegments.mspdi.xml": RESOURCE_DRIVEN,
}
UNMATCHED_TASKS: dict[tuple[str, int], str] = {
    # The saved late dates of these four tasks stop at 2009-04-21 17:00 while the project finish
    # is 2009-04-24 08:00 (set by an elapsed-month task); MPXJ's own MS Project emulation does not
    # reproduce them either (INVENTORY.csv), so they look stale in the file.
    **{
        ("mpxj/mspdiduration.xml", uid): "late dates saved in the file end 2009-04-21, two working days "
        "before the project finish; not reproducible from the file's data"
        for uid in (1, 2, 3, 4)
    },
    ("derived_mspdi/mpxj__slack9.mspdi.xml", 11): "MS Project reports -1 day of slack on this Must Finish "
    "On milestone although its early and late dates coincide (its MFO date holds it one day before "
    "its links allow); the rule behind that figure is not modelled",
}
# In files marked wholesale, the tasks that do match anyway (not driven by the resource effect).
MATCHING_IN_UNMATCHED_FILES: set[tuple[str, int]] = {
    ("mpxj/mspditimephasedsegments.xml", 20),
    ("mpxj/mspditimephasedsegments.xml", 21),
    ("derived_mspdi/mpxj__mpp14timephasedsegments.mspdi.xml", 20),
    ("derived_mspdi/mpxj__mpp14timephasedsegments.mspdi.xml", 21),
}


@dataclass(frozen=True)
class Case:
    file: str
    expected_csv: str
    slack_unit_minutes: int
    row: dict[str, str]


def _sources() -> list[tuple[str, str, int]]:
    if not DATA.is_dir():
        return []
    originals = sorted((DATA / "mpxj").glob("*.xml"))
    sources = [(f"mpxj/{x.name}", f"mpxj__{x.name}.tasks.csv", 1) for x in originals]
    for xml in sorted((DATA / "derived_mspdi").glob("*.xml")):
        mpp = xml.name.removeprefix("mpxj__").removesuffix(".mspdi.xml") + ".mpp"
        sources.append((f"derived_mspdi/{xml.name}", f"mpxj__{mpp}.tasks.csv", 480))
    return sources


def _cases() -> list[object]:
    params: list[object] = []
    for file, expected, slack_unit in _sources():
        path = DATA / "expected" / expected
        if not path.exists():
            continue
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            if row["summary"] == "1" or row["uid"] == "0" or row["task_mode"] != "AUTO_SCHEDULED":
                continue
            uid = int(row["uid"])
            reason = UNMATCHED_TASKS.get((file, uid))
            if reason is None and file in UNMATCHED_FILES and (file, uid) not in MATCHING_IN_UNMATCHED_FILES:
                reason = UNMATCHED_FILES[file]
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            case = Case(file, expected, slack_unit, row)
            params.append(pytest.param(case, id=f"{file}:{uid}", marks=marks))
    return params


_SLACK_UNITS = {"m": 1, "h": 60, "d": 480, "w": 2400}  # the files' 8-hour day and 40-hour week


def _slack_minutes(text: str) -> int:
    number = text.rstrip("mhdw")
    return round(float(number) * _SLACK_UNITS[text[len(number):]])


@functools.cache
def _scheduled(file: str) -> ScheduleResult:
    return schedule(read_mspdi(DATA / file).network)


@pytest.mark.parametrize("case", _cases())
def test_it_matches_ms_project(case: Case) -> None:
    result = _scheduled(case.file)
    uid = int(case.row["uid"])
    got = result[uid]
    mismatches = []
    for field in ("start", "finish", "early_start", "early_finish", "late_start", "late_finish"):
        value = getattr(got, field).isoformat(timespec="minutes")
        if value != case.row[field]:
            mismatches.append(f"{field}: MS Project {case.row[field]}, Tandem {value}")
    slack = case.row["total_slack"]
    if slack:
        expected_minutes = _slack_minutes(slack)
        if expected_minutes != got.total_float:
            mismatches.append(f"total slack: MS Project {expected_minutes} min, Tandem {got.total_float} min")
    assert not mismatches, f"{case.file} task {uid} {case.row['name']!r}: " + "; ".join(mismatches)


def test_it_reads_every_reference_file() -> None:
    if not DATA.is_dir():
        pytest.skip("no reference data")
    for file, _, _ in _sources():
        project = read_mspdi(DATA / file)
        assert project.network.calendars
