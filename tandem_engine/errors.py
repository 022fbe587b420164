"""Errors that carry their evidence."""

from __future__ import annotations

import graphlib
from dataclasses import dataclass
from datetime import datetime

from .model import ActivityId, ConstraintType

__all__ = ["ConstraintConflict", "ConstraintConflictError", "NetworkCycleError", "NetworkError"]


class NetworkError(ValueError):
    """The network is malformed: an unknown activity or calendar, a duplicate id, a negative duration."""


class NetworkCycleError(graphlib.CycleError):
    """The links form a cycle; ``cycle`` lists its activity ids, the first repeated at the end.

    A subclass of :class:`graphlib.CycleError`, so ``args[1]`` is the cycle too.
    """

    def __init__(self, cycle: list[ActivityId]) -> None:
        super().__init__(f"the links form a cycle: {' -> '.join(map(str, cycle))}", cycle)
        self.cycle = cycle


@dataclass(frozen=True, slots=True)
class ConstraintConflict:
    """A constraint the links cannot satisfy: the activity is held at ``constraint_date``.

    ``required_date`` is where its links alone would have placed it (start, or finish for FNLT/MFO).
    """

    activity_id: ActivityId
    constraint: ConstraintType
    constraint_date: datetime
    required_date: datetime

    def __str__(self) -> str:
        return (
            f"activity {self.activity_id!r}: {self.constraint.value} {self.constraint_date:%Y-%m-%d %H:%M} "
            f"is impossible, its links require {self.required_date:%Y-%m-%d %H:%M}"
        )


class ConstraintConflictError(ValueError):
    """Raised by ``schedule(..., strict=True)`` when some constraint is impossible."""

    def __init__(self, conflicts: tuple[ConstraintConflict, ...]) -> None:
        super().__init__("; ".join(map(str, conflicts)))
        self.conflicts = conflicts
