"""The read side of status reports: the reports a user may see and the project's report settings.

A client sees sent reports only (they are the shared ones); drafts stay with the team and whoever
writes or approves reports. A report the user may not see answers 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from tandem.core.scoping import Viewer
from tandem.projects.models import Project
from tandem.reports import permissions
from tandem.reports.choices import ReportStatus
from tandem.reports.models import ReportSettings, StatusReport


def reports_of(
    user: Viewer, project: Project, *, status: str = "", search: str = ""
) -> QuerySet[StatusReport]:
    """The project's reports the user may see, newest period first."""
    if permissions.sees_drafts(user, project):
        qs = StatusReport.objects.filter(project=project)
    else:
        qs = StatusReport.objects.visible_to(user).filter(project=project, status=ReportStatus.SENT)
    qs = qs.select_related("generated_by", "approved_by", "sent_by")
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(title__icontains=search)
    return qs.order_by("-period_end", "-id")


def access_report(user: Viewer, project: Project, pk: Any) -> StatusReport:
    """A report of ``project`` the user may see; otherwise ``Http404``."""
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise Http404(_("No such report.")) from None
    report = reports_of(user, project).filter(pk=number).first()
    if report is None:
        raise Http404(_("No such report."))
    report.project = project
    return report


def settings_for(project: Project) -> ReportSettings:
    """The project's report settings (defaults, version 0, when none were stored)."""
    found = ReportSettings.objects.filter(project=project).first()
    return found if found is not None else ReportSettings(project=project, version=0)
