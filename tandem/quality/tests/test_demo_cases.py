"""The demo's standards, checks and bilingual test cases, loaded as ``tandem demo`` will load them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import override_settings

from tandem.core.choices import Visibility
from tandem.projects.choices import Role
from tandem.projects.demo import load_demo
from tandem.projects.models import Project
from tandem.quality.demo_cases import CASES, load_demo_cases
from tandem.quality.models import QualityCheck, QualityStandard, TestCase
from tandem.quality.standards import checklist
from tandem.requirements.demo import load_demo_requirements
from tandem.testing.api import FAST_PASSWORDS


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[Project]:
    """The demo project with its requirements and test cases, once for the module; rolled back at its end."""
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORDS), django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            project = load_demo()
            load_demo_requirements(project)
            load_demo_cases(project)
            yield project
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            connection.close()


@pytest.mark.django_db
def test_it_loads_bilingual_cases_linked_to_the_demo_requirements(demo: Project) -> None:
    cases = list(TestCase.objects.filter(project=demo).prefetch_related("requirements", "revisions"))
    assert len(cases) == len(CASES) >= 12
    for case in cases:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in case.title) and any(
            ch.isascii() and ch.isalpha() for ch in case.title
        )
        assert 1 <= len(case.requirements.all()) <= 2, case.title
        assert 2 <= len(case.steps) <= 4
        assert [r.number for r in case.revisions.all()] == [1]
    assert sum(c.visibility == Visibility.INTERNAL for c in cases) == 1
    assert any(c.priority == "critical" for c in cases)


@pytest.mark.django_db
def test_it_takes_the_standards_from_the_demo_charter_and_checks_two_deliverables(demo: Project) -> None:
    titles = list(QualityStandard.objects.filter(project=demo).values_list("title", flat=True))
    assert "关键业务流程 100% 通过用户验收测试" in titles and len(titles) >= 4
    checked = set(
        QualityCheck.objects.filter(standard__project=demo).values_list("deliverable_id", flat=True)
    )
    assert len(checked) == 2
    pm = demo.memberships.filter(role=Role.PROJECT_MANAGER).first().user  # type: ignore[union-attr]
    matrix = checklist(pm, demo)
    assert sum(1 for row in matrix.rows for _t, check in row.cells if check is not None) == 4


@pytest.mark.django_db
def test_loading_again_changes_nothing(demo: Project) -> None:
    assert load_demo_cases(demo) == len(CASES)
    assert TestCase.objects.filter(project=demo).count() == len(CASES)
