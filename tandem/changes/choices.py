"""Enumerations of change control: request statuses, urgency, sandbox edit kinds, decisions, rules."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeStatus(models.TextChoices):
    """Where a change request is: draft → analysing → awaiting decision → approved → applied."""

    DRAFT = "draft", _("Draft")
    ANALYSING = "analysing", _("Analysing")
    AWAITING = "awaiting", _("Awaiting decision")
    MORE_INFO = "more_info", _("More information requested")
    APPROVED = "approved", _("Approved")
    APPLIED = "applied", _("Applied")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: Statuses in which the request and its sandbox may still be edited.
OPEN_STATUSES = frozenset({ChangeStatus.DRAFT, ChangeStatus.ANALYSING, ChangeStatus.MORE_INFO})
#: Statuses that end a request.
FINAL_STATUSES = frozenset({ChangeStatus.APPLIED, ChangeStatus.REJECTED, ChangeStatus.WITHDRAWN})


class Urgency(models.TextChoices):
    """How soon the proposer needs the change."""

    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class EditKind(models.TextChoices):
    """One edit of the plan in a change request's sandbox."""

    ADD_TASK = "add_task", _("Add a task")
    REMOVE_TASK = "remove_task", _("Remove a task")
    CHANGE_TASK = "change_task", _("Change a task's duration or start")
    ADD_LINK = "add_link", _("Add a link")
    REMOVE_LINK = "remove_link", _("Remove a link")
    REVISE_REQUIREMENT = "revise_requirement", _("Revise a requirement")


class Outcome(models.TextChoices):
    """What an approver decided."""

    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    MORE_INFO = "more_info", _("Ask for more information")


class Refusal(models.TextChoices):
    """Why an approval was not applied although it was given."""

    #: The plan changed since the impact the approver read: nothing applied, a new impact to confirm.
    IMPACT_CHANGED = "impact_changed", _("Refused: the impact changed")


class ApprovalRule(models.TextChoices):
    """How several holders of "approve change" decide together."""

    ALL = "all", _("All approvers")
    ANY = "any", _("Any one approver")
