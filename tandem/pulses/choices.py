"""Enumerations of satisfaction pulses: survey kinds, question kinds, triggers, follow-up states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveyKind(models.TextChoices):
    """What a survey measures first."""

    CSAT = "csat", _("Customer satisfaction (CSAT, 1–5)")
    NPS = "nps", _("Net promoter score (NPS, 0–10)")
    CUSTOM = "custom", _("Custom questions")


class QuestionKind(models.TextChoices):
    """How a question is answered."""

    CSAT = "csat", _("Satisfaction 1–5")
    NPS = "nps", _("Likelihood to recommend 0–10")
    CHOICE = "choice", _("One of several options")
    SCALE = "scale", _("A number on a scale")
    TEXT = "text", _("Free text")


#: Question kinds answered with a number.
SCORED = frozenset({QuestionKind.CSAT, QuestionKind.NPS, QuestionKind.SCALE})


class Trigger(models.TextChoices):
    """Why a pulse was sent."""

    MANUAL = "manual", _("Sent by hand")
    MILESTONE = "milestone", _("Milestone reached")
    ACCEPTANCE = "acceptance", _("Acceptance signed")
    SCHEDULE = "schedule", _("Monthly schedule")
    CLOSURE = "closure", _("Project closed")


class FollowUpStatus(models.TextChoices):
    """Whether a low score has been followed up."""

    OPEN = "open", _("Open")
    DONE = "done", _("Done")
