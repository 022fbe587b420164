"""Integrations pages: a project's webhooks with their delivery logs, and one's e-mail preference.

Webhooks are team-only configuration: every page requires the right to manage integrations, and
the client view (preview) never shows them.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.accounts.models import User
from tandem.communication import emails, integrations, queries
from tandem.communication.choices import DeliveryStatus
from tandem.communication.models import WebhookEndpoint
from tandem.web.integrations_forms import DeliveryFilterForm, NotificationSettingsForm, WebhookForm
from tandem.web.views.base import (
    ProjectScope,
    apply_errors,
    project_view,
    render_page,
    submit_edit,
)

ENDPOINTS_PAGE_SIZE = 25
DELIVERIES_PAGE_SIZE = 25


def _require(scope: ProjectScope) -> None:
    if scope.preview:
        raise PermissionDenied(_("Integrations are not part of the client's view."))


def _endpoint(scope: ProjectScope, pk: int) -> WebhookEndpoint:
    _require(scope)
    return queries.access_endpoint(scope.user, scope.project, pk)


def _context(scope: ProjectScope, **extra: object) -> dict[str, object]:
    return {"scope": scope, "project": scope.project, **extra}


@project_view
def webhooks(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The project's webhooks with their latest delivery; add one (POST)."""
    _require(scope)
    found = queries.endpoints_of(scope.user, scope.project)
    search = (request.GET.get("q") or "").strip()[:100]
    if search:
        found = found.filter(name__icontains=search)
    form = WebhookForm(request.POST or None, initial={"active": True})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                added = integrations.do_add_endpoint(
                    scope.project, actor=scope.user, **form.data_for_service(editing=False)
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The webhook was added. Send a test to check it."))
                return redirect("web:webhook_edit", code=scope.project.code, pk=added.pk)
    page = Paginator(found, ENDPOINTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "web/integrations/webhooks.html",
        _context(scope, page=page, form=form, search=search, query=request.GET.urlencode()),
        status=status,
    )


def _endpoint_values(endpoint: WebhookEndpoint) -> dict[str, object]:
    """The edit form's values of a webhook as saved."""
    return {
        "name": endpoint.name,
        "kind": endpoint.kind,
        "url": endpoint.url,
        "events": endpoint.events,
        "include_internal": endpoint.include_internal,
        "language": endpoint.language,
        "active": endpoint.active,
        "version": endpoint.version,
    }


@project_view
def webhook_edit(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Change a webhook; its signing secret (generic) is shown here to the manager."""
    endpoint = _endpoint(scope, pk)
    form = WebhookForm(request.POST or None, initial=_endpoint_values(endpoint), editing=True)
    status = 200
    if request.method == "POST":
        _saved, status = submit_edit(
            form,
            integrations.do_edit_endpoint,
            endpoint,
            scope.user,
            values=lambda: {
                "rotate_secret": form.cleaned_data.get("rotate_secret", False),
                **form.data_for_service(editing=True),
            },
            saved=lambda: _endpoint_values(_endpoint(scope, pk)),
        )
        if status == 200:
            messages.success(request, _("The webhook was saved."))
            return redirect("web:webhook_edit", code=scope.project.code, pk=endpoint.pk)
    recent = list(queries.deliveries_of(endpoint)[:5])
    return render_page(
        request,
        "web/integrations/webhook_form.html",
        _context(scope, endpoint=endpoint, form=form, recent=recent),
        status=status,
    )


@project_view
def webhook_delete(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Delete a webhook and its delivery log after confirming."""
    endpoint = _endpoint(scope, pk)
    if request.method == "POST":
        integrations.do_delete_endpoint(endpoint, actor=scope.user)
        messages.success(request, _("The webhook was deleted."))
        return redirect("web:webhooks", code=scope.project.code)
    return render_page(request, "web/integrations/webhook_delete.html", _context(scope, endpoint=endpoint))


@require_POST
@project_view
def webhook_test(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Send a test message now and say how it went."""
    endpoint = _endpoint(scope, pk)
    sent = integrations.do_send_test(endpoint, actor=scope.user)
    sent.refresh_from_db()
    if sent.status == DeliveryStatus.DELIVERED:
        messages.success(request, _("The test message was delivered."))
    elif sent.status == DeliveryStatus.PENDING:
        messages.info(request, _("The test message is on its way; the delivery log shows how it went."))
    else:
        messages.error(
            request,
            _("The test message was not delivered (%(error)s). Tandem will retry it.")
            % {"error": sent.last_error or sent.get_status_display()},
        )
    return redirect("web:webhook_deliveries", code=scope.project.code, pk=endpoint.pk)


@project_view
def webhook_deliveries(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """A webhook's delivery log, newest first, filtered by status, 25 to a page."""
    endpoint = _endpoint(scope, pk)
    filters = DeliveryFilterForm(request.GET or None)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    page = Paginator(queries.deliveries_of(endpoint, status=status), DELIVERIES_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render_page(
        request,
        "web/integrations/deliveries.html",
        _context(scope, endpoint=endpoint, page=page, filters=filters, query=request.GET.urlencode()),
    )


@require_POST
@project_view
def delivery_retry(request: HttpRequest, scope: ProjectScope, pk: int, delivery_pk: int) -> HttpResponse:
    """Try one delivery again now."""
    endpoint = _endpoint(scope, pk)
    found = queries.access_delivery(endpoint, delivery_pk)
    attempts_before = found.attempts
    item = integrations.do_retry_delivery(found, actor=scope.user)
    item.refresh_from_db()
    if item.status == DeliveryStatus.DELIVERED:
        messages.success(request, _("The message was delivered."))
    elif item.attempts == attempts_before:
        messages.info(request, _("The message is on its way; the delivery log shows how it went."))
    else:
        messages.error(request, _("The message was not delivered: %(error)s") % {"error": item.last_error})
    return redirect("web:webhook_deliveries", code=scope.project.code, pk=endpoint.pk)


@require_POST
@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Save when one receives notifications by e-mail (the form sits on the profile page)."""
    user: User = request.user  # type: ignore[assignment]
    form = NotificationSettingsForm(request.POST)
    if form.is_valid():
        try:
            emails.do_set_email_mode(user, email=form.cleaned_data["email"], actor=user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Your notification settings were saved."))
    else:
        messages.error(request, _("Choose immediately, daily digest or never."))
    return redirect("web:profile")
