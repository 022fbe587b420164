"""The demo requirements: loaded once, in several states, with versions, confirmations and trace links."""

from __future__ import annotations

from collections import Counter

import pytest

from tandem.planning.demo import load_demo_plan
from tandem.projects.demo import load_demo
from tandem.requirements import queries
from tandem.requirements.demo import REQUIREMENTS, load_demo_requirements
from tandem.requirements.models import Requirement, RequirementConfirmation, RequirementVersion, TraceLink


@pytest.mark.django_db
def test_the_demo_requirements_load_once_in_several_states() -> None:
    project = load_demo()
    load_demo_plan(project)
    count = load_demo_requirements(project)
    assert count == len(REQUIREMENTS) >= 25
    assert load_demo_requirements(project) == count
    assert Requirement.objects.filter(project=project).count() == count
    states = Counter(Requirement.objects.filter(project=project).values_list("status", flat=True))
    assert set(states) == {
        "draft",
        "in_review",
        "confirmed",
        "in_progress",
        "delivered",
        "accepted",
        "rejected",
        "withdrawn",
    }
    assert RequirementConfirmation.objects.filter(requirement__project=project).count() >= 14
    assert RequirementVersion.objects.filter(requirement__project=project, number__gt=1).exists()
    assert TraceLink.objects.filter(requirement__project=project).count() >= 15
    first = Requirement.objects.filter(project=project).order_by("rank").first()
    assert first is not None and first.title.startswith("电子发票")
    pm = project.memberships.filter(role="pm").first().user  # type: ignore[union-attr]
    matrix = queries.traceability(pm, project)
    assert any(r.title.startswith("价格变更") for r in matrix.gaps)
    client = project.memberships.filter(side="client").first()
    assert client is not None
    seen = {r.title for r in queries.requirements_of(client.user, project)}
    assert not any(t.startswith("毛利预警") or t.startswith("分包商") for t in seen)
