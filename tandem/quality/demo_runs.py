"""The demo's testing: a finished system test with every case run (one failure, its defect filed) and the
client's UAT in progress (shared, assigned to the client reviewer and the client PM, about half run, two
defects raised from failed steps). Built through the services from the project's active test cases."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tandem.core.choices import Visibility
from tandem.projects.choices import Role
from tandem.projects.models import Deliverable
from tandem.quality import runs
from tandem.quality.choices import CycleKind, RunResult
from tandem.quality.models import TestCycle, TestRun
from tandem.quality.scope import cases_of

if TYPE_CHECKING:
    from tandem.accounts.models import User
    from tandem.projects.models import Project

SYSTEM_NAME = "系统测试 第1轮 System test round 1"
UAT_NAME = "用户验收测试 第1轮 UAT round 1"


def _person(project: Project, role: str) -> User:
    membership = project.memberships.filter(role=role).select_related("user").order_by("id").first()
    if membership is None:
        raise LookupError(role)
    return membership.user


def _steps(run: TestRun, result: str, failing: int | None = None, note: str = "") -> list[dict[str, str]]:
    count = len(run.case.steps or [])
    out = [{"result": RunResult.PASSED, "note": ""} for _ in range(count)]
    if failing is not None and count:
        out[failing - 1] = {"result": RunResult.FAILED, "note": note}
        del out[failing:]
    return out if result != RunResult.NOT_RUN else []


def _record(run: TestRun, actor: User, *, failing: int | None = None, note: str = "") -> TestRun:
    result = RunResult.FAILED if failing else RunResult.PASSED
    return runs.do_record_result(
        run,
        actor=actor,
        version=run.version,
        result=result,
        step_results=_steps(run, result, failing, note),
        note=note,
    )


def _system_test(project: Project, pm: User, tester: User, deliverable: Deliverable | None) -> TestCycle:
    cases = list(cases_of(pm, project).filter(is_active=True).order_by("code"))
    cycle = runs.do_create_cycle(
        project,
        actor=pm,
        name=SYSTEM_NAME,
        kind=CycleKind.SYSTEM,
        build="1.0.0",
        deliverable_id=deliverable.pk if deliverable else None,
        visibility=Visibility.SHARED,
        description="第一轮完整系统测试。 The first full system test.",
    )
    added = runs.do_add_cases(cycle, actor=pm, case_ids=[c.pk for c in cases])
    cycle = runs.do_start_cycle(cycle, actor=pm, version=cycle.version)
    failing = added[len(added) // 2] if added else None
    rows: list[dict[str, Any]] = []
    for run in added:
        run = runs.do_assign(run, actor=pm, version=run.version, assignee_id=tester.pk)
        if failing is None or run.pk != failing.pk:
            rows.append(
                {"case": run.case_id, "result": RunResult.PASSED, "step_results": _steps(run, "passed")}
            )
    if rows:
        runs.do_record_results(cycle, actor=tester, rows=rows)
    if failing is not None:
        run = TestRun.objects.select_related("case", "cycle__project").get(pk=failing.pk)
        step = min(2, len(run.case.steps or [])) or None
        if step:
            run = _record(
                run, tester, failing=step, note="页面报错 500。 The page answers with an error 500."
            )
            runs.do_raise_defect(run, actor=tester, step_number=step, severity="major")
    cycle.refresh_from_db()
    return runs.do_finish_cycle(cycle, actor=pm, version=cycle.version)


def _uat(project: Project, pm: User, testers: list[User], deliverable: Deliverable | None) -> TestCycle:
    cases = list(cases_of(pm, project).filter(is_active=True, visibility=Visibility.SHARED).order_by("code"))
    cycle = runs.do_create_cycle(
        project,
        actor=pm,
        name=UAT_NAME,
        kind=CycleKind.UAT,
        build="1.1.0",
        deliverable_id=deliverable.pk if deliverable else None,
        visibility=Visibility.SHARED,
        description="客户在门店环境中验收。 The client accepts in a store's setting.",
    )
    added = runs.do_add_cases(cycle, actor=pm, case_ids=[c.pk for c in cases])
    cycle = runs.do_start_cycle(cycle, actor=pm, version=cycle.version)
    half = (len(added) + 1) // 2
    failing = {r.pk for r in added[:half] if len(r.case.steps or []) >= 2}
    failing = set(sorted(failing)[-2:])
    for i, run in enumerate(added):
        tester = testers[i % len(testers)]
        run = runs.do_assign(run, actor=pm, version=run.version, assignee_id=tester.pk)
        if i >= half:
            continue  # not run yet
        if run.pk in failing:
            run = _record(run, tester, failing=2, note="与需求不一致。 Not what the requirement says.")
            runs.do_raise_defect(run, actor=tester, step_number=2)
        else:
            _record(run, tester)
    return cycle


def load_demo_runs(project: Project) -> tuple[TestCycle, TestCycle]:
    """The demo's finished system test and its UAT in progress (the project's active cases; none: skipped)."""
    pm = _person(project, Role.PROJECT_MANAGER)
    member = _person(project, Role.MEMBER)
    testers = [_person(project, Role.REVIEWER), _person(project, Role.CLIENT_PM)]
    deliverable = (
        Deliverable.objects.filter(project=project, visibility=Visibility.SHARED)
        .order_by("position", "id")
        .first()
    )
    system = _system_test(project, pm, member, deliverable)
    return system, _uat(project, pm, testers, deliverable)
