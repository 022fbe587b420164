"""What waits on a person in status reporting: reports awaiting their approval."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tandem.core import inbox
from tandem.projects.choices import DecisionKind
from tandem.projects.inbox import holding, item
from tandem.reports.choices import ReportStatus
from tandem.reports.models import StatusReport

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from tandem.accounts.models import User


def _reports(user: User) -> QuerySet[StatusReport] | None:
    """The rows of ``reports_to_approve`` (None where the user holds "approve status report" nowhere)."""
    seats = holding(user, DecisionKind.APPROVE_STATUS_REPORT)
    if not seats:
        return None
    return StatusReport.objects.visible_to(user).filter(
        project_id__in=list(seats), status=ReportStatus.AWAITING_APPROVAL
    )


def count_reports(user: User) -> QuerySet[StatusReport, tuple[int]] | None:
    """The rows of ``reports_to_approve``, one column (the header's count)."""
    rows = _reports(user)
    return None if rows is None else rows.values_list("pk")


def reports_to_approve(user: User) -> Iterable[inbox.Item]:
    """Status reports awaiting approval in the projects where the user holds "approve status report"
    (a client holder: shared reports only)."""
    rows = _reports(user)
    if rows is None:
        return []
    seats = holding(user, DecisionKind.APPROVE_STATUS_REPORT)
    rows = rows.only(
        "id", "project_id", "title", "version", "period_start", "period_end", "updated_at"
    ).order_by("project_id", "period_end", "id")
    items = []
    for report in rows:
        seat = seats[report.project_id]
        code = seat.project.code
        period = f"{report.period_start.isoformat()} – {report.period_end.isoformat()}"
        items.append(
            item(
                seat,
                kind="status_report",
                kind_label=_("Status report"),
                key=f"status_report:{report.pk}",
                title=report.title,
                action_label=_("Approve"),
                url=reverse("web:report_detail", kwargs={"code": code, "pk": report.pk}),
                since=report.updated_at,
                details=(period,),
                in_place=inbox.InPlace(
                    url=reverse(
                        "web:report_action", kwargs={"code": code, "pk": report.pk, "action": "approve"}
                    ),
                    fields=(("version", str(report.version)),),
                    buttons=(inbox.Button("", "", _("Approve"), "primary"),),
                ),
            )
        )
    return items
