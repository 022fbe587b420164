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
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.accounts.models import User
from tandem.communication import permissions, queries, services
from tandem.communication.models import Comment
from tandem.communication.targets import access_target, kind_of
from tandem.core.choices import Visibility
from tandem.web.views.base import ProjectScope, apply_errors, project_view, submit_form

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


class CommentEditForm(forms.Form):
    """A new text for one's own comment, based on the version the author read."""

    body = forms.CharField(
        label=gettext_lazy("Comment"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3, "autofocus": True}),
        help_text=gettext_lazy("Ctrl+Enter saves, Esc cancels."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


#: Where each kind of record is shown, for the "back to the record" link of the plain comments page.
RECORD_PAGES: dict[str, tuple[str, str]] = {
    "goal": ("web:project_home", "#goals"),
    "kpi": ("web:project_home", "#kpis"),
    "stakeholder": ("web:project_home", "#stakeholders"),
    "deliverable": ("web:project_home", "#deliverables"),
    "note": ("web:notes", "#note-{pk}"),
    "task": ("web:plan_task_edit", ""),
    "requirement": ("web:requirement_detail", ""),
    "change": ("web:change_detail", ""),
    "risk": ("web:risk_detail", ""),
    "issue": ("web:issues", "#issue-{pk}"),
    "conflict": ("web:conflicts", "#conflict-{pk}"),
    "decision": ("web:decision_detail", ""),
    "meeting": ("web:meeting", ""),
    "report": ("web:report_detail", ""),
    "defect": ("web:defect_detail", ""),
}


def _record_url(scope: ProjectScope, record: Model) -> str:
    """The page that shows ``record`` ("" for a kind without a page of its own)."""
    kind = kind_of(record)
    if kind not in RECORD_PAGES:
        return ""
    name, anchor = RECORD_PAGES[kind]
    code = scope.project.code
    ref = getattr(record, "code", None) if kind in {"requirement", "change"} else record.pk
    try:
        url = reverse(name, args=[code] if anchor else [code, ref])
    except NoReverseMatch:
        return ""
    return url + scope.query_suffix + anchor.format(pk=record.pk)


def _record(scope: ProjectScope, target: str) -> Model:
    """The record a URL names; a malformed or unknown target is simply not found."""
    try:
        return access_target(scope.viewer, scope.project, target)
    except ValidationError:
        raise Http404(_("No such record.")) from None


def _target_of(comment: Comment) -> str:
    """``"risk:12"`` for the record a comment is on."""
    return f"{kind_of(comment.target_type)}:{comment.target_id}"


def _may_edit(scope: ProjectScope, comment: Comment) -> bool:
    return not scope.preview and permissions.can_edit(scope.user, comment)


def _may_delete(scope: ProjectScope, comment: Comment) -> bool:
    return not scope.preview and permissions.can_delete(scope.user, comment)


def _panel_url(scope: ProjectScope, target: str) -> str:
    return reverse("web:comments", args=[scope.project.code, target])


def _panel(
    request: HttpRequest, scope: ProjectScope, target: str, form: CommentForm, status: int
) -> HttpResponse:
    record = _record(scope, target)
    may_comment = not scope.preview and permissions.can_comment(scope.user, scope.project)
    rows = []
    for comment in queries.comments_of(scope.viewer, record):
        # The page's project carries the viewer's membership, read once for every row's rights.
        comment.project = scope.project
        rows.append((comment, _may_edit(scope, comment), _may_delete(scope, comment)))
    context = {
        "scope": scope,
        "project": scope.project,
        "record": record,
        "record_url": _record_url(scope, record),
        "target": target,
        "rows": rows,
        "form": form if may_comment else None,
        "panel_url": _panel_url(scope, target),
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


def _comment_context(scope: ProjectScope, comment: Comment, **extra: object) -> dict[str, object]:
    target = _target_of(comment)
    comment.project = scope.project
    return {
        "scope": scope,
        "project": scope.project,
        "comment": comment,
        "target": target,
        "editable": _may_edit(scope, comment),
        "removable": _may_delete(scope, comment),
        "panel_url": _panel_url(scope, target),
        **extra,
    }


def _comment_values(comment: Comment) -> dict[str, object]:
    """The edit form's values of a comment as saved."""
    return {"body": comment.body, "version": comment.version}


@project_view
def comment_edit(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Change the text of one's own comment (inline with HTMX, or a plain page); a stale version is a 409."""
    comment = queries.access_comment(scope.viewer, scope.project, pk)
    htmx = getattr(request, "htmx", False)
    if request.method == "GET" and request.GET.get("cancel") and htmx:
        return render(request, "web/communication/_comment.html", _comment_context(scope, comment))
    if not _may_edit(scope, comment):
        raise PermissionDenied(_("Only the author may edit a comment."))
    form = CommentEditForm(
        request.POST or None,
        initial=_comment_values(comment),
        auto_id=f"id_comment{comment.pk}_%s",  # unique beside the panel's own form for a new comment
    )
    status = 200
    if request.method == "POST":
        try:
            saved, status = submit_form(
                form,
                lambda: services.do_edit_comment(
                    comment,
                    actor=scope.user,
                    body=form.cleaned_data["body"],
                    version=form.cleaned_data["version"],
                ),
                saved=lambda: _comment_values(
                    queries.access_comment(scope.viewer, scope.project, comment.pk)
                ),
            )
        except Comment.DoesNotExist:
            raise Http404(_("No such comment.")) from None
        if saved is not None:
            comment = saved
            if htmx:
                return render(request, "web/communication/_comment.html", _comment_context(scope, comment))
            messages.success(request, _("The comment was saved."))
            return redirect(
                reverse("web:comments", args=[scope.project.code, _target_of(comment)])
                + f"#comment-{comment.pk}"
            )
    context = _comment_context(scope, comment, form=form)
    template = "web/communication/_comment_edit.html" if htmx else "web/communication/comment_edit.html"
    return render(request, template, context, status=status)


@project_view
def comment_delete(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Delete a comment (its author or the project manager): a confirmation page (GET), then POST."""
    comment = queries.access_comment(scope.viewer, scope.project, pk)
    if not _may_delete(scope, comment):
        raise PermissionDenied(_("Only the author or the project manager may delete a comment."))
    target = _target_of(comment)
    if request.method != "POST":
        return render(request, "web/communication/comment_delete.html", _comment_context(scope, comment))
    services.do_delete_comment(comment, actor=scope.user)
    if getattr(request, "htmx", False):
        return _panel(request, scope, target, CommentForm(team=scope.team), 200)
    messages.success(request, _("The comment was deleted."))
    return redirect("web:comments", code=scope.project.code, target=target)


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
