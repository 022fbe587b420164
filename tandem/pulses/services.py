"""The write side of pulses: default surveys, settings, sending a pulse, answering it, following up.

Every function is one transaction with its audit record; e-mail goes out after commit from a
background task (``tandem.pulses.tasks``).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.communication import tasks as communication_tasks
from tandem.communication.models import Notification, NotificationVerb
from tandem.core import audit
from tandem.core.choices import Side, Visibility
from tandem.core.errors import ConflictError
from tandem.projects import permissions
from tandem.projects.choices import CLIENT_ROLES, Role
from tandem.projects.models import Project
from tandem.projects.permissions import Action
from tandem.pulses import mailing
from tandem.pulses.choices import FollowUpStatus, QuestionKind, SurveyKind, Trigger
from tandem.pulses.models import (
    Answer,
    FollowUp,
    Invitation,
    Pulse,
    PulseSettings,
    Question,
    Response,
    Survey,
)

#: A CSAT score at or under this, or an NPS score at or under ``NPS_LOW``, opens a follow-up.
CSAT_LOW = 2
NPS_LOW = 6


class AlreadyAnswered(Exception):
    """The invitation has been answered (its link is single-use)."""


class Expired(Exception):
    """The invitation's links have expired."""


# ---------------------------------------------------------------- surveys and settings

STANDARD_QUESTIONS: dict[str, list[dict[str, Any]]] = {
    SurveyKind.CSAT: [
        {
            "kind": QuestionKind.CSAT,
            "text_en": "How satisfied are you with the project so far?",
            "text_zh": "到目前为止，您对项目的满意度如何？",
            "required": True,
        },
        {
            "kind": QuestionKind.TEXT,
            "text_en": "What should we do better?",
            "text_zh": "我们应该在哪些方面做得更好？",
        },
    ],
    SurveyKind.NPS: [
        {
            "kind": QuestionKind.NPS,
            "text_en": "How likely are you to recommend us to a colleague?",
            "text_zh": "您向同事推荐我们的可能性有多大？",
            "required": True,
        },
        {
            "kind": QuestionKind.TEXT,
            "text_en": "What is the main reason for your score?",
            "text_zh": "您给出这个分数的主要原因是什么？",
        },
    ],
}

STANDARD_NAMES = {
    SurveyKind.CSAT: ("Client satisfaction (CSAT)", "客户满意度（CSAT）"),
    SurveyKind.NPS: ("Net promoter score (NPS)", "净推荐值（NPS）"),
}


def create_survey(
    project: Project,
    *,
    kind: str,
    name_en: str,
    name_zh: str = "",
    questions: Iterable[Mapping[str, Any]] = (),
) -> Survey:
    """A survey with its questions in the order given (the standard ones of its kind when none are)."""
    survey = Survey.objects.create(project=project, kind=kind, name_en=name_en, name_zh=name_zh)
    rows = list(questions) or STANDARD_QUESTIONS.get(kind, [])
    if not rows:
        raise ValidationError({"questions": [_("A custom survey needs at least one question.")]})
    for position, row in enumerate(rows):
        question = Question(survey=survey, position=position, **row)
        question.full_clean(exclude=["survey"])
        question.save()
    return survey


@transaction.atomic
def do_create_survey(
    project: Project,
    *,
    actor: User,
    kind: str,
    name_en: str,
    name_zh: str = "",
    questions: Iterable[Mapping[str, Any]] = (),
) -> Survey:
    """Add a survey template to the project (its PM): a standard CSAT or NPS survey, or custom questions."""
    if not can_manage(actor, project):
        raise PermissionDenied(_("Only the project manager manages satisfaction pulses."))
    if kind not in SurveyKind.values:
        raise ValidationError({"kind": [_("Choose a kind of survey.")]})
    name_en = (name_en or "").strip()
    if not name_en:
        raise ValidationError({"name_en": [_("Give the survey a name.")]})
    rows = list(questions) if kind == SurveyKind.CUSTOM else []
    survey = create_survey(
        project, kind=kind, name_en=name_en, name_zh=(name_zh or "").strip(), questions=rows
    )
    audit.record(
        actor=actor,
        verb="survey_created",
        target=survey,
        project=project,
        visibility=Visibility.INTERNAL,
        changes={"questions": [None, survey.questions.count()]},
        label=name_en,
    )
    return survey


def saved_settings(project: Project) -> PulseSettings | None:
    """The project's pulse settings as saved, or None before they are set up (reads never write)."""
    return PulseSettings.objects.select_related("survey").filter(project=project).first()


def settings_of(project: Project) -> PulseSettings:
    """The project's pulse settings, made with the standard CSAT and NPS surveys on first use."""
    found = PulseSettings.objects.select_related("survey").filter(project=project).first()
    if found is not None:
        return found
    with transaction.atomic():
        if not Survey.objects.filter(project=project).exists():
            for kind in (SurveyKind.CSAT, SurveyKind.NPS):
                name_en, name_zh = STANDARD_NAMES[kind]
                create_survey(project, kind=kind, name_en=name_en, name_zh=name_zh)
        first = Survey.objects.filter(project=project).order_by("id").first()
        row, _created = PulseSettings.objects.get_or_create(project=project, defaults={"survey": first})
    return row


SETTING_FIELDS = (
    "survey",
    "on_milestone",
    "on_acceptance",
    "on_schedule",
    "schedule_day",
    "on_closure",
    "recipient_roles",
    "share_results",
    "expiry_days",
)


def can_manage(user: User, project: Project) -> bool:
    """Whether ``user`` manages the project's pulses (its project manager)."""
    return permissions.can(user, project, Action.EDIT_PROJECT)


@transaction.atomic
def do_update_settings(project: Project, *, actor: User, version: int | None, **values: Any) -> PulseSettings:
    """Change the project's pulse settings (its PM); turning a trigger on never surveys past events."""
    if not can_manage(actor, project):
        raise PermissionDenied(_("Only the project manager manages satisfaction pulses."))
    settings_of(project)
    project.__dict__.pop("_pulses_share_results", None)  # queries.shares_results keeps it on the project
    row = PulseSettings.objects.select_for_update().get(project=project)
    if version is not None and version != row.version:
        raise ConflictError(_("The pulse settings were changed meanwhile."), current_version=row.version)
    unknown = set(values) - set(SETTING_FIELDS)
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    if "survey" in values and values["survey"] is not None:
        survey = values["survey"]
        survey_id = survey.pk if isinstance(survey, Survey) else survey
        found = Survey.objects.filter(project=project, pk=survey_id).first()
        if found is None:
            errors["survey"] = [_("Choose a survey of this project.")]
        values["survey"] = found
    if "recipient_roles" in values:
        roles = [str(r) for r in values["recipient_roles"] or []]
        if not roles or any(r not in CLIENT_ROLES for r in roles):
            errors["recipient_roles"] = [_("Choose at least one of the client's roles.")]
        values["recipient_roles"] = sorted(set(roles), key=list(Role.values).index)
    if errors:
        raise ValidationError(errors)
    before = {name: _plain(getattr(row, name)) for name in SETTING_FIELDS}
    had_trigger = row.any_trigger
    for name, value in values.items():
        setattr(row, name, value)
    row.full_clean(exclude=["project"])
    if row.any_trigger and (not had_trigger or row.triggers_since is None):
        row.triggers_since = timezone.now()
    after = {name: _plain(getattr(row, name)) for name in SETTING_FIELDS}
    changes = {k: [before[k], after[k]] for k in SETTING_FIELDS if before[k] != after[k]}
    if changes:
        row.version += 1
        row.save()
        audit.record(
            actor=actor,
            verb="pulse_settings_changed",
            target=row,
            project=project,
            changes=changes,
            visibility=Visibility.INTERNAL,
            label=str(_("Pulse settings")),
        )
    return row


def _plain(value: Any) -> Any:
    return value.pk if isinstance(value, Survey) else value


# ---------------------------------------------------------------- sending


def recipients_of(project: Project, roles: Iterable[str]) -> list[User]:
    """The active client members of ``project`` holding one of ``roles``."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__project=project,
            memberships__side=Side.CLIENT,
            memberships__role__in=list(roles),
        ).order_by("id")
    )


def do_send_pulse(
    project: Project,
    *,
    trigger: str,
    event_key: str,
    subject: str = "",
    actor: User | None = None,
    survey: Survey | None = None,
) -> Pulse | None:
    """Send the project's survey to its recipients for one event; None when that event was surveyed
    already (or nobody would receive it). A person sending by hand must manage the project's pulses."""
    if actor is not None and not can_manage(actor, project):
        raise PermissionDenied(_("Only the project manager sends satisfaction pulses."))
    with transaction.atomic():
        config = settings_of(project)
        survey = survey or config.survey
        if survey is None or survey.project_id != project.pk:
            raise ValidationError({"survey": [_("Choose a survey of this project.")]})
        people = recipients_of(project, config.recipient_roles)
        if not people:
            if actor is not None:
                raise ValidationError(
                    {"recipient_roles": [_("No client member holds the recipients' roles.")]}
                )
            return None
        now = timezone.now()
        closes = now + timedelta(days=config.expiry_days)
        try:
            with transaction.atomic():
                pulse = Pulse.objects.create(
                    project=project,
                    survey=survey,
                    trigger=trigger,
                    event_key=event_key,
                    subject=subject[:300],
                    sent_by=actor,
                    closes_at=closes,
                )
        except IntegrityError:
            return None  # this event has been surveyed: never twice
        Invitation.objects.bulk_create(
            Invitation(pulse=pulse, user=user, nonce=secrets.token_hex(16), expires_at=closes)
            for user in people
        )
        audit.record(
            actor=actor,
            verb="pulse_sent",
            target=pulse,
            project=project,
            changes={"trigger": [None, trigger], "recipients": [None, len(people)]},
            visibility=Visibility.INTERNAL,
            label=survey.name_en,
        )
        transaction.on_commit(partial(mailing.send_pulse.enqueue, pulse.pk))
    return pulse


# ---------------------------------------------------------------- answering


@dataclass(frozen=True)
class Recorded:
    """What an answer recorded."""

    response: Response
    follow_up: FollowUp | None


def questions_of(survey: Survey) -> list[Question]:
    return list(survey.questions.order_by("position", "id"))


def _clean_value(question: Question, raw: Any, language: str = "en") -> dict[str, Any] | None:
    """The stored fields of one answer; None for no answer; ``ValidationError`` naming the question."""
    field = f"q{question.pk}"
    if raw is None or raw == "":
        if question.required:
            raise ValidationError({field: [_("This question needs an answer.")]})
        return None
    bounds = question.bounds
    if bounds is not None:
        try:
            score = int(str(raw))
        except ValueError:
            raise ValidationError({field: [_("Choose a score.")]}) from None
        low, high = bounds
        if not low <= score <= high:
            raise ValidationError(
                {field: [_("Choose a score from %(low)s to %(high)s.") % {"low": low, "high": high}]}
            )
        return {"score": score}
    if question.kind == QuestionKind.CHOICE:
        options = {str(o.get("en", "")) for o in question.options if isinstance(o, dict)}
        if str(raw) not in options:
            raise ValidationError({field: [_("Choose one of the options.")]})
        return {"choice": str(raw)}
    text = str(raw).strip()
    if len(text) > 4000:
        raise ValidationError({field: [_("At most 4,000 characters.")]})
    return {"text": text} if text else None


def _locked(invitation: Invitation) -> Invitation:
    return (
        Invitation.objects.select_for_update()
        .select_related("pulse__project", "pulse__survey", "user")
        .get(pk=invitation.pk)
    )


def is_expired(invitation: Invitation) -> bool:
    return invitation.expires_at <= timezone.now()


@transaction.atomic
def do_record_score(invitation: Invitation, *, score: int, by_link: bool = True) -> Recorded:
    """Record the one-click answer to the survey's first question; once per invitation.

    Raises ``AlreadyAnswered`` for a second answer (also when two clicks race: the row lock and the
    one-response constraint keep one), ``Expired`` after the invitation's expiry, ``ValidationError``
    for a score off the question's scale.
    """
    current = _locked(invitation)
    if current.answered_at is not None or Response.objects.filter(invitation=current).exists():
        raise AlreadyAnswered
    if is_expired(current):
        raise Expired
    first = questions_of(current.pulse.survey)[:1]
    if not first or first[0].bounds is None:
        raise ValidationError({"score": [_("This survey is not answered with a score.")]})
    stored = _clean_value(first[0], score)
    return _store(current, {first[0]: stored}, comment="", by_link=by_link, complete=False)


@transaction.atomic
def do_answer(
    invitation: Invitation,
    *,
    values: Mapping[str, Any],
    comment: str = "",
    by_link: bool = False,
) -> Recorded:
    """Answer the survey (or the questions the one click left), with a comment; completes the response.

    ``values`` maps ``q<question id>`` to the answer. A question answered already keeps its answer.
    """
    current = _locked(invitation)
    existing = Response.objects.filter(invitation=current).first()
    if existing is not None and existing.completed_at is not None:
        raise AlreadyAnswered
    if existing is None and is_expired(current):
        raise Expired
    answered = set(existing.answers.values_list("question_id", flat=True)) if existing else set()
    stored: dict[Question, dict[str, Any] | None] = {}
    errors: dict[str, list[str]] = {}
    for question in questions_of(current.pulse.survey):
        if question.pk in answered:
            continue
        try:
            stored[question] = _clean_value(question, values.get(f"q{question.pk}"))
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    comment = (comment or "").strip()
    if len(comment) > 4000:
        errors["comment"] = [_("At most 4,000 characters.")]
    if errors:
        raise ValidationError(errors)
    return _store(current, stored, comment=comment, by_link=by_link, complete=True, response=existing)


def _store(
    invitation: Invitation,
    stored: Mapping[Question, dict[str, Any] | None],
    *,
    comment: str,
    by_link: bool,
    complete: bool,
    response: Response | None = None,
) -> Recorded:
    now = timezone.now()
    if response is None:
        try:
            with transaction.atomic():
                response = Response.objects.create(
                    invitation=invitation, pulse=invitation.pulse, comment=comment, by_link=by_link
                )
        except IntegrityError:
            raise AlreadyAnswered from None
        Invitation.objects.filter(pk=invitation.pk).update(answered_at=now)
        invitation.answered_at = now
    elif comment:
        response.comment = comment
    if complete:
        response.completed_at = now
    response.save()
    Answer.objects.bulk_create(
        Answer(response=response, question=question, kind=question.kind, **fields)
        for question, fields in stored.items()
        if fields is not None
    )
    follow_up = None
    low = _low_score_reason(stored)
    if low:
        follow_up = _open_follow_up(response, invitation, low)
    audit.record(
        actor=invitation.user,
        verb="pulse_answered" if not complete else "pulse_completed",
        target=invitation.pulse,
        project=invitation.pulse.project,
        visibility=Visibility.INTERNAL,
        label=invitation.pulse.survey.name_en,
    )
    return Recorded(response, follow_up)


def _low_score_reason(stored: Mapping[Question, dict[str, Any] | None]) -> str:
    for question, fields in stored.items():
        score = (fields or {}).get("score")
        if score is None:
            continue
        if question.kind == QuestionKind.CSAT and score <= CSAT_LOW:
            return f"CSAT {score}"
        if question.kind == QuestionKind.NPS and score <= NPS_LOW:
            return f"NPS {score}"
    return ""


def project_managers(project: Project) -> list[int]:
    """Ids of the project's managers, the earliest first."""
    return list(
        project.memberships.filter(role=Role.PROJECT_MANAGER)
        .order_by("created_at", "id")
        .values_list("user_id", flat=True)
    )


def _open_follow_up(response: Response, invitation: Invitation, reason: str) -> FollowUp | None:
    project = invitation.pulse.project
    managers = project_managers(project)
    follow_up, created = FollowUp.objects.get_or_create(
        response=response,
        defaults={"project": project, "owner_id": managers[0] if managers else None, "reason": reason},
    )
    if not created:
        return follow_up
    audit.record(
        actor=invitation.user,
        verb="pulse_follow_up_opened",
        target=follow_up,
        project=project,
        visibility=Visibility.INTERNAL,
        changes={"reason": [None, reason]},
    )
    content_type = ContentType.objects.get_for_model(FollowUp)
    for user_id in managers:
        notification = Notification.objects.create(
            recipient_id=user_id,
            project=project,
            verb=NotificationVerb.PULSE_FOLLOW_UP,
            actor=invitation.user,
            target_type=content_type,
            target_id=follow_up.pk,
        )
        transaction.on_commit(partial(communication_tasks.email_notification.enqueue, notification.pk))
    return follow_up


@transaction.atomic
def do_close_follow_up(follow_up: FollowUp, *, actor: User, note: str) -> FollowUp:
    """Close a follow-up with what was done (its owner or the project manager)."""
    project = follow_up.project
    if not (can_manage(actor, project) or follow_up.owner_id == actor.pk):
        raise PermissionDenied(_("Only the project manager closes a follow-up."))
    current = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Say what was done.")]})
    if len(note) > 4000:
        raise ValidationError({"note": [_("At most 4,000 characters.")]})
    if current.status == FollowUpStatus.DONE:
        raise ValidationError({"note": [_("This follow-up is closed already.")]})
    current.status = FollowUpStatus.DONE
    current.note = note
    current.closed_at = timezone.now()
    current.closed_by = actor
    current.save()
    audit.record(
        actor=actor,
        verb="pulse_follow_up_closed",
        target=current,
        project=project,
        visibility=Visibility.INTERNAL,
        changes={"status": [FollowUpStatus.OPEN, FollowUpStatus.DONE]},
    )
    return current


def trigger_label(trigger: str) -> str:
    return str(Trigger(trigger).label)
