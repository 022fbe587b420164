"""The RAG rules on constructed cases: every colour of every dimension, the overall, the override."""

from __future__ import annotations

import datetime as dt

import pytest

from tandem.reports import rag
from tandem.reports.rag import AMBER, GREEN, RED, MilestoneSlip

TODAY = dt.date(2026, 3, 2)
FUTURE = dt.date(2026, 6, 1)


def _codes(rating: rag.Rating) -> list[str]:
    return [r.code for r in rating.reasons]


@pytest.mark.parametrize(
    ("finish", "milestones", "colour"),
    [
        (0, [MilestoneSlip("Go-live", 0, FUTURE, False)], GREEN),
        (-3, [MilestoneSlip("Go-live", -2, FUTURE, False)], GREEN),
        (1, [], AMBER),
        (0, [MilestoneSlip("Go-live", 5, FUTURE, False)], AMBER),
        (6, [], RED),
        (0, [MilestoneSlip("Go-live", 6, FUTURE, False)], RED),
        # A milestone past its baseline date and unfinished is red even without a measured slip.
        (0, [MilestoneSlip("UAT", 0, TODAY - dt.timedelta(days=1), False)], RED),
        # …but not once it is done.
        (0, [MilestoneSlip("UAT", 9, TODAY - dt.timedelta(days=1), True)], GREEN),
    ],
)
def test_it_rates_the_schedule(finish: int, milestones: list[MilestoneSlip], colour: str) -> None:
    assert rag.rate_schedule(finish_slip_days=finish, milestones=milestones, today=TODAY).colour == colour


def test_it_names_the_slipping_milestone_and_its_days() -> None:
    rating = rag.rate_schedule(
        finish_slip_days=7, milestones=[MilestoneSlip("Go-live", 7, FUTURE, False)], today=TODAY
    )
    assert rating.colour == RED
    assert {"code": "milestone_slip", "params": {"name": "Go-live", "days": 7}} in rating.as_dict()["reasons"]


def test_it_is_green_without_a_baseline_and_says_why() -> None:
    rating = rag.rate_schedule(finish_slip_days=None, milestones=[], today=TODAY, has_baseline=False)
    assert (rating.colour, _codes(rating)) == (GREEN, ["no_baseline"])


@pytest.mark.parametrize(
    ("pending", "approved", "days", "colour"),
    [
        (0, 0, 0, GREEN),
        (1, 0, 0, AMBER),
        (0, 1, 0, AMBER),
        (0, 0, 10, AMBER),
        (5, 0, 0, RED),
        (0, 0, 11, RED),
    ],
)
def test_it_rates_the_scope(pending: int, approved: int, days: int, colour: str) -> None:
    assert rag.rate_scope(pending=pending, approved_in_period=approved, added_days=days).colour == colour


@pytest.mark.parametrize(
    ("high", "critical", "critical_unanswered", "unanswered", "colour"),
    [
        (0, 0, 0, 0, GREEN),
        (1, 0, 0, 0, AMBER),
        (2, 0, 0, 2, AMBER),
        (0, 1, 0, 0, AMBER),
        (0, 1, 1, 1, RED),
        (3, 0, 0, 3, RED),
    ],
)
def test_it_rates_the_risks(
    high: int, critical: int, critical_unanswered: int, unanswered: int, colour: str
) -> None:
    rating = rag.rate_risks(
        high=high, critical=critical, critical_unanswered=critical_unanswered, unanswered=unanswered
    )
    assert rating.colour == colour


@pytest.mark.parametrize(
    ("open_count", "overdue", "high", "high_overdue", "colour"),
    [
        (2, 0, 0, 0, GREEN),
        (1, 0, 1, 0, AMBER),
        (1, 1, 0, 0, AMBER),
        (3, 3, 0, 0, RED),
        (1, 1, 1, 1, RED),
    ],
)
def test_it_rates_the_issues(
    open_count: int, overdue: int, high: int, high_overdue: int, colour: str
) -> None:
    rating = rag.rate_issues(open_count=open_count, overdue=overdue, high=high, high_overdue=high_overdue)
    assert rating.colour == colour


def test_overall_is_the_worst_dimension() -> None:
    ratings = {
        "schedule": rag.Rating(GREEN, []),
        "scope": rag.Rating(AMBER, []),
        "risks": rag.Rating(GREEN, []),
        "issues": rag.Rating(GREEN, []),
    }
    assert rag.overall(ratings) == AMBER
    ratings["issues"] = rag.Rating(RED, [])
    assert rag.overall(ratings) == RED
    assert rag.overall({k: rag.Rating(GREEN, []) for k in ratings}) == GREEN


@pytest.mark.parametrize(
    ("computed", "override", "allowed"),
    [
        (GREEN, "", True),
        (GREEN, AMBER, True),
        (AMBER, RED, True),
        (AMBER, AMBER, False),
        (AMBER, GREEN, False),
        (RED, AMBER, False),
    ],
)
def test_an_override_may_only_be_worse(computed: str, override: str, allowed: bool) -> None:
    assert rag.check_override(computed, override) is allowed


@pytest.mark.parametrize(
    ("reason", "english", "chinese"),
    [
        (
            {"code": "changes_pending", "params": {"count": 1}},
            "1 change request awaits a decision.",
            "1 个变更请求",
        ),
        (
            {"code": "changes_pending", "params": {"count": 4}},
            "4 change requests await a decision.",
            "4 个变更请求",
        ),
        ({"code": "finish_slip", "params": {"days": 1}}, "1 working day later than agreed.", "晚 1 个工作日"),
        (
            {"code": "finish_slip", "params": {"days": "6"}},
            "6 working days later than agreed.",
            "晚 6 个工作日",
        ),
        (
            {"code": "issues_overdue", "params": {"count": 1}},
            "1 issue is past its due date.",
            "1 个问题已超过到期日",
        ),
    ],
)
def test_reason_sentences_agree_with_their_number(
    reason: dict[str, object], english: str, chinese: str
) -> None:
    from django.utils import translation

    from tandem.reports.rendering import reason_text

    with translation.override("en"):
        assert reason_text(reason).endswith(english)
    with translation.override("zh-hans"):
        assert chinese in reason_text(reason)
