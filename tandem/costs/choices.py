"""Enumerations of time tracking, expenses and budgets."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SheetStatus(models.TextChoices):
    """Where a person's week of time on one project stands.

    open → submitted → approved; with client approval on, a team approval moves it to
    ``team_approved`` and the client's approval to ``approved``. A rejection at either step sends it
    back to ``rejected`` (editable again, like ``open``) with the reason.
    """

    OPEN = "open", _("Open")
    SUBMITTED = "submitted", _("Submitted")
    TEAM_APPROVED = "team_approved", _("Approved by the team")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


#: States in which the person may still change the week's entries.
EDITABLE_SHEET_STATES = frozenset({SheetStatus.OPEN, SheetStatus.REJECTED})


class ExpenseCategory(models.TextChoices):
    """What an expense paid for."""

    MATERIAL = "material", _("Material")
    TRAVEL = "travel", _("Travel")
    SUBCONTRACTING = "subcontracting", _("Subcontracting")
    OTHER = "other", _("Other")


class ExpenseStatus(models.TextChoices):
    """Where an expense stands: drafted, submitted, approved or rejected (approved like time)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class CostCategory(models.TextChoices):
    """The categories a budget is split into: labour and the expense categories."""

    LABOUR = "labour", _("Labour")
    MATERIAL = "material", _("Material")
    TRAVEL = "travel", _("Travel")
    SUBCONTRACTING = "subcontracting", _("Subcontracting")
    OTHER = "other", _("Other")
