"""The write side of status reports: generate, edit, submit, approve or return, send; settings.

Each verb is one transaction with the permission check, the optimistic version check, validation and
the audit record. A sent report never changes: every verb refuses it with a conflict (409). Sending
makes the report shared, stores the rendered snapshot, and after commit emails every recipient.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from tandem.accounts.models import User
from tandem.communication.delivery import publish
from tandem.core import audit, updates
from tandem.core.choices import Visibility
from tandem.core.errors import ConflictError
from tandem.core.validation import full_clean
from tandem.meetings.choices import CommunicationKind
from tandem.meetings.services import record_fulfilment
from tandem.projects import permissions as project_permissions
from tandem.projects.choices import DecisionKind, Role
from tandem.projects.models import Membership, Project
from tandem.reports import generation, mailing, permissions, queries, rag, rendering
from tandem.reports.choices import ReportStatus
from tandem.reports.models import ReportSettings, StatusReport

#: Narrative fields the author edits (Markdown), and the rest of what an edit may set.
NARRATIVE_FIELDS = ("summary", "achievements", "next_steps", "help_needed")
EDIT_FIELDS = ("title", *NARRATIVE_FIELDS, "rag_override", "rag_override_reason")
#: Statuses in which the narrative may still be edited.
EDITABLE_STATUSES = (ReportStatus.DRAFT,)


def _refuse_sent(report: StatusReport) -> None:
    if report.is_sent:
        raise ConflictError(
            _("This report was sent on %(date)s and can no longer change.")
            % {
                "date": timezone.localtime(report.sent_at).strftime("%Y-%m-%d %H:%M")
                if report.sent_at
                else ""
            },
            current_version=report.version,
        )


def _language(project: Project, language: str | None) -> str:
    value = (language or project.language or "en").lower()
    if value not in ("en", "zh-hans"):
        raise ValidationError({"language": [_("Choose English or Simplified Chinese.")]})
    return value


def _reader(project: Project, actor: User | None) -> User:
    """Whose memberships the facts are read with (always through the client's eyes)."""
    if actor is not None:
        return actor
    membership = (
        Membership.objects.filter(project=project, role=Role.PROJECT_MANAGER).select_related("user").first()
        or Membership.objects.filter(project=project).select_related("user").order_by("id").first()
    )
    if membership is None:
        raise ValidationError({"project": [_("The project has no members to report to.")]})
    return membership.user


def default_title(project: Project, period_end: dt.date, language: str) -> str:
    """ "Status report ERP upgrade · 2026-03-06" in the report's language."""
    with override(language):
        return _("Status report %(project)s · %(date)s") % {
            "project": project.name,
            "date": period_end.isoformat(),
        }


@transaction.atomic
def generate_report(
    project: Project,
    *,
    period_start: dt.date,
    period_end: dt.date,
    actor: User | None,
    item: Any = None,
    slot: dt.datetime | None = None,
    language: str | None = None,
    now: dt.datetime | None = None,
) -> StatusReport:
    """A new draft report of the period, generated from live data (shared records only).

    ``actor`` None is the scheduler: the facts are read as the project's manager sees the client's view.
    """
    if actor is not None:
        permissions.require_write(actor, project)
    if period_start is None or period_end is None:
        raise ValidationError({"period_start": [_("Give the first and last day of the period.")]})
    if period_start > period_end:
        raise ValidationError({"period_end": [_("The period must end on or after its first day.")]})
    if (period_end - period_start).days > 366:
        raise ValidationError({"period_end": [_("A report covers at most a year.")]})
    lang = _language(project, language)
    moment = now or timezone.now()
    facts = generation.collect_facts(
        project, actor=_reader(project, actor), period_start=period_start, period_end=period_end, now=moment
    )
    narrative = generation.default_narrative(facts, lang)
    report = StatusReport(
        project=project,
        slot=slot,
        period_start=period_start,
        period_end=period_end,
        title=default_title(project, period_end, lang),
        language=lang,
        status=ReportStatus.DRAFT,
        visibility=Visibility.INTERNAL,
        facts=facts,
        rag=facts["rag"]["overall"],
        generated_by=actor,
        generated_at=moment,
        **narrative,
    )
    if item is not None:
        if item.project_id != project.pk or item.kind != CommunicationKind.STATUS_REPORT:
            raise ValidationError(
                {"item": [_("Choose a status-report entry of this project's communication plan.")]}
            )
        report.item = item
    full_clean(report)
    report.save()
    audit.record(
        actor=actor,
        verb="generated",
        target=report,
        project=project,
        visibility=Visibility.INTERNAL,
        changes={"period": [period_start.isoformat(), period_end.isoformat()], "rag": report.rag},
    )
    return report


@transaction.atomic
def do_edit_report(report: StatusReport, *, actor: User, version: int | None, **data: Any) -> StatusReport:
    """Change the title, the narrative or the (only ever worse) overall rating of a draft."""
    permissions.require_write(actor, report.project)

    def draft(current: StatusReport) -> None:
        """Only a draft's narrative changes."""
        if current.status not in EDITABLE_STATUSES:
            raise ValidationError(
                {"status": [_("Only a draft can be edited; ask the approver to return it first.")]}
            )

    how: dict[str, Any] = {
        "verb": "edited",
        "check": draft,
        "prepare": _check_rating,
        "record_unchanged": True,
    }
    how.update(clean={name: _strip for name in EDIT_FIELDS}, refuse=_refuse_sent)
    return updates.update_versioned(
        report, data, fields=EDIT_FIELDS, version=version, actor=actor, **how
    ).instance


def _strip(value: Any) -> Any:
    """A text without surrounding blanks ("" for None); other values as they are."""
    return (value or "").strip() if isinstance(value, str) or value is None else value


def _check_rating(current: StatusReport, before: Mapping[str, Any] | None = None) -> None:
    """A rating only ever worse than the data's, with its reason, and a title."""
    if current.rag_override and current.rag_override not in ("green", "amber", "red"):
        raise ValidationError({"rag_override": [_("Choose red, amber or green.")]})
    if not rag.check_override(current.rag, current.rag_override):
        raise ValidationError(
            {"rag_override": [_("The status may only be set worse than the data says, never better.")]}
        )
    if current.rag_override and not current.rag_override_reason:
        raise ValidationError({"rag_override_reason": [_("Say why the status is worse than computed.")]})
    if not current.rag_override:
        current.rag_override_reason = ""
    if not current.title:
        raise ValidationError({"title": [_("This field cannot be blank.")]})


def _step(
    report: StatusReport,
    status: str,
    verb: str,
    version: int | None,
    actor: User | None,
    allowed: tuple[str, ...],
    message: str,
    *,
    prepare: Callable[[StatusReport, Mapping[str, Any]], None] | None = None,
    extra: Mapping[str, Any] | None = None,
    **how: Any,
) -> StatusReport:
    """Move a report that is in one of the ``allowed`` statuses to ``status``, versioned and audited."""

    def more(current: StatusReport, changes: dict[str, Any]) -> None:
        """What the record tells beside the status."""
        changes.update(extra or {})

    how.update(verb=verb, refuse=_refuse_sent, check=updates.in_state(allowed, message))
    return updates.move(
        report, status, version=version, actor=actor, prepare=prepare, before_save=more, **how
    )


@transaction.atomic
def do_submit_report(report: StatusReport, *, actor: User, version: int | None) -> StatusReport:
    """Ask the holders of "approve status report" to approve a draft."""
    permissions.require_write(actor, report.project)
    message = _("Only a draft can be submitted for approval.")
    current = _step(
        report, ReportStatus.AWAITING_APPROVAL, "submitted", version, actor, (ReportStatus.DRAFT,), message
    )
    _publish(current, event="report.awaiting_approval", actor=actor)
    report_id = current.pk
    transaction.on_commit(lambda: mailing.notify_report.enqueue(report_id, "awaiting_approval"))
    return current


@transaction.atomic
def do_approve_report(report: StatusReport, *, actor: User, version: int | None) -> StatusReport:
    """Approve a report awaiting approval (holders of the decision right)."""
    project_permissions.require_decision(actor, report.project, DecisionKind.APPROVE_STATUS_REPORT)

    def approver(current: StatusReport, before: Mapping[str, Any]) -> None:
        """Who approved, when."""
        current.approved_by = actor
        current.approved_at = timezone.now()

    message = _("Only a report awaiting approval can be approved.")
    awaiting = (ReportStatus.AWAITING_APPROVAL,)
    return _step(
        report, ReportStatus.APPROVED, "approved", version, actor, awaiting, message, prepare=approver
    )


@transaction.atomic
def do_return_report(
    report: StatusReport, *, actor: User, version: int | None, reason: str = ""
) -> StatusReport:
    """Send a report awaiting approval (or approved, not yet sent) back to draft, with a reason."""
    project_permissions.require_decision(actor, report.project, DecisionKind.APPROVE_STATUS_REPORT)

    def unapprove(current: StatusReport, before: Mapping[str, Any]) -> None:
        """A returned report is approved by nobody."""
        current.approved_by = None
        current.approved_at = None

    message = _("Only a report awaiting approval can be returned.")
    allowed, extra = (
        (ReportStatus.AWAITING_APPROVAL, ReportStatus.APPROVED),
        {"reason": (reason or "").strip()[:2000]},
    )
    return _step(
        report,
        ReportStatus.DRAFT,
        "returned",
        version,
        actor,
        allowed,
        message,
        prepare=unapprove,
        extra=extra,
    )


def recipients_for(report: StatusReport, item: Any = None) -> list[User]:
    """Who receives the report: the plan item's audience roles, else every member on both sides."""
    memberships = Membership.objects.filter(project=report.project, user__is_active=True).select_related(
        "user"
    )
    roles = list(getattr(item, "audience_roles", None) or [])
    if roles:
        memberships = memberships.filter(role__in=roles)
    people: dict[int, User] = {}
    for membership in memberships.order_by("side", "id"):
        if membership.user.email:
            people.setdefault(membership.user.pk, membership.user)
    return list(people.values())


def _publish(report: StatusReport, *, event: str, actor: User | None) -> None:
    """Tell the project's chat and webhooks, in the report's language (drafts only to internal ones)."""
    with override(report.language):
        if event == "report.sent":
            title = _("Status report sent: %(title)s") % {"title": report.title}
        else:
            title = _("Status report awaiting approval: %(title)s") % {"title": report.title}
        text = _("Overall status: %(rag)s.") % {"rag": rendering.rag_label(report.shown_rag)}
    publish(
        report.project,
        event=event,
        title=title,
        text=text,
        url=rendering.page_url(report),
        shared=report.is_sent,
        actor=actor,
    )


def _record_fulfilment(report: StatusReport, *, item: Any, actor: User | None, at: dt.datetime) -> None:
    """Tell the communication plan that its status-report item was fulfilled by this report."""
    if item is None:
        return
    record_fulfilment(item, at=at, source=report, label=report.title, actor=actor)


@transaction.atomic
def do_send_report(
    report: StatusReport,
    *,
    actor: User | None,
    version: int | None,
    at: dt.datetime | None = None,
    deliver: bool = True,
) -> StatusReport:
    """Send a report: shared from now on, snapshot stored, one email per recipient after commit.

    When the project requires approval, only an approved report is sent. ``actor`` None is the
    scheduler sending an auto-send report; ``at`` the moment it counts as sent (the clock's tick).
    ``deliver=False`` (the demo loader) records the sending without emails, notifications or webhooks.
    """
    project = report.project
    if actor is not None:
        permissions.require_write(actor, project)
    required = queries.settings_for(project).require_approval
    sent: dict[str, Any] = {}

    def ready(current: StatusReport) -> None:
        """Approved when the project asks for it, and not awaiting approval."""
        if required and current.status != ReportStatus.APPROVED:
            raise ValidationError({"status": [_("This project requires approval before a report is sent.")]})
        waiting = _("A report awaiting approval cannot be sent yet.")
        updates.in_state((ReportStatus.DRAFT, ReportStatus.APPROVED), waiting)(current)

    def snapshot(current: StatusReport, before: Mapping[str, Any]) -> None:
        """Shared from now on, with its recipients and the snapshot of what was sent."""
        sent["item"] = current.item
        people = recipients_for(current, sent["item"])
        sent["count"] = len(people)
        current.visibility = Visibility.SHARED
        current.sent_by = actor
        current.sent_at = now
        current.recipients = [p.email for p in people]
        # The snapshot: what was sent is what the page shows from now on.
        current.sent_html = str(rendering.render_body(current))
        current.sent_markdown = rendering.render_markdown_text(current)
        current.sent_text = rendering.render_plain_text(current)

    now = at or timezone.now()
    how: dict[str, Any] = {"verb": "sent", "refuse": _refuse_sent, "check": ready, "validate": True}
    # What the client may read of it: it was sent, to how many people.
    how.update(
        visibility=Visibility.SHARED,
        before_save=lambda row, changes: changes.update(recipients=sent["count"]),
    )
    current = updates.move(report, ReportStatus.SENT, version=version, actor=actor, prepare=snapshot, **how)
    item = sent["item"]
    _record_fulfilment(current, item=item, actor=actor, at=now)
    if deliver:
        report_id = current.pk
        transaction.on_commit(lambda: mailing.send_report_emails.enqueue(report_id))
        transaction.on_commit(lambda: mailing.notify_report.enqueue(report_id, "sent"))
        _publish(current, event="report.sent", actor=actor)
    return current


@transaction.atomic
def do_update_report_settings(
    project: Project, *, actor: User, version: int | None, require_approval: bool
) -> ReportSettings:
    """Say whether the project's reports need approval before they are sent (version 0 the first time)."""
    permissions.require_configure(actor, project)
    current = ReportSettings.objects.select_for_update().filter(project=project).first()
    if current is None:
        current = ReportSettings(project=project, version=0)
    how: dict[str, Any] = {"visibility": Visibility.INTERNAL, "lock": False, "record_unchanged": True}
    how.update(fields=("require_approval",), label=_("Report settings"))
    wanted = {"require_approval": bool(require_approval)}
    return updates.update_versioned(current, wanted, version=version, actor=actor, **how).instance
