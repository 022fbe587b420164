"""The project's navigation: seven sections, each with its pages, the same for both sides.

A project page belongs to one *page* of one *section*, found by the URL name of the request (a task
form belongs to "Schedule" in "Plan"). The header shows the sections; the current section's pages
show beneath it as sub-navigation. A page may be hidden from those who cannot use it (``visible``);
the section's tab leads to its first page the reader may open.

New pages join a section here, by URL name; a new section is the last resort — there are at most
seven, so that the bar fits a laptop and a phone (docs/navigation.md).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tandem.communication import permissions as communication_permissions
from tandem.costs import time_permissions
from tandem.pulses import queries as pulse_queries

#: The most sections the project bar holds.
MAX_SECTIONS = 7

Scope = Any  # tandem.web.views.base.ProjectScope (a view module; imported lazily by its users)


@dataclass(frozen=True)
class Page:
    """One entry of a section's sub-navigation."""

    key: str
    label: str | Promise
    #: The URL name the entry leads to (it takes the project's code and nothing else).
    url_name: str
    #: Further URL names that belong to this page (its forms, details, actions).
    matches: tuple[str, ...] = ()
    #: Who sees the entry; None: everyone who reads the project.
    visible: Callable[[Scope], bool] | None = None
    #: Whether the link keeps the team's client preview (pages a client never opens do not).
    keeps_preview: bool = True

    def shown_to(self, scope: Scope) -> bool:
        return self.visible is None or bool(self.visible(scope))

    def owns(self, url_name: str) -> bool:
        return url_name == self.url_name or url_name in self.matches


@dataclass(frozen=True)
class Section:
    """One tab of the project bar."""

    key: str
    label: str | Promise
    pages: tuple[Page, ...] = field(default_factory=tuple)


def _can_log_time(scope: Scope) -> bool:
    return time_permissions.can_log_time(scope.viewer, scope.project)


def _approves_time(scope: Scope) -> bool:
    return time_permissions.is_time_keeper(
        scope.viewer, scope.project
    ) or time_permissions.is_client_approver(scope.viewer, scope.project)


def _sets_time(scope: Scope) -> bool:
    return time_permissions.can_edit_cost_settings(scope.viewer, scope.project)


def _manages_integrations(scope: Scope) -> bool:
    return not scope.preview and communication_permissions.can_manage_integrations(scope.user, scope.project)


def _edits_project(scope: Scope) -> bool:
    return bool(scope.can_edit_project)


def _sees_pulse_results(scope: Scope) -> bool:
    return bool(scope.team) or pulse_queries.shares_results(scope.project)


def _team(scope: Scope) -> bool:
    return bool(scope.team)


SECTIONS: tuple[Section, ...] = (
    Section(
        "overview",
        pgettext_lazy("project section", "Overview"),
        (
            Page(
                "home",
                pgettext_lazy("project page", "Home"),
                "project_home",
                ("charter_confirm",),
            ),
            Page(
                "charter",
                _("Charter and RACI"),
                "charter",
                ("section_edit", "raci_edit", "item_create", "item_edit", "item_delete", "kpi_detail"),
            ),
            Page("members", _("Members"), "members", ("member_role", "member_remove", "invitation_revoke")),
            Page("decisions", _("Decision rights"), "decisions", ("decision_right_edit",)),
            Page("guide", _("Guide"), "guide", ("guide_open", "guide_dismiss")),
            Page("handbook", _("Handbook"), "handbook"),
            Page(
                "training",
                _("Training"),
                "training",
                (
                    "training_item_create",
                    "training_item_edit",
                    "training_item_delete",
                    "training_item_done",
                    "training_item_file",
                ),
            ),
            Page("notes", _("Notes"), "notes", ("note_edit", "note_delete")),
            Page("activity", _("Activity"), "activity"),
            Page("jobs", _("Downloads"), "jobs", ("job_detail", "job_file")),
            Page("settings", _("Settings"), "project_edit", visible=_edits_project, keeps_preview=False),
        ),
    ),
    Section(
        "plan",
        _("Plan"),
        (
            Page(
                "schedule",
                _("Schedule"),
                "plan",
                (
                    "plan_gantt",
                    "plan_gantt_data",
                    "plan_board",
                    "plan_list",
                    "plan_timeline",
                    "plan_task_dates",
                    "plan_task_status",
                    "plan_link_add",
                    "plan_task_create",
                    "plan_task_edit",
                    "plan_task_delete",
                    "plan_task_link_add",
                    "plan_task_assign",
                    "plan_task_assignment_add",
                    "plan_task_assignment_edit",
                    "plan_task_assignment_remove",
                    "plan_task_link_edit",
                    "plan_task_link_remove",
                ),
            ),
            Page(
                "baselines",
                _("Baselines"),
                "plan_baselines",
                ("plan_baseline_approve", "plan_baseline_compare"),
            ),
            Page("workload", _("Workload"), "project_workload"),
        ),
    ),
    Section(
        "scope",
        _("Scope and changes"),
        (
            Page(
                "requirements",
                _("Requirements"),
                "requirements",
                (
                    "requirement_create",
                    "requirements_reorder",
                    "requirements_from_notes",
                    "requirements_import",
                    "requirements_pdf",
                    "requirements_xlsx",
                    "requirement_detail",
                    "requirement_edit",
                    "requirement_move",
                    "requirement_status",
                    "requirement_confirm",
                    "requirement_link",
                    "requirement_unlink",
                ),
            ),
            Page("traceability", _("Traceability"), "requirements_traceability"),
            Page(
                "changes",
                _("Change requests"),
                "changes",
                (
                    "change_create",
                    "change_detail",
                    "change_update",
                    "change_edit_add",
                    "change_edit_delete",
                    "change_impact",
                    "change_submit",
                    "change_withdraw",
                    "change_decide",
                ),
            ),
        ),
    ),
    Section(
        "risks",
        _("Risks and decisions"),
        (
            Page(
                "risks",
                _("Risk register"),
                "risks",
                (
                    "risk_create",
                    "risk_detail",
                    "risk_edit",
                    "risk_occurred",
                    "risk_action_add",
                    "risk_action_done",
                    "risk_action_task",
                    "register_export",
                    "register_import",
                ),
            ),
            Page("risk_overview", _("Heat map and reviews"), "risk_overview"),
            Page(
                "client_decisions",
                _("Client decisions"),
                "client_decisions",
                (
                    "decision_create",
                    "decision_detail",
                    "decision_edit",
                    "decision_decide",
                    "decision_withdraw",
                ),
            ),
            Page("issues", _("Issue log"), "issues", ("issue_create", "issue_edit")),
            Page("conflicts", _("Conflict log"), "conflicts", ("conflict_create", "conflict_edit")),
        ),
    ),
    Section(
        "communication",
        _("Communication"),
        (
            Page(
                "reports",
                _("Reports"),
                "reports",
                (
                    "report_generate",
                    "report_settings",
                    "report_detail",
                    "report_edit",
                    "report_pdf",
                    "report_markdown",
                    "report_action",
                ),
            ),
            Page(
                "meetings",
                _("Meetings"),
                "meetings",
                (
                    "meeting_create",
                    "meeting",
                    "meeting_edit",
                    "meeting_ics",
                    "meeting_minutes",
                    "meeting_agenda_add",
                    "meeting_agenda_delete",
                    "meeting_attendee_add",
                    "meeting_attendee_remove",
                    "meeting_attendance",
                    "meeting_decision_add",
                    "meeting_action_add",
                    "meeting_action_status",
                    "meeting_action_task",
                    "meeting_state",
                ),
            ),
            Page(
                "communication_plan",
                _("Communication plan"),
                "communication_plan",
                (
                    "communication_item_create",
                    "communication_item_edit",
                    "communication_item_deactivate",
                    "communication_item_done",
                ),
            ),
            Page(
                "pulses",
                _("Satisfaction"),
                "pulses",
                (
                    "pulse_settings",
                    "pulse_send",
                    "pulse_survey_new",
                    "pulse_detail",
                    "pulse_follow_up_close",
                ),
                visible=_sees_pulse_results,
            ),
            Page(
                "integrations",
                _("Integrations"),
                "webhooks",
                ("webhook_edit", "webhook_delete", "webhook_test", "webhook_deliveries", "delivery_retry"),
                visible=_manages_integrations,
                keeps_preview=False,
            ),
        ),
    ),
    Section(
        "cost",
        _("Cost"),
        (
            Page("budget", _("Budget"), "budget"),
            Page("evm", _("Earned value"), "evm"),
            Page(
                "expenses",
                _("Expenses"),
                "expenses",
                ("expense_export", "expense_detail", "expense_action", "expense_receipt"),
            ),
            Page(
                "time",
                _("My time"),
                "timesheet",
                ("timesheet_submit",),
                visible=_can_log_time,
                keeps_preview=False,
            ),
            Page(
                "approvals",
                _("Time approvals"),
                "time_approvals",
                ("timesheet_approve", "timesheet_client_approve", "timesheet_reject", "time_export"),
                visible=_approves_time,
                keeps_preview=False,
            ),
            Page(
                "time_settings", _("Time settings"), "cost_settings", visible=_sets_time, keeps_preview=False
            ),
        ),
    ),
    Section(
        "quality",
        _("Quality and acceptance"),
        (
            Page("overview", pgettext_lazy("quality", "Overview"), "quality", ("my_tests",)),
            Page(
                "cycles",
                _("Test cycles"),
                "test_cycles",
                (
                    "test_cycle_new",
                    "test_cycle_detail",
                    "test_cycle_edit",
                    "test_cycle_export",
                    "test_run",
                    "test_evidence",
                ),
            ),
            Page(
                "cases",
                _("Test cases"),
                "test_cases",
                (
                    "test_case_new",
                    "test_case_import",
                    "test_case_export",
                    "test_case_detail",
                    "test_case_edit",
                    "test_case_action",
                ),
            ),
            Page(
                "defects",
                _("Defects"),
                "defects",
                ("defect_new", "defect_export", "defect_detail", "defect_edit"),
            ),
            Page("coverage", _("Coverage"), "coverage", ("coverage_export",)),
            Page(
                "acceptance",
                _("Acceptance"),
                "acceptances",
                (
                    "acceptance_new",
                    "acceptance_export",
                    "acceptance_detail",
                    "acceptance_edit",
                    "acceptance_document",
                    "acceptance_certificate",
                ),
            ),
            Page("standards", _("Quality standards"), "quality_standards"),
        ),
    ),
)

assert len(SECTIONS) <= MAX_SECTIONS, "the project bar holds at most seven sections"


@dataclass(frozen=True)
class Link:
    """An entry as the template draws it."""

    key: str
    label: str | Promise
    href: str
    current: bool


@dataclass(frozen=True)
class ProjectNav:
    """The project bar for one request: the sections, and the current section's pages."""

    sections: list[Link]
    pages: list[Link]
    section: str | None
    page: str | None


def locate(url_name: str | None) -> tuple[Section | None, Page | None]:
    """The section and page a URL name belongs to (None, None for a URL no page claims)."""
    if url_name:
        for section in SECTIONS:
            for page in section.pages:
                if page.owns(url_name):
                    return section, page
    return None, None


def _href(page: Page, scope: Scope) -> str | None:
    url = _project_url(get_script_prefix(), page.url_name, scope.project.code)
    if url is None:
        return None
    return url + (scope.query_suffix if page.keeps_preview else "")


@functools.lru_cache(maxsize=4096)
def _project_url(prefix: str, url_name: str, code: str) -> str | None:
    """A project page's address (None for a page whose view is not installed), reversed once per
    process: every page's bar names about forty of them, and ``reverse`` costs tens of microseconds
    each. The script prefix is part of the key, as ``reverse`` reads it."""
    try:
        return reverse(f"web:{url_name}", args=[code])
    except NoReverseMatch:
        return None


def build(scope: Scope, url_name: str | None) -> ProjectNav:
    """The sections the reader may open (each leading to its first visible page) and the current
    section's visible pages."""
    current_section, current_page = locate(url_name)
    sections: list[Link] = []
    pages: list[Link] = []
    for section in SECTIONS:
        visible = [
            (page, href) for page in section.pages if page.shown_to(scope) and (href := _href(page, scope))
        ]
        if not visible:
            continue
        is_current = current_section is not None and section.key == current_section.key
        sections.append(Link(section.key, section.label, visible[0][1], is_current))
        if is_current:
            pages = [
                Link(page.key, page.label, href, current_page is not None and page.key == current_page.key)
                for page, href in visible
            ]
    return ProjectNav(
        sections=sections,
        pages=pages,
        section=current_section.key if current_section else None,
        page=current_page.key if current_page else None,
    )
