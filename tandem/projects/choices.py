"""Enumerations of the projects app: statuses, roles, decision kinds and their presets."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tandem.core.choices import Side


class ProjectStatus(models.TextChoices):
    """Where a project is in its life."""

    PROPOSED = "proposed", _("Proposed")
    ACTIVE = "active", _("Active")
    ON_HOLD = "on_hold", _("On hold")
    CLOSED = "closed", _("Closed")


class Role(models.TextChoices):
    """A member's role in one project; the first four are the team's, the rest the client's."""

    PROJECT_MANAGER = "pm", _("Project manager")
    LEAD = "lead", _("Lead")
    MEMBER = "member", _("Team member")
    TEAM_VIEWER = "team_viewer", _("Team viewer")
    SPONSOR = "sponsor", _("Sponsor")
    CLIENT_PM = "client_pm", _("Client project manager")
    REVIEWER = "reviewer", _("Reviewer")
    CLIENT_VIEWER = "client_viewer", _("Client viewer")


TEAM_ROLES: frozenset[str] = frozenset({Role.PROJECT_MANAGER, Role.LEAD, Role.MEMBER, Role.TEAM_VIEWER})
CLIENT_ROLES: frozenset[str] = frozenset({Role.SPONSOR, Role.CLIENT_PM, Role.REVIEWER, Role.CLIENT_VIEWER})


def side_of(role: str) -> str:
    """The side (team or client) a role belongs to."""
    return Side.TEAM if role in TEAM_ROLES else Side.CLIENT


class DecisionKind(models.TextChoices):
    """Decisions whose holders each project states explicitly."""

    CONFIRM_CHARTER = "confirm_charter", _("Confirm charter")
    CONFIRM_REQUIREMENT = "confirm_requirement", _("Confirm requirement")
    PRIORITISE_BACKLOG = "prioritise_backlog", _("Prioritise backlog")
    APPROVE_CHANGE = "approve_change", _("Approve change")
    APPROVE_BASELINE = "approve_baseline", _("Approve baseline")
    ACCEPT_DELIVERABLE = "accept_deliverable", _("Accept deliverable")
    CLOSE_RISK = "close_risk", _("Close risk")
    APPROVE_STATUS_REPORT = "approve_status_report", _("Approve status report")
    APPROVE_TIMESHEETS = "approve_timesheets", _("Approve timesheets")


class DecisionPreset(models.TextChoices):
    """Ready-made tables of decision rights."""

    TEAM_LED = "team_led", _("Team-led")
    JOINT = "joint", _("Joint")
    CLIENT_AS_PM = "client_as_pm", _("Client acts as PM")
    CUSTOM = "custom", _("Custom")


R = Role
DK = DecisionKind
PRESETS: dict[str, dict[str, list[str]]] = {
    DecisionPreset.TEAM_LED: {
        DK.CONFIRM_CHARTER: [R.SPONSOR, R.CLIENT_PM],
        DK.CONFIRM_REQUIREMENT: [R.CLIENT_PM],
        DK.PRIORITISE_BACKLOG: [R.PROJECT_MANAGER],
        DK.APPROVE_CHANGE: [R.PROJECT_MANAGER, R.SPONSOR],
        DK.APPROVE_BASELINE: [R.PROJECT_MANAGER],
        DK.ACCEPT_DELIVERABLE: [R.CLIENT_PM, R.SPONSOR],
        DK.CLOSE_RISK: [R.PROJECT_MANAGER],
        DK.APPROVE_STATUS_REPORT: [R.PROJECT_MANAGER],
        DK.APPROVE_TIMESHEETS: [R.CLIENT_PM],
    },
    DecisionPreset.JOINT: {
        DK.CONFIRM_CHARTER: [R.SPONSOR, R.CLIENT_PM],
        DK.CONFIRM_REQUIREMENT: [R.CLIENT_PM, R.REVIEWER],
        DK.PRIORITISE_BACKLOG: [R.PROJECT_MANAGER, R.CLIENT_PM],
        DK.APPROVE_CHANGE: [R.SPONSOR, R.CLIENT_PM],
        DK.APPROVE_BASELINE: [R.PROJECT_MANAGER, R.CLIENT_PM],
        DK.ACCEPT_DELIVERABLE: [R.CLIENT_PM, R.SPONSOR],
        DK.CLOSE_RISK: [R.PROJECT_MANAGER, R.CLIENT_PM],
        DK.APPROVE_STATUS_REPORT: [R.PROJECT_MANAGER],
        DK.APPROVE_TIMESHEETS: [R.CLIENT_PM],
    },
    DecisionPreset.CLIENT_AS_PM: {
        DK.CONFIRM_CHARTER: [R.SPONSOR],
        DK.CONFIRM_REQUIREMENT: [R.CLIENT_PM],
        DK.PRIORITISE_BACKLOG: [R.CLIENT_PM],
        DK.APPROVE_CHANGE: [R.CLIENT_PM, R.SPONSOR],
        DK.APPROVE_BASELINE: [R.CLIENT_PM],
        DK.ACCEPT_DELIVERABLE: [R.CLIENT_PM, R.SPONSOR],
        DK.CLOSE_RISK: [R.CLIENT_PM],
        DK.APPROVE_STATUS_REPORT: [R.CLIENT_PM],
        DK.APPROVE_TIMESHEETS: [R.CLIENT_PM, R.SPONSOR],
    },
}


class Level(models.TextChoices):
    """Low / medium / high, for stakeholder influence and interest."""

    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Raci(models.TextChoices):
    """A letter of the RACI matrix."""

    RESPONSIBLE = "R", _("Responsible")
    ACCOUNTABLE = "A", _("Accountable")
    CONSULTED = "C", _("Consulted")
    INFORMED = "I", _("Informed")


class CharterSectionKey(models.TextChoices):
    """The free-text sections of a charter."""

    SCOPE_IN = "scope_in", _("In scope")
    SCOPE_OUT = "scope_out", _("Out of scope")
    ASSUMPTIONS = "assumptions", _("Assumptions")
    EXPECTATIONS = "expectations", _("Expectations")
    QUALITY_STANDARDS = "quality_standards", _("Quality standards")


class KpiStatus(models.TextChoices):
    """How a KPI's latest value stands against its target and thresholds."""

    ON_TARGET = "on_target", _("On target")
    WARNING = "warning", _("Warning")
    ALARM = "alarm", _("Alarm")
    UNKNOWN = "unknown", _("Not measured")


class KpiDirection(models.TextChoices):
    """Whether a KPI is better when higher or when lower."""

    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")
