"""The demo's quality and acceptance as ``tandem demo`` loads them: test cases for the demo requirements,
a finished system test, a UAT in progress with two defects, one deliverable accepted with its certificate
and one awaiting the sponsor."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.test import override_settings

from tandem.planning.demo import load_demo_plan
from tandem.projects.demo import load_demo
from tandem.quality.choices import AcceptanceStatus, CycleKind, CycleStatus, DefectStatus
from tandem.quality.demo import load_demo_quality
from tandem.quality.models import AcceptanceCertificate, AcceptanceRequest, Defect, TestCase, TestCycle
from tandem.quality.tests.certificate_support import certificate_text
from tandem.requirements.demo import load_demo_requirements
from tandem.testing.api import FAST_PASSWORDS

pytestmark = pytest.mark.django_db


@override_settings(PASSWORD_HASHERS=FAST_PASSWORDS)
def test_the_demo_tells_the_whole_quality_story(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    project = load_demo()
    load_demo_plan(project, today=dt.date(2026, 11, 23))
    load_demo_requirements(project)
    load_demo_quality(project)
    load_demo_quality(project)  # a second load changes nothing

    cases = TestCase.objects.filter(project=project)
    assert cases.count() >= 10
    assert all(case.requirements.exists() for case in cases)
    system = TestCycle.objects.get(project=project, kind=CycleKind.SYSTEM)
    uat = TestCycle.objects.get(project=project, kind=CycleKind.UAT)
    assert system.status == CycleStatus.FINISHED and uat.status == CycleStatus.ACTIVE
    assert not system.runs.filter(result="not_run").exists()
    assert uat.runs.filter(result="not_run").exists() and uat.runs.exclude(result="not_run").exists()
    assert Defect.objects.filter(test_run__cycle=uat).count() == 2
    assert set(Defect.objects.filter(test_run__cycle=system).values_list("status", flat=True)) == {
        DefectStatus.CLOSED
    }

    accepted = AcceptanceRequest.objects.get(project=project, status=AcceptanceStatus.ACCEPTED)
    assert AcceptanceRequest.objects.filter(project=project, status=AcceptanceStatus.IN_REVIEW).count() == 1
    certificate = AcceptanceCertificate.objects.get(request=accepted)
    with certificate.file.open("rb") as handle:
        text = certificate_text(handle.read())
    assert accepted.content_sha256 in text.replace("\n", "")
    assert accepted.deliverable is not None and accepted.deliverable.name.split()[0] in text
