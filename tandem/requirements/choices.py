"""Enumerations of the requirements app, and the allowed moves between statuses."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Priority(models.TextChoices):
    """MoSCoW priority."""

    MUST = "must", _("Must have")
    SHOULD = "should", _("Should have")
    COULD = "could", _("Could have")
    WONT = "wont", _("Won't have (this time)")


class Source(models.TextChoices):
    """Where a requirement came from."""

    INTERVIEW = "interview", _("Interview")
    SURVEY = "survey", _("Survey")
    WORKSHOP = "workshop", _("Workshop")
    CLIENT_REQUEST = "client_request", _("Client request")
    DOCUMENT = "document", _("Document")
    OTHER = "other", _("Other")


class RequirementStatus(models.TextChoices):
    """Where a requirement is in its life."""

    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    CONFIRMED = "confirmed", _("Confirmed")
    IN_PROGRESS = "in_progress", _("In progress")
    DELIVERED = "delivered", _("Delivered")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = RequirementStatus

#: Status moves a requirement editor may make. Confirmation is not among them: it is a decision
#: (``do_confirm_requirement``), recorded with the version confirmed.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.IN_REVIEW, S.REJECTED, S.WITHDRAWN}),
    S.IN_REVIEW: frozenset({S.DRAFT, S.REJECTED, S.WITHDRAWN}),
    S.CONFIRMED: frozenset({S.IN_PROGRESS, S.WITHDRAWN}),
    S.IN_PROGRESS: frozenset({S.CONFIRMED, S.DELIVERED, S.WITHDRAWN}),
    S.DELIVERED: frozenset({S.IN_PROGRESS, S.ACCEPTED}),
    S.ACCEPTED: frozenset(),
    S.REJECTED: frozenset({S.DRAFT}),
    S.WITHDRAWN: frozenset({S.DRAFT}),
}

#: Statuses from which a confirmation may be recorded (a later version of a confirmed one too).
CONFIRMABLE = frozenset({S.DRAFT, S.IN_REVIEW, S.CONFIRMED, S.IN_PROGRESS, S.DELIVERED})

#: Confirmed or later: the content fields are locked, changed only through a change request.
LOCKED = frozenset({S.CONFIRMED, S.IN_PROGRESS, S.DELIVERED, S.ACCEPTED})
