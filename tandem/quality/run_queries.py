"""The read side of test cycles and runs: each helper starts from ``quality.scope`` and fetches *and*
authorises (404 for what the reader may not know exists)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from tandem.quality.choices import (
    OPEN_DEFECT_STATES,
    AcceptanceStatus,
    CycleStatus,
    DefectSeverity,
    RunResult,
)
from tandem.quality.models import AcceptanceRequest, Defect, TestCycle, TestEvidence, TestRun
from tandem.quality.runs import steps_at_revision
from tandem.quality.scope import cycles_of, runs_of

if TYPE_CHECKING:
    from tandem.core.scoping import Viewer
    from tandem.projects.models import Project

RESULTS = (RunResult.PASSED, RunResult.FAILED, RunResult.BLOCKED, RunResult.NOT_RUN)


def _int(pk: Any, message: str) -> int:
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise Http404(message) from None
    if not 1 <= number <= 2**63 - 1:
        raise Http404(message)
    return number


@dataclass
class Progress:
    """How many runs of a cycle (that the reader reads) stand at each result."""

    passed: int = 0
    failed: int = 0
    blocked: int = 0
    not_run: int = 0

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.blocked + self.not_run

    @property
    def executed(self) -> int:
        return self.total - self.not_run

    def percent(self, count: int) -> int:
        """``count`` as a whole percent of the runs (0 without runs)."""
        return round(100 * count / self.total) if self.total else 0

    @property
    def executed_percent(self) -> int:
        return self.percent(self.executed)

    @property
    def bars(self) -> list[tuple[str, int, int]]:
        """(result, count, percent) of each result with runs, in the order of a progress bar."""
        return [(r, getattr(self, r), self.percent(getattr(self, r))) for r in RESULTS if getattr(self, r)]


def progress_of(user: Viewer, project: Project, cycle_ids: Iterable[int]) -> dict[int, Progress]:
    """The progress of each cycle in ``cycle_ids`` over the runs the user reads (one aggregate query)."""
    out: dict[int, Progress] = {pk: Progress() for pk in cycle_ids}
    if not out:
        return out
    rows = (
        runs_of(user, project)
        .filter(cycle_id__in=list(out))
        .order_by()
        .values("cycle_id", "result")
        .annotate(n=Count("id"))
    )
    for row in rows:
        if row["result"] in RunResult.values:
            setattr(out[row["cycle_id"]], row["result"], row["n"])
    return out


def cycles_list(user: Viewer, project: Project, *, status: str = "", kind: str = "") -> QuerySet[TestCycle]:
    """The cycles the user reads, newest first, filtered by status and kind."""
    rows = cycles_of(user, project).select_related("deliverable")
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("-created_at", "-id")


def with_progress(user: Viewer, project: Project, cycles: Iterable[TestCycle]) -> list[TestCycle]:
    """``cycles`` with ``progress`` set on each (one aggregate query for all of them)."""
    listed = list(cycles)
    found = progress_of(user, project, [c.pk for c in listed])
    for cycle in listed:
        cycle.progress = found[cycle.pk]  # type: ignore[attr-defined]
    return listed


def access_cycle(user: Viewer, project: Project, pk: Any) -> TestCycle:
    """A cycle of ``project`` the user reads; otherwise ``Http404``."""
    found = (
        cycles_of(user, project)
        .filter(pk=_int(pk, _("No such test cycle.")))
        .select_related("project", "deliverable", "created_by")
        .first()
    )
    if found is None:
        raise Http404(_("No such test cycle."))
    return found


def cycle_runs(
    user: Viewer,
    cycle: TestCycle,
    *,
    result: str = "",
    assignee: int | None = None,
    priority: str = "",
) -> QuerySet[TestRun]:
    """The runs of ``cycle`` the user reads, in the cycle's order, filtered."""
    rows = runs_of(user, cycle.project).filter(cycle=cycle)
    if result:
        rows = rows.filter(result=result)
    if assignee:
        rows = rows.filter(assignee_id=assignee)
    if priority:
        rows = rows.filter(case__priority=priority)
    return rows.select_related("case", "assignee", "executed_by").order_by("position", "id")


def access_run(user: Viewer, cycle: TestCycle, pk: Any) -> TestRun:
    """A run of ``cycle`` the user reads (a run of another cycle is not found); otherwise ``Http404``."""
    found = (
        runs_of(user, cycle.project)
        .filter(cycle=cycle, pk=_int(pk, _("No such test run.")))
        .select_related("case", "assignee", "executed_by")
        .first()
    )
    if found is None:
        raise Http404(_("No such test run."))
    found.cycle = cycle
    return found


@dataclass(frozen=True)
class StepView:
    """One step of a run: what to do and expect (at the run's revision of the case), and its result."""

    number: int
    action: str
    expected: str
    result: str
    note: str


def run_steps(run: TestRun) -> list[StepView]:
    """The steps of the case at the run's revision, each with its recorded result."""
    steps = steps_at_revision(run.case, run.case_revision)
    results = run.step_results or []
    out = []
    for i, step in enumerate(steps):
        done = results[i] if i < len(results) and isinstance(results[i], dict) else {}
        out.append(
            StepView(
                number=i + 1,
                action=str(step.get("action", "")),
                expected=str(step.get("expected", "")),
                result=str(done.get("result", RunResult.NOT_RUN)),
                note=str(done.get("note", "")),
            )
        )
    return out


def my_runs(user: Viewer, project: Project) -> QuerySet[TestRun]:
    """The runs assigned to the user, those not yet passed first, in cycles not finished first."""
    return (
        runs_of(user, project)
        .filter(assignee_id=user.pk)
        .select_related("case", "cycle", "assignee", "executed_by")
        .annotate(
            done=Case(
                When(result=RunResult.PASSED, then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
            closed=Case(
                When(cycle__status=CycleStatus.FINISHED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by("closed", "done", "-cycle__created_at", "position", "id")
    )


def evidence_of(run: TestRun) -> QuerySet[TestEvidence]:
    """The files of a run the caller has read through the scope."""
    return TestEvidence.objects.filter(run=run).select_related("uploaded_by").order_by("uploaded_at", "id")


def access_evidence(run: TestRun, pk: Any) -> TestEvidence:
    """A file of ``run`` (read through the scope by the caller); otherwise ``Http404``."""
    found = evidence_of(run).filter(pk=_int(pk, _("No such file."))).first()
    if found is None:
        raise Http404(_("No such file."))
    found.run = run
    return found


def run_defects(user: Viewer, run: TestRun) -> QuerySet[Defect]:
    """The defects raised from ``run`` that the user reads."""
    return Defect.objects.visible_to(user).filter(test_run=run).order_by("step_number", "id")


def cycle_defects(user: Viewer, cycle: TestCycle) -> QuerySet[Defect]:
    """The defects raised from the runs of ``cycle`` that the user reads, newest first."""
    return (
        Defect.objects.visible_to(user)
        .filter(project=cycle.project, test_run__cycle=cycle)
        .select_related("test_case")
        .order_by("-created_at", "-id")
    )


@dataclass
class Overview:
    """The Quality tab's landing page: cycles in progress, my tests, open defects, acceptances in review."""

    active: list[TestCycle]
    mine: list[TestRun]
    mine_open: int
    open_defects: list[tuple[str, str, int]] = field(default_factory=list)
    open_total: int = 0
    in_review: list[AcceptanceRequest] = field(default_factory=list)


def overview(user: Viewer, project: Project, *, limit: int = 10) -> Overview:
    """What the Quality tab shows first, in a fixed number of queries."""
    active = with_progress(user, project, cycles_list(user, project, status=CycleStatus.ACTIVE)[:limit])
    mine_rows = my_runs(user, project).exclude(cycle__status=CycleStatus.FINISHED)
    mine = list(mine_rows[:limit])
    mine_open = mine_rows.exclude(result=RunResult.PASSED).count()
    counts = dict(
        Defect.objects.visible_to(user)
        .filter(project=project, status__in=OPEN_DEFECT_STATES)
        .order_by()
        .values_list("severity")
        .annotate(n=Count("id"))
        .values_list("severity", "n")
    )
    by_severity = [(value, str(label), counts.get(value, 0)) for value, label in DefectSeverity.choices]
    in_review = list(
        AcceptanceRequest.objects.visible_to(user)
        .filter(project=project, status=AcceptanceStatus.IN_REVIEW)
        .select_related("deliverable")
        .order_by("due_date", "id")[:limit]
    )
    return Overview(
        active=active,
        mine=mine,
        mine_open=mine_open,
        open_defects=by_severity,
        open_total=sum(counts.values()),
        in_review=in_review,
    )
