"""The demo's training material: loaded once, partly completed, so the readiness checklist has work."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tandem.onboarding.demo import load_demo_onboarding
from tandem.onboarding.models import GuideVisit, TrainingCompletion, TrainingItem, TrainingKind
from tandem.onboarding.readiness import readiness_of
from tandem.projects.demo import load_demo


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_it_loads_the_training_once_with_partial_completion(db: None) -> None:
    project = load_demo()
    load_demo_onboarding(project)
    load_demo_onboarding(project)  # a second load adds nothing
    items = list(TrainingItem.objects.filter(project=project))
    assert sorted(i.kind for i in items) == sorted(TrainingKind.values)
    document = next(i for i in items if i.kind == TrainingKind.DOCUMENT)
    assert document.file.read().decode("utf-8").startswith("决策权速查")
    client_pm = project.memberships.get(role="client_pm").user
    assert TrainingCompletion.objects.filter(user=client_pm).count() == 2
    assert TrainingCompletion.objects.count() == 3
    assert GuideVisit.objects.filter(membership__user=client_pm, seen_at__isnull=False).exists()
    checks = {c.key: c.done for c in readiness_of(project).checks}
    assert checks["guide"] and not checks["training"]
