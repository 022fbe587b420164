"""A seeded generator of large MS Project plans (MSPDI XML) shaped like a real delivery plan.

Run: ``.venv/bin/python benchmarks/plangen.py [--tasks 5000] [-o plan.xml] [--seed 20261203]``

Or from Python (the end-to-end benchmarks do)::

    from benchmarks.plangen import write_mspdi
    shape = write_mspdi("/tmp/plan5000.xml", tasks=5000)

The plan of ``tasks`` rows (every row becomes one Tandem task, the phases too):

- a project summary task (UID 0, outline level 0, which Tandem skips), then summary phases at
  outline level 1, about one per 50 rows, each holding its tasks at outline level 2;
- task durations of 0.5 to 10 working days in half-day steps;
- 2 % milestones (100 in 5,000): each phase ends with one, the rest fall inside phases;
- about 1.6 links per row (8,000 for 5,000): mostly FS between nearby tasks of one phase, some SS and
  FF with lags of half a day to two days, some from a task of an earlier phase (cross-phase);
- MS Project's standard calendar (Monday-Friday, 08:00-12:00 and 13:00-17:00) with a few holidays.

Every link goes from an earlier row to a later one, so the plan never has a cycle. The same seed and
size always give the same bytes.
"""

from __future__ import annotations

import argparse
import io
import random
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO
from xml.etree import ElementTree as ET

NS = "http://schemas.microsoft.com/project"
DEFAULT_SEED = 20261203
DEFAULT_START = datetime(2027, 1, 4, 8, 0)  # a Monday
ROWS_PER_PHASE = 50
LINKS_PER_ROW = 1.6
MILESTONE_SHARE = 0.02

_PHASES = (
    "Discovery", "Requirements", "Architecture", "Design", "Procurement", "Build", "Integration",
    "Verification", "Validation", "Migration", "Training", "Rollout", "Hypercare", "Handover",
)  # fmt: skip
_VERBS = (
    "Specify", "Review", "Draft", "Build", "Test", "Configure", "Install", "Approve", "Document",
    "Prototype", "Integrate", "Deploy", "Audit", "Estimate", "Order", "Inspect", "Migrate", "Train",
)  # fmt: skip
_OBJECTS = (
    "interface control document", "database schema", "user stories", "test plan", "network",
    "reporting module", "access control", "data pipeline", "acceptance criteria", "hardware",
    "installation guide", "release notes", "billing service", "mobile client", "monitoring",
    "backup procedure", "site survey", "risk register", "supplier contract", "load test",
)  # fmt: skip
_HOLIDAYS = (
    (1, 1, "New Year's Day"),
    (5, 1, "Labour Day"),
    (12, 25, "Christmas Day"),
    (12, 26, "Boxing Day"),
)


@dataclass(frozen=True)
class PlanShape:
    """What a generated plan holds, for benchmarks to print beside their timings."""

    rows: int
    phases: int
    milestones: int
    links: int
    link_types: dict[str, int]
    cross_phase_links: int


@dataclass
class _Row:
    uid: int
    name: str
    level: int
    summary: bool = False
    milestone: bool = False
    duration_minutes: int = 0
    phase: int = 0
    preds: list[tuple[int, int, int]] | None = None  # (predecessor uid, MSPDI link type, lag in minutes)


_FF, _FS, _SS = 0, 1, 3  # MSPDI link type codes
_TYPE_NAMES = {_FF: "FF", _FS: "FS", _SS: "SS"}


def _plan(tasks: int, seed: int) -> list[_Row]:
    """The rows in file order (phases first in each block), links filled in on the successors."""
    if tasks < 2:
        raise ValueError("a plan needs at least 2 rows (a phase and a task)")
    rng = random.Random(seed)
    phases = max(1, round(tasks / ROWS_PER_PHASE))
    milestones = max(1, round(tasks * MILESTONE_SHARE))
    # Split the rows between phases as evenly as possible; each phase has its summary row.
    sizes = [tasks // phases + (1 if p < tasks % phases else 0) for p in range(phases)]
    rows: list[_Row] = []
    leaves_by_phase: list[list[_Row]] = []
    uid = 1
    for p, size in enumerate(sizes):
        title = f"{_PHASES[p % len(_PHASES)]} {p // len(_PHASES) + 1}"
        rows.append(_Row(uid, f"Phase {p + 1}: {title}", 1, summary=True, phase=p))
        uid += 1
        leaves: list[_Row] = []
        for i in range(size - 1):
            name = f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {p + 1}.{i + 1}"
            row = _Row(uid, name, 2, duration_minutes=rng.randint(1, 20) * 240, phase=p, preds=[])
            rows.append(row)
            leaves.append(row)
            uid += 1
        leaves_by_phase.append(leaves)
    # Milestones: the last task of each phase, then random tasks inside phases until 2 %.
    candidates = [leaves[-1] for leaves in leaves_by_phase if leaves]
    inner = [row for leaves in leaves_by_phase for row in leaves[:-1]]
    rng.shuffle(inner)
    for row in (candidates + inner)[:milestones]:
        row.milestone, row.duration_minutes = True, 0
        row.name = f"Milestone: {row.name}"
    for p, leaves in enumerate(leaves_by_phase):
        if leaves[-1].milestone:
            leaves[-1].name = f"Phase {p + 1} complete"
    _link(rng, leaves_by_phase, round(tasks * LINKS_PER_ROW))
    return rows


def _link(rng: random.Random, leaves_by_phase: list[list[_Row]], target: int) -> None:
    """Links from earlier to later rows only: every task but the first gets one, then extras to ``target``."""
    seen: set[tuple[int, int]] = set()
    count = 0

    def add(pred: _Row, succ: _Row, kind: int, lag: int) -> bool:
        nonlocal count
        if (pred.uid, succ.uid) in seen or pred.uid >= succ.uid:
            return False
        seen.add((pred.uid, succ.uid))
        assert succ.preds is not None
        succ.preds.append((pred.uid, kind, lag))
        count += 1
        return True

    def kind_and_lag() -> tuple[int, int]:
        roll = rng.random()
        if roll < 0.8:
            return _FS, 0 if rng.random() < 0.9 else rng.randint(1, 4) * 240
        if roll < 0.9:
            return _SS, rng.randint(1, 4) * 240
        return _FF, rng.randint(0, 2) * 240

    flat = [row for leaves in leaves_by_phase for row in leaves]
    position = {row.uid: i for leaves in leaves_by_phase for i, row in enumerate(leaves)}
    # The backbone: each task follows a recent task of its phase; a phase's first task follows the
    # previous phase's end milestone, so phases run one after another.
    for p, leaves in enumerate(leaves_by_phase):
        for i, row in enumerate(leaves):
            if i == 0:
                if p > 0 and leaves_by_phase[p - 1]:
                    add(leaves_by_phase[p - 1][-1], row, _FS, 0)
            else:
                add(leaves[max(0, i - rng.randint(1, 3))], row, *kind_and_lag())
    # Extras: mostly inside the phase, one in eight from a task of an earlier phase.
    attempts = 0
    while count < target and attempts < target * 20:
        attempts += 1
        succ = rng.choice(flat)
        leaves = leaves_by_phase[succ.phase]
        index = position[succ.uid]
        if rng.random() < 0.125 and succ.phase > 0:
            earlier = leaves_by_phase[max(0, succ.phase - rng.randint(1, 3))]
            if earlier:
                add(rng.choice(earlier), succ, _FS, 0 if rng.random() < 0.7 else rng.randint(1, 10) * 240)
        elif index > 0:
            add(leaves[rng.randint(max(0, index - 8), index - 1)], succ, *kind_and_lag())


def _sub(parent: ET.Element, tag: str, value: object = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NS}}}{tag}")
    if value is not None:
        element.text = str(value)
    return element


def _calendar(parent: ET.Element, start: datetime) -> None:
    cal = _sub(_sub(parent, "Calendars"), "Calendar")
    _sub(cal, "UID", 1)
    _sub(cal, "Name", "Standard")
    _sub(cal, "IsBaseCalendar", 1)
    _sub(cal, "BaseCalendarUID", -1)
    days = _sub(cal, "WeekDays")
    for day_type in range(1, 8):  # 1 = Sunday
        day = _sub(days, "WeekDay")
        _sub(day, "DayType", day_type)
        working = day_type not in (1, 7)
        _sub(day, "DayWorking", 1 if working else 0)
        if working:
            times = _sub(day, "WorkingTimes")
            for a, b in (("08:00:00", "12:00:00"), ("13:00:00", "17:00:00")):
                wt = _sub(times, "WorkingTime")
                _sub(wt, "FromTime", a)
                _sub(wt, "ToTime", b)
    exceptions = _sub(cal, "Exceptions")
    for year in range(start.year, start.year + 6):  # large plans run for years
        for month, day_of_month, name in _HOLIDAYS:
            day_date = date(year, month, day_of_month)
            x = _sub(exceptions, "Exception")
            _sub(x, "EnteredByOccurrences", 0)
            period = _sub(x, "TimePeriod")
            _sub(period, "FromDate", f"{day_date.isoformat()}T00:00:00")
            _sub(period, "ToDate", f"{day_date.isoformat()}T23:59:00")
            _sub(x, "Occurrences", 1)
            _sub(x, "Name", name)
            _sub(x, "Type", 1)
            _sub(x, "DayWorking", 0)


def _duration(minutes: int) -> str:
    return f"PT{minutes // 60}H{minutes % 60}M0S"


def build_mspdi(
    tasks: int = 5000, *, seed: int = DEFAULT_SEED, start: datetime = DEFAULT_START
) -> tuple[bytes, PlanShape]:
    """The MSPDI bytes of a generated plan of ``tasks`` rows, and what it holds."""
    rows = _plan(tasks, seed)
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}Project")
    _sub(root, "Name", f"Generated delivery plan ({tasks} tasks, seed {seed})")
    _sub(root, "Title", f"Generated delivery plan ({tasks} tasks)")
    _sub(root, "ScheduleFromStart", 1)
    _sub(root, "StartDate", start.isoformat(timespec="seconds"))
    _sub(root, "CalendarUID", 1)
    _sub(root, "MinutesPerDay", 480)
    _sub(root, "MinutesPerWeek", 2400)
    _sub(root, "DaysPerMonth", 20)
    _calendar(root, start)
    task_el = _sub(root, "Tasks")
    project_row = _sub(task_el, "Task")
    for tag, value in (("UID", 0), ("ID", 0), ("Name", "Generated delivery plan"), ("OutlineLevel", 0)):
        _sub(project_row, tag, value)
    _sub(project_row, "Summary", 1)
    link_types = {"FS": 0, "SS": 0, "FF": 0}
    phase_of = {row.uid: row.phase for row in rows}
    cross = 0
    outline = [0, 0]
    for n, row in enumerate(rows, start=1):
        if row.level == 1:
            outline = [outline[0] + 1, 0]
            number = str(outline[0])
        else:
            outline[1] += 1
            number = f"{outline[0]}.{outline[1]}"
        t = _sub(task_el, "Task")
        _sub(t, "UID", row.uid)
        _sub(t, "ID", n)
        _sub(t, "Name", row.name)
        _sub(t, "Type", 1)
        _sub(t, "IsNull", 0)
        _sub(t, "WBS", number)
        _sub(t, "OutlineNumber", number)
        _sub(t, "OutlineLevel", row.level)
        _sub(t, "Summary", 1 if row.summary else 0)
        if row.summary:
            continue
        _sub(t, "Duration", _duration(row.duration_minutes))
        _sub(t, "DurationFormat", 7)
        _sub(t, "Manual", 0)
        _sub(t, "Milestone", 1 if row.milestone else 0)
        _sub(t, "PercentComplete", 0)
        _sub(t, "ConstraintType", 0)
        _sub(t, "CalendarUID", -1)
        for pred, kind, lag in row.preds or ():
            link_types[_TYPE_NAMES[kind]] += 1
            cross += phase_of[pred] != row.phase
            pl = _sub(t, "PredecessorLink")
            _sub(pl, "PredecessorUID", pred)
            _sub(pl, "Type", kind)
            _sub(pl, "CrossProject", 0)
            _sub(pl, "LinkLag", lag * 10)  # tenths of a minute
            _sub(pl, "LagFormat", 7)  # days
    buffer = io.BytesIO()
    ET.ElementTree(root).write(buffer, encoding="UTF-8", xml_declaration=True)
    shape = PlanShape(
        rows=len(rows),
        phases=sum(1 for r in rows if r.summary),
        milestones=sum(1 for r in rows if r.milestone),
        links=sum(link_types.values()),
        link_types=link_types,
        cross_phase_links=cross,
    )
    return buffer.getvalue(), shape


def write_mspdi(
    target: str | Path | BinaryIO,
    tasks: int = 5000,
    *,
    seed: int = DEFAULT_SEED,
    start: datetime = DEFAULT_START,
) -> PlanShape:
    """Write a generated plan of ``tasks`` rows to a path or binary file; returns what it holds."""
    data, shape = build_mspdi(tasks, seed=seed, start=start)
    if isinstance(target, str | Path):
        Path(target).write_bytes(data)
    else:
        target.write(data)
    return shape


def main() -> None:
    """Command line: write the plan and say what it holds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tasks", type=int, default=5000, help="rows of the plan, phases included")
    parser.add_argument("-o", "--output", type=Path, default=Path("plan.xml"))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--start", type=date.fromisoformat, default=DEFAULT_START.date())
    args = parser.parse_args()
    start = datetime.combine(args.start, DEFAULT_START.time())
    shape = write_mspdi(args.output, args.tasks, seed=args.seed, start=start)
    print(
        f"{args.output}: {shape.rows} tasks ({shape.phases} phases, {shape.milestones} milestones), "
        f"{shape.links} links {shape.link_types}, {shape.cross_phase_links} cross-phase"
    )


if __name__ == "__main__":
    main()
