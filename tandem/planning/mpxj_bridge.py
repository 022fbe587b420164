"""MS Project's binary files through MPXJ (Java), run in a child process.

``python -m tandem.planning.mpxj_bridge convert IN.mpp OUT.xml`` rewrites any file MPXJ reads as
MSPDI XML; ``describe FILE`` prints what MPXJ reads from a file as JSON (used to check exports).
A child process keeps the JVM, its memory and its crashes out of the web or command process.
This module imports neither Django nor Tandem.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from typing import Any

TIMEOUT_SECONDS = 120


class MpxjUnavailable(RuntimeError):
    """Java or the ``mpxj`` package is missing."""


def java_available() -> bool:
    """Whether a Java runtime and the ``mpxj`` package are both present."""
    if shutil.which("java") is None:
        return False
    try:
        import mpxj  # noqa: F401
    except Exception:
        return False
    return True


def run(*args: str) -> str:
    """Run a bridge command in a child process and return its standard output."""
    if not java_available():
        raise MpxjUnavailable(
            "reading .mpp files needs Java and the mpxj package, and one of them is missing"
        )
    done = subprocess.run(  # noqa: S603 - fixed interpreter and module, file paths as arguments
        [sys.executable, "-m", "tandem.planning.mpxj_bridge", *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        raise ValueError(lines[-1] if lines else "MPXJ could not read the file")
    return done.stdout


def _start() -> Any:
    import jpype
    import mpxj  # noqa: F401 - puts MPXJ's jars on the class path

    if not jpype.isJVMStarted():
        jpype.startJVM("-Djava.awt.headless=true", convertStrings=True)
    return jpype


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.toString())


def _describe(path: str) -> dict[str, Any]:
    _start()
    from java.time import DayOfWeek
    from org.mpxj import TimeUnit
    from org.mpxj.reader import UniversalProjectReader

    project = UniversalProjectReader().read(path)
    properties = project.getProjectProperties()

    def minutes(duration: Any) -> int | None:
        return (
            None
            if duration is None
            else round(float(duration.convertUnits(TimeUnit.MINUTES, properties).getDuration()))
        )

    if project is None:
        raise ValueError("not a project file MPXJ recognises")
    tasks = []
    for task in project.getTasks():
        if task.getUniqueID() is None or task.getUniqueID() == 0:
            continue
        tasks.append(
            {
                "uid": int(task.getUniqueID()),
                "name": str(task.getName() or ""),
                "outline_level": int(task.getOutlineLevel() or 0),
                "summary": bool(task.getSummary()),
                "milestone": bool(task.getMilestone()),
                "duration_minutes": minutes(task.getDuration()),
                "constraint_type": str(task.getConstraintType()) if task.getConstraintType() else None,
                "constraint_date": _iso(task.getConstraintDate()),
                "calendar": str(task.getCalendar().getName()) if task.getCalendar() is not None else None,
                "predecessors": [
                    {
                        "uid": int(r.getPredecessorTask().getUniqueID()),
                        "type": str(r.getType()),
                        "lag_minutes": minutes(r.getLag()),
                    }
                    for r in task.getPredecessors()
                ],
            }
        )
    calendars = []
    for calendar in project.getCalendars():
        calendars.append(
            {
                "name": str(calendar.getName()),
                "working_days": [str(d) for d in DayOfWeek.values() if calendar.isWorkingDay(d)],
                "exceptions": [
                    {
                        "from": _iso(e.getFromDate()),
                        "to": _iso(e.getToDate()),
                        "working": bool(e.getWorking()),
                    }
                    for e in calendar.getCalendarExceptions()
                ],
            }
        )
    default = project.getDefaultCalendar()
    return {
        "tasks": tasks,
        "calendars": calendars,
        "default_calendar": str(default.getName()) if default else None,
    }


def convert_in_process(source: str, target: str) -> None:
    """Rewrite ``source`` as MSPDI in ``target`` with a JVM in this process (``convert`` runs it in a child).

    The assignments' timephased work is written too: it is where an ``.mpp`` keeps the gaps of a
    split task, which the engine reads (MPXJ's default MSPDI output leaves it out).
    """
    _start()
    from org.mpxj.mspdi import MSPDIWriter
    from org.mpxj.reader import UniversalProjectReader

    project = UniversalProjectReader().read(source)
    if project is None:
        raise ValueError("not a project file MPXJ recognises")
    writer = MSPDIWriter()
    writer.setWriteTimephasedData(True)
    writer.write(project, target)


def main(argv: list[str]) -> int:
    """Entry point of the child process."""
    try:
        if len(argv) == 3 and argv[0] == "convert":
            convert_in_process(argv[1], argv[2])
        elif len(argv) == 2 and argv[0] == "describe":
            sys.stdout.write(json.dumps(_describe(argv[1])))
        else:
            sys.stderr.write("usage: mpxj_bridge convert IN OUT | describe FILE\n")
            return 2
    except Exception as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        sys.stderr.write(f"{message}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
