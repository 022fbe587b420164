"""Tandem's schedule against the dates MS Project saved in files of MPXJ's test corpus.

The corpus (``junit/data`` of ``joniles/mpxj``, LGPL-2.1) is not part of this repository: set
``TANDEM_MPXJ_CORPUS`` to a copy of it. Each case is an MSPDI file that MS Project saved and that once
showed a difference (``benchmarks/msproject_corpus.py`` compares the whole corpus, ``.mpp`` files
too); every automatically scheduled leaf task's start, finish, early and late dates must equal the
stored ones to the minute. The stored dates are read here with the standard library, not with the
engine's reader, so a reader bug cannot hide itself.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tandem_engine import apply_assignments, read_mspdi, schedule

CORPUS = Path(os.environ.get("TANDEM_MPXJ_CORPUS", "")) if os.environ.get("TANDEM_MPXJ_CORPUS") else None
pytestmark = pytest.mark.skipif(
    CORPUS is None or not CORPUS.is_dir(),
    reason="MPXJ's test corpus is absent: set TANDEM_MPXJ_CORPUS to a copy of junit/data of joniles/mpxj",
)

NS = {"p": "http://schemas.microsoft.com/project"}
DATES = ("Start", "Finish", "EarlyStart", "EarlyFinish", "LateStart", "LateFinish")
FIELDS = ("start", "finish", "early_start", "early_finish", "late_start", "late_finish")

FILES = [
    # Tasks held by a "start no earlier than" date two years before the project start.
    "generated/assignment-flags/assignment-flags-project2003-mspdi.xml",
    "generated/assignment-text/assignment-text-project2007-mspdi.xml",
    "generated/assignment-assignments/assignment-assignments-project2003-mspdi.xml",
]


def _stored(path: Path) -> dict[int, dict[str, str]]:
    """The stored dates of every automatically scheduled leaf task, by UID, to the minute."""
    tasks = {}
    for task in ET.parse(path).getroot().iterfind("p:Tasks/p:Task", NS):
        uid = int(task.findtext("p:UID", "0", NS))
        if (
            uid == 0
            or task.findtext("p:Summary", "0", NS) == "1"
            or task.findtext("p:Manual", "0", NS) == "1"
        ):
            continue
        tasks[uid] = {
            field: (task.findtext(f"p:{tag}", "", NS))[:16] for field, tag in zip(FIELDS, DATES, strict=True)
        }
    return tasks


@pytest.mark.parametrize("file", FILES)
def test_it_matches_the_dates_ms_project_saved(file: str) -> None:
    assert CORPUS is not None
    path = CORPUS / file
    project = read_mspdi(path)
    result = schedule(apply_assignments(project.network, project.resourcing))
    stored = _stored(path)
    assert stored
    mismatches = []
    for uid, dates in stored.items():
        for field, value in dates.items():
            got = getattr(result[uid], field).isoformat(timespec="minutes")
            if value and got != value:
                mismatches.append(f"task {uid} {field}: MS Project {value}, Tandem {got}")
    assert not mismatches, f"{file}: " + "; ".join(mismatches)
