"""The read side of acceptance requests: each helper fetches *and* authorises (404 for the unseen).

A client reads a request once it is sent for review (it is internal while a draft, and again once
withdrawn); the evidence is read through the reader's scope of tests (``scope.cycles_of``,
``scope.runs_of``), so a client tester sees the progress of the runs they may read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.core.choices import Visibility
from tandem.projects.choices import DecisionKind
from tandem.projects.models import Membership
from tandem.projects.permissions import decision_roles, is_team
from tandem.quality.acceptance import cycle_counts
from tandem.quality.choices import AcceptanceStatus, CriterionResult
from tandem.quality.models import (
    AcceptanceCondition,
    AcceptanceCriterion,
    AcceptanceDocument,
    AcceptanceRequest,
    CriterionReview,
    TestCycle,
)
from tandem.quality.permissions import can_sign_acceptance
from tandem.quality.scope import cycles_of, runs_of

if TYPE_CHECKING:
    from tandem.core.scoping import Viewer
    from tandem.projects.models import Project


def _int(pk: Any, message: str) -> int:
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise Http404(message) from None
    if not 1 <= number <= 2**63 - 1:
        raise Http404(message)
    return number


def requests_of(user: Viewer, project: Project, *, status: str = "") -> QuerySet[AcceptanceRequest]:
    """The project's acceptance requests the user reads, newest first, with their criteria counts
    (``criteria_total``, ``criteria_accepted``, ``criteria_not_accepted``, ``criteria_pending``)."""
    rows = AcceptanceRequest.objects.visible_to(user).filter(project=project)
    if status:
        rows = rows.filter(status=status)
    return (
        rows.select_related("project", "deliverable", "milestone", "signed_by")
        .annotate(
            criteria_total=Count("criteria", distinct=True),
            criteria_accepted=Count(
                "criteria", filter=Q(criteria__result=CriterionResult.ACCEPTED), distinct=True
            ),
            criteria_not_accepted=Count(
                "criteria", filter=Q(criteria__result=CriterionResult.NOT_ACCEPTED), distinct=True
            ),
            criteria_pending=Count(
                "criteria", filter=Q(criteria__result=CriterionResult.PENDING), distinct=True
            ),
        )
        .order_by("-created_at", "-id")
    )


def access_request(user: Viewer, project: Project, pk: Any) -> AcceptanceRequest:
    """An acceptance request of ``project`` the user reads; otherwise ``Http404``."""
    found = (
        requests_of(user, project)
        .filter(pk=_int(pk, _("No such acceptance request.")))
        .prefetch_related("reviewers")
        .first()
    )
    if found is None:
        raise Http404(_("No such acceptance request."))
    return found


def criteria_of(user: Viewer, request: AcceptanceRequest) -> list[AcceptanceCriterion]:
    """The request's criteria in order, each with its marks (and their reviewers) and its requirement;
    a requirement the user may not read (an internal one, for a client) is left out."""
    marks = CriterionReview.objects.select_related("reviewer").order_by("reviewed_at", "id")
    rows = list(
        request.criteria.select_related("requirement")
        .prefetch_related(Prefetch("reviews", queryset=marks))
        .order_by("position", "id")
    )
    if not is_team(user, request.project):
        for row in rows:
            if row.requirement is not None and row.requirement.visibility != Visibility.SHARED:
                row.requirement = None
    return rows


def access_criterion(user: Viewer, request: AcceptanceRequest, pk: Any) -> AcceptanceCriterion:
    """A criterion of ``request`` (already read by the user); otherwise ``Http404``."""
    found = request.criteria.filter(pk=_int(pk, _("No such criterion."))).first()
    if found is None:
        raise Http404(_("No such criterion."))
    found.request = request
    return found


def documents_of(request: AcceptanceRequest) -> list[AcceptanceDocument]:
    """The request's documents, oldest first."""
    return list(request.documents.select_related("uploaded_by").order_by("uploaded_at", "id"))


def access_document(user: Viewer, request: AcceptanceRequest, pk: Any) -> AcceptanceDocument:
    """A document of ``request``; otherwise ``Http404``."""
    found = request.documents.filter(pk=_int(pk, _("No such document."))).first()
    if found is None:
        raise Http404(_("No such document."))
    found.request = request
    return found


def conditions_of(request: AcceptanceRequest) -> list[AcceptanceCondition]:
    """The conditions of a signed request, in order, with their owners."""
    return list(request.conditions.select_related("owner", "done_by").order_by("position", "id"))


def access_condition(user: Viewer, request: AcceptanceRequest, pk: Any) -> AcceptanceCondition:
    """A condition of ``request``; otherwise ``Http404``."""
    found = request.conditions.filter(pk=_int(pk, _("No such condition."))).first()
    if found is None:
        raise Http404(_("No such condition."))
    found.request = request
    return found


@dataclass(frozen=True)
class CycleEvidence:
    """A test cycle offered as evidence, with the progress of the runs the reader sees."""

    cycle: TestCycle
    passed: int
    failed: int
    blocked: int
    not_run: int

    @property
    def total(self) -> int:
        """All runs counted."""
        return self.passed + self.failed + self.blocked + self.not_run


@dataclass(frozen=True)
class Evidence:
    """What the request offers to decide on: test cycles, documents, the demo meeting."""

    cycles: list[CycleEvidence]
    documents: list[AcceptanceDocument]
    meeting: Any


def evidence_of(user: Viewer, request: AcceptanceRequest) -> Evidence:
    """The request's evidence as the user may read it (three queries, four with a meeting)."""
    project = request.project
    cycles = list(cycles_of(user, project).filter(acceptance_requests=request).order_by("id"))
    counts = cycle_counts(runs_of(user, project), [c.pk for c in cycles])
    meeting = None
    if request.demo_meeting_id is not None:
        model = apps.get_model("meetings", "Meeting")
        meeting = model.objects.visible_to(user).filter(pk=request.demo_meeting_id).first()
    return Evidence(
        cycles=[CycleEvidence(c, **counts[c.pk]) for c in cycles],
        documents=documents_of(request),
        meeting=meeting,
    )


def signers_of(project: Project) -> list[User]:
    """The active members who hold "accept deliverable" (who can sign)."""
    roles = decision_roles(project, DecisionKind.ACCEPT_DELIVERABLE)
    ids = Membership.objects.filter(project=project, role__in=roles, user__is_active=True).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("full_name", "email"))


def may_sign(user: Viewer, request: AcceptanceRequest) -> bool:
    """Whether the user may sign ``request`` now (holds the right; the request is in review)."""
    return request.status == AcceptanceStatus.IN_REVIEW and can_sign_acceptance(user, request.project)


def document_response(document: AcceptanceDocument) -> HttpResponse:
    """The document as a download (404 when its file is gone); never a public media address."""
    try:
        with document.file.open("rb") as stored:
            data = stored.read()
    except (FileNotFoundError, ValueError):
        raise Http404(_("No such document.")) from None
    response = HttpResponse(data, content_type=document.content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, document.filename) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return response
