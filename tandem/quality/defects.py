"""Filing defects: the one builder every way of raising a defect goes through (the defect form, a failed
step of a test run, a rejected acceptance criterion)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet

from tandem.accounts.models import User
from tandem.core import updates
from tandem.core.choices import Visibility
from tandem.planning.models import Task
from tandem.projects.models import Deliverable
from tandem.projects.permissions import is_team
from tandem.quality.cleaners import row_id
from tandem.quality.models import AcceptanceRequest, Defect
from tandem.quality.numbering import next_codes
from tandem.quality.permissions import can_file_defect, can_triage, require
from tandem.quality.scope import cases_of, runs_of
from tandem.requirements.models import Requirement

if TYPE_CHECKING:
    from tandem.projects.models import Project

#: Fields a reporter sets when filing.
FILED_FIELDS = (
    "title",
    "description",
    "steps_to_reproduce",
    "severity",
    "priority",
    "visibility",
    "test_case_id",
    "test_run_id",
    "step_number",
    "requirement_id",
    "task_id",
    "deliverable_id",
)
#: Fields only the team's triage sets (the triage note never reaches a client).
TRIAGE_FIELDS = ("assignee_id", "internal_note")
#: Fields set by the services that raise a defect from another record, never by a form.
SERVICE_FIELDS = ("acceptance_id",)
TEXT_FIELDS = ("title", "description", "steps_to_reproduce", "internal_note")


def defect_cleaners(actor: User, project: Project) -> dict[str, updates.Cleaner]:
    """The id cleaners of a defect's links: rows of the project the actor sees."""
    return {
        "test_case_id": row_id("test_case_id", cases_of(actor, project)),
        "test_run_id": row_id("test_run_id", runs_of(actor, project)),
        "requirement_id": row_id(
            "requirement_id", Requirement.objects.visible_to(actor).filter(project=project)
        ),
        "task_id": row_id("task_id", Task.objects.visible_to(actor).filter(project=project)),
        "deliverable_id": row_id(
            "deliverable_id", Deliverable.objects.visible_to(actor).filter(project=project)
        ),
        "acceptance_id": row_id(
            "acceptance_id", AcceptanceRequest.objects.visible_to(actor).filter(project=project)
        ),
        "assignee_id": row_id("assignee_id", _member_users(project)),
    }


def _member_users(project: Project) -> QuerySet[User]:
    return User.objects.filter(memberships__project=project, is_active=True)


@transaction.atomic
def do_file_defect(project: Project, *, actor: User, data: Mapping[str, Any]) -> Defect:
    """File a defect from ``data`` (the fields of ``FILED_FIELDS``; the triage fields for the team).

    A client's defect is always shared. Every linked id must be a row the actor sees (422 naming it).
    """
    require(can_file_defect(actor, project))
    fields = [*FILED_FIELDS, *SERVICE_FIELDS]
    if can_triage(actor, project):
        fields += TRIAGE_FIELDS
    values = dict(data)
    if not is_team(actor, project):
        values["visibility"] = Visibility.SHARED
    initial = {"project": project, "reported_by": actor, "code": next_codes(Defect, project)[0]}
    return updates.create_audited(
        Defect,
        values,
        fields=fields,
        actor=actor,
        project=project,
        verb="filed",
        initial=initial,
        text_fields=TEXT_FIELDS,
        clean=defect_cleaners(actor, project),
        audited=("title", "severity", "priority", "status"),
    )
