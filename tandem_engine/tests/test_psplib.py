"""The engine reproduces PSPLIB's resource-free critical-path length (MPM-Time) on all j30 and j60."""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem_engine import read_psplib, schedule, to_minutes

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "psplib"
pytestmark = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"PSPLIB data not present at {DATA} (a fresh clone has no ../shared/data)"
)


@pytest.mark.parametrize("family", ["j30", "j60"])
def test_it_reproduces_mpm_time_for_every_instance(family: str) -> None:
    files = sorted((DATA / family).glob("*.sm"))
    assert len(files) == 480
    wrong = []
    for path in files:
        instance = read_psplib(path)
        result = schedule(instance.network)
        length = to_minutes(result.project_finish) - to_minutes(result.project_start)
        if length != instance.mpm_time:
            wrong.append(f"{path.name}: {length} != {instance.mpm_time}")
    assert not wrong, wrong[:10]
