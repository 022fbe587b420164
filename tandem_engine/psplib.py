"""Read PSPLIB single-mode instances (``.sm``): precedence and durations; resources are ignored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .model import Activity, Calendar, Link, Network

__all__ = ["PsplibInstance", "read_psplib"]

_CONTINUOUS_ID = "continuous"
_ORIGIN = datetime(2000, 1, 3)  # noqa: DTZ001 - any origin works on a continuous calendar


@dataclass(frozen=True)
class PsplibInstance:
    """A PSPLIB instance as a network on a continuous calendar; one time unit is one minute."""

    network: Network
    mpm_time: int
    jobs: int


def read_psplib(path: str | Path) -> PsplibInstance:
    """Parse a PSPLIB ``.sm`` file (Kolisch & Sprecher 1996).

    Returns the jobs as activities (duration in minutes of a 24/7 calendar, so the makespan in
    minutes equals PSPLIB's periods), the precedence relations as FS links, and ``MPM-Time``.

    Raises ``ValueError`` when a section is missing.
    """
    text = Path(path).read_text(encoding="ascii", errors="replace")
    info = [line.split() for line in _section(text, "PROJECT INFORMATION:", "*****").splitlines()]
    numbers = [fields for fields in info if len(fields) == 6 and all(f.isdigit() for f in fields)]
    if not numbers:
        raise ValueError(f"{path}: no project information line")
    mpm_time = int(numbers[0][5])  # pronr, #jobs, rel.date, duedate, tardcost, MPM-Time
    links: list[Link] = []
    for line in _section(text, "PRECEDENCE RELATIONS:", "*****").splitlines()[2:]:
        fields = line.split()
        if len(fields) < 3:
            continue
        job, count = int(fields[0]), int(fields[2])
        links.extend(Link(job, int(s)) for s in fields[3 : 3 + count])
    durations: dict[int, int] = {}
    for line in _section(text, "REQUESTS/DURATIONS:", "*****").splitlines()[3:]:
        fields = line.split()
        if len(fields) >= 3 and fields[0].isdigit():
            durations[int(fields[0])] = int(fields[2])
    activities = tuple(Activity(job, duration=d, milestone=d == 0) for job, d in sorted(durations.items()))
    network = Network(
        activities=activities,
        links=tuple(links),
        calendars={_CONTINUOUS_ID: Calendar.continuous(_CONTINUOUS_ID)},
        calendar_id=_CONTINUOUS_ID,
        start=_ORIGIN,
    )
    return PsplibInstance(network=network, mpm_time=mpm_time, jobs=len(activities))


def _section(text: str, title: str, end: str) -> str:
    start = text.find(title)
    if start < 0:
        raise ValueError(f"missing section {title!r}")
    stop = text.find(end, start)
    return text[start + len(title) : stop if stop >= 0 else None]
