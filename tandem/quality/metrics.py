"""Quality figures of a project: pass rate, open defects by severity, reopen rate, defect density.

Each figure is computed from live data with a fixed number of queries. With ``shared_only`` it counts
shared records only (shared cases, runs of shared cycles, shared defects and requirements): that is
what a client reads, in a shared KPI or the status report, and it never tells of internal work.
``docs/quality.md`` defines each figure for the reader.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tandem.core.choices import Visibility
from tandem.quality.choices import OPEN_DEFECT_STATES, DefectSeverity, RunResult
from tandem.quality.models import Defect, TestRun
from tandem.requirements.models import Requirement

if TYPE_CHECKING:
    from tandem.projects.models import Project

ONE_PLACE = Decimal("0.1")
EXECUTED = (RunResult.PASSED, RunResult.FAILED, RunResult.BLOCKED)


def _percent(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def _end_of(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _runs(project: Project, shared_only: bool) -> QuerySet[TestRun]:
    runs = TestRun.objects.filter(cycle__project=project)
    if shared_only:
        runs = runs.filter(cycle__visibility=Visibility.SHARED, case__visibility=Visibility.SHARED)
    return runs


def _defects(project: Project, shared_only: bool, day: dt.date | None = None) -> QuerySet[Defect]:
    defects = Defect.objects.filter(project=project)
    if shared_only:
        defects = defects.filter(visibility=Visibility.SHARED)
    end = _end_of(day)
    if end is not None:
        defects = defects.filter(created_at__lt=end)
    return defects


def last_results(project: Project, *, shared_only: bool, day: dt.date | None = None) -> dict[str, int]:
    """How many cases stand at each result by their latest executed run (up to the end of ``day``)."""
    runs = _runs(project, shared_only).filter(result__in=EXECUTED, executed_at__isnull=False)
    end = _end_of(day)
    if end is not None:
        runs = runs.filter(executed_at__lt=end)
    last: dict[int, str] = {}
    for case_id, result in runs.order_by("case_id", "-executed_at", "-id").values_list("case_id", "result"):
        last.setdefault(case_id, result)
    counts: dict[str, int] = {str(r): 0 for r in EXECUTED}
    for result in last.values():
        counts[result] += 1
    return counts


def pass_rate(project: Project, *, shared_only: bool, day: dt.date | None = None) -> Decimal | None:
    """Pass rate (%): of the cases executed at least once, the share whose latest executed run passed.

    passed / (passed + failed + blocked) × 100 over each case's latest executed run across cycles;
    None when no case has been executed.
    """
    counts = last_results(project, shared_only=shared_only, day=day)
    return _percent(counts[RunResult.PASSED], sum(counts.values()))


def open_defects_by_severity(
    project: Project, *, shared_only: bool, day: dt.date | None = None
) -> dict[str, int]:
    """Open defects (new, confirmed, fixed not yet verified, reopened) by severity, every severity named.

    Counted in their present state, among those filed up to the end of ``day``.
    """
    counts = {s: 0 for s in DefectSeverity.values}
    rows = (
        _defects(project, shared_only, day)
        .filter(status__in=OPEN_DEFECT_STATES)
        .values("severity")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["severity"]] = row["n"]
    return counts


def reopen_rate(project: Project, *, shared_only: bool, day: dt.date | None = None) -> Decimal | None:
    """Reopen rate (%): of the defects fixed at least once (``fixed_at`` set, or reopened), the share
    reopened at least once (``reopen_count > 0``); None when no defect was ever fixed."""
    counts = (
        _defects(project, shared_only, day)
        .filter(Q(fixed_at__isnull=False) | Q(reopen_count__gt=0))
        .aggregate(fixed=Count("id"), reopened=Count("id", filter=Q(reopen_count__gt=0)))
    )
    return _percent(counts["reopened"], counts["fixed"])


def covered_requirements(project: Project, *, shared_only: bool) -> int:
    """How many requirements have at least one active test case."""
    condition = Q(project=project, test_cases__is_active=True)
    if shared_only:
        condition &= Q(visibility=Visibility.SHARED, test_cases__visibility=Visibility.SHARED)
    return Requirement.objects.filter(condition).values("pk").distinct().count()


def defect_density(project: Project, *, shared_only: bool, day: dt.date | None = None) -> Decimal | None:
    """Defect density: defects filed (any state) per requirement covered by tests, to one decimal;
    None when no requirement has a test case."""
    covered = covered_requirements(project, shared_only=shared_only)
    if covered == 0:
        return None
    defects = _defects(project, shared_only, day).count()
    return (Decimal(defects) / Decimal(covered)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class QualityFigures:
    """The project's quality figures at once (for pages, the API and the status report)."""

    pass_rate: Decimal | None
    results: dict[str, int]
    open_defects: dict[str, int]
    reopen_rate: Decimal | None
    defect_density: Decimal | None

    @property
    def open_defect_total(self) -> int:
        """Open defects of every severity."""
        return sum(self.open_defects.values())


def figures(project: Project, *, shared_only: bool, day: dt.date | None = None) -> QualityFigures:
    """Every quality figure of ``project`` (six queries)."""
    results = last_results(project, shared_only=shared_only, day=day)
    return QualityFigures(
        pass_rate=_percent(results[RunResult.PASSED], sum(results.values())),
        results=results,
        open_defects=open_defects_by_severity(project, shared_only=shared_only, day=day),
        reopen_rate=reopen_rate(project, shared_only=shared_only, day=day),
        defect_density=defect_density(project, shared_only=shared_only, day=day),
    )
