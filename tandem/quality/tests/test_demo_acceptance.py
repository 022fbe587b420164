"""The demo's acceptance: the business blueprint accepted and its milestone complete, the data migration
awaiting the sponsor's signature."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from tandem.planning.choices import TaskStatus
from tandem.planning.demo import load_demo_plan
from tandem.projects.demo import load_demo
from tandem.quality import content
from tandem.quality.acceptance_queries import may_sign
from tandem.quality.choices import AcceptanceStatus, CriterionResult
from tandem.quality.demo_acceptance import load_demo_acceptance
from tandem.quality.models import AcceptanceRequest
from tandem.testing.api import FAST_PASSWORDS

pytestmark = pytest.mark.django_db


@override_settings(PASSWORD_HASHERS=FAST_PASSWORDS)
def test_the_demo_has_one_accepted_deliverable_and_one_awaiting_the_sponsor() -> None:
    project = load_demo()
    load_demo_plan(project, today=dt.date(2026, 11, 23))
    assert load_demo_acceptance(project) == 2
    assert load_demo_acceptance(project) == 0
    accepted, waiting = AcceptanceRequest.objects.filter(project=project).order_by("code")
    assert accepted.status == AcceptanceStatus.ACCEPTED and accepted.signed_by is not None
    assert accepted.signed_by.email == "liu.yang@huaxin.example".replace("huaxin", "lakeside")
    assert accepted.content_sha256 == content.digest(accepted.content)
    assert accepted.milestone is not None
    accepted.milestone.refresh_from_db()
    assert accepted.milestone.status == TaskStatus.DONE and accepted.milestone.percent_complete == 100
    assert set(accepted.criteria.values_list("result", flat=True)) == {CriterionResult.ACCEPTED}
    assert waiting.status == AcceptanceStatus.IN_REVIEW
    assert may_sign(accepted.signed_by, waiting)
