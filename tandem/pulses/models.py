"""Models of satisfaction pulses.

A project has survey templates (``Survey``) with ordered questions. A ``Pulse`` is one sending of a
survey to some of the client's members, for one trigger event (unique per project, trigger and event
key, so an event never sends twice). Each recipient has an ``Invitation`` (a signed, single-use,
expiring link); answering it creates one ``Response`` (one per invitation, a database constraint)
with its ``Answer`` rows. A low score opens a ``FollowUp`` for the project manager.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.core.scoping import ScopedManager
from tandem.projects.choices import Role
from tandem.pulses.choices import FollowUpStatus, QuestionKind, SurveyKind, Trigger

_USER = settings.AUTH_USER_MODEL


def default_recipient_roles() -> list[str]:
    """The sponsor and the client's project manager."""
    return [str(Role.SPONSOR), str(Role.CLIENT_PM)]


class Survey(models.Model):
    """A survey template of one project: a kind and ordered questions, labelled in English and Chinese."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="surveys")
    kind = models.CharField(_("kind"), max_length=10, choices=SurveyKind.choices, default=SurveyKind.CSAT)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["project", "id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.name_en

    def name_in(self, language: str) -> str:
        """The name in ``language`` (zh falls back to English when no Chinese name was given)."""
        return self.name_zh if language.startswith("zh") and self.name_zh else self.name_en


class Question(models.Model):
    """One question of a survey; the first (lowest position) is the one answered by one click."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    text_en = models.CharField(_("question (English)"), max_length=300)
    text_zh = models.CharField(_("question (Chinese)"), max_length=300, blank=True)
    #: For a choice question: the options, each {"en": …, "zh": …}.
    options = models.JSONField(_("options"), default=list, blank=True)
    scale_min = models.SmallIntegerField(_("lowest value"), default=1)
    scale_max = models.SmallIntegerField(_("highest value"), default=5)
    required = models.BooleanField(_("required"), default=False)

    scope_project_path = "survey__project"

    class Meta:
        ordering = ["survey", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_min__lt=models.F("scale_max")), name="question_scale_order"
            )
        ]

    def __str__(self) -> str:
        return self.text_en

    def text_in(self, language: str) -> str:
        return self.text_zh if language.startswith("zh") and self.text_zh else self.text_en

    @property
    def bounds(self) -> tuple[int, int] | None:
        """The lowest and highest score of a scored question (None for choice and text)."""
        if self.kind == QuestionKind.CSAT:
            return (1, 5)
        if self.kind == QuestionKind.NPS:
            return (0, 10)
        if self.kind == QuestionKind.SCALE:
            return (self.scale_min, self.scale_max)
        return None

    def option_labels(self, language: str) -> list[str]:
        key = "zh" if language.startswith("zh") else "en"
        return [str(o.get(key) or o.get("en") or "") for o in self.options if isinstance(o, dict)]


class PulseSettings(models.Model):
    """How a project sends pulses: which triggers are on, which survey, to whom; are results shared."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="pulse_settings"
    )
    survey = models.ForeignKey(
        Survey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("survey")
    )
    on_milestone = models.BooleanField(_("when a shared milestone is reached"), default=False)
    on_acceptance = models.BooleanField(_("when an acceptance is signed"), default=False)
    on_schedule = models.BooleanField(_("every month"), default=False)
    schedule_day = models.PositiveSmallIntegerField(
        _("day of the month"), default=1, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    on_closure = models.BooleanField(_("when the project is closed"), default=False)
    recipient_roles = models.JSONField(_("recipients"), default=default_recipient_roles)
    share_results = models.BooleanField(_("share the results with the client"), default=False)
    #: Events before this moment never trigger a pulse (turning a trigger on does not survey the past).
    triggers_since = models.DateTimeField(_("triggers since"), null=True, blank=True)
    expiry_days = models.PositiveSmallIntegerField(
        _("links expire after (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("pulse settings")
        verbose_name_plural = _("pulse settings")

    def __str__(self) -> str:
        return f"pulse settings of project {self.project_id}"

    @property
    def any_trigger(self) -> bool:
        return self.on_milestone or self.on_acceptance or self.on_schedule or self.on_closure


class Pulse(models.Model):
    """One sending of a survey for one event; (project, trigger, event key) is unique: no double send."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="pulses")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="pulses")
    trigger = models.CharField(_("trigger"), max_length=12, choices=Trigger.choices)
    #: The event: a milestone's or acceptance's id, a month ("2026-03"), "closure", or a sending's stamp.
    event_key = models.CharField(_("event"), max_length=60)
    #: What the event was, as the recipients read it (a milestone's name…).
    subject = models.CharField(_("about"), max_length=300, blank=True)
    sent_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)
    closes_at = models.DateTimeField(_("closes"))

    objects = ScopedManager()

    class Meta:
        ordering = ["project", "-sent_at", "-id"]
        verbose_name = _("pulse")
        verbose_name_plural = _("pulses")
        constraints = [
            models.UniqueConstraint(fields=["project", "trigger", "event_key"], name="pulse_once_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} {self.event_key}"


class Invitation(models.Model):
    """One recipient of a pulse; ``nonce`` is bound into the signed links, which expire at ``expires_at``."""

    pulse = models.ForeignKey(Pulse, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(_USER, on_delete=models.CASCADE, related_name="pulse_invitations")
    nonce = models.CharField(max_length=32, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    scope_project_path = "pulse__project"

    class Meta:
        ordering = ["pulse", "id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [models.UniqueConstraint(fields=["pulse", "user"], name="pulse_invitation_once")]

    def __str__(self) -> str:
        return f"invitation {self.pk} of pulse {self.pulse_id}"


class Response(models.Model):
    """The answer of one invitation (one at most: the database refuses a second)."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    pulse = models.ForeignKey(Pulse, on_delete=models.CASCADE, related_name="responses")
    comment = models.TextField(_("comment"), blank=True, max_length=4000)
    submitted_at = models.DateTimeField(_("answered"), auto_now_add=True, db_index=True)
    #: When the remaining questions were answered (or skipped); until then the respondent may add them.
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    #: Whether the answer came from the e-mail link (not signed in) or the app.
    by_link = models.BooleanField(default=False)

    scope_project_path = "pulse__project"

    class Meta:
        ordering = ["pulse", "-submitted_at", "-id"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return f"response {self.pk} of pulse {self.pulse_id}"


class Answer(models.Model):
    """One question's answer: a score, a chosen option or text."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    #: Copied from the question, so that results group by kind in one query.
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    score = models.SmallIntegerField(_("score"), null=True, blank=True)
    choice = models.CharField(_("choice"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True, max_length=4000)

    scope_project_path = "response__pulse__project"

    class Meta:
        ordering = ["response", "question__position", "id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_once_per_question")
        ]

    def __str__(self) -> str:
        return f"answer {self.pk} of response {self.response_id}"


class FollowUp(models.Model):
    """A low score to follow up: the PM talks with the client and records what was done."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="pulse_follow_ups")
    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="follow_up")
    owner = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, related_name="pulse_follow_ups")
    status = models.CharField(
        _("status"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    reason = models.CharField(_("reason"), max_length=200)
    note = models.TextField(_("note"), blank=True, max_length=4000)
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = ScopedManager()

    class Meta:
        ordering = ["project", "status", "-created_at"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return self.reason
