"""Quality and acceptance benchmark: ~1,000 requirements, ~5,000 test cases, a UAT cycle of ~5,000 runs.

Run: ``.venv/bin/python benchmarks/quality.py [--requirements 1000] [--cases 5000] [--runs 5000]
[--defects 500] [--repeat 3]``

1. Creates a throwaway SQLite database in a temporary directory (migrated from scratch; nothing else
   is touched), the test personas, and ``--requirements`` requirements of the project ERP (bulk
   insert through the ORM).
2. **Import**: ``--cases`` test cases as CSV files with Chinese headings, GB18030-encoded, three steps
   and one or two requirement codes each. An import reads at most ``case_imports.MAX_ROWS`` (1,000)
   rows a file, so the cases come in files of that size; the dry run (``check_import``) and the import
   (``do_import_cases``) are timed separately, summed over the files, with their queries. Repeats
   are rolled back; the last run is kept. Floor: ``tabular.read_table`` of the same files plus a
   plain ``TestCase.objects.bulk_create`` of the same rows (no revision, link or audit record).
3. **Test case list** page 1 through the API (``GET /api/v1/projects/ERP/test-cases``) and the page
   ``/projects/ERP/quality/cases/`` (Django's test client, the PM signed in).
4. **Cycle**: a UAT cycle of ``--runs`` runs, created through the ORM (bulk insert, for speed; not
   through ``runs.do_add_cases``), two thirds executed, assigned round-robin to the client's
   testers; three smaller system cycles beside it. Timed: the cycle page, the cycles list (progress
   counts), ``GET …/test-cycles/{id}/runs`` page 1, and ``POST …/test-cycles/{id}/results`` of 500
   results (rolled back after each repeat). Floor: one ``values()`` query of the cycle's runs.
5. **Coverage**: ``coverage.coverage_of`` for every requirement, the page ``/projects/ERP/quality/
   coverage/`` (page 1) and the CSV export; reference: a naive loop per requirement (N+1 queries)
   computing the same numbers (cases, last results, open defects by severity), checked to agree with
   the matrix for every requirement.
6. **Figures**: ``metrics.figures`` (team and shared-only) and the status report's
   ``generation.quality_facts``.

``--defects`` defects (bulk insert) hang on requirements and cases, in every status and severity.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HEADINGS = ["编号", "标题", "前置条件", "步骤", "预期结果", "优先级", "需求", "可见性"]
PRIORITIES = ["关键", "高", "中", "低"]


class Rollback(Exception):
    """Raised to undo a timed write."""


def best_of(repeat: int, run: Callable[[], T]) -> tuple[float, T]:
    best, result = float("inf"), None
    for _ in range(repeat):
        began = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - began)
    assert result is not None
    return best, result


def counted(run: Callable[[], T]) -> tuple[int, T]:
    """The queries ``run`` makes, and its result (counted by an execute wrapper: Django's query log
    keeps only the last 9,000)."""
    from django.db import connection

    seen = [0]

    def count(execute: Any, sql: Any, params: Any, many: Any, context: Any) -> Any:
        seen[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        result = run()
    return seen[0], result


def case_files(rng: random.Random, args: argparse.Namespace, per_file: int) -> list[bytes]:
    """``--cases`` rows as GB18030 CSV files of at most ``per_file`` rows, Chinese headings."""
    files = []
    for first in range(0, args.cases, per_file):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(HEADINGS)
        for n in range(first, min(args.cases, first + per_file)):
            codes = rng.sample(range(1, args.requirements + 1), rng.choice([1, 2]))
            steps = "\n".join(f"{k}. 第{k}步：打开订单 {n} => 显示结果 {k}" for k in (1, 2, 3))
            writer.writerow(
                [
                    "",
                    f"用例 {n}：订单审批流程",
                    "已登录系统",
                    steps,
                    "审批完成",
                    rng.choice(PRIORITIES),
                    "、".join(f"REQ-{c:03d}" for c in codes),
                    "共享",  # every case shared: a UAT cycle may hold them all
                ]
            )
        files.append(out.getvalue().encode("gb18030"))
    return files


def build(world: Any, args: argparse.Namespace, rng: random.Random) -> None:
    """The requirements (bulk insert)."""
    from tandem.core.choices import Visibility
    from tandem.requirements.models import Requirement

    Requirement.objects.bulk_create(
        (
            Requirement(
                project=world.project,
                code=f"REQ-{n:03d}",
                title=f"需求 {n}",
                rank=n,
                visibility=Visibility.INTERNAL if n % 10 == 0 else Visibility.SHARED,
            )
            for n in range(1, args.requirements + 1)
        ),
        batch_size=500,
    )


def build_runs(world: Any, args: argparse.Namespace, rng: random.Random) -> Any:
    """A UAT cycle of ``--runs`` runs, three system cycles and ``--defects`` defects (bulk inserts)."""
    from django.utils import timezone

    from tandem.core.choices import Visibility
    from tandem.quality.choices import CycleKind, CycleStatus, DefectSeverity, DefectStatus, RunResult
    from tandem.quality.models import Defect, TestCase, TestCycle, TestRun
    from tandem.requirements.models import Requirement

    project, pm = world.project, world.pm
    cases = list(TestCase.objects.filter(project=project).order_by("pk").values_list("pk", "visibility"))
    shared = [pk for pk, vis in cases if vis == Visibility.SHARED]
    testers = [world.people["reviewer"], world.people["client_pm"], world.people["client_viewer"]]
    now = timezone.now()
    results = [RunResult.PASSED] * 6 + [RunResult.FAILED, RunResult.BLOCKED]
    uat = TestCycle.objects.create(
        project=project, name="UAT 1", kind=CycleKind.UAT, status=CycleStatus.ACTIVE, created_by=pm
    )
    runs = []
    for position, case_id in enumerate(shared[: args.runs]):
        executed = position % 3 != 0
        runs.append(
            TestRun(
                cycle=uat,
                case_id=case_id,
                assignee=testers[position % len(testers)],
                position=position,
                result=rng.choice(results) if executed else RunResult.NOT_RUN,
                executed_by=pm if executed else None,
                executed_at=now - dt.timedelta(minutes=rng.randrange(1, 20000)) if executed else None,
            )
        )
    TestRun.objects.bulk_create(runs, batch_size=500)
    for k in range(3):
        cycle = TestCycle.objects.create(
            project=project,
            name=f"System {k + 1}",
            kind=CycleKind.SYSTEM,
            status=CycleStatus.FINISHED if k < 2 else CycleStatus.ACTIVE,
            visibility=Visibility.INTERNAL if k == 1 else Visibility.SHARED,
            created_by=pm,
        )
        sample = rng.sample([pk for pk, _v in cases], min(len(cases), args.runs // 4))
        TestRun.objects.bulk_create(
            (
                TestRun(
                    cycle=cycle,
                    case_id=case_id,
                    position=i,
                    result=rng.choice(results),
                    executed_by=pm,
                    executed_at=now - dt.timedelta(minutes=rng.randrange(1, 40000)),
                )
                for i, case_id in enumerate(sample)
            ),
            batch_size=500,
        )
    requirement_ids = list(Requirement.objects.filter(project=project).values_list("pk", flat=True))
    statuses = list(DefectStatus.values)
    Defect.objects.bulk_create(
        (
            Defect(
                project=project,
                code=f"DEF-{n:03d}",
                title=f"缺陷 {n}",
                severity=rng.choice(DefectSeverity.values),
                status=rng.choice(statuses),
                requirement_id=rng.choice(requirement_ids) if n % 2 else None,
                test_case_id=rng.choice(cases)[0] if n % 3 else None,
                reported_by=pm,
                visibility=Visibility.INTERNAL if n % 7 == 0 else Visibility.SHARED,
            )
            for n in range(1, args.defects + 1)
        ),
        batch_size=500,
    )
    return uat


def naive_coverage(user: Any, project: Any) -> dict[int, tuple[int, dict[str, int], dict[str, int]]]:
    """Per requirement, one query after another: (active cases, cases per last result, open defects
    per severity) — the N+1 way."""
    from tandem.quality.choices import OPEN_DEFECT_STATES, RunResult
    from tandem.quality.models import Defect
    from tandem.quality.scope import cases_of, runs_of
    from tandem.requirements.models import Requirement

    out = {}
    for requirement in Requirement.objects.visible_to(user).filter(project=project):
        cases = list(cases_of(user, project).filter(is_active=True, requirements=requirement))
        results: dict[str, int] = defaultdict(int)
        for case in cases:
            last = (
                runs_of(user, project)
                .filter(case=case, executed_at__isnull=False)
                .exclude(result=RunResult.NOT_RUN)
                .order_by("-executed_at", "-id")
                .values_list("result", flat=True)
                .first()
            )
            results[last or RunResult.NOT_RUN] += 1
        defects: dict[str, int] = defaultdict(int)
        for defect in Defect.objects.visible_to(user).filter(project=project, status__in=OPEN_DEFECT_STATES):
            if defect.requirement_id == requirement.pk or defect.test_case_id in {c.pk for c in cases}:
                defects[defect.severity] += 1
        out[requirement.pk] = (len(cases), dict(results), dict(defects))
    return out


def main() -> None:
    workdir = tempfile.mkdtemp(prefix="tandem-quality-")
    try:
        run(workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(workdir: str) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requirements", type=int, default=1000)
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5000)
    parser.add_argument("--defects", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    os.environ["TANDEM_DATABASE_URL"] = f"sqlite:///{Path(workdir) / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from benchmarks.harness import machine
    from tandem.core import tabular
    from tandem.core.scoping import ClientLens
    from tandem.quality import case_imports, coverage, metrics
    from tandem.quality.models import TestCase, TestCycle
    from tandem.reports.generation import quality_facts

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    world = build_world_quietly()
    project, pm = world.project, world.pm
    rng = random.Random(20261204)
    began = time.perf_counter()
    build(world, args, rng)
    print(machine())
    print(f"Built {args.requirements} requirements in {time.perf_counter() - began:.1f} s")
    rows_table: list[tuple[str, float, str]] = []

    def note(label: str, seconds: float, extra: str = "") -> None:
        rows_table.append((label, seconds, extra))
        print(f"{label:44} {seconds * 1000:9.1f} ms  {extra}", flush=True)

    # ---------------------------------------------------------------- 1. import
    per_file = case_imports.MAX_ROWS
    files = case_files(rng, args, per_file)
    names = [f"cases-{k + 1}.csv" for k in range(len(files))]
    size = sum(len(f) for f in files)

    def preview() -> int:
        return sum(
            len(case_imports.check_import(project, actor=pm, content=f, filename=n))
            for f, n in zip(files, names, strict=True)
        )

    def import_all(keep: bool) -> int:
        made = 0
        try:
            with transaction.atomic():
                for f, n in zip(files, names, strict=True):
                    made += len(case_imports.do_import_cases(project, actor=pm, content=f, filename=n))
                if not keep:
                    raise Rollback
        except Rollback:
            pass
        return made

    def floor_import() -> int:
        made = 0
        try:
            with transaction.atomic():
                for f, n in zip(files, names, strict=True):
                    rows = tabular.read_table(f, n, max_rows=per_file)
                    made += len(
                        TestCase.objects.bulk_create(
                            TestCase(
                                project=project,
                                code=f"FL-{made + i}",
                                title=row[1],
                                preconditions=row[2],
                                steps=[{"action": line, "expected": ""} for line in row[3].splitlines()],
                                expected_result=row[4],
                                created_by=pm,
                            )
                            for i, row in enumerate(rows[1:])
                        )
                    )
                raise Rollback
        except Rollback:
            pass
        return made

    q_preview, found = counted(preview)
    assert found == args.cases, found
    t_preview, _n = best_of(args.repeat, preview)
    q_import, _n = counted(lambda: import_all(False))
    t_floor_import, _n = best_of(args.repeat, floor_import)
    t_import, _n = best_of(max(1, args.repeat - 1), lambda: import_all(False))
    began = time.perf_counter()
    made = import_all(True)
    t_import = min(t_import, time.perf_counter() - began)
    assert made == args.cases == TestCase.objects.filter(project=project).count()
    print(
        f"\n1. Import of {args.cases} cases in {len(files)} GB18030 CSV files of ≤ {per_file} rows "
        f"({size / 1024:.0f} KiB)"
    )
    note("floor: read_table + bulk_create", t_floor_import)
    note("dry run (check_import), all files", t_preview, f"({q_preview} queries)")
    note("import (do_import_cases), all files", t_import, f"({q_import} queries)")
    note("  per 1,000 rows", t_import / len(files))

    # ---------------------------------------------------------------- the cycle and defects
    began = time.perf_counter()
    uat = build_runs(world, args, rng)
    total_runs = uat.runs.count()
    print(
        f"\nBuilt a UAT cycle of {total_runs} runs, 3 system cycles and {args.defects} defects "
        f"(ORM bulk inserts) in {time.perf_counter() - began:.1f} s"
    )

    browser = Client()
    browser.force_login(pm)

    def get(url: str) -> Any:
        response = browser.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    def timed_get(label: str, url: str) -> Any:
        get(url)  # warm: imports, URL resolvers, templates
        queries, response = counted(lambda: get(url))
        seconds, _r = best_of(args.repeat, lambda: get(url))
        note(label, seconds, f"({queries} queries, {len(response.content) / 1024:.0f} KiB)")
        return response

    # ---------------------------------------------------------------- 2. case list
    print(f"\n2. Test case list ({args.cases} cases), page 1")
    timed_get("API GET …/test-cases", "/api/v1/projects/ERP/test-cases")
    timed_get("page /quality/cases/", "/projects/ERP/quality/cases/")

    # ---------------------------------------------------------------- 3. cycle
    print(f"\n3. UAT cycle of {total_runs} runs")
    from tandem.quality.models import TestRun

    def floor_runs() -> int:
        return len(list(TestRun.objects.filter(cycle=uat).values("pk", "case_id", "result", "assignee_id")))

    t_floor_runs, _n = best_of(args.repeat, floor_runs)
    note("floor: one values() query of the runs", t_floor_runs)
    timed_get("page cycle detail", f"/projects/ERP/quality/cycles/{uat.pk}/")
    timed_get("page cycles list (progress counts)", "/projects/ERP/quality/cycles/")
    timed_get("API GET …/test-cycles", "/api/v1/projects/ERP/test-cycles")
    timed_get("API GET …/test-cycles/{id}/runs", f"/api/v1/projects/ERP/test-cycles/{uat.pk}/runs")

    chosen = list(TestRun.objects.filter(cycle=uat).order_by("?").values_list("case_id", flat=True)[:500])
    body = json.dumps({"results": [{"case": c, "result": "passed", "note": "批量"} for c in chosen]})
    url = f"/api/v1/projects/ERP/test-cycles/{uat.pk}/results"

    def post_results() -> Any:
        try:
            with transaction.atomic():
                response = browser.post(url, body, content_type="application/json")
                assert response.status_code == 200, (response.status_code, response.content[:500])
                raise Rollback
        except Rollback:
            pass
        return response

    post_results()
    q_post, _r = counted(post_results)
    t_post, _r = best_of(args.repeat, post_results)
    note("API POST …/results (500 rows)", t_post, f"({q_post} queries)")

    # ---------------------------------------------------------------- 4. coverage
    print(f"\n4. Coverage matrix ({args.requirements} requirements)")
    q_cov, matrix = counted(lambda: coverage.coverage_of(pm, project))
    t_cov, matrix = best_of(args.repeat, lambda: coverage.coverage_of(pm, project))
    note("coverage_of (all rows)", t_cov, f"({q_cov} queries)")
    timed_get("page /quality/coverage/ (page 1)", "/projects/ERP/quality/coverage/")
    timed_get("CSV export", "/projects/ERP/quality/coverage/export/?format=csv")
    began = time.perf_counter()
    q_naive, reference = counted(lambda: naive_coverage(pm, project))
    t_naive = time.perf_counter() - began
    note("reference: naive loop per requirement", t_naive, f"({q_naive} queries, one run)")
    assert len(reference) == len(matrix.all_rows), (len(reference), len(matrix.all_rows))
    for row in matrix.all_rows:
        expected = reference[row.requirement.pk]
        got = (len(row.cases), row.results, row.open_defects)
        assert got == expected, (row.requirement.code, got, expected)
    print(f"   the matrix agrees with the reference for all {len(matrix.all_rows)} requirements")
    print(f"   totals: {matrix.totals}")

    # ---------------------------------------------------------------- 5. figures
    print("\n5. Quality figures")
    today = timezone.localdate()
    for label, run_it in (
        ("metrics.figures (team)", lambda: metrics.figures(project, shared_only=False)),
        ("metrics.figures (shared only)", lambda: metrics.figures(project, shared_only=True)),
        ("report quality_facts", lambda: quality_facts(ClientLens(pm), project, today=today)),
    ):
        queries, _r = counted(run_it)
        seconds, _r = best_of(args.repeat, run_it)
        note(label, seconds, f"({queries} queries)")
    assert TestCycle.objects.filter(project=project).count() == 4


def build_world_quietly() -> Any:
    from tandem.testing.personas import build_world

    return build_world(with_records=False)


if __name__ == "__main__":
    main()
