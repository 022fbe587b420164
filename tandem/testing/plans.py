"""The small plan most test suites start from, built once here through the planning services.

ERP starts Monday 2026-01-05: Design (2 days) → Build (3 days) → Go-live (a milestone), and an
internal task after Design (1 day, off the critical path) that a client never sees. The options add
what a suite needs on top: a phase over the three tasks, an internal milestone, an approved baseline.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from tandem.core.choices import Visibility
from tandem.planning import services
from tandem.planning.choices import TaskKind
from tandem.planning.models import Baseline, Task
from tandem.testing.personas import World

#: One working day in minutes (08:00–12:00, 13:00–17:00).
DAY = 480


@dataclass
class Plan:
    """The small plan's rows as stored after it was built (``phase`` and the rest only when asked for)."""

    world: World
    design: Task
    build: Task
    secret: Task
    golive: Task
    phase: Task | None = None
    #: An internal milestone after the internal task ("Subcontractor payout").
    secret_milestone: Task | None = None
    baseline: Baseline | None = None

    def fresh(self, task: Task) -> Task:
        """The task as stored now."""
        return Task.objects.get(pk=task.pk)

    def refreshed(self) -> Plan:
        """The same plan with every row read again (after a change moved the dates)."""

        def again(task: Task | None) -> Task | None:
            return None if task is None else self.fresh(task)

        return replace(
            self,
            **{name: again(getattr(self, name)) for name in ROWS},  # type: ignore[arg-type]
        )


#: The plan's task fields.
ROWS = ("design", "build", "secret", "golive", "phase", "secret_milestone")


def build_small_plan(
    world: World,
    *,
    phase: bool = False,
    internal_name: str = "Margin review",
    build_owner: Any = None,
    secret_feeds_golive: bool = False,
    secret_milestone: bool = False,
    extra: int = 0,
    baseline: str = "",
    approver: Any = None,
) -> Plan:
    """Build the small plan in ``world.project`` as its PM.

    ``phase``: put Design, Build and the internal task under "Phase 1". ``secret_feeds_golive``: link
    the internal task to Go-live too. ``secret_milestone``: add an internal milestone after the
    internal task. ``extra``: that many one-day tasks more (under the phase when there is one).
    ``baseline``: save a baseline of that name, approved by ``approver`` (the PM when not given).
    """
    pm, project = world.pm, world.project

    def add(name: str, **data: Any) -> Task:
        return services.do_add_task(project, actor=pm, name=name, **data)

    def link(predecessor: Task, successor: Task) -> None:
        services.do_add_dependency(
            project, predecessor_id=predecessor.pk, successor_id=successor.pk, actor=pm
        )

    phase_row = add("Phase 1", kind=TaskKind.PHASE) if phase else None
    parent = {"parent_id": phase_row.pk} if phase_row is not None else {}
    owner = {"owner_id": build_owner.pk} if build_owner is not None else {}
    design = add("Design", duration_minutes=2 * DAY, **parent)
    build = add("Build", duration_minutes=3 * DAY, **parent, **owner)
    secret = add(internal_name, duration_minutes=DAY, visibility=Visibility.INTERNAL, **parent)
    golive = add("Go-live", kind=TaskKind.MILESTONE)
    hidden = None
    if secret_milestone:
        hidden = add("Subcontractor payout", kind=TaskKind.MILESTONE, visibility=Visibility.INTERNAL)
    link(design, build)
    link(design, secret)
    if secret_feeds_golive:
        link(secret, golive)
    link(build, golive)
    if hidden is not None:
        link(secret, hidden)
    for n in range(extra):
        add(f"Extra {n}", duration_minutes=DAY, **parent, **owner)
    saved = None
    if baseline:
        saved = services.do_approve_baseline(
            services.do_save_baseline(project, name=baseline, actor=pm), actor=approver or pm
        )
    return Plan(world, design, build, secret, golive, phase_row, hidden, saved).refreshed()
