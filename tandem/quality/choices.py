"""Enumerations of quality and acceptance: priorities, results, the defect workflow, acceptance states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CheckResult(models.TextChoices):
    """How a deliverable or a phase stands against one quality standard."""

    PASSED = "passed", _("Meets the standard")
    FAILED = "failed", _("Does not meet the standard")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class TestPriority(models.TextChoices):
    """How much a test case matters: the order in which a short cycle runs them."""

    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class CycleKind(models.TextChoices):
    """What a test cycle is for: the team's own testing, or the client's acceptance testing (UAT)."""

    SYSTEM = "system", _("System test")
    INTEGRATION = "integration", _("Integration test")
    REGRESSION = "regression", _("Regression test")
    UAT = "uat", _("User acceptance test")


class CycleStatus(models.TextChoices):
    """Where a test cycle is: planned, running, finished."""

    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("In progress")
    FINISHED = "finished", _("Finished")


class RunResult(models.TextChoices):
    """The result of one test case in one cycle (and of one of its steps)."""

    NOT_RUN = "not_run", _("Not run")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    BLOCKED = "blocked", _("Blocked")


class DefectSeverity(models.TextChoices):
    """How badly a defect hurts the user."""

    CRITICAL = "critical", _("Critical")
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")
    TRIVIAL = "trivial", _("Trivial")


class DefectPriority(models.TextChoices):
    """How soon a defect is to be fixed."""

    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class DefectStatus(models.TextChoices):
    """The defect workflow: new → confirmed → fixed → verified → closed, and reopened from the end."""

    NEW = "new", _("New")
    CONFIRMED = "confirmed", _("Confirmed")
    FIXED = "fixed", _("Fixed")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


DS = DefectStatus
#: The moves the workflow allows, from each state. ``new → closed`` dismisses a report (a duplicate,
#: not a defect) with a reason; ``fixed → reopened`` is a failed verification.
DEFECT_TRANSITIONS: dict[str, frozenset[str]] = {
    DS.NEW: frozenset({DS.CONFIRMED, DS.CLOSED}),
    DS.CONFIRMED: frozenset({DS.FIXED, DS.CLOSED}),
    DS.FIXED: frozenset({DS.VERIFIED, DS.REOPENED}),
    DS.VERIFIED: frozenset({DS.CLOSED, DS.REOPENED}),
    DS.CLOSED: frozenset({DS.REOPENED}),
    DS.REOPENED: frozenset({DS.CONFIRMED, DS.FIXED, DS.CLOSED}),
}
#: States in which a defect still needs work (counted as "open").
OPEN_DEFECT_STATES: frozenset[str] = frozenset({DS.NEW, DS.CONFIRMED, DS.REOPENED, DS.FIXED})


class AcceptanceStatus(models.TextChoices):
    """Where an acceptance request is: prepared, under the client's review, or decided."""

    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    ACCEPTED = "accepted", _("Accepted")
    ACCEPTED_WITH_CONDITIONS = "accepted_with_conditions", _("Accepted with conditions")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: Decided states: a request in one of them is signed and never changes again.
SIGNED_STATES: frozenset[str] = frozenset(
    {AcceptanceStatus.ACCEPTED, AcceptanceStatus.ACCEPTED_WITH_CONDITIONS, AcceptanceStatus.REJECTED}
)


class AcceptanceDecision(models.TextChoices):
    """What the holder of "accept deliverable" signs."""

    ACCEPT = "accept", _("Accept")
    ACCEPT_WITH_CONDITIONS = "accept_with_conditions", _("Accept with conditions")
    REJECT = "reject", _("Reject")


class CriterionSource(models.TextChoices):
    """Where an acceptance criterion came from."""

    DELIVERABLE = "deliverable", _("Deliverable")
    REQUIREMENT = "requirement", _("Requirement")
    CUSTOM = "custom", _("Added for this review")


class CriterionResult(models.TextChoices):
    """A criterion's standing: no verdict yet, accepted by every reviewer who marked it, or not."""

    PENDING = "pending", _("Not reviewed")
    ACCEPTED = "accepted", _("Accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")


class CriterionVerdict(models.TextChoices):
    """One reviewer's mark on one criterion."""

    ACCEPTED = "accepted", _("Accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")


class ConditionStatus(models.TextChoices):
    """A punch-list item of an acceptance with conditions."""

    OPEN = "open", _("Open")
    DONE = "done", _("Done")
