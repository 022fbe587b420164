"""Acceptance requests: prepared by the team, reviewed criterion by criterion by the client, signed by
the holder of "accept deliverable".

A request is a ``draft`` (internal) while the team prepares it: its fields, criteria and documents
change and it may be deleted. Submitted, it is shared ``in_review``: reviewers mark each criterion.
The signer accepts, accepts with conditions (a punch list) or rejects (with the rework: a defect or a
plan task per criterion not accepted). A signed request never changes again: its content is frozen
with its SHA-256, and every update service refuses it (``refuse_signed``). Conditions are tracked
after signing. Accepting completes the milestone on the plan; rejecting opens it again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.accounts.models import User
from tandem.communication import tasks as communication_tasks
from tandem.communication.models import Notification, NotificationVerb
from tandem.core import audit, updates, versioning
from tandem.core.choices import Visibility
from tandem.core.uploads import sniff
from tandem.planning import services as planning_services
from tandem.planning.choices import TaskKind, TaskStatus
from tandem.planning.models import Task
from tandem.projects.choices import DecisionKind
from tandem.projects.models import Deliverable, Membership
from tandem.projects.permissions import decision_roles, is_team, require_decision, role_of
from tandem.quality import certificates
from tandem.quality import content as signed_content
from tandem.quality.choices import (
    SIGNED_STATES,
    AcceptanceDecision,
    AcceptanceStatus,
    ConditionStatus,
    CriterionResult,
    CriterionSource,
    CriterionVerdict,
    RunResult,
)
from tandem.quality.cleaners import row_id
from tandem.quality.defects import do_file_defect
from tandem.quality.models import (
    AcceptanceCondition,
    AcceptanceCriterion,
    AcceptanceDocument,
    AcceptanceRequest,
    CriterionReview,
    TestRun,
)
from tandem.quality.numbering import next_codes
from tandem.quality.permissions import (
    TEAM_LEADS,
    can_prepare_acceptance,
    can_review_acceptance,
    require,
)
from tandem.quality.scope import cycles_of, runs_of
from tandem.requirements.models import Requirement

if TYPE_CHECKING:
    from tandem.core.scoping import Viewer
    from tandem.projects.models import Project

#: Fields the team sets on a request while it is a draft.
REQUEST_FIELDS = (
    "title",
    "description",
    "deliverable_id",
    "milestone_id",
    "due_date",
    "reviewer_ids",
    "test_cycle_ids",
    "demo_meeting_id",
)
AUDITED_FIELDS = ("title", "description", "deliverable_id", "milestone_id", "due_date", "demo_meeting_id")
CRITERION_FIELDS = ("text", "mandatory", "position")
#: The largest document accepted, in bytes.
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
#: Document types accepted: a PDF, an image, an office file (OOXML or the older binary formats).
DOCUMENT_TYPES = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
}
_OOXML = {t for t in DOCUMENT_TYPES if "openxmlformats" in t}
_OLE = {"application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint"}
#: The status a signature's decision gives a request.
DECIDED = {
    AcceptanceDecision.ACCEPT: AcceptanceStatus.ACCEPTED,
    AcceptanceDecision.ACCEPT_WITH_CONDITIONS: AcceptanceStatus.ACCEPTED_WITH_CONDITIONS,
    AcceptanceDecision.REJECT: AcceptanceStatus.REJECTED,
}
REWORK_KINDS = ("defects", "tasks")
CONFLICT_MESSAGE = gettext_lazy(
    "Someone else changed this acceptance request in the meantime (you edited version %(yours)s, it is "
    "now at version %(theirs)s). Reload to see their change, then apply yours again."
)


# ---------------------------------------------------------------- rules shared by every change


def refuse_signed(request: AcceptanceRequest) -> None:
    """The ``refuse`` hook of every update: a signed request never changes."""
    if request.status in SIGNED_STATES:
        raise ValidationError({"status": [_("This acceptance is already signed; it cannot change.")]})


def _draft_only(request: AcceptanceRequest) -> None:
    refuse_signed(request)
    if request.status != AcceptanceStatus.DRAFT:
        raise ValidationError({"status": [_("Only a draft acceptance request can be changed.")]})


def _locked(request: AcceptanceRequest) -> AcceptanceRequest:
    """The request locked for a change of one of its parts (criteria, documents, marks)."""
    current = versioning.locked(request)
    current.project = request.project
    return current


def _editable(request: AcceptanceRequest, actor: User) -> AcceptanceRequest:
    """The request locked, for a preparer, while it is a draft."""
    require(can_prepare_acceptance(actor, request.project))
    current = _locked(request)
    _draft_only(current)
    return current


def _members(project: Project) -> QuerySet[User]:
    return User.objects.filter(memberships__project=project, is_active=True).distinct()


def _milestones(actor: User, project: Project) -> QuerySet[Task]:
    return Task.objects.visible_to(actor).filter(project=project, kind=TaskKind.MILESTONE)


def _meetings(actor: User, project: Project) -> QuerySet[Any]:
    # Meetings sit beside quality in the layers: named by label, never imported.
    meeting = apps.get_model("meetings", "Meeting")
    return meeting.objects.visible_to(actor).filter(project=project)


def _cleaners(actor: User, project: Project) -> dict[str, updates.Cleaner]:
    return {
        "deliverable_id": row_id(
            "deliverable_id", Deliverable.objects.visible_to(actor).filter(project=project)
        ),
        "milestone_id": row_id(
            "milestone_id", _milestones(actor, project), _("Choose a milestone of this project.")
        ),
        "demo_meeting_id": row_id("demo_meeting_id", _meetings(actor, project)),
    }


def _links(actor: User, project: Project) -> dict[str, updates.Link]:
    return {
        "reviewer_ids": updates.Link(
            "reviewers", _members(project), _("Every reviewer must be a member of this project.")
        ),
        "test_cycle_ids": updates.Link(
            "test_cycles", cycles_of(actor, project), _("No such test cycle in this project.")
        ),
    }


def _needs_target(request: AcceptanceRequest, values: Mapping[str, Any]) -> None:
    """A request names a deliverable or a milestone; its title defaults to the deliverable's name."""
    if request.deliverable_id is None and request.milestone_id is None:
        raise ValidationError({"deliverable_id": [_("Choose the deliverable (or the milestone) to accept.")]})
    if not (request.title or "").strip():
        source = request.deliverable if request.deliverable_id else request.milestone
        request.title = str(source)[:200] if source is not None else ""


# ---------------------------------------------------------------- requests


def _criteria_of(request: AcceptanceRequest, actor: User) -> list[AcceptanceCriterion]:
    """The criteria a new request starts with: the deliverable's, then those of the shared requirements
    traced to its tasks, each mandatory."""
    deliverable = request.deliverable
    if deliverable is None and request.milestone is not None:
        deliverable = request.milestone.deliverable
    if deliverable is None:
        return []
    rows = [
        AcceptanceCriterion(request=request, text=str(text)[:500], source=CriterionSource.DELIVERABLE)
        for text in deliverable.acceptance_criteria or []
        if str(text).strip()
    ]
    # Shared requirements only: the request goes to the client, who accepts against what it confirmed.
    requirements = (
        Requirement.objects.visible_to(actor)
        .shared()
        .filter(project=request.project, tasks__deliverable=deliverable)
        .distinct()
        .order_by("rank", "id")
    )
    for requirement in requirements:
        rows += [
            AcceptanceCriterion(
                request=request,
                text=str(text)[:500],
                source=CriterionSource.REQUIREMENT,
                requirement=requirement,
            )
            for text in requirement.acceptance_criteria or []
            if str(text).strip()
        ]
    for position, row in enumerate(rows, start=1):
        row.position = position
    return rows


@transaction.atomic
def do_create_request(project: Project, *, actor: User, data: Mapping[str, Any]) -> AcceptanceRequest:
    """Prepare an acceptance request (a draft, internal) with the criteria of its deliverable and of the
    requirements traced to the deliverable's tasks."""
    require(can_prepare_acceptance(actor, project))
    values = dict(data)
    values.setdefault("title", "")

    def with_criteria(request: AcceptanceRequest) -> None:
        """The criteria from the deliverable and its requirements."""
        AcceptanceCriterion.objects.bulk_create(_criteria_of(request, actor))

    return updates.create_audited(
        AcceptanceRequest,
        values,
        fields=REQUEST_FIELDS,
        actor=actor,
        project=project,
        verb="prepared",
        initial={
            "project": project,
            "code": next_codes(AcceptanceRequest, project)[0],
            "status": AcceptanceStatus.DRAFT,
            # The team's draft is its own; a client PM preparing one (client as PM) shares it.
            "visibility": Visibility.INTERNAL if is_team(actor, project) else Visibility.SHARED,
            "requested_by": actor,
        },
        text_fields=("title", "description"),
        clean=_cleaners(actor, project),
        links=_links(actor, project),
        prepare=_needs_target,
        after_save=with_criteria,
        audited=("code", "title"),
    )


@transaction.atomic
def do_update_request(
    request: AcceptanceRequest, *, actor: User, version: int | None, **data: Any
) -> AcceptanceRequest:
    """Change a draft request's fields, reviewers, test cycles or demo meeting."""
    project = request.project
    require(can_prepare_acceptance(actor, project))
    return updates.update_versioned(
        request,
        data,
        fields=REQUEST_FIELDS,
        version=version,
        actor=actor,
        project=project,
        audited=AUDITED_FIELDS,
        text_fields=("title", "description"),
        clean=_cleaners(actor, project),
        links=_links(actor, project),
        refuse=refuse_signed,
        check=updates.in_state(
            {AcceptanceStatus.DRAFT}, _("Only a draft acceptance request can be changed.")
        ),
        prepare=_needs_target,
        conflict_message=CONFLICT_MESSAGE,
    ).instance


@transaction.atomic
def do_delete_request(request: AcceptanceRequest, *, actor: User, version: int | None) -> None:
    """Delete a draft request with its criteria and documents."""
    require(can_prepare_acceptance(actor, request.project))
    current = _locked(request)
    _draft_only(current)
    files = [str(d.file.name) for d in current.documents.all() if d.file]
    updates.delete_versioned(
        current, version=version, actor=actor, audited=("code", "title"), conflict_message=CONFLICT_MESSAGE
    )
    storage = AcceptanceDocument._meta.get_field("file").storage
    for name in files:
        transaction.on_commit(partial(storage.delete, name))


def _recipients(request: AcceptanceRequest) -> list[int]:
    """Who is asked to act: the reviewers and the holders of "accept deliverable"."""
    project = request.project
    signers = Membership.objects.filter(
        project=project,
        user__is_active=True,
        role__in=decision_roles(project, DecisionKind.ACCEPT_DELIVERABLE),
    ).values_list("user_id", flat=True)
    reviewers = request.reviewers.filter(is_active=True).values_list("pk", flat=True)
    return sorted({*signers, *reviewers})


def _notify(request: AcceptanceRequest, actor: User) -> None:
    content_type = ContentType.objects.get_for_model(AcceptanceRequest)
    rows = [
        Notification(
            recipient_id=user_id,
            project=request.project,
            verb=NotificationVerb.ACCEPTANCE_REVIEW,
            actor=actor,
            target_type=content_type,
            target_id=request.pk,
        )
        for user_id in _recipients(request)
        if user_id != actor.pk
    ]
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.pk is not None]
    if len(ids) != len(created):  # a database that does not return ids of bulk inserts
        ids = list(
            Notification.objects.filter(
                target_type=content_type, target_id=request.pk, verb=NotificationVerb.ACCEPTANCE_REVIEW
            ).values_list("pk", flat=True)
        )
    for notification_id in ids:
        transaction.on_commit(partial(communication_tasks.email_notification.enqueue, notification_id))


@transaction.atomic
def do_submit(request: AcceptanceRequest, *, actor: User, version: int | None) -> AcceptanceRequest:
    """Send a draft for review: it is shared with the client; the reviewers and signers are told."""
    require(can_prepare_acceptance(actor, request.project))

    def ready(row: AcceptanceRequest) -> None:
        """A draft with at least one criterion."""
        _draft_only(row)
        for name, target in (("deliverable_id", row.deliverable), ("milestone_id", row.milestone)):
            if target is not None and target.visibility != Visibility.SHARED:
                raise ValidationError(
                    {name: [_("Share it with the client first: the client accepts only what it can see.")]}
                )
        if not row.criteria.exists():
            raise ValidationError(
                {"criteria": [_("Add at least one criterion before sending it for review.")]}
            )

    def sent(row: AcceptanceRequest, before: Mapping[str, Any]) -> None:
        """Shared from now on, with the time it was sent."""
        row.visibility = Visibility.SHARED
        row.submitted_at = timezone.now()

    done = updates.move(
        request,
        AcceptanceStatus.IN_REVIEW,
        version=version,
        actor=actor,
        refuse=refuse_signed,
        check=ready,
        prepare=sent,
        verb="sent for review",
        visibility=Visibility.SHARED,
        conflict_message=CONFLICT_MESSAGE,
    )
    _notify(done, actor)
    return done


@transaction.atomic
def do_withdraw(request: AcceptanceRequest, *, actor: User, version: int | None) -> AcceptanceRequest:
    """Take a request out of review: withdrawn, internal to the team again."""
    require(can_prepare_acceptance(actor, request.project))

    def withdrawn(row: AcceptanceRequest, before: Mapping[str, Any]) -> None:
        """Back to the team (a client PM's request stays shared)."""
        if is_team(actor, row.project):
            row.visibility = Visibility.INTERNAL

    return updates.move(
        request,
        AcceptanceStatus.WITHDRAWN,
        version=version,
        actor=actor,
        refuse=refuse_signed,
        check=updates.in_state({AcceptanceStatus.IN_REVIEW}, _("Only a request in review can be withdrawn.")),
        prepare=withdrawn,
        verb="withdrew",
        visibility=Visibility.SHARED,
        conflict_message=CONFLICT_MESSAGE,
    )


# ---------------------------------------------------------------- criteria


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError({"text": [_("Write the criterion.")]})
    return value.strip()


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValidationError({"mandatory": [_("Give true or false.")]})
    return value


def _position(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 2**31 - 1:
        raise ValidationError({"position": [_("Give a whole number from 0.")]})
    return value


CRITERION_CLEANERS: dict[str, updates.Cleaner] = {"text": _text, "mandatory": _flag, "position": _position}


@transaction.atomic
def do_add_criterion(request: AcceptanceRequest, *, actor: User, **data: Any) -> AcceptanceCriterion:
    """Add a criterion of the team's own to a draft (mandatory unless said otherwise)."""
    current = _editable(request, actor)

    def last(row: AcceptanceCriterion, values: Mapping[str, Any]) -> None:
        """At the end unless a position is given."""
        if "position" not in values:
            top = current.criteria.aggregate(m=Max("position"))["m"] or 0
            row.position = top + 1

    return updates.create_audited(
        AcceptanceCriterion,
        data,
        fields=CRITERION_FIELDS,
        actor=actor,
        project=current.project,
        initial={"request": current, "source": CriterionSource.CUSTOM},
        clean=CRITERION_CLEANERS,
        prepare=last,
        visibility=Visibility.INTERNAL,
        audited=("text", "mandatory"),
    )


def _criterion_record(request: AcceptanceRequest) -> str:
    return Visibility.SHARED if request.visibility == Visibility.SHARED else Visibility.INTERNAL


@transaction.atomic
def do_update_criterion(criterion: AcceptanceCriterion, *, actor: User, **data: Any) -> AcceptanceCriterion:
    """Change a draft's criterion: its text, whether it is mandatory, its position."""
    current_request = _editable(criterion.request, actor)
    row = AcceptanceCriterion.objects.select_for_update().get(pk=criterion.pk)
    before = audit.field_values(row, CRITERION_FIELDS)
    updates.assign(row, data, fields=CRITERION_FIELDS, clean=CRITERION_CLEANERS)
    row.full_clean(exclude=["request", "requirement"])
    changes = audit.changed(before, audit.field_values(row, CRITERION_FIELDS))
    if changes:
        row.save()
        audit.record(
            actor=actor,
            verb="updated",
            target=row,
            project=current_request.project,
            changes=changes,
            visibility=_criterion_record(current_request),
        )
    return row


@transaction.atomic
def do_remove_criterion(criterion: AcceptanceCriterion, *, actor: User) -> None:
    """Remove a criterion from a draft."""
    current_request = _editable(criterion.request, actor)
    audit.record(
        actor=actor,
        verb="removed",
        target=criterion,
        project=current_request.project,
        changes={"text": [criterion.text, None]},
        visibility=_criterion_record(current_request),
    )
    criterion.delete()


# ---------------------------------------------------------------- documents


def check_document(upload: UploadedFile[Any] | None) -> str:
    """The content type of an accepted document (PDF, image, office file ≤ 20 MB); a ValidationError on
    ``file`` otherwise. The declared type must agree with the file's first bytes."""
    if upload is None:
        raise ValidationError({"file": [_("Choose a file.")]})
    if upload.size is None or upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            {
                "file": [
                    _("A document may be at most %(size)s.") % {"size": filesizeformat(MAX_DOCUMENT_BYTES)}
                ]
            }
        )
    if upload.size == 0:
        raise ValidationError({"file": [_("The file is empty.")]})
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    found = sniff(head)
    office = (declared in _OOXML and head.startswith(b"PK\x03\x04")) or (
        declared in _OLE and head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    )
    if office:
        found = declared
    if declared not in DOCUMENT_TYPES or found != declared:
        raise ValidationError(
            {"file": [_("A document is a PDF, an image or an office file (Word, Excel, PowerPoint).")]}
        )
    return declared


def _sha256(upload: UploadedFile[Any]) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def do_add_document(
    request: AcceptanceRequest, *, actor: User, title: str = "", upload: UploadedFile[Any] | None
) -> AcceptanceDocument:
    """Attach a document to a draft as evidence (its SHA-256 is kept and goes into the signed content)."""
    current = _editable(request, actor)
    content_type = check_document(upload)
    assert upload is not None
    name = (upload.name or "document").rsplit("/", 1)[-1][:255]
    label = (title or "").strip() or name
    if len(label) > 200:
        raise ValidationError({"title": [_("At most 200 characters.")]})
    document = AcceptanceDocument(
        request=current,
        title=label,
        filename=name,
        content_type=content_type,
        size=upload.size or 0,
        sha256=_sha256(upload),
        uploaded_by=actor,
    )
    document.file.save(name, upload, save=False)
    document.save()
    audit.record(
        actor=actor,
        verb="attached",
        target=current,
        project=current.project,
        changes={"document": [None, label]},
        visibility=_criterion_record(current),
    )
    return document


@transaction.atomic
def do_remove_document(document: AcceptanceDocument, *, actor: User) -> None:
    """Remove a document from a draft."""
    current = _editable(document.request, actor)
    name = document.file.name
    storage = document.file.storage
    audit.record(
        actor=actor,
        verb="detached",
        target=current,
        project=current.project,
        changes={"document": [document.title, None]},
        visibility=_criterion_record(current),
    )
    document.delete()
    if name:
        transaction.on_commit(partial(storage.delete, name))


# ---------------------------------------------------------------- reviews


def standing(verdicts: Sequence[str]) -> str:
    """A criterion's result from its marks: not accepted if any mark says so, accepted if all do, pending
    without marks."""
    if not verdicts:
        return CriterionResult.PENDING
    if any(v == CriterionVerdict.NOT_ACCEPTED for v in verdicts):
        return CriterionResult.NOT_ACCEPTED
    return CriterionResult.ACCEPTED


@transaction.atomic
def do_review(
    criterion: AcceptanceCriterion, *, actor: User, verdict: str, comment: str = ""
) -> CriterionReview:
    """Mark a criterion (a reviewer of the request or a signer; in review only). A reviewer has one mark
    per criterion: marking again replaces it."""
    request = criterion.request
    reviewer_ids = set(request.reviewers.values_list("pk", flat=True))
    require(can_review_acceptance(actor, request, reviewer_ids))
    current = _locked(request)
    refuse_signed(current)
    if current.status != AcceptanceStatus.IN_REVIEW:
        raise ValidationError({"status": [_("Criteria are marked while the request is in review.")]})
    if verdict not in CriterionVerdict.values:
        raise ValidationError({"verdict": [_("Choose accepted or not accepted.")]})
    if not isinstance(comment, str):
        raise ValidationError({"comment": [_("Write the comment as text.")]})
    mark, _created = CriterionReview.objects.update_or_create(
        criterion=criterion,
        reviewer=actor,
        defaults={"verdict": verdict, "comment": comment.strip(), "reviewed_at": timezone.now()},
    )
    verdicts = list(CriterionReview.objects.filter(criterion=criterion).values_list("verdict", flat=True))
    result = standing(verdicts)
    before = criterion.result
    if result != before:
        AcceptanceCriterion.objects.filter(pk=criterion.pk).update(result=result)
        criterion.result = result
    audit.record(
        actor=actor,
        verb="reviewed",
        target=criterion,
        project=current.project,
        changes={"verdict": [None, verdict], "result": [before, result]},
        visibility=Visibility.SHARED,
    )
    return mark


# ---------------------------------------------------------------- signing


def _name(user: User | None) -> str | None:
    return (user.full_name or user.email) if user is not None else None


def cycle_counts(runs: QuerySet[TestRun], cycle_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Per cycle, how many runs passed, failed, were blocked or not run (one grouped query)."""
    rows = (
        runs.filter(cycle_id__in=list(cycle_ids))
        .order_by()
        .values("cycle_id")
        .annotate(
            passed=Count("pk", filter=Q(result=RunResult.PASSED)),
            failed=Count("pk", filter=Q(result=RunResult.FAILED)),
            blocked=Count("pk", filter=Q(result=RunResult.BLOCKED)),
            not_run=Count("pk", filter=Q(result=RunResult.NOT_RUN)),
        )
    )
    empty = {"passed": 0, "failed": 0, "blocked": 0, "not_run": 0}
    found: dict[int, dict[str, int]] = {}
    for row in rows:
        values: dict[str, Any] = dict(row)
        found[values["cycle_id"]] = {k: int(values[k]) for k in empty}
    return {pk: found.get(pk, dict(empty)) for pk in cycle_ids}


def build_content(request: AcceptanceRequest, decision: str | None = None) -> dict[str, Any]:
    """What is signed, in the shape ``quality.content`` describes (read as the signer reads it); the
    decision is the signed request's own unless given."""
    if decision is None:
        decision = next(str(k) for k, v in DECIDED.items() if v == request.status)
    project = request.project
    signer = request.signed_by
    assert signer is not None and request.signed_at is not None
    criteria = []
    for criterion in request.criteria.select_related("requirement").prefetch_related("reviews__reviewer"):
        criteria.append(
            {
                "text": criterion.text,
                "source": criterion.source,
                # The signed content reaches the client: an internal requirement is not named in it.
                "requirement": criterion.requirement.code
                if criterion.requirement and criterion.requirement.visibility == Visibility.SHARED
                else None,
                "mandatory": criterion.mandatory,
                "result": criterion.result,
                "reviews": [
                    {
                        "reviewer": _name(review.reviewer),
                        "verdict": review.verdict,
                        "comment": review.comment,
                        "at": review.reviewed_at.astimezone(dt.UTC).isoformat(),
                    }
                    for review in criterion.reviews.all()
                ],
            }
        )
    cycles = list(request.test_cycles.order_by("id"))
    counts = cycle_counts(runs_of(signer, project), [c.pk for c in cycles])
    meeting = request.demo_meeting
    when = meeting.starts_at if meeting is not None else None
    return {
        "format": signed_content.CONTENT_FORMAT,
        "project": {
            "code": project.code,
            "name": project.name,
            "client": str(project.client) if project.client_id else None,
            "vendor": str(project.vendor) if project.vendor_id else None,
        },
        "request": {"code": request.code, "title": request.title},
        "deliverable": {"id": request.deliverable.pk, "name": request.deliverable.name}
        if request.deliverable
        else None,
        "milestone": {"id": request.milestone.pk, "name": request.milestone.name}
        if request.milestone
        else None,
        "decision": decision,
        "comment": request.decision_comment,
        "criteria": criteria,
        "conditions": [
            {
                "text": c.text,
                "due_date": c.due_date.isoformat(),
                "owner": _name(c.owner),
            }
            for c in request.conditions.select_related("owner").order_by("position", "id")
        ],
        "evidence": {
            "test_cycles": [{"name": c.name, "kind": c.kind, **counts[c.pk]} for c in cycles],
            "documents": [
                {"title": d.title, "filename": d.filename, "sha256": d.sha256}
                for d in request.documents.order_by("uploaded_at", "id")
            ],
            "demo_meeting": {"title": meeting.title, "date": when.date().isoformat() if when else None}
            if meeting is not None
            else None,
        },
        "signed_by": {
            "name": _name(signer),
            "email": signer.email,
            "role": role_of(signer, project),
        },
        "signed_at": request.signed_at.astimezone(dt.UTC).isoformat(),
        "language": project.language,
    }


def _clean_conditions(project: Project, conditions: Any) -> list[dict[str, Any]]:
    """The conditions as given (each with a text and a due date, its owner a member), or a
    ValidationError naming ``conditions[i].field``."""
    if conditions is None:
        return []
    if not isinstance(conditions, list | tuple):
        raise ValidationError({"conditions": [_("Give the conditions as a list.")]})
    members = set(_members(project).values_list("pk", flat=True))
    errors: dict[str, list[str]] = {}
    out = []
    for i, item in enumerate(conditions):
        where = f"conditions[{i}]"
        if not isinstance(item, Mapping):
            errors[where] = [_("Give a text, a due date and an owner.")]
            continue
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            errors[f"{where}.text"] = [_("Write the condition.")]
        elif len(text.strip()) > 500:
            errors[f"{where}.text"] = [_("At most 500 characters.")]
        due = item.get("due_date")
        if isinstance(due, str):
            try:
                due = dt.date.fromisoformat(due)
            except ValueError:
                due = None
        if not isinstance(due, dt.date) or isinstance(due, dt.datetime):
            errors[f"{where}.due_date"] = [_("Give the date by which the condition is to be met.")]
        owner = item.get("owner_id")
        if owner in ("", None):
            owner = None
        elif isinstance(owner, bool) or not isinstance(owner, int) or owner not in members:
            errors[f"{where}.owner_id"] = [_("Choose a member of this project.")]
        out.append(
            {"text": text.strip() if isinstance(text, str) else "", "due_date": due, "owner_id": owner}
        )
    if errors:
        raise ValidationError(errors)
    return out


def _check_decision(
    request: AcceptanceRequest, decision: Any, comment: str, conditions: list[dict[str, Any]], rework: Any
) -> None:
    if decision not in AcceptanceDecision.values:
        raise ValidationError({"decision": [_("Choose accept, accept with conditions or reject.")]})
    if decision == AcceptanceDecision.ACCEPT:
        unmet = request.criteria.filter(mandatory=True).exclude(result=CriterionResult.ACCEPTED)
        if unmet.exists():
            raise ValidationError(
                {
                    "decision": [
                        _("A mandatory criterion is not accepted yet: accept with conditions or reject.")
                    ]
                }
            )
    if decision == AcceptanceDecision.ACCEPT_WITH_CONDITIONS and not conditions:
        raise ValidationError({"conditions": [_("Name at least one condition, with its due date.")]})
    if decision != AcceptanceDecision.ACCEPT_WITH_CONDITIONS and conditions:
        raise ValidationError({"conditions": [_("Conditions go with “accept with conditions”.")]})
    if decision == AcceptanceDecision.REJECT:
        if not comment.strip():
            raise ValidationError({"comment": [_("Say why the deliverable is rejected.")]})
        if rework not in REWORK_KINDS:
            raise ValidationError({"rework": [_("Choose defects or plan tasks for the rework.")]})


def milestones_of(request: AcceptanceRequest) -> list[Task]:
    """The milestones acceptance completes: the request's, else the deliverable's milestone tasks."""
    if request.milestone_id is not None:
        return [request.milestone] if request.milestone is not None else []
    if request.deliverable_id is None:
        return []
    return list(
        Task.objects.filter(
            project=request.project, kind=TaskKind.MILESTONE, deliverable_id=request.deliverable_id
        ).order_by("id")
    )


def _rework(request: AcceptanceRequest, actor: User, kind: str) -> list[Any]:
    """A defect or a plan task for every criterion not accepted."""
    project = request.project
    open_criteria = list(
        request.criteria.exclude(result=CriterionResult.ACCEPTED).select_related("requirement")
    )
    made: list[Any] = []
    if kind == "defects":
        seen = set(Requirement.objects.visible_to(actor).filter(project=project).values_list("pk", flat=True))
        for criterion in open_criteria:
            comments = "\n".join(f"- {r.comment}" for r in criterion.reviews.all() if r.comment)
            made.append(
                do_file_defect(
                    project,
                    actor=actor,
                    data={
                        "title": f"{request.code}: {criterion.text}"[:200],
                        "description": "\n\n".join(x for x in (request.decision_comment, comments) if x),
                        "requirement_id": criterion.requirement_id
                        if criterion.requirement_id in seen
                        else None,
                        "deliverable_id": request.deliverable_id,
                        "acceptance_id": request.pk,
                        "visibility": Visibility.SHARED,
                    },
                )
            )
        return made
    parent = None
    anchors = milestones_of(request)
    if anchors and anchors[0].parent_id is not None:
        visible = Task.objects.visible_to(actor).filter(pk=anchors[0].parent_id).exists()
        parent = anchors[0].parent_id if visible else None
    for criterion in open_criteria:
        made.append(
            planning_services.do_add_task_by_decision(
                project,
                actor=actor,
                decision=DecisionKind.ACCEPT_DELIVERABLE,
                name=f"{request.code}: {criterion.text}"[:200],
                kind=TaskKind.TASK,
                parent_id=parent,
                deliverable_id=request.deliverable_id,
                visibility=Visibility.SHARED,
            )
        )
    return made


def _schedule_certificates(request_id: int) -> None:
    """Queue the certificate in the project's language once the signature is committed."""
    certificates.schedule_certificates(AcceptanceRequest.objects.get(pk=request_id))


@transaction.atomic
def do_sign(
    request: AcceptanceRequest,
    *,
    actor: User,
    version: int | None,
    decision: str,
    comment: str = "",
    conditions: Sequence[Mapping[str, Any]] | None = None,
    rework: str = "defects",
) -> AcceptanceRequest:
    """Sign the decision on a request in review (a holder of "accept deliverable" only): accept, accept
    with conditions, or reject with the rework. The content is frozen with its SHA-256; the milestone
    completes (or opens again on a rejection); the certificates follow after the commit."""
    project = request.project
    require_decision(actor, project, DecisionKind.ACCEPT_DELIVERABLE)
    current = _locked(request)
    if current.status in SIGNED_STATES:
        raise ValidationError({"status": [_("This acceptance is already signed.")]})
    versioning.check_version(current, version, CONFLICT_MESSAGE)
    if current.status != AcceptanceStatus.IN_REVIEW:
        raise ValidationError({"status": [_("Only a request in review can be signed.")]})
    if not isinstance(comment, str):
        raise ValidationError({"comment": [_("Write the comment as text.")]})
    chosen = _clean_conditions(project, conditions)
    _check_decision(current, decision, comment, chosen, rework)
    now = timezone.now()
    current.status = DECIDED[AcceptanceDecision(decision)]
    current.signed_by = actor
    current.signed_at = now
    current.decision_comment = comment.strip()
    AcceptanceCondition.objects.bulk_create(
        AcceptanceCondition(request=current, position=i, **item) for i, item in enumerate(chosen, start=1)
    )
    current.content = build_content(current, decision)
    current.content_sha256 = signed_content.digest(current.content)
    current.version += 1
    current.save()
    audit.record(
        actor=actor,
        verb="signed",
        target=current,
        project=project,
        changes={
            "decision": [None, decision],
            "status": [AcceptanceStatus.IN_REVIEW, current.status],
            "content_sha256": [None, current.content_sha256],
        },
        visibility=Visibility.SHARED,
    )
    accepted = decision != AcceptanceDecision.REJECT
    for milestone in milestones_of(current):
        if accepted or milestone.status == TaskStatus.DONE:
            planning_services.do_set_milestone_reached(
                milestone, actor=actor, decision=DecisionKind.ACCEPT_DELIVERABLE, reached=accepted, at=now
            )
    if not accepted:
        _rework(current, actor, rework)
    transaction.on_commit(partial(_schedule_certificates, current.pk))
    return current


# ---------------------------------------------------------------- conditions


def can_track_condition(user: Viewer, condition: AcceptanceCondition) -> bool:
    """Whether the user marks ``condition`` done or open: its owner, or the team's PMs and leads."""
    project = condition.request.project
    if role_of(user, project) is None:
        return False
    if condition.owner_id is not None and condition.owner_id == user.pk:
        return True
    return is_team(user, project) and role_of(user, project) in TEAM_LEADS


def _track(
    condition: AcceptanceCondition, actor: User, version: int | None, *, done: bool
) -> AcceptanceCondition:
    require(can_track_condition(actor, condition))
    to = ConditionStatus.DONE if done else ConditionStatus.OPEN

    def needs(row: AcceptanceCondition) -> None:
        """From open to done, or back."""
        if row.status == to:
            message = _("This condition is already done.") if done else _("This condition is already open.")
            raise ValidationError({"status": [message]})

    def stamp(row: AcceptanceCondition, before: Mapping[str, Any]) -> None:
        """Who met it and when (cleared when opened again)."""
        row.done_at = timezone.now() if done else None
        row.done_by = actor if done else None

    return updates.move(
        condition,
        to,
        version=version,
        actor=actor,
        check=needs,
        prepare=stamp,
        project=condition.request.project,
        verb="completed" if done else "reopened",
        visibility=_criterion_record(condition.request),
    )


@transaction.atomic
def do_complete_condition(
    condition: AcceptanceCondition, *, actor: User, version: int | None
) -> AcceptanceCondition:
    """Mark a condition of a signed acceptance met (its owner, or the team's PMs and leads)."""
    return _track(condition, actor, version, done=True)


@transaction.atomic
def do_reopen_condition(
    condition: AcceptanceCondition, *, actor: User, version: int | None
) -> AcceptanceCondition:
    """Open a condition again (its owner, or the team's PMs and leads)."""
    return _track(condition, actor, version, done=False)
