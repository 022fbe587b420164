"""Satisfaction pulses on the web: a project's results and settings, a pulse's answers, following up a
low score, answering a survey in the app or from the e-mail link (no sign-in), results across projects."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tandem.accounts.models import User
from tandem.core import tabular
from tandem.planning.scheduling import zone_of
from tandem.pulses import links, queries, results, services
from tandem.pulses.choices import Trigger
from tandem.pulses.models import Invitation, Response, Survey
from tandem.web.pulse_forms import AnswerForm, FollowUpCloseForm, PulseSettingsForm, SurveyForm
from tandem.web.views.base import (
    ProjectScope,
    flash_errors,
    project_view,
    render_page,
    require_allowed,
    run_action,
    submit_form,
)


def _language() -> str:
    return translation.get_language() or "en"


def _context(scope: ProjectScope, **extra: Any) -> dict[str, Any]:
    return {
        "scope": scope,
        "project": scope.project,
        "can_manage": not scope.preview and services.can_manage(scope.user, scope.project),
        **extra,
    }


@project_view
def pulse_results(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The project's CSAT, NPS, average, response rate, trend; comments and follow-ups for the team."""
    outcome = queries.project_results(scope.viewer, scope.project)
    return render_page(
        request,
        "web/pulses/results.html",
        _context(
            scope,
            results=outcome,
            waiting=queries.waiting_for(scope.user, scope.project),
            close_form=FollowUpCloseForm(),
            language=_language(),
        ),
    )


@project_view
def pulse_detail(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """One pulse: who was asked, who answered, each answer (the team only)."""
    pulse = queries.access_pulse(scope.viewer, scope.project, pk)
    figures = results.by_pulse([pulse.pk])[pulse.pk]
    answers = queries.answers_of(pulse)
    by_person: dict[int, list[Any]] = {}
    for answer in answers:
        by_person.setdefault(answer.response.invitation_id, []).append(answer)
    rows = []
    for invitation in pulse.invitations.all():
        response = getattr(invitation, "response", None) if invitation.answered_at else None
        rows.append((invitation, response, by_person.get(invitation.pk, [])))
    return render_page(
        request,
        "web/pulses/detail.html",
        _context(scope, pulse=pulse, figures=figures, rows=rows, language=_language()),
    )


@project_view
def pulse_settings(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The project manager's settings: triggers, survey, recipients, sharing, link expiry."""
    require_allowed(not scope.preview and services.can_manage(scope.user, scope.project))
    if request.method == "POST":
        # Setting up (or saving) writes the standard CSAT and NPS surveys on first use; reading the
        # page never does: a project without settings shows a button that sets them up.
        config = services.settings_of(scope.project)
        if "setup" in request.POST:
            return redirect("web:pulse_settings", code=scope.project.code)
    else:
        found = services.saved_settings(scope.project)
        if found is None:
            return render_page(request, "web/pulses/settings.html", _context(scope, needs_setup=True))
        config = found
    surveys = list(Survey.objects.filter(project=scope.project).prefetch_related("questions").order_by("id"))
    language = _language()
    status = 200
    if request.method == "POST":
        form = PulseSettingsForm(request.POST, surveys=surveys, language=language)

        def call() -> Any:
            data = dict(form.cleaned_data)
            version = data.pop("version", None)
            return services.do_update_settings(scope.project, actor=scope.user, version=version, **data)

        result, status = submit_form(form, call)
        if result is not None:
            messages.success(request, _("The pulse settings were saved."))
            return redirect("web:pulse_settings", code=scope.project.code)
    else:
        form = PulseSettingsForm(
            initial={
                "version": config.version,
                "survey": config.survey_id,
                "recipient_roles": config.recipient_roles,
                **{name: getattr(config, name) for name in PulseSettingsForm.Meta.fields},
            },
            surveys=surveys,
            language=language,
        )
    return render_page(
        request,
        "web/pulses/settings.html",
        _context(scope, form=form, config=config, surveys=surveys, language=language),
        status=status,
    )


@project_view
def pulse_survey_new(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Add a survey template: a standard CSAT or NPS survey, or custom questions (the PM)."""
    require_allowed(not scope.preview and services.can_manage(scope.user, scope.project))
    status = 200
    if request.method == "POST":
        form = SurveyForm(request.POST)

        def call() -> Any:
            data = form.cleaned_data
            return services.do_create_survey(
                scope.project,
                actor=scope.user,
                kind=data["kind"],
                name_en=data["name_en"],
                name_zh=data["name_zh"],
                questions=data["questions"],
            )

        result, status = submit_form(form, call)
        if result is not None:
            messages.success(request, _("The survey was added."))
            return redirect("web:pulse_settings", code=scope.project.code)
    else:
        form = SurveyForm()
    return render_page(request, "web/pulses/survey_form.html", _context(scope, form=form), status=status)


@project_view
@require_POST
def pulse_send(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Send the project's survey now (the project manager)."""
    require_allowed(not scope.preview and services.can_manage(scope.user, scope.project))
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S.%f")

    def call() -> Any:
        pulse = services.do_send_pulse(
            scope.project, trigger=Trigger.MANUAL, event_key=stamp, actor=scope.user
        )
        if pulse is None:
            raise ValidationError(_("This pulse was sent already."))
        return pulse

    run_action(request, call, _("The pulse was sent."))
    return redirect("web:pulses", code=scope.project.code)


@project_view
@require_POST
def follow_up_close(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Close a follow-up with a note on what was done."""
    follow_up = queries.access_follow_up(scope.viewer, scope.project, pk)
    require_allowed(not scope.preview)
    form = FollowUpCloseForm(request.POST)
    result, _status = submit_form(
        form, lambda: services.do_close_follow_up(follow_up, actor=scope.user, note=form.cleaned_data["note"])
    )
    if result is None:
        flash_errors(request, form, labelled=True)
    else:
        messages.success(request, _("The follow-up was closed."))
    return redirect(reverse("web:pulses", args=[scope.project.code]) + "#follow-ups")


# ---------------------------------------------------------------- answering


def _link_page(request: HttpRequest, state: str, status: int, **extra: Any) -> HttpResponse:
    return render(request, "web/pulses/link_state.html", {"state": state, **extra}, status=status)


def _answer_form(
    request: HttpRequest, invitation: Invitation, response: Response | None, data: Any = None
) -> AnswerForm:
    answered = set(response.answers.values_list("question_id", flat=True)) if response else set()
    return AnswerForm(
        data,
        questions=services.questions_of(invitation.pulse.survey),
        language=_language(),
        answered=answered,
    )


def _answer(
    request: HttpRequest, invitation: Invitation, *, by_link: bool, template: str, extra: dict[str, Any]
) -> HttpResponse:
    """The form of what is left to answer; its POST completes the response."""
    response = Response.objects.filter(invitation=invitation).prefetch_related("answers__question").first()
    if response is not None and response.completed_at is not None:
        return _link_page(request, "answered", 409, invitation=invitation)
    if response is None and services.is_expired(invitation):
        return _link_page(request, "expired", 410, invitation=invitation)
    status = 200
    form = _answer_form(request, invitation, response, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if k != "comment"}
            try:
                services.do_answer(
                    invitation, values=values, comment=form.cleaned_data["comment"], by_link=by_link
                )
            except services.AlreadyAnswered:
                return _link_page(request, "answered", 409, invitation=invitation)
            except services.Expired:
                return _link_page(request, "expired", 410, invitation=invitation)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
                status = 400
            else:
                return _link_page(request, "thanks", 200, invitation=invitation)
        else:
            status = 400
    return render(
        request,
        template,
        {
            "invitation": invitation,
            "pulse": invitation.pulse,
            "project": invitation.pulse.project,
            "survey_name": invitation.pulse.survey.name_in(_language()),
            "response": response,
            "form": form,
            "language": _language(),
            **extra,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def pulse_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer a survey in the app, signed in (the invitation must be the user's own)."""
    user: User = request.user  # type: ignore[assignment]
    invitation = queries.access_invitation(user, pk)
    with timezone.override(zone_of(invitation.pulse.project)):
        return _answer(request, invitation, by_link=False, template="web/pulses/answer.html", extra={})


@require_http_methods(["GET", "POST"])
def pulse_answer_link(request: HttpRequest, token: str) -> HttpResponse:
    """An answer link from the e-mail, without sign-in.

    A one-click link (it carries a score): GET shows the score and a page that records it (its
    script submits the form, so a mail scanner that only fetches the link records nothing); POST
    records it once and opens the rest of the survey. The link without a score opens the survey.
    Reused: "already answered"; expired: a page saying so; tampered: a 400 page — never a 500.
    """
    try:
        link = links.verify(token)
    except links.LinkError:
        return _link_page(request, "invalid", 400)
    invitation = link.invitation
    with timezone.override(zone_of(invitation.pulse.project)):
        if link.score is None:
            return _answer(
                request,
                invitation,
                by_link=True,
                template="web/pulses/answer_public.html",
                extra={"action": request.path},
            )
        if invitation.answered_at is not None:
            return _link_page(request, "answered", 409, invitation=invitation)
        if services.is_expired(invitation):
            return _link_page(request, "expired", 410, invitation=invitation)
        if request.method == "GET":
            return render(
                request,
                "web/pulses/record.html",
                {"invitation": invitation, "project": invitation.pulse.project, "score": link.score},
            )
        try:
            services.do_record_score(invitation, score=link.score, by_link=True)
        except services.AlreadyAnswered:
            return _link_page(request, "answered", 409, invitation=invitation)
        except services.Expired:
            return _link_page(request, "expired", 410, invitation=invitation)
        except ValidationError:
            return _link_page(request, "invalid", 400)
        messages.success(request, _("Thank you: your score %(score)s was recorded.") % {"score": link.score})
        return redirect("web:pulse_answer_link", token=links.token_for(invitation))


# ---------------------------------------------------------------- across projects


def _portfolio_allowed(user: User) -> None:
    if not queries.is_vendor_side(user):
        raise PermissionDenied(_("Results across projects are for the delivery team."))


@login_required
def pulse_portfolio(request: HttpRequest) -> HttpResponse:
    """CSAT, NPS, average and response rate of every project the user is on the team of."""
    user: User = request.user  # type: ignore[assignment]
    _portfolio_allowed(user)
    return render(request, "web/pulses/portfolio.html", {"rows": queries.portfolio(user)})


@login_required
def pulse_portfolio_export(request: HttpRequest) -> HttpResponse:
    """The same figures as CSV."""
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    user: User = request.user  # type: ignore[assignment]
    _portfolio_allowed(user)
    header = [
        "project",
        "name",
        "csat_percent",
        "nps",
        "average",
        "answers",
        "invited",
        "responded",
        "response_rate",
    ]
    rows = [
        [
            row.project.code,
            row.project.name,
            row.figures.csat,
            row.figures.nps,
            row.figures.average,
            row.figures.answers,
            row.figures.invited,
            row.figures.responded,
            row.figures.response_rate,
        ]
        for row in queries.portfolio(user)
    ]
    data = tabular.write_csv(header, [["" if v is None else str(v) for v in r] for r in rows])
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="satisfaction.csv"'
    return response
