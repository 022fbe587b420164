"""Tandem's schedule against MS Project's own, on plans Tandem has never seen (MPXJ's test corpus).

Run: ``.venv/bin/python benchmarks/msproject_corpus.py CORPUS_DIR [--out DIR] [--only TEXT ...]``
(``CORPUS_DIR`` defaults to ``$TANDEM_MPXJ_CORPUS``: a copy of ``junit/data`` of ``joniles/mpxj``,
which is LGPL-2.1 and never part of this repository).

1. Finds the files MS Project saved: every ``.mpp``, and every ``.xml`` that is an MSPDI document
   (Primavera's XML is left out).
2. Reads the values MS Project stored for every task with MPXJ (the ``mpxj`` package, in this
   process through JPype) into ``OUT/<folder>__<file>.tasks.csv``, the layout of
   ``../shared/data/msproject/expected`` — so the shared check runs on the same files::

       python3 ../shared/tools/msproject_compare.py .venv/bin/tandem OUT CORPUS_DIR/generated/task-links/*

3. Schedules each file as ``tandem plan import FILE --dry-run --json`` does (``interop.dry_run``,
   in this process; an ``.mpp`` converted to MSPDI by ``mpxj_bridge.convert_in_process``, as the command's
   child process does) and
   compares as the shared tool does: start, finish, early and late dates to the minute, total slack
   within a minute (a day counted as 480 minutes), automatically scheduled tasks and summaries.
   Prints one line per file, every mismatching task with the fields that differ, and the total.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")

import django  # noqa: E402

django.setup()

from tandem.planning import interop, mpxj_bridge  # noqa: E402

COLUMNS = [
    "uid", "id", "outline_level", "name", "summary", "milestone", "task_mode", "duration",
    "start", "finish", "early_start", "early_finish", "late_start", "late_finish",
    "total_slack", "free_slack", "critical", "constraint_type", "constraint_date",
    "task_calendar", "actual_start", "pct_complete", "predecessors(uid+type+lag)",
]  # fmt: skip
DATES = ["start", "finish", "early_start", "early_finish", "late_start", "late_finish"]
SLACK_UNITS = {"m": 1, "h": 60, "d": 480, "w": 2400}  # as the shared tool counts them


def project_files(corpus: Path, only: list[str]) -> list[Path]:
    """The ``.mpp`` files and MSPDI ``.xml`` files under ``corpus``, sorted, filtered by ``only``."""
    found = []
    for path in sorted(corpus.rglob("*")):
        if not path.is_file() or (only and not any(o in str(path) for o in only)):
            continue
        mspdi = path.suffix == ".xml" and b"schemas.microsoft.com/project" in path.read_bytes()[:2000]
        if path.suffix == ".mpp" or mspdi:
            found.append(path)
    return found


def expected_name(path: Path) -> str:
    """The shared tool's name for a file's expectations: its folder, two underscores, its name."""
    return f"{path.parent.name}__{path.name}.tasks.csv"


def start_mpxj() -> None:
    import jpype
    import mpxj  # noqa: F401 - puts MPXJ's jars on the class path

    if not jpype.isJVMStarted():
        jpype.startJVM("-Djava.awt.headless=true", convertStrings=True)


def _text(value: Any) -> str:
    """Java's own text of a value (``50.0d``, ``2003-01-07T08:00``), as the expectations hold it."""
    return "" if value is None else str(value if isinstance(value, str) else value.toString())


def _flag(value: Any) -> str:
    return "1" if value else "0"


def _lag(duration: Any) -> str:
    if duration is None or float(duration.getDuration()) == 0:
        return ""
    amount = float(duration.getDuration())
    return f"{amount:+g}{duration.getUnits().toString()}"


@dataclass
class Stored:
    """What MPXJ read from one file: its task rows, and why it cannot be compared if it cannot."""

    rows: list[dict[str, str]] = field(default_factory=list)
    schedule_from_start: bool = True
    unreadable: str = ""


def read_stored(path: Path) -> Stored:
    """Every task's stored values, formatted as in ``../shared/data/msproject/expected``."""
    from org.mpxj import ScheduleFrom
    from org.mpxj.reader import UniversalProjectReader

    try:
        project = UniversalProjectReader().read(str(path))
    except Exception as exc:  # any Java failure makes the file unreadable
        return Stored(unreadable=str(exc).splitlines()[0][:120])
    if project is None:
        return Stored(unreadable="not a project file MPXJ recognises")
    stored = Stored(
        schedule_from_start=project.getProjectProperties().getScheduleFrom() != ScheduleFrom.FINISH
    )
    for task in project.getTasks():
        if task.getUniqueID() is None:
            continue
        calendar = task.getCalendar()
        predecessors = " ".join(
            f"{r.getPredecessorTask().getUniqueID()}{r.getType().toString()}{_lag(r.getLag())}"
            for r in task.getPredecessors()
        )
        stored.rows.append(
            {
                "uid": str(task.getUniqueID()),
                "id": _text(task.getID()),
                "outline_level": _text(task.getOutlineLevel()),
                "name": _text(task.getName()),
                "summary": _flag(task.getSummary()),
                "milestone": _flag(task.getMilestone()),
                "task_mode": _text(task.getTaskMode()),
                "duration": _text(task.getDuration()),
                "start": _text(task.getStart()),
                "finish": _text(task.getFinish()),
                "early_start": _text(task.getEarlyStart()),
                "early_finish": _text(task.getEarlyFinish()),
                "late_start": _text(task.getLateStart()),
                "late_finish": _text(task.getLateFinish()),
                "total_slack": _text(task.getTotalSlack()),
                "free_slack": _text(task.getFreeSlack()),
                "critical": _flag(task.getCritical()),
                "constraint_type": _text(task.getConstraintType()),
                "constraint_date": _text(task.getConstraintDate()),
                "task_calendar": "" if calendar is None else _text(calendar.getName()),
                "actual_start": _text(task.getActualStart()),
                "pct_complete": _text(task.getPercentageComplete()),
                "predecessors(uid+type+lag)": predecessors,
            }
        )
    return stored


def compared_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The rows the shared tool compares: automatically scheduled tasks, not the project, not blanks."""
    return [
        r
        for r in rows
        if r["task_mode"] != "MANUALLY_SCHEDULED"
        and r["uid"] != "0"
        and (r["name"] or r["start"] or r["finish"])
    ]


def _minute(text: str | None) -> str | None:
    return text[:16] if text else None


def _slack_minutes(text: str) -> float | None:
    match = re.fullmatch(r"(-?[0-9.]+(?:E-?[0-9]+)?)([a-z]+)", text.strip())
    if not match or match.group(2) not in SLACK_UNITS:
        return None
    return float(match.group(1)) * SLACK_UNITS[match.group(2)]


def differences(row: dict[str, str], got: dict[str, Any] | None) -> list[str]:
    """The fields where Tandem's task differs from the stored one, as ``field: stored → Tandem``."""
    if got is None:
        return ["missing from Tandem's schedule"]
    found = [
        f"{name}: {row[name][:16]} → {_minute(got.get(name))}"
        for name in DATES
        if row[name] and _minute(got.get(name)) != row[name][:16]
    ]
    if not found:
        stored = _slack_minutes(row["total_slack"]) if row["total_slack"] else None
        if stored is not None and abs(float(got.get("total_slack_minutes") or 0) - stored) > 1:
            found.append(
                f"total_slack: {row['total_slack']} ({stored:g} min) → {got.get('total_slack_minutes')} min"
            )
    return found


def schedule_with_tandem(path: Path) -> dict[int, dict[str, Any]]:
    """``tandem plan import FILE --dry-run --json``'s tasks by UID, without a process per file."""
    if path.suffix == ".xml":
        result = interop.dry_run(path)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / "converted.xml"
            mpxj_bridge.convert_in_process(str(path), str(target))
            result = interop.dry_run(target)
    return {int(t["uid"]): t for t in result["tasks"]}


def write_expected(out: Path, path: Path, rows: list[dict[str, str]]) -> None:
    with (out / expected_name(path)).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def run(corpus: Path, out: Path, only: list[str]) -> Iterator[str]:
    """Compare every file; yield the report's lines."""
    start_mpxj()
    out.mkdir(parents=True, exist_ok=True)
    files = project_files(corpus, only)
    names = [expected_name(p) for p in files]
    clashes = {n for n in names if names.count(n) > 1}
    total = matched = compared_files = 0
    skipped: dict[str, int] = {}
    cpu = time.process_time()
    for path in files:
        label = str(path.relative_to(corpus))
        if expected_name(path) in clashes:
            skipped["same folder and name as another file"] = (
                skipped.get("same folder and name as another file", 0) + 1
            )
            yield f"{label}: skipped, its folder and name are not unique"
            continue
        stored = read_stored(path)
        if stored.unreadable:
            skipped["MPXJ cannot read it"] = skipped.get("MPXJ cannot read it", 0) + 1
            yield f"{label}: skipped, MPXJ cannot read it ({stored.unreadable})"
            continue
        write_expected(out, path, stored.rows)
        rows = compared_rows(stored.rows)
        try:
            got = schedule_with_tandem(path)
        except Exception as exc:  # a refused import: every task a miss, as in the shared tool
            yield f"{label}: 0/{len(rows)} (import failed: {str(exc)[:160]})"
            total += len(rows)
            compared_files += 1
            continue
        misses = [(r, differences(r, got.get(int(r["uid"])))) for r in rows]
        misses = [(r, d) for r, d in misses if d]
        note = "" if stored.schedule_from_start else " [scheduled from the finish]"
        yield f"{label}: {len(rows) - len(misses)}/{len(rows)}{note}"
        for row, found in misses:
            kind = "summary " if row["summary"] == "1" else ""
            yield f"    {kind}task {row['uid']} {row['name']!r}: " + "; ".join(found)
        total += len(rows)
        matched += len(rows) - len(misses)
        compared_files += 1
    pct = 100.0 * matched / total if total else 0.0
    for reason, count in skipped.items():
        yield f"skipped: {count} files ({reason})"
    yield f"files: {compared_files} compared; CPU {time.process_time() - cpu:.1f} s"
    yield f"{matched}/{total} auto-scheduled tasks match MS Project ({pct:.2f}%)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", default=os.environ.get("TANDEM_MPXJ_CORPUS"))
    parser.add_argument("--out", default=str(Path(tempfile.gettempdir()) / "msproject_corpus_expected"))
    parser.add_argument("--only", nargs="*", default=[], help="only files whose path contains one of these")
    args = parser.parse_args()
    if not args.corpus:
        parser.error("give CORPUS_DIR or set TANDEM_MPXJ_CORPUS")
    for line in run(Path(args.corpus), Path(args.out), args.only):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
