"""Satisfaction pulses: a project's results summary with its pulses, and sending a pulse now."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from tandem.api.auth import AUTH, actor
from tandem.api.schemas import Id
from tandem.projects import queries as project_queries
from tandem.projects.permissions import is_team
from tandem.pulses import queries, results, services
from tandem.pulses.choices import Trigger
from tandem.pulses.models import Pulse, Survey

router = Router(tags=["pulses"], auth=AUTH)


class PulseFiguresOut(Schema):
    """Satisfaction figures: CSAT = % of 4–5 answers, NPS = % promoters (9–10) − % detractors (0–6)."""

    csat: Decimal | None = Field(description="Share (%) of CSAT answers of 4 or 5")
    nps: Decimal | None = Field(description="% promoters − % detractors, −100 to 100")
    average: Decimal | None = Field(
        description="Mean CSAT score (1–5), or mean NPS score where no CSAT was asked"
    )
    answers: int
    invited: int
    responded: int
    response_rate: Decimal | None = Field(description="Answered invitations ÷ invitations (%)")


class PulseOut(Schema):
    """One pulse and its figures."""

    id: int
    trigger: str
    subject: str
    survey: str
    sent_at: dt.datetime
    closes_at: dt.datetime
    figures: PulseFiguresOut


class PulseSummaryOut(Schema):
    """A project's satisfaction results: overall figures and its recent pulses, newest first."""

    overall: PulseFiguresOut
    pulses: list[PulseOut]
    open_follow_ups: int | None = Field(description="Low scores not followed up yet (the team only)")


class PulseSendIn(Schema):
    """Send a pulse now: the project's survey, or the one named."""

    survey_id: Id | None = None


def _figures(f: results.Figures) -> PulseFiguresOut:
    return PulseFiguresOut(
        csat=f.csat,
        nps=f.nps,
        average=f.average,
        answers=f.answers,
        invited=f.invited,
        responded=f.responded,
        response_rate=f.response_rate,
    )


def _pulse(pulse: Pulse, figures: results.Figures) -> PulseOut:
    return PulseOut(
        id=pulse.pk,
        trigger=pulse.trigger,
        subject=pulse.subject,
        survey=pulse.survey.name_en,
        sent_at=pulse.sent_at,
        closes_at=pulse.closes_at,
        figures=_figures(figures),
    )


@router.get("/projects/{code}/pulses", response=PulseSummaryOut, summary="Read the satisfaction results")
def pulse_summary(request: HttpRequest, code: str) -> PulseSummaryOut:
    """The project's CSAT, NPS, average and response rate, and its pulses. A client member reads them
    only when the project manager shares them (403 otherwise)."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    outcome = queries.project_results(user, project)
    return PulseSummaryOut(
        overall=_figures(outcome.overall),
        pulses=[_pulse(p, f) for p, f in reversed(outcome.trend)],
        open_follow_ups=outcome.open_follow_ups if is_team(user, project) else None,
    )


@router.post("/projects/{code}/pulses", response={201: PulseOut}, summary="Send a pulse now")
def send_pulse(request: HttpRequest, code: str, payload: PulseSendIn) -> Status[PulseOut]:
    """Send the project's survey (or ``survey_id``) to its recipients now (the project manager)."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    if not services.can_manage(user, project):
        raise PermissionDenied(_("Only the project manager sends satisfaction pulses."))
    survey = None
    if payload.survey_id is not None:
        survey = Survey.objects.filter(project=project, pk=payload.survey_id).first()
        if survey is None:
            raise ValidationError({"survey_id": [_("Choose a survey of this project.")]})
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S.%f")
    pulse = services.do_send_pulse(
        project, trigger=Trigger.MANUAL, event_key=stamp, actor=user, survey=survey
    )
    if pulse is None:
        raise ValidationError({"survey_id": [_("This pulse was sent already.")]})
    return Status(201, _pulse(pulse, results.by_pulse([pulse.pk])[pulse.pk]))
