"""The acceptance pages: the list, a new request, its page (criteria with each reviewer's mark, the
evidence, the signature, the conditions), its edit form and its documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from tandem.planning.choices import TaskKind
from tandem.planning.models import Task
from tandem.projects.models import Deliverable
from tandem.quality import acceptance, acceptance_queries, exports
from tandem.quality.choices import SIGNED_STATES, AcceptanceStatus
from tandem.quality.models import AcceptanceRequest
from tandem.quality.permissions import can_prepare_acceptance, can_review_acceptance
from tandem.quality.scope import cycles_of
from tandem.web.acceptance_forms import (
    AcceptanceFilterForm,
    AcceptanceForm,
    CriterionForm,
    DocumentForm,
    ReviewForm,
    SignForm,
)
from tandem.web.forms import member_choices
from tandem.web.views.base import (
    ProjectScope,
    attempt,
    project_view,
    render_page,
    require_allowed,
    run_action,
    submit_form,
)

PAGE_SIZE = 25
#: How many empty condition rows the sign form shows at first.
CONDITION_ROWS = 1


def _base(scope: ProjectScope) -> dict[str, Any]:
    return {"scope": scope, "project": scope.project}


def _preparing(scope: ProjectScope) -> bool:
    return not scope.preview and can_prepare_acceptance(scope.user, scope.project)


@project_view
def acceptance_list(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The acceptance requests the reader may read, with their status and due date, 25 a page."""
    filter_form = AcceptanceFilterForm(request.GET)
    page, status = None, 200
    if filter_form.is_valid():
        rows = acceptance_queries.requests_of(
            scope.viewer, scope.project, status=filter_form.cleaned_data.get("status") or ""
        )
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        status = 400
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **_base(scope),
        "filter_form": filter_form,
        "page": page,
        "query": query.urlencode(),
        "filtered": bool(request.GET.get("status")),
        "preparing": _preparing(scope),
    }
    return render_page(request, "web/quality/acceptances.html", context, status=status)


@project_view
def acceptance_export(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The acceptance requests (filtered by status) as CSV (``?format=csv``) or Excel (``?format=xlsx``)."""
    filter_form = AcceptanceFilterForm(request.GET)
    kind = request.GET.get("format", "csv")
    if not filter_form.is_valid() or kind not in ("csv", "xlsx"):
        raise Http404(_("Unknown filter or format."))
    rows = acceptance_queries.requests_of(
        scope.viewer, scope.project, status=filter_form.cleaned_data.get("status") or ""
    )
    return exports.acceptance_response(scope.viewer, scope.project, rows, kind)


def _form(scope: ProjectScope, data: Any = None, **kwargs: Any) -> AcceptanceForm:
    project, viewer = scope.project, scope.viewer
    meeting_model = AcceptanceRequest._meta.get_field("demo_meeting").related_model
    return AcceptanceForm(
        data,
        deliverables=Deliverable.objects.visible_to(viewer)
        .filter(project=project)
        .order_by("position", "id"),
        milestones=Task.objects.visible_to(viewer)
        .filter(project=project, kind=TaskKind.MILESTONE)
        .order_by("outline_key", "id"),
        members=[
            m.user for m in project.memberships.select_related("user").order_by("side", "user__full_name")
        ],
        cycles=cycles_of(viewer, project).order_by("-created_at", "-id"),
        meetings=meeting_model._default_manager.visible_to(viewer)  # type: ignore[attr-defined]
        .filter(project=project)
        .order_by("-starts_at"),
        **kwargs,
    )


@project_view
def acceptance_new(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Prepare a request (the team's PMs and leads): a draft with the deliverable's criteria."""
    require_allowed(_preparing(scope))
    initial: dict[str, Any] = {"version": 0}
    if request.GET.get("deliverable"):
        initial["deliverable_id"] = request.GET["deliverable"]
    form = _form(scope, request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        made, status = submit_form(
            form,
            lambda: acceptance.do_create_request(
                scope.project, actor=scope.user, data=form.data_for_service()
            ),
        )
        if made is not None:
            messages.success(request, _("The acceptance request was prepared as a draft."))
            return redirect("web:acceptance_detail", scope.project.code, made.pk)
    context = {**_base(scope), "form": form, "editing": None}
    return render_page(request, "web/quality/acceptance_form.html", context, status=status)


def _values(found: AcceptanceRequest) -> dict[str, Any]:
    return {
        "title": found.title,
        "description": found.description,
        "deliverable_id": found.deliverable_id or "",
        "milestone_id": found.milestone_id or "",
        "due_date": found.due_date,
        "reviewer_ids": [str(u.pk) for u in found.reviewers.all()],
        "test_cycle_ids": [str(pk) for pk in found.test_cycles.values_list("pk", flat=True)],
        "demo_meeting_id": found.demo_meeting_id or "",
        "version": found.version,
    }


@project_view
def acceptance_edit(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Change a draft's fields, reviewers and evidence."""
    found = acceptance_queries.access_request(scope.viewer, scope.project, pk)
    require_allowed(_preparing(scope) and found.status == AcceptanceStatus.DRAFT)
    form = _form(scope, request.POST or None, initial=_values(found))
    status = 200
    if request.method == "POST":
        done, status = submit_form(
            form,
            lambda: acceptance.do_update_request(
                found, actor=scope.user, version=form.cleaned_data["version"], **form.data_for_service()
            ),
            saved=lambda: _values(acceptance_queries.access_request(scope.viewer, scope.project, pk)),
        )
        if done is not None:
            messages.success(request, _("The acceptance request was saved."))
            return redirect("web:acceptance_detail", scope.project.code, found.pk)
    context = {**_base(scope), "form": form, "editing": found}
    return render_page(request, "web/quality/acceptance_form.html", context, status=status)


@dataclass
class ConditionRow:
    """A condition row of the sign form as the signer filled it."""

    text: str = ""
    due_date: str = ""
    owner_id: str = ""


def _condition_rows(request: HttpRequest) -> list[ConditionRow]:
    texts = request.POST.getlist("condition_text")
    dues = request.POST.getlist("condition_due")
    owners = request.POST.getlist("condition_owner")
    rows = []
    for i, text in enumerate(texts):
        rows.append(
            ConditionRow(text, dues[i] if i < len(dues) else "", owners[i] if i < len(owners) else "")
        )
    return rows


def _conditions_for_service(rows: list[ConditionRow]) -> list[dict[str, Any]]:
    given = []
    for row in rows:
        if not (row.text.strip() or row.due_date.strip() or row.owner_id):
            continue
        owner: Any = None
        if row.owner_id:
            try:
                owner = int(row.owner_id)
            except ValueError:
                owner = row.owner_id
        given.append({"text": row.text, "due_date": row.due_date or None, "owner_id": owner})
    return given


@dataclass
class Page:
    """What the detail page shows besides the request."""

    sign_form: SignForm | None = None
    condition_rows: list[ConditionRow] = field(default_factory=list)
    review_forms: dict[int, ReviewForm] = field(default_factory=dict)
    criterion_form: CriterionForm | None = None
    document_form: DocumentForm | None = None
    status: int = 200


def _act(
    request: HttpRequest, scope: ProjectScope, found: AcceptanceRequest, page: Page
) -> HttpResponse | None:
    """Run the POSTed action; a redirect when done, None to show the page again with the errors."""
    user, project = scope.user, scope.project
    action = request.POST.get("action", "")
    back = redirect("web:acceptance_detail", project.code, found.pk)
    version = _version(request)
    if scope.preview:
        raise PermissionDenied
    simple = {
        "submit": (lambda: acceptance.do_submit(found, actor=user, version=version), _("Sent for review.")),
        "withdraw": (lambda: acceptance.do_withdraw(found, actor=user, version=version), _("Withdrawn.")),
    }
    if action in simple:
        call, done = simple[action]
        run_action(request, call, done)
        return back
    if action == "delete":
        _result, error, status = attempt(
            lambda: acceptance.do_delete_request(found, actor=user, version=version)
        )
        if status == 200:
            messages.success(request, _("The draft was deleted."))
            return redirect("web:acceptances", project.code)
        messages.error(request, error)
        return back
    if action in ("condition_done", "condition_reopen"):
        condition = acceptance_queries.access_condition(scope.viewer, found, request.POST.get("condition"))
        service = (
            acceptance.do_complete_condition if action == "condition_done" else acceptance.do_reopen_condition
        )
        run_action(
            request, lambda: service(condition, actor=user, version=version), _("The condition was saved.")
        )
        return back
    if action == "review":
        criterion = acceptance_queries.access_criterion(scope.viewer, found, request.POST.get("criterion"))
        form = ReviewForm(request.POST, prefix=f"c{criterion.pk}")
        done, page.status = submit_form(
            form,
            lambda: acceptance.do_review(
                criterion,
                actor=user,
                verdict=form.cleaned_data["verdict"],
                comment=form.cleaned_data.get("comment") or "",
            ),
        )
        page.review_forms[criterion.pk] = form
        if done is not None:
            messages.success(request, _("Your mark was saved."))
            return redirect(f"{back.url}#criterion-{criterion.pk}")
        return None
    if action == "add_criterion":
        criterion_form = CriterionForm(request.POST)
        done, page.status = submit_form(
            criterion_form,
            lambda: acceptance.do_add_criterion(found, actor=user, **criterion_form.cleaned_data),
        )
        page.criterion_form = criterion_form
        return back if done is not None else None
    if action in ("toggle_mandatory", "remove_criterion"):
        criterion = acceptance_queries.access_criterion(scope.viewer, found, request.POST.get("criterion"))
        if action == "toggle_mandatory":
            change: Any = lambda: acceptance.do_update_criterion(  # noqa: E731
                criterion, actor=user, mandatory=not criterion.mandatory
            )
        else:
            change = lambda: acceptance.do_remove_criterion(criterion, actor=user)  # noqa: E731
        run_action(request, change, _("The criteria were saved."))
        return back
    if action == "add_document":
        document_form = DocumentForm(request.POST, request.FILES)
        done, page.status = submit_form(
            document_form,
            lambda: acceptance.do_add_document(
                found,
                actor=user,
                title=document_form.cleaned_data.get("title") or "",
                upload=document_form.cleaned_data["file"],
            ),
        )
        page.document_form = document_form
        if done is not None:
            messages.success(request, _("The document was attached."))
            return back
        return None
    if action == "remove_document":
        document = acceptance_queries.access_document(scope.viewer, found, request.POST.get("document"))
        run_action(
            request,
            lambda: acceptance.do_remove_document(document, actor=user),
            _("The document was removed."),
        )
        return back
    if action in ("sign", "add_condition_row"):
        page.condition_rows = _condition_rows(request) or [ConditionRow()]
        if action == "add_condition_row":
            # Another empty row; what was chosen so far stays, nothing is checked yet.
            page.sign_form = SignForm(initial={**request.POST.dict(), "version": _version(request)})
            page.condition_rows.append(ConditionRow())
            return None
        signature = SignForm(request.POST)
        page.sign_form = signature
        done, page.status = submit_form(
            signature,
            lambda: acceptance.do_sign(
                found,
                actor=user,
                version=signature.cleaned_data["version"],
                decision=signature.cleaned_data["decision"],
                comment=signature.cleaned_data.get("comment") or "",
                conditions=_conditions_for_service(page.condition_rows),
                rework=signature.cleaned_data.get("rework") or "defects",
            ),
        )
        if done is not None:
            messages.success(request, _("Your decision was signed."))
            return back
        return None
    raise Http404(_("Unknown action."))


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@project_view
def acceptance_detail(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """One request: criteria with each reviewer's mark (and a mark form for reviewers), evidence, the
    sign form for a holder of "accept deliverable" (a sentence naming who can sign for others), the
    conditions; the team prepares a draft here. POST ``action`` runs one of these."""
    found = acceptance_queries.access_request(scope.viewer, scope.project, pk)
    page = Page()
    if request.method == "POST":
        response = _act(request, scope, found, page)
        if response is not None:
            return response
        found = acceptance_queries.access_request(scope.viewer, scope.project, pk)
    user, project = scope.user, scope.project
    criteria = acceptance_queries.criteria_of(scope.viewer, found)
    reviewer_ids = {u.pk for u in found.reviewers.all()}
    reviewing = (
        not scope.preview
        and found.status == AcceptanceStatus.IN_REVIEW
        and can_review_acceptance(user, found, reviewer_ids)
    )
    rows = []
    for criterion in criteria:
        marks = list(criterion.reviews.all())
        mine = next((m for m in marks if m.reviewer_id == user.pk), None)
        form = page.review_forms.get(criterion.pk)
        if form is None and reviewing:
            initial = {"verdict": mine.verdict, "comment": mine.comment} if mine else {}
            form = ReviewForm(prefix=f"c{criterion.pk}", initial=initial)
        rows.append({"criterion": criterion, "marks": marks, "form": form})
    signing = not scope.preview and acceptance_queries.may_sign(user, found)
    draft = found.status == AcceptanceStatus.DRAFT and _preparing(scope)
    context = {
        **_base(scope),
        "request_": found,
        "acceptance": found,
        "rows": rows,
        "reviewers": sorted(found.reviewers.all(), key=lambda u: (u.full_name, u.pk)),
        "evidence": acceptance_queries.evidence_of(scope.viewer, found),
        "conditions": acceptance_queries.conditions_of(found),
        "signing": signing,
        "sign_form": page.sign_form or (SignForm(initial={"version": found.version}) if signing else None),
        "condition_rows": page.condition_rows or [ConditionRow() for _i in range(CONDITION_ROWS)],
        "owners": member_choices(project),
        "draft": draft,
        "preparing": _preparing(scope),
        "criterion_form": page.criterion_form
        or (CriterionForm(initial={"mandatory": True}) if draft else None),
        "document_form": page.document_form or (DocumentForm() if draft else None),
        "tracking": scope.team or any(c.owner_id == user.pk for c in acceptance_queries.conditions_of(found)),
        "user_id": user.pk,
        "signed": found.status in SIGNED_STATES,
        "in_review": found.status == AcceptanceStatus.IN_REVIEW,
    }
    return render_page(request, "web/quality/acceptance.html", context, status=page.status)


@project_view
def acceptance_document(request: HttpRequest, scope: ProjectScope, pk: int, document_pk: int) -> HttpResponse:
    """A document of a request, for whoever reads the request."""
    found = acceptance_queries.access_request(scope.viewer, scope.project, pk)
    return acceptance_queries.document_response(
        acceptance_queries.access_document(scope.viewer, found, document_pk)
    )
