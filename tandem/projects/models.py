"""Projects, who is in them with which role, who decides what, and the charter they agree on."""

from __future__ import annotations

from typing import ClassVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.accounts.choices import Language
from tandem.accounts.models import Organization
from tandem.core.choices import Side
from tandem.core.models import ShareableModel, TimeStampedModel, VersionedModel
from tandem.core.scoping import ScopedManager
from tandem.projects.choices import (
    CharterSectionKey,
    DecisionKind,
    DecisionPreset,
    KpiDirection,
    Level,
    ProjectStatus,
    Raci,
    Role,
)


class Project(VersionedModel):
    """A delivery project shared by the vendor's team and one client organization."""

    #: Fields that only the team sees, never the client.
    INTERNAL_FIELDS: ClassVar[tuple[str, ...]] = ("internal_notes",)

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    client = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="client_projects", verbose_name=_("client")
    )
    vendor = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="vendor_projects",
        verbose_name=_("vendor"),
        null=True,
        blank=True,
    )
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.ENGLISH
    )
    decision_preset = models.CharField(
        _("decision rights preset"),
        max_length=20,
        choices=DecisionPreset.choices,
        default=DecisionPreset.JOINT,
    )
    internal_notes = models.TextField(_("internal notes"), blank=True)

    #: The project is its own scope (see ``tandem.core.scoping``).
    scope_project_path: ClassVar[str] = ""

    objects = ScopedManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(target_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(target_date__gte=models.F("start_date")),
                name="project_target_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def zone(self) -> ZoneInfo:
        """The project's time zone (the server's when the project names an unknown one)."""
        try:
            return ZoneInfo(self.time_zone or "UTC")
        except (KeyError, ValueError):
            return ZoneInfo(str(timezone.get_current_timezone()))


class Membership(TimeStampedModel):
    """A person's role in one project; the side (team or client) follows from the role."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    side = models.CharField(_("side"), max_length=10, choices=Side.choices, editable=False)

    objects = ScopedManager()

    class Meta:
        ordering = ["side", "role", "user__full_name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="one_membership_per_project")]
        indexes = [models.Index(fields=["user", "side"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class DecisionRight(TimeStampedModel):
    """For one project and one kind of decision, the roles that hold it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="decision_rights")
    kind = models.CharField(_("decision"), max_length=30, choices=DecisionKind.choices)
    roles = models.JSONField(_("roles"), default=list)

    objects = ScopedManager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("decision right")
        verbose_name_plural = _("decision rights")
        constraints = [models.UniqueConstraint(fields=["project", "kind"], name="one_right_per_kind")]

    def __str__(self) -> str:
        return f"{self.project.code} {self.kind}"


class Invitation(TimeStampedModel):
    """An emailed invitation to join a project with a role; the link carries a one-time secret."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.project.code}"


class Charter(TimeStampedModel):
    """The project's charter; every edit raises its revision, and the client confirms revisions."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="charter")
    revision = models.PositiveIntegerField(_("revision"), default=1)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("charter")
        verbose_name_plural = _("charters")

    def __str__(self) -> str:
        return f"{self.project.code} charter r{self.revision}"


class CharterSection(VersionedModel):
    """A free-text section of the charter (scope in/out, assumptions, …), shared with the client."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="charter_sections")
    key = models.CharField(_("section"), max_length=30, choices=CharterSectionKey.choices)
    body = models.TextField(_("text"), blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("charter section")
        verbose_name_plural = _("charter sections")
        constraints = [models.UniqueConstraint(fields=["project", "key"], name="one_section_per_key")]

    def __str__(self) -> str:
        return str(self.get_key_display())


class CharterItem(ShareableModel):
    """Common fields of the listed parts of a charter."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(_("position"), default=0)

    objects = ScopedManager()

    class Meta:
        abstract = True
        ordering = ["position", "id"]


class Goal(CharterItem):
    """A SMART goal: what, how it is measured, the target, and by when."""

    statement = models.CharField(_("goal"), max_length=500)
    measure = models.CharField(_("measure"), max_length=300, blank=True)
    target = models.CharField(_("target"), max_length=200, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)

    class Meta(CharterItem.Meta):
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.statement


class Kpi(CharterItem):
    """A key performance indicator with its target and warning and alarm thresholds."""

    name = models.CharField(_("name"), max_length=200)
    definition = models.TextField(_("definition"), blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=KpiDirection.choices, default=KpiDirection.HIGHER
    )
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=4, null=True, blank=True)
    warning_threshold = models.DecimalField(
        _("warning at"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    alarm_threshold = models.DecimalField(
        _("alarm at"), max_digits=14, decimal_places=4, null=True, blank=True
    )

    #: Where the KPI's values come from: "manual" (entered with a date and a note) or the key of a
    #: live source (``tandem.projects.kpis.SOURCES``) measured every day. Not part of the charter's
    #: agreed content: how a value is collected is not what the client confirms.
    source = models.CharField(_("measured by"), max_length=60, default="manual")

    class Meta(CharterItem.Meta):
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")

    def __str__(self) -> str:
        return self.name


class KpiMeasurement(TimeStampedModel):
    """One value of a KPI on a date: entered by hand or taken from its live source.

    A KPI has at most one value per date (a new one replaces it). Visible to whoever may see the KPI.
    """

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    note = models.CharField(_("note"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=60, default="manual")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_project_path: ClassVar[str] = "kpi__project"
    scope_visibility_paths: ClassVar[tuple[str, ...]] = ("kpi__visibility",)
    objects = ScopedManager()

    class Meta:
        verbose_name = _("KPI measurement")
        verbose_name_plural = _("KPI measurements")
        ordering = ["kpi", "measured_on", "id"]
        constraints = [models.UniqueConstraint(fields=["kpi", "measured_on"], name="one_kpi_value_a_day")]

    def __str__(self) -> str:
        return f"{self.kpi} {self.measured_on}: {self.value}"


class Stakeholder(CharterItem):
    """A person with a stake in the project, on either side, with or without an account."""

    name = models.CharField(_("name"), max_length=150)
    side = models.CharField(_("side"), max_length=10, choices=Side.choices, default=Side.CLIENT)
    organization = models.CharField(_("organization"), max_length=200, blank=True)
    role_title = models.CharField(_("role"), max_length=150, blank=True)
    influence = models.CharField(_("influence"), max_length=10, choices=Level.choices, default=Level.MEDIUM)
    interest = models.CharField(_("interest"), max_length=10, choices=Level.choices, default=Level.MEDIUM)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )

    class Meta(CharterItem.Meta):
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")

    def __str__(self) -> str:
        return self.name


class Deliverable(CharterItem):
    """Something the project hands over, with who is responsible, accountable, consulted, informed."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    #: An ordered list of strings, one per criterion: how the client will accept the deliverable.
    acceptance_criteria = models.JSONField(_("acceptance criteria"), default=list, blank=True)

    class Meta(CharterItem.Meta):
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")

    def __str__(self) -> str:
        return self.name


class RaciAssignment(models.Model):
    """One cell of the RACI matrix: a stakeholder's letter for a deliverable."""

    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="raci")
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="raci")
    letter = models.CharField(_("RACI"), max_length=1, choices=Raci.choices)

    class Meta:
        ordering = ["deliverable_id", "letter", "stakeholder_id"]
        verbose_name = _("RACI assignment")
        verbose_name_plural = _("RACI assignments")
        constraints = [
            models.UniqueConstraint(fields=["deliverable", "stakeholder"], name="one_letter_per_person"),
            models.UniqueConstraint(
                fields=["deliverable"], condition=Q(letter="A"), name="one_accountable_per_deliverable"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deliverable_id}:{self.stakeholder_id}={self.letter}"


class Note(CharterItem):
    """A project note; internal notes are for the team only."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )

    class Meta(CharterItem.Meta):
        ordering = ["-created_at", "-id"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self) -> str:
        return self.title


class CharterRevision(models.Model):
    """A frozen copy of the whole charter after an edit, so any two revisions can be compared."""

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    content = models.JSONField(_("content"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["charter", "number"], name="one_revision_number")]

    def __str__(self) -> str:
        return f"r{self.number}"


class CharterConfirmation(models.Model):
    """A client's confirmation of one charter revision."""

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="confirmations")
    revision = models.PositiveIntegerField(_("revision"), validators=[MinValueValidator(1)])
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-confirmed_at", "-id"]
        verbose_name = _("charter confirmation")
        verbose_name_plural = _("charter confirmations")

    def __str__(self) -> str:
        return f"r{self.revision} by {self.confirmed_by}"
