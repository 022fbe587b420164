"""Scheduling and costing with resource assignments: CPU time of each step on the CPM benchmark's network.

Run: ``.venv/bin/python benchmarks/assignments.py [--tasks 100000]``

Builds ``benchmarks/cpm.py``'s seeded network, adds two resource calendars (a night shift and a
four-day week), 200 people (most on the project calendar) with a rate history, and one or two
assignments per task at 50 % or 100 %; then times, in CPU seconds (``time.process_time``: the
machine's cores are shared), ``apply_assignments``, ``schedule`` and ``cost_schedule``. It also
checks that the plan without assignments still takes the vectorised path and is not slowed down:
``apply_assignments`` returns it unchanged.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.cpm import build
from tandem_engine import (
    STANDARD_DAY,
    Assignment,
    Calendar,
    Network,
    Rate,
    RateEntry,
    Resource,
    ResourcePlan,
    apply_assignments,
    cost_schedule,
    parse_working_ranges,
    schedule,
)
from tandem_engine.cpm import fast_path_refusal


def with_assignments(network: Network, seed: int = 7) -> tuple[Network, ResourcePlan]:
    """The network with two more calendars, and a seeded plan of 200 people assigned to every task."""
    rng = random.Random(seed)
    night = Calendar("night", week=(parse_working_ranges("22:00-00:00"),) * 5 + ((), ()), name="Night shift")
    four = Calendar("four", week=(STANDARD_DAY,) * 4 + ((), (), ()), name="Four-day week")
    network = replace(network, calendars={**network.calendars, "night": night, "four": four})
    calendars = [None, None, None, "night", "four"]
    people = {}
    for k in range(200):
        history = (
            RateEntry(standard=Rate(rng.choice([40.0, 55.0, 80.0])), cost_per_use=rng.choice([0.0, 20.0])),
            RateEntry(datetime(2030, 1, 1), standard=Rate(90.0)),
        )
        people[k] = Resource(k, calendar_id=rng.choice(calendars), rates=(history,))
    assignments = [
        Assignment(a.id, r, units=rng.choice([0.5, 1.0]))
        for a in network.activities
        for r in rng.sample(range(200), rng.choice([1, 1, 2]))
    ]
    return network, ResourcePlan(resources=people, assignments=tuple(assignments))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    args = parser.parse_args()
    plain = build(args.tasks)
    assert apply_assignments(plain, ResourcePlan()) is plain and fast_path_refusal(plain) is None
    network, plan = with_assignments(plain)
    t0 = time.process_time()
    shaped = apply_assignments(network, plan)
    t1 = time.process_time()
    result = schedule(shaped)
    t2 = time.process_time()
    costs = cost_schedule(network, plan, result)
    t3 = time.process_time()
    print(
        f"{args.tasks} tasks, {len(plan.assignments)} assignments: apply_assignments {t1 - t0:.2f} s, "
        f"schedule {t2 - t1:.2f} s ({fast_path_refusal(shaped) or 'vectorised path'}), "
        f"cost_schedule {t3 - t2:.2f} s of CPU"
    )
    total = sum(c.cost for c in costs.values())
    print(f"project finish {result.project_finish:%Y-%m-%d %H:%M}, cost {total:,.2f}")


if __name__ == "__main__":
    main()
