"""Enumerations of the planning app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskKind(models.TextChoices):
    """Where a row sits in the work breakdown structure."""

    PHASE = "phase", _("Phase")
    WORK_PACKAGE = "work_package", _("Work package")
    TASK = "task", _("Task")
    MILESTONE = "milestone", _("Milestone")


class TaskStatus(models.TextChoices):
    """Where a task is in its life (the board's columns)."""

    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    BLOCKED = "blocked", _("Blocked")
    DONE = "done", _("Done")


class ConstraintType(models.TextChoices):
    """Date constraints, named as in MS Project."""

    ASAP = "ASAP", _("As soon as possible")
    ALAP = "ALAP", _("As late as possible")
    SNET = "SNET", _("Start no earlier than")
    SNLT = "SNLT", _("Start no later than")
    FNET = "FNET", _("Finish no earlier than")
    FNLT = "FNLT", _("Finish no later than")
    MSO = "MSO", _("Must start on")
    MFO = "MFO", _("Must finish on")


#: Constraints that need a date.
DATED_CONSTRAINTS = frozenset({"SNET", "SNLT", "FNET", "FNLT", "MSO", "MFO"})


class DependencyType(models.TextChoices):
    """Which end of the predecessor drives which end of the successor."""

    FS = "FS", _("Finish to start")
    SS = "SS", _("Start to start")
    FF = "FF", _("Finish to finish")
    SF = "SF", _("Start to finish")


class CalendarBase(models.TextChoices):
    """What a calendar starts from before its own exceptions."""

    STANDARD = "standard", _("Standard (Monday to Friday)")
    CHINA = "china", _("Mainland China (public holidays and make-up working days)")
