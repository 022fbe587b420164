"""The demo's test cycles: a finished system test and the client's UAT in progress."""

from __future__ import annotations

import pytest
from django.test.utils import override_settings

from tandem.core.choices import Visibility
from tandem.projects.choices import Role
from tandem.projects.demo import load_demo
from tandem.quality.choices import CycleStatus, RunResult
from tandem.quality.demo_runs import load_demo_runs
from tandem.quality.models import Defect, TestCase, TestRun
from tandem.quality.numbering import next_codes
from tandem.testing.api import FAST_PASSWORDS

pytestmark = pytest.mark.django_db


@override_settings(PASSWORD_HASHERS=FAST_PASSWORDS)
def test_the_demo_has_a_finished_system_test_and_a_uat_in_progress() -> None:
    project = load_demo()
    codes = next_codes(TestCase, project, 7)
    for i, code in enumerate(codes):
        TestCase.objects.create(
            project=project,
            code=code,
            title=f"用例 {i} Case {i}",
            steps=[{"action": f"步骤 {n} Step {n}", "expected": f"结果 {n} Result {n}"} for n in range(1, 4)],
            visibility=Visibility.INTERNAL if i == 6 else Visibility.SHARED,
        )
    system, uat = load_demo_runs(project)
    assert system.status == CycleStatus.FINISHED
    results = list(TestRun.objects.filter(cycle=system).values_list("result", flat=True))
    assert len(results) == 7 and results.count(RunResult.FAILED) == 1 and results.count(RunResult.PASSED) == 6
    assert Defect.objects.filter(test_run__cycle=system).count() == 1
    assert uat.status == CycleStatus.ACTIVE and uat.visibility == Visibility.SHARED
    uat_runs = list(TestRun.objects.filter(cycle=uat).select_related("assignee"))
    assert len(uat_runs) == 6
    roles = {project.memberships.get(user=r.assignee).role for r in uat_runs}
    assert roles == {Role.REVIEWER, Role.CLIENT_PM}
    run = [r for r in uat_runs if r.result != RunResult.NOT_RUN]
    assert len(run) == 3
    defects = Defect.objects.filter(test_run__cycle=uat)
    assert defects.count() == 2 and all(d.visibility == Visibility.SHARED for d in defects)
