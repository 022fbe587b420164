"""Enumerations of the registers: risk categories and responses, severities, conflict causes, statuses."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskCategory(models.TextChoices):
    """What kind of thing could go wrong."""

    TECHNICAL = "technical", _("Technical")
    RESOURCE = "resource", _("Resource")
    SCHEDULE = "schedule", _("Schedule")
    COST = "cost", _("Cost")
    SCOPE = "scope", _("Scope")
    QUALITY = "quality", _("Quality")
    MARKET = "market", _("Market")
    CLIENT = "client", _("Client / stakeholder")
    LEGAL = "legal", _("Legal / compliance")
    OTHER = "other", _("Other")


class ImpactDimension(models.TextChoices):
    """Which objective a risk's impact is measured against."""

    SCHEDULE = "schedule", _("Schedule")
    COST = "cost", _("Cost")
    QUALITY = "quality", _("Quality")
    SCOPE = "scope", _("Scope")


class Proximity(models.TextChoices):
    """How soon a risk could happen."""

    IMMINENT = "imminent", _("Imminent")
    THIS_STAGE = "this_stage", _("Within this stage")
    THIS_PROJECT = "this_project", _("Within the project")
    BEYOND = "beyond", _("Beyond the project")


class RiskStrategy(models.TextChoices):
    """The response chosen for a risk."""

    AVOID = "avoid", _("Avoid")
    MITIGATE = "mitigate", _("Mitigate")
    TRANSFER = "transfer", _("Transfer")
    ACCEPT = "accept", _("Accept")
    ESCALATE = "escalate", _("Escalate")


class RiskStatus(models.TextChoices):
    """Where a risk is in its life."""

    OPEN = "open", _("Open")
    MONITORING = "monitoring", _("Monitoring")
    OCCURRED = "occurred", _("Occurred")
    CLOSED = "closed", _("Closed")


#: Statuses of a risk that still needs attention.
ACTIVE_RISK_STATUSES = (RiskStatus.OPEN, RiskStatus.MONITORING)
#: Statuses of a risk that still weighs on the plan: marked on the Gantt, counted in milestone buffers.
PLAN_RISK_STATUSES = (RiskStatus.OPEN, RiskStatus.MONITORING, RiskStatus.OCCURRED)


class RiskLevel(models.TextChoices):
    """A risk's level, from its score and the project's thresholds."""

    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Severity(models.TextChoices):
    """How bad an issue is."""

    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class EscalationLevel(models.TextChoices):
    """Who an issue has been escalated to."""

    TEAM = "team", _("Team")
    PROJECT_MANAGER = "pm", _("Project manager")
    STEERING = "steering", _("Steering committee")
    SPONSOR = "sponsor", _("Sponsor")


class IssueStatus(models.TextChoices):
    """Where an issue is in its life."""

    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class ConflictCause(models.TextChoices):
    """The root cause of a conflict."""

    COMMUNICATION = "communication", _("Communication")
    EXPECTATIONS = "expectations", _("Expectations")
    RESOURCES = "resources", _("Resources")
    PRIORITIES = "priorities", _("Priorities")
    QUALITY = "quality", _("Quality")
    COMMERCIAL = "commercial", _("Commercial")
    OTHER = "other", _("Other")


class ResolutionMethod(models.TextChoices):
    """How a conflict is being or was resolved."""

    NEGOTIATION = "negotiation", _("Negotiation")
    MEDIATION = "mediation", _("Mediation")
    ESCALATION = "escalation", _("Escalation")
    ARBITRATION = "arbitration", _("Arbitration")


class ConflictStatus(models.TextChoices):
    """Whether a conflict is still open."""

    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class DecisionStatus(models.TextChoices):
    """Where a client decision is; "overdue" is derived from the due date of an open decision."""

    OPEN = "open", _("Open")
    DECIDED = "decided", _("Decided")
    OVERDUE = "overdue", _("Overdue")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: The statuses a decision row may hold (overdue is never stored).
STORED_DECISION_STATUSES = (DecisionStatus.OPEN, DecisionStatus.DECIDED, DecisionStatus.WITHDRAWN)
