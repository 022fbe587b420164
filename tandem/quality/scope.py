"""The reads of tests that every page and endpoint starts from.

The visibility scope (``visible_to``) gives the shared cycles, runs and cases to every client member;
a client tester (a reviewer or client viewer) reads further only the runs assigned to them, the cycles
holding such a run, and the cases of those runs (``permissions.sees_all_runs``). These three functions
are the only place that rule is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef

from tandem.quality.models import TestCase, TestCycle, TestRun
from tandem.quality.permissions import sees_all_runs

if TYPE_CHECKING:
    from tandem.core.scoping import ScopedQuerySet, Viewer
    from tandem.projects.models import Project


def runs_of(user: Viewer, project: Project) -> ScopedQuerySet[TestRun]:
    """The test runs of ``project`` the user reads."""
    runs = TestRun.objects.visible_to(user).filter(cycle__project=project)
    if not sees_all_runs(user, project):
        runs = runs.filter(assignee_id=user.pk)
    return runs


def cycles_of(user: Viewer, project: Project) -> ScopedQuerySet[TestCycle]:
    """The test cycles of ``project`` the user reads."""
    cycles = TestCycle.objects.visible_to(user).filter(project=project)
    if not sees_all_runs(user, project):
        mine = runs_of(user, project).filter(cycle=OuterRef("pk"))
        cycles = cycles.filter(Exists(mine))
    return cycles


def cases_of(user: Viewer, project: Project) -> ScopedQuerySet[TestCase]:
    """The test cases of ``project`` the user reads."""
    cases = TestCase.objects.visible_to(user).filter(project=project)
    if not sees_all_runs(user, project):
        mine = runs_of(user, project).filter(case=OuterRef("pk"))
        cases = cases.filter(Exists(mine))
    return cases
