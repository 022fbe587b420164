"""Background jobs of planning: the plan exported as MSPDI XML, Excel or CSV when it is big."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from tandem.core.jobs import JobKind, JobOutput, Progress, one_of, register
from tandem.core.scoping import Viewer
from tandem.planning import interop
from tandem.planning.models import Task
from tandem.projects.models import Project

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PlanExport(JobKind):
    """The plan the requester may see, in one of the export formats (the synchronous exports' functions)."""

    name = "plan_export"
    label = _("Plan export")
    parameters = {"format": one_of("mspdi", "xlsx", "csv")}

    def is_big(self, user: Viewer, project: Project, params: dict[str, Any]) -> bool:
        """On a plan of over ``JOBS_PLAN_EXPORT_OVER`` tasks."""
        return Task.objects.filter(project=project).count() > settings.JOBS_PLAN_EXPORT_OVER

    def build(self, user: Viewer, project: Project, params: dict[str, Any], progress: Progress) -> JobOutput:
        """One call of the export function; the file has the synchronous download's name and type."""
        progress.begin(gettext_noop("Exporting the plan"), 1)
        code = project.code
        if params["format"] == "mspdi":
            output = JobOutput(interop.export_mspdi(user, project), f"{code}-plan.xml", "application/xml")
        elif params["format"] == "xlsx":
            output = JobOutput(interop.export_xlsx(user, project), f"{code}-plan.xlsx", XLSX)
        else:
            text = "\ufeff" + interop.export_csv(user, project)
            output = JobOutput(text.encode(), f"{code}-plan.csv", "text/csv; charset=utf-8")
        progress.advance()
        return output


PLAN_EXPORT = register(PlanExport())
