"""Onboarding pages: the role guide and its first-visit prompt, the glossary, the project handbook and
the training material with its completion."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.onboarding import glossary, guides, handbook, queries, services, training
from tandem.onboarding.permissions import can_complete_training, can_manage_training
from tandem.projects.choices import CLIENT_ROLES, DecisionKind, Role
from tandem.projects.permissions import Action
from tandem.web.onboarding_forms import GlossaryFilterForm, TrainingItemForm
from tandem.web.templatetags.onboarding_ui import page_href, page_link
from tandem.web.views.base import (
    ProjectScope,
    attempt,
    project_view,
    render_page,
    submit_edit,
    submit_form,
)

#: Where each kind of decision is taken (keys of the project navigation's pages).
DECISION_PAGES: dict[str, str] = {
    DecisionKind.CONFIRM_CHARTER: "home",
    DecisionKind.CONFIRM_REQUIREMENT: "requirements",
    DecisionKind.PRIORITISE_BACKLOG: "requirements",
    DecisionKind.APPROVE_CHANGE: "changes",
    DecisionKind.APPROVE_BASELINE: "baselines",
    DecisionKind.ACCEPT_DELIVERABLE: "acceptance",
    DecisionKind.CLOSE_RISK: "risks",
    DecisionKind.APPROVE_STATUS_REPORT: "reports",
    DecisionKind.APPROVE_TIMESHEETS: "approvals",
}

#: Where each action of a role is taken.
ACTION_PAGES: dict[str, str] = {
    Action.EDIT_PROJECT: "settings",
    Action.EDIT_CHARTER: "charter",
    Action.EDIT_PLAN: "schedule",
    Action.MANAGE_MEMBERS: "members",
    Action.INVITE_CLIENT: "members",
    Action.MANAGE_DECISION_RIGHTS: "decisions",
    Action.WRITE_NOTES: "notes",
    Action.EDIT_REQUIREMENTS: "requirements",
    Action.SUBMIT_REQUIREMENT: "requirements",
    Action.PROPOSE_CHANGE: "changes",
    Action.PLAN_COMMUNICATION: "communication_plan",
    Action.RUN_MEETINGS: "meetings",
    Action.WRITE_STATUS_REPORTS: "reports",
    Action.MANAGE_INTEGRATIONS: "integrations",
}

#: The glossary terms each kind of decision is about.
DECISION_TERMS: dict[str, str] = {
    DecisionKind.CONFIRM_CHARTER: "charter",
    DecisionKind.CONFIRM_REQUIREMENT: "requirement",
    DecisionKind.APPROVE_CHANGE: "change_request",
    DecisionKind.APPROVE_BASELINE: "baseline",
    DecisionKind.ACCEPT_DELIVERABLE: "acceptance",
    DecisionKind.CLOSE_RISK: "risk",
    DecisionKind.APPROVE_STATUS_REPORT: "status_report",
}


def _role_labels(roles: list[str]) -> list[Any]:
    return [Role(r).label for r in roles if r in Role.values]


@project_view
def guide(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The reader's role guide (``?role=`` shows another role's). A read writes nothing: opening it from
    the home's prompt, or "I have read this guide", is a POST (``guide_open``) that remembers it."""
    role = request.GET.get("role") or scope.role or ""
    if role not in Role.values:
        raise Http404(_("No such role."))
    own = role == scope.role and not scope.preview
    visit = queries.guide_visit_of(scope.user, scope.project) if own else None
    the_guide = guides.guide_for(scope.project, role)

    def decision_rows(entries: list[guides.GuideDecision]) -> list[dict[str, Any]]:
        return [
            {
                "entry": e,
                "where": page_link(scope, DECISION_PAGES.get(e.kind, "")),
                "holders": _role_labels(e.holders),
                "term": DECISION_TERMS.get(e.kind, ""),
            }
            for e in entries
        ]

    context = {
        "scope": scope,
        "project": scope.project,
        "tab": "home",
        "guide": the_guide,
        "own": own,
        "unread": own and (visit is None or visit.seen_at is None),
        "decides": decision_rows(the_guide.decides),
        "others_decide": decision_rows(the_guide.others_decide),
        "actions": [(label, page_href(scope, ACTION_PAGES.get(a, ""))) for a, label in the_guide.actions],
        "roles": [(r.value, r.label) for r in Role if r.value in CLIENT_ROLES]
        + [(r.value, r.label) for r in Role if r.value not in CLIENT_ROLES],
        "links": {
            "handbook": page_href(scope, "handbook"),
            "training": page_href(scope, "training"),
            "decisions": page_href(scope, "decisions"),
        },
    }
    return render_page(request, "web/onboarding/guide.html", context)


@project_view
@require_POST
def guide_open(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Remember that the member opened (or read) their guide, and show it."""
    if scope.preview:
        raise PermissionDenied(_("The client preview is read-only."))
    services.do_record_guide_opened(scope.project, actor=scope.user)
    return redirect("web:guide", code=scope.project.code)


@project_view
@require_POST
def guide_dismiss(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Put away the first-visit prompt on the project home (a form post; works without JavaScript)."""
    if scope.preview:
        raise PermissionDenied(_("The client preview is read-only."))
    services.do_dismiss_guide_prompt(scope.project, actor=scope.user)
    messages.success(request, _("The guide stays one click away under Overview → Guide."))
    return redirect("web:project_home", code=scope.project.code)


@login_required
def glossary_page(request: HttpRequest) -> HttpResponse:
    """The bilingual glossary, filtered by ``?q=`` (a word of either language)."""
    form = GlossaryFilterForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    terms = glossary.search(query)
    status = 200 if form.is_valid() or not request.GET else 400
    return render_page(
        request,
        "web/onboarding/glossary.html",
        {"form": form, "terms": terms, "query": query, "total": len(glossary.TERMS)},
        status=status,
    )


@project_view
def handbook_page(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The project handbook, built from the project's setup as it stands, through the reader's scope."""
    language = "zh-hans" if (get_language() or "").lower().startswith("zh") else "en"
    return render_page(
        request,
        "web/onboarding/handbook.html",
        {
            "scope": scope,
            "project": scope.project,
            "tab": "home",
            "handbook": handbook.build_handbook(scope.viewer, scope.project),
            "language": language,
            "other_language": "en" if language == "zh-hans" else "zh-hans",
        },
    )


def _training_context(scope: ProjectScope, **extra: Any) -> dict[str, Any]:
    items = queries.training_items_of(scope.viewer, scope.project)
    manager = not scope.preview and can_manage_training(scope.user, scope.project)
    learner = not scope.preview and can_complete_training(scope.user, scope.project)
    done = queries.completed_item_ids(scope.user, scope.project) if learner else set()
    return {
        "scope": scope,
        "project": scope.project,
        "tab": "home",
        "items": [(item, item.pk in done, _role_labels(item.audience_roles or [])) for item in items],
        "manager": manager,
        "learner": learner,
        "table": queries.completion_table(scope.project, items) if scope.team else None,
        "table_items": items,
        **extra,
    }


@project_view
def training_page(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The training material the reader sees; the client's completion for the team."""
    return render_page(request, "web/onboarding/training.html", _training_context(scope))


def _require_manager(scope: ProjectScope) -> None:
    if scope.preview or not can_manage_training(scope.user, scope.project):
        raise PermissionDenied(_("Only the project manager manages the training material."))


@project_view
def training_item_create(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Add a training item (the project manager)."""
    _require_manager(scope)
    form = TrainingItemForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        item, status = submit_form(
            form,
            lambda: services.do_add_training_item(
                scope.project, actor=scope.user, data=form.values(), upload=form.cleaned_data.get("file")
            ),
        )
        if item is not None:
            messages.success(request, _("“%(title)s” was added to the training.") % {"title": item.title})
            return redirect("web:training", code=scope.project.code)
    return render_page(
        request,
        "web/onboarding/training_form.html",
        {"scope": scope, "project": scope.project, "tab": "home", "form": form, "item": None},
        status=status,
    )


def _item_values(item: Any) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "title": item.title,
        "body": item.body,
        "url": item.url,
        "audience_roles": list(item.audience_roles or []),
        "position": item.position,
        "version": item.version,
    }


@project_view
def training_item_edit(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Edit a training item (the project manager); a new document replaces the old one."""
    _require_manager(scope)
    item = queries.access_training_item(scope.viewer, scope.project, pk)
    form = TrainingItemForm(request.POST or None, request.FILES or None, initial=_item_values(item))
    status = 200
    if request.method == "POST":
        saved, status = submit_edit(
            form,
            lambda record, actor, version, **data: services.do_update_training_item(
                record, actor=actor, version=version, data=data, upload=form.cleaned_data.get("file")
            ),
            item,
            scope.user,
            values=form.values,
            saved=lambda: _item_values(queries.access_training_item(scope.viewer, scope.project, pk)),
        )
        if saved is not None:
            messages.success(request, _("“%(title)s” was saved.") % {"title": saved.title})
            return redirect("web:training", code=scope.project.code)
    return render_page(
        request,
        "web/onboarding/training_form.html",
        {"scope": scope, "project": scope.project, "tab": "home", "form": form, "item": item},
        status=status,
    )


@project_view
@require_POST
def training_item_delete(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Remove a training item (the project manager), based on the version shown."""
    _require_manager(scope)
    item = queries.access_training_item(scope.viewer, scope.project, pk)
    version = request.POST.get("version") or ""
    _result, error, status = attempt(
        lambda: services.do_delete_training_item(
            item, actor=scope.user, version=int(version) if version.isdigit() else None
        )
    )
    if status != 200:
        messages.error(request, error)
        return render_page(request, "web/onboarding/training.html", _training_context(scope), status=status)
    messages.success(request, _("“%(title)s” was removed.") % {"title": item.title})
    return redirect("web:training", code=scope.project.code)


@project_view
@require_POST
def training_item_done(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Mark an item done (``done=1``) or not done (``done=0``) for the signed-in client member."""
    if scope.preview or not can_complete_training(scope.user, scope.project):
        raise PermissionDenied(_("Training is tracked for the client's members."))
    item = queries.access_training_item(scope.viewer, scope.project, pk)
    flag = request.POST.get("done", "1")
    if flag not in ("0", "1"):
        messages.error(request, _("Say whether the item is done."))
        return render_page(request, "web/onboarding/training.html", _training_context(scope), status=400)
    services.do_mark_training_done(item, actor=scope.user, done=flag == "1")
    return redirect(reverse("web:training", args=[scope.project.code]) + f"#training-{item.pk}")


@project_view
def training_item_file(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """A training item's document, for whoever may see the item."""
    return training.document_response(queries.access_training_item(scope.viewer, scope.project, pk))
