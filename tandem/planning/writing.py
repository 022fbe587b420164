"""How a plan is written: one lock per plan, taken first, and one reschedule per transaction.

Every service that changes a plan's tasks, links or calendars starts with ``lock_plan(project)``
and ends with ``plan_changed(project)``:

- ``lock_plan`` locks the project's row (PostgreSQL ``SELECT … FOR NO KEY UPDATE``) before any
  task or link row. Writers of one plan therefore queue on one lock in one order and never
  deadlock on the task rows a reschedule rewrites; writers of other plans, and inserts that merely
  reference the project (comments, audit entries), are not blocked (``NO KEY`` does not conflict
  with the key-share locks those inserts take). On SQLite every write transaction begins
  ``IMMEDIATE`` (see settings), which already serialises writers, so the lock is free there.
- ``plan_changed`` reschedules at once, unless the caller opened ``one_reschedule(project)``: then
  it only notes that the plan changed, and the block reschedules once when it ends. A change
  request's edits, a bulk request and an import are one transaction and one reschedule however
  many rows they touch. A cycle or an impossible plan found then rolls the whole block back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections, router, transaction

from tandem.planning import scheduling
from tandem.projects.models import Project

#: Projects with an open ``one_reschedule`` block in this context, and whether their plan changed.
_pending: ContextVar[dict[int, bool] | None] = ContextVar("tandem_pending_reschedules", default=None)


def lock_plan(project: Project) -> None:
    """Take the plan's write lock for the rest of the transaction (call first, inside ``atomic``)."""
    pending = _pending.get()
    if pending is not None and project.pk in pending:
        return  # the block that deferred the reschedule already holds it
    if not connections[router.db_for_write(Project)].features.has_select_for_update:
        return  # SQLite: the IMMEDIATE transaction already holds the database's one write lock
    list(Project.objects.select_for_update(no_key=True).filter(pk=project.pk).values_list("pk"))


def plan_changed(project: Project) -> scheduling.Outcome | None:
    """Reschedule the project now, or at the end of the enclosing ``one_reschedule`` block (None then)."""
    pending = _pending.get()
    if pending is not None and project.pk in pending:
        pending[project.pk] = True
        return None
    return scheduling.reschedule(project)


def reschedule_now(project: Project) -> scheduling.Outcome:
    """Reschedule the project at once (a baseline needs today's dates), inside a block or not."""
    pending = _pending.get()
    if pending is not None and project.pk in pending:
        pending[project.pk] = False
    return scheduling.reschedule(project)


@contextmanager
def one_reschedule(project: Project) -> Iterator[None]:
    """Lock the plan, run the block in one transaction, and reschedule once at its end if it changed.

    Nested blocks for the same project join the outer one.
    """
    pending = _pending.get()
    if pending is not None and project.pk in pending:
        yield
        return
    with transaction.atomic():
        lock_plan(project)
        token = _pending.set({}) if pending is None else None
        shared = _pending.get()
        assert shared is not None
        shared[project.pk] = False
        try:
            yield
            changed = shared[project.pk]
        finally:
            shared.pop(project.pk, None)
            if token is not None:
                _pending.reset(token)
        if changed:
            scheduling.reschedule(project)
