"""Quality standards and the checklist of deliverables and phases checked against them.

The charter's "quality standards" section becomes one standard per line or bullet; whoever edits
the charter keeps them. The team's writers record checks (a deliverable or a phase, a result, a
note); the latest check of a (standard, deliverable or phase) pair is its state and the earlier ones
its history. The checklist reads standards × deliverables and phases with each pair's latest check in
a constant number of queries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import updates
from tandem.core.choices import Visibility
from tandem.planning.choices import TaskKind
from tandem.planning.models import Task
from tandem.projects.choices import CharterSectionKey
from tandem.projects.models import CharterSection, Deliverable
from tandem.quality.choices import CheckResult
from tandem.quality.cleaners import row_id
from tandem.quality.models import QualityCheck, QualityStandard
from tandem.quality.permissions import can_check_quality, can_edit_standards, require

if TYPE_CHECKING:
    from tandem.accounts.models import User
    from tandem.core.scoping import Viewer
    from tandem.projects.models import Project

#: What a caller may set on a standard.
STANDARD_FIELDS = ("title", "description", "position", "visibility")
_BULLET = re.compile(r"^\s*(?:[-*•·●▪◦]|\d+\s*[.)、．]|[（(]\d+[)）])\s*")
#: A line of the charter holding several standards separates them with semicolons.
_SEPARATORS = re.compile(r"[;；]")


def standard_lines(text: str) -> list[str]:
    """The standards a charter section names: one per non-empty line, bullet or semicolon-separated part."""
    found: list[str] = []
    for line in (text or "").splitlines():
        for part in _SEPARATORS.split(_BULLET.sub("", line)):
            title = part.strip().rstrip("。.").strip()
            if title and title not in found:
                found.append(title[:300])
    return found


# ---------------------------------------------------------------- reads


def standards_of(user: Viewer, project: Project) -> QuerySet[QualityStandard]:
    """The project's standards the user reads, in their order."""
    return QualityStandard.objects.visible_to(user).filter(project=project).order_by("position", "id")


def access_standard(user: Viewer, project: Project, pk: Any) -> QualityStandard:
    """A standard of ``project`` the user reads; else ``Http404``."""
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise Http404(_("No such quality standard.")) from None
    found = standards_of(user, project).filter(pk=number).first() if 1 <= number <= 2**63 - 1 else None
    if found is None:
        raise Http404(_("No such quality standard."))
    return found


def standard_named(user: Viewer, project: Project, pk: Any) -> QualityStandard:
    """The standard a request names by id (``standard_id``): one the user reads, else a ValidationError."""
    try:
        return access_standard(user, project, pk)
    except Http404:
        raise ValidationError({"standard_id": [_("No such quality standard.")]}) from None


def deliverables_of(user: Viewer, project: Project) -> QuerySet[Deliverable]:
    """The deliverables of ``project`` the user reads."""
    return Deliverable.objects.visible_to(user).filter(project=project).order_by("position", "id")


def phases_of(user: Viewer, project: Project) -> QuerySet[Task]:
    """The phases of ``project`` the user reads: summary tasks and tasks of kind phase."""
    return (
        Task.objects.visible_to(user)
        .filter(project=project)
        .filter(Q(is_summary=True) | Q(kind=TaskKind.PHASE))
        .order_by("outline_key", "id")
    )


@dataclass(frozen=True)
class Target:
    """A deliverable or a phase, as a column of the checklist."""

    kind: str  # "deliverable" or "phase"
    id: int
    name: str

    @property
    def key(self) -> str:
        """``deliverable:3``, ``phase:7``."""
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class ChecklistRow:
    """One standard and its latest check against each target (None where it was never checked)."""

    standard: QualityStandard
    cells: list[tuple[Target, QualityCheck | None]]


@dataclass(frozen=True)
class Checklist:
    """Standards × deliverables and phases, each pair with its latest check."""

    targets: list[Target]
    rows: list[ChecklistRow]


def _checks_of(user: Viewer, project: Project) -> QuerySet[QualityCheck]:
    """The checks the user reads: of standards they read, of deliverables and phases they read."""
    return (
        QualityCheck.objects.visible_to(user)
        .filter(standard__project=project)
        .filter(
            Q(deliverable__in=deliverables_of(user, project).values("pk"))
            | Q(phase__in=phases_of(user, project).values("pk"))
        )
    )


def checklist(user: Viewer, project: Project) -> Checklist:
    """The checklist matrix in five queries, whatever the number of standards, targets and checks."""
    standards = list(standards_of(user, project))
    targets = [Target("deliverable", d.pk, d.name) for d in deliverables_of(user, project).only("id", "name")]
    targets += [Target("phase", t.pk, t.name) for t in phases_of(user, project).only("id", "name")]
    checks = _checks_of(user, project)
    # Checks are only ever added, so the latest check of a pair is the one with the highest id.
    latest_ids = (
        checks.order_by()
        .values("standard_id", "deliverable_id", "phase_id")
        .annotate(last=Max("id"))
        .values_list("last", flat=True)
    )
    latest: dict[tuple[int, str], QualityCheck] = {}
    for check in QualityCheck.objects.filter(pk__in=list(latest_ids)).select_related("checked_by"):
        key = f"deliverable:{check.deliverable_id}" if check.deliverable_id else f"phase:{check.phase_id}"
        latest[(check.standard_id, key)] = check
    rows = [
        ChecklistRow(standard, [(target, latest.get((standard.pk, target.key))) for target in targets])
        for standard in standards
    ]
    return Checklist(targets, rows)


def check_history(
    user: Viewer,
    standard: QualityStandard,
    *,
    deliverable_id: int | None = None,
    phase_id: int | None = None,
) -> QuerySet[QualityCheck]:
    """The checks of one standard against one deliverable or phase the user reads, newest first."""
    checks = _checks_of(user, standard.project).filter(standard=standard)
    if deliverable_id is not None:
        checks = checks.filter(deliverable_id=deliverable_id)
    elif phase_id is not None:
        checks = checks.filter(phase_id=phase_id)
    return checks.select_related("checked_by", "deliverable", "phase").order_by("-checked_at", "-id")


# ---------------------------------------------------------------- writes


def _text_rules() -> dict[str, Any]:
    return {"text_fields": ("title", "description")}


@transaction.atomic
def do_add_standard(project: Project, *, actor: User, **data: Any) -> QualityStandard:
    """Add a quality standard (whoever edits the charter)."""
    require(can_edit_standards(actor, project))
    values = dict(data)
    if values.get("position") is None:
        values.pop("position", None)
        last = QualityStandard.objects.filter(project=project).aggregate(m=Max("position"))["m"]
        values["position"] = (last or 0) + 1
    return updates.create_audited(
        QualityStandard,
        values,
        fields=STANDARD_FIELDS,
        actor=actor,
        initial={"project": project},
        audited=("title",),
        **_text_rules(),
    )


@transaction.atomic
def do_update_standard(
    standard: QualityStandard, *, actor: User, version: int | None, **data: Any
) -> QualityStandard:
    """Change a standard based on the version read."""
    require(can_edit_standards(actor, standard.project))
    return updates.update_versioned(
        standard,
        data,
        fields=STANDARD_FIELDS,
        version=version,
        actor=actor,
        conflict_message=_("Someone changed this quality standard since you opened it."),
        **_text_rules(),
    ).instance


@transaction.atomic
def do_delete_standard(standard: QualityStandard, *, actor: User, version: int | None) -> None:
    """Remove a standard and its checks, based on the version read."""
    require(can_edit_standards(actor, standard.project))
    updates.delete_versioned(standard, version=version, actor=actor, audited=("title",))


@transaction.atomic
def do_import_standards_from_charter(project: Project, *, actor: User) -> list[QualityStandard]:
    """One standard per line of the charter's quality standards section, skipping titles already there."""
    require(can_edit_standards(actor, project))
    section = CharterSection.objects.filter(project=project, key=CharterSectionKey.QUALITY_STANDARDS).first()
    present = set(QualityStandard.objects.filter(project=project).values_list("title", flat=True))
    visibility = getattr(section, "visibility", Visibility.SHARED)
    made = []
    for title in standard_lines(section.body if section is not None else ""):
        if title in present:
            continue
        made.append(do_add_standard(project, actor=actor, title=title, visibility=visibility))
        present.add(title)
    return made


def _target_cleaners(actor: Viewer, project: Project) -> dict[str, updates.Cleaner]:
    return {
        "deliverable_id": row_id(
            "deliverable_id", deliverables_of(actor, project), _("No such deliverable in this project.")
        ),
        "phase_id": row_id("phase_id", phases_of(actor, project), _("No such phase in this project.")),
    }


def _check_visibility(check: QualityCheck) -> str:
    """A check's record is shared only when its standard and its deliverable or phase are."""
    target = check.deliverable if check.deliverable_id else check.phase
    shared = check.standard.visibility == Visibility.SHARED and target is not None and target.is_shared
    return Visibility.SHARED if shared else Visibility.INTERNAL


@transaction.atomic
def do_record_check(
    standard: QualityStandard,
    *,
    actor: User,
    result: str,
    note: str = "",
    deliverable_id: Any = None,
    phase_id: Any = None,
) -> QualityCheck:
    """Record a check of one deliverable or one phase the actor sees against ``standard``."""
    project = standard.project
    require(can_check_quality(actor, project))
    if (deliverable_id in (None, "")) == (phase_id in (None, "")):
        raise ValidationError({"deliverable_id": [_("Name either a deliverable or a phase.")]})
    if result not in CheckResult.values:
        raise ValidationError({"result": [_("Unknown result.")]})
    values: Mapping[str, Any] = {
        "result": result,
        "note": note,
        **(
            {"deliverable_id": deliverable_id} if deliverable_id not in (None, "") else {"phase_id": phase_id}
        ),
    }
    return updates.create_audited(
        QualityCheck,
        values,
        fields=("result", "note", "deliverable_id", "phase_id"),
        actor=actor,
        project=project,
        verb="checked",
        initial={"standard": standard, "checked_by": actor, "checked_at": timezone.now()},
        text_fields=("note",),
        clean=_target_cleaners(actor, project),
        audited=("result", "note"),
        visibility=_check_visibility,
        label=standard.title,
    )
