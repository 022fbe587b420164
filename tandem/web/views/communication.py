"""Discussion in the pages: the comments panel of a record and the signed-in user's notifications."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.accounts.models import User
from tandem.communication import permissions, queries, services
from tandem.communication.targets import access_target
from tandem.core.choices import Visibility
from tandem.web.views.base import ProjectScope, apply_errors, project_view

NOTIFICATIONS_PAGE_SIZE = 30


class CommentForm(forms.Form):
    """A new comment; the team chooses internal or shared."""

    body = forms.CharField(
        label=gettext_lazy("Comment"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy('Markdown. Mention members as @email or @"Full Name".'),
    )
    visibility = forms.ChoiceField(
        label=gettext_lazy("Visibility"), choices=Visibility.choices, initial=Visibility.SHARED
    )

    def __init__(self, *args: object, team: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not team:
            del self.fields["visibility"]


def _record(scope: ProjectScope, target: str) -> Model:
    """The record a URL names; a malformed or unknown target is simply not found."""
    try:
        return access_target(scope.viewer, scope.project, target)
    except ValidationError:
        raise Http404(_("No such record.")) from None


def _panel(
    request: HttpRequest, scope: ProjectScope, target: str, form: CommentForm, status: int
) -> HttpResponse:
    record = _record(scope, target)
    may_comment = not scope.preview and permissions.can_comment(scope.user, scope.project)
    rows = [
        (comment, not scope.preview and permissions.can_delete(scope.user, comment))
        for comment in queries.comments_of(scope.viewer, record)
    ]
    context = {
        "scope": scope,
        "project": scope.project,
        "record": record,
        "target": target,
        "rows": rows,
        "form": form if may_comment else None,
        "panel_url": reverse("web:comments", args=[scope.project.code, target]),
    }
    template = (
        "web/communication/_comments.html"
        if getattr(request, "htmx", False)
        else "web/communication/comments.html"
    )
    return render(request, template, context, status=status)


@project_view
def comments(request: HttpRequest, scope: ProjectScope, target: str) -> HttpResponse:
    """The comments on one record (``type:id``) the viewer may read; add one (POST)."""
    record = _record(scope, target)
    form = CommentForm(request.POST or None, team=scope.team)
    status = 200
    if request.method == "POST":
        if scope.preview or not permissions.can_comment(scope.user, scope.project):
            raise PermissionDenied(_("Your role in this project does not allow this."))
        status = 400
        if form.is_valid():
            try:
                services.do_add_comment(
                    record,
                    actor=scope.user,
                    body=form.cleaned_data["body"],
                    visibility=form.cleaned_data.get("visibility") or Visibility.SHARED,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if not getattr(request, "htmx", False):
                    messages.success(request, _("The comment was added."))
                    return redirect("web:comments", code=scope.project.code, target=target)
                form, status = CommentForm(team=scope.team), 200
    return _panel(request, scope, target, form, status)


@project_view
def comment_delete(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Delete a comment (its author or the project manager); POST only."""
    if request.method != "POST" or scope.preview:
        raise PermissionDenied(_("Your role in this project does not allow this."))
    comment = queries.access_comment(scope.viewer, scope.project, pk)
    target = f"{request.POST.get('target', '')}"
    services.do_delete_comment(comment, actor=scope.user)
    if getattr(request, "htmx", False) and target:
        return _panel(request, scope, target, CommentForm(team=scope.team), 200)
    messages.success(request, _("The comment was deleted."))
    return redirect("web:project_home", code=scope.project.code)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The signed-in user's notifications, newest first; mark them all read (POST)."""
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        services.do_mark_read(user)
        messages.success(request, _("All notifications are marked read."))
        return redirect("web:notifications")
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(queries.notifications_of(user, unread=unread_only), NOTIFICATIONS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "web/communication/notifications.html",
        {
            "page": page,
            "unread_only": unread_only,
            "unread": queries.unread_count(user),
            "query": request.GET.urlencode(),
        },
    )
