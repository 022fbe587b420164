"""Quality and acceptance of a project.

- **Quality standards** come from the charter's "quality standards" section; deliverables and phases
  are checked against them (``QualityCheck``: who checked, when, with what result).
- **Test cases** are linked to requirements (and through them to acceptance criteria); a content
  change keeps the earlier content as a ``TestCaseRevision``.
- A **test cycle** (the team's system test, the client's UAT) holds one **test run** per case: the
  tester assigned, the result of the case and of each of its steps, a note and evidence files.
- **Defects** follow new → confirmed → fixed → verified → closed (reopened from the end); the client
  sees and files shared ones, the team's triage note (``internal_note``) never leaves the team.
- An **acceptance request** asks the client to accept a deliverable (or a milestone): criteria from
  the deliverable and its requirements, evidence (cycles, documents, a demo meeting), reviewers. The
  holder of "accept deliverable" signs; the signed content is frozen with its SHA-256 and a
  certificate PDF is issued per language.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.core.models import ShareableModel, TimeStampedModel, VersionedModel
from tandem.core.scoping import ScopedManager
from tandem.quality.choices import (
    AcceptanceStatus,
    CheckResult,
    ConditionStatus,
    CriterionResult,
    CriterionSource,
    CriterionVerdict,
    CycleKind,
    CycleStatus,
    DefectPriority,
    DefectSeverity,
    DefectStatus,
    RunResult,
    TestPriority,
)

_USER = settings.AUTH_USER_MODEL


class QualityStandard(ShareableModel):
    """One of the charter's quality standards, which deliverables and phases are checked against."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="quality_standards"
    )
    title = models.CharField(_("standard"), max_length=300)
    description = models.TextField(_("how it is checked"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    objects = ScopedManager()

    class Meta:
        ordering = ["project", "position", "id"]
        verbose_name = _("quality standard")
        verbose_name_plural = _("quality standards")

    def __str__(self) -> str:
        return self.title


class QualityCheck(TimeStampedModel):
    """A check of one deliverable or one phase against one standard. The latest check of a pair is its state;
    earlier ones stay as the history of who checked what when.

    Its sharing follows the standard; the reading queries also drop checks of a deliverable or phase
    the reader does not see.
    """

    standard = models.ForeignKey(QualityStandard, on_delete=models.CASCADE, related_name="checks")
    deliverable = models.ForeignKey(
        "projects.Deliverable",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="quality_checks",
        verbose_name=_("deliverable"),
    )
    phase = models.ForeignKey(
        "planning.Task",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="quality_checks",
        verbose_name=_("phase"),
    )
    result = models.CharField(_("result"), max_length=20, choices=CheckResult.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    checked_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("checked by")
    )
    checked_at = models.DateTimeField(_("checked"))

    scope_project_path: ClassVar[str] = "standard__project"
    scope_visibility_paths: ClassVar[tuple[str, ...]] = ("standard__visibility",)
    objects = ScopedManager()

    class Meta:
        ordering = ["standard", "-checked_at", "-id"]
        verbose_name = _("quality check")
        verbose_name_plural = _("quality checks")
        constraints = [
            models.CheckConstraint(
                condition=Q(deliverable__isnull=False, phase__isnull=True)
                | Q(deliverable__isnull=True, phase__isnull=False),
                name="quality_check_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.standard_id}: {self.result}"


class TestCase(ShareableModel):
    """A test case: preconditions, steps with their expected results, linked to requirements."""

    __test__ = False  # not a pytest class

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="test_cases")
    code = models.CharField(_("code"), max_length=20, editable=False)
    title = models.CharField(_("title"), max_length=200)
    preconditions = models.TextField(_("preconditions"), blank=True)
    #: An ordered list of ``{"action": str, "expected": str}``, one per step.
    steps = models.JSONField(_("steps"), default=list, blank=True)
    expected_result = models.TextField(_("expected result"), blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=TestPriority.choices, default=TestPriority.MEDIUM
    )
    requirements = models.ManyToManyField(
        "requirements.Requirement", blank=True, related_name="test_cases", verbose_name=_("requirements")
    )
    #: The number of the current content revision (title, preconditions, steps, expected result).
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Retired cases stay in past cycles, not added to new ones."),
    )
    created_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = ScopedManager()

    class Meta:
        ordering = ["project", "code"]
        verbose_name = _("test case")
        verbose_name_plural = _("test cases")
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="test_case_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class TestCaseRevision(models.Model):
    """The content of a test case as it was at one revision."""

    __test__ = False

    case = models.ForeignKey(TestCase, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    content = models.JSONField(_("content"))
    created_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    scope_project_path: ClassVar[str] = "case__project"
    scope_visibility_paths: ClassVar[tuple[str, ...]] = ("case__visibility",)
    objects = ScopedManager()

    class Meta:
        ordering = ["case", "number"]
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="test_case_revision_unique")]

    def __str__(self) -> str:
        return f"{self.case_id} r{self.number}"


class TestCycle(ShareableModel):
    """A round of testing: the team's system test or the client's acceptance test (UAT)."""

    __test__ = False

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="test_cycles")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=CycleKind.choices, default=CycleKind.SYSTEM)
    status = models.CharField(
        _("status"), max_length=10, choices=CycleStatus.choices, default=CycleStatus.PLANNED
    )
    build = models.CharField(_("version under test"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    deliverable = models.ForeignKey(
        "projects.Deliverable",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="test_cycles",
        verbose_name=_("deliverable"),
    )
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = ScopedManager()

    class Meta:
        ordering = ["project", "-created_at", "-id"]
        verbose_name = _("test cycle")
        verbose_name_plural = _("test cycles")

    def __str__(self) -> str:
        return self.name


class TestRun(VersionedModel):
    """One test case in one cycle: who runs it, and its result with each step's.

    A client sees it only when both the cycle and the case are shared; a client tester (a reviewer or
    client viewer) sees only the runs assigned to them (``quality.permissions``).
    """

    __test__ = False

    cycle = models.ForeignKey(TestCycle, on_delete=models.CASCADE, related_name="runs")
    case = models.ForeignKey(TestCase, on_delete=models.PROTECT, related_name="runs")
    #: The case's revision when it was put into the cycle (or last run).
    case_revision = models.PositiveIntegerField(_("case revision"), default=1)
    assignee = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("tester")
    )
    result = models.CharField(
        _("result"), max_length=10, choices=RunResult.choices, default=RunResult.NOT_RUN
    )
    #: One ``{"result": RunResult, "note": str}`` per step of the case, in order.
    step_results = models.JSONField(_("step results"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    executed_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    executed_at = models.DateTimeField(_("run at"), null=True, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    scope_project_path: ClassVar[str] = "cycle__project"
    scope_visibility_paths: ClassVar[tuple[str, ...]] = ("cycle__visibility", "case__visibility")
    objects = ScopedManager()

    class Meta:
        ordering = ["cycle", "position", "id"]
        verbose_name = _("test run")
        verbose_name_plural = _("test runs")
        constraints = [models.UniqueConstraint(fields=["cycle", "case"], name="one_run_per_case_in_cycle")]
        indexes = [models.Index(fields=["case", "executed_at"])]

    def __str__(self) -> str:
        return f"{self.cycle_id}/{self.case_id}: {self.result}"


class TestEvidence(models.Model):
    """A file attached to a test run as evidence (a screenshot, a log, an export)."""

    __test__ = False

    run = models.ForeignKey(TestRun, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to="quality/evidence/%Y/%m/")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    scope_project_path: ClassVar[str] = "run__cycle__project"
    scope_visibility_paths: ClassVar[tuple[str, ...]] = ("run__cycle__visibility", "run__case__visibility")
    objects = ScopedManager()

    class Meta:
        ordering = ["run", "uploaded_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.filename


class Defect(ShareableModel):
    """A defect found in testing or reported by the client, tracked until it is verified and closed."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="defects")
    code = models.CharField(_("code"), max_length=20, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown"))
    steps_to_reproduce = models.TextField(_("steps to reproduce"), blank=True)
    severity = models.CharField(
        _("severity"), max_length=10, choices=DefectSeverity.choices, default=DefectSeverity.MAJOR
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=DefectPriority.choices, default=DefectPriority.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DefectStatus.choices, default=DefectStatus.NEW
    )
    test_case = models.ForeignKey(
        TestCase,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="defects",
        verbose_name=_("test case"),
    )
    test_run = models.ForeignKey(
        TestRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="defects",
        verbose_name=_("test run"),
    )
    #: The failed step of the run (1-based) the defect was raised from.
    step_number = models.PositiveIntegerField(_("step"), null=True, blank=True)
    requirement = models.ForeignKey(
        "requirements.Requirement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="defects",
        verbose_name=_("requirement"),
    )
    task = models.ForeignKey(
        "planning.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="defects",
        verbose_name=_("task"),
    )
    deliverable = models.ForeignKey(
        "projects.Deliverable",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="defects",
        verbose_name=_("deliverable"),
    )
    acceptance = models.ForeignKey(
        "quality.AcceptanceRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="defects",
        verbose_name=_("raised by the acceptance"),
    )
    reported_by = models.ForeignKey(
        _USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    assignee = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("assignee")
    )
    #: The team's triage notes: never shown to a client, never in a client's export or audit record.
    internal_note = models.TextField(_("triage note (internal)"), blank=True)
    reopen_count = models.PositiveIntegerField(_("times reopened"), default=0, editable=False)
    fixed_at = models.DateTimeField(_("fixed"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    resolution = models.CharField(_("resolution"), max_length=300, blank=True)

    INTERNAL_FIELDS: ClassVar[tuple[str, ...]] = ("internal_note",)

    objects = ScopedManager()

    class Meta:
        ordering = ["project", "-created_at", "-id"]
        verbose_name = _("defect")
        verbose_name_plural = _("defects")
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="defect_code_unique")]
        indexes = [models.Index(fields=["project", "status"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class AcceptanceRequest(ShareableModel):
    """A request to the client to accept a deliverable (or a milestone), and once signed, its decision.

    Internal while the team prepares it (``draft``); shared when it goes to review. Once signed
    (``SIGNED_STATES``) nothing of it changes: ``content`` holds exactly what was signed and
    ``content_sha256`` its digest, which a certificate states and the verification checks.
    """

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="acceptance_requests"
    )
    code = models.CharField(_("code"), max_length=20, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    deliverable = models.ForeignKey(
        "projects.Deliverable",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="acceptance_requests",
        verbose_name=_("deliverable"),
    )
    milestone = models.ForeignKey(
        "planning.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="acceptance_requests",
        verbose_name=_("milestone"),
    )
    status = models.CharField(
        _("status"), max_length=30, choices=AcceptanceStatus.choices, default=AcceptanceStatus.DRAFT
    )
    due_date = models.DateField(_("decision due"), null=True, blank=True)
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="acceptance_reviews", verbose_name=_("reviewers")
    )
    test_cycles = models.ManyToManyField(
        TestCycle, blank=True, related_name="acceptance_requests", verbose_name=_("test cycles")
    )
    demo_meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("demo meeting"),
    )
    requested_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("sent for review"), null=True, blank=True, editable=False)
    signed_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("signed by")
    )
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True, editable=False)
    decision_comment = models.TextField(_("comment"), blank=True)
    #: What was signed, frozen at signing (canonical JSON: project, deliverable, criteria and results,
    #: conditions, signer, time); its SHA-256 in hex.
    content = models.JSONField(_("signed content"), null=True, blank=True, editable=False)
    content_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True, editable=False)

    objects = ScopedManager()

    class Meta:
        ordering = ["project", "-created_at", "-id"]
        verbose_name = _("acceptance request")
        verbose_name_plural = _("acceptance requests")
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="acceptance_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class AcceptanceDocument(models.Model):
    """A document offered as evidence for an acceptance (a manual, a test report, a handover note)."""

    request = models.ForeignKey(AcceptanceRequest, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="quality/acceptance/%Y/%m/")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    scope_project_path: ClassVar[str] = "request__project"
    scope_visibility_paths: ClassVar[tuple[str, ...]] = ("request__visibility",)
    objects = ScopedManager()

    class Meta:
        ordering = ["request", "uploaded_at", "id"]
        verbose_name = _("acceptance document")
        verbose_name_plural = _("acceptance documents")

    def __str__(self) -> str:
        return self.title


class AcceptanceCriterion(models.Model):
    """One criterion of an acceptance request, with its standing from the reviewers' marks."""

    request = models.ForeignKey(AcceptanceRequest, on_delete=models.CASCADE, related_name="criteria")
    text = models.CharField(_("criterion"), max_length=500)
    source = models.CharField(
        _("from"), max_length=20, choices=CriterionSource.choices, default=CriterionSource.CUSTOM
    )
    requirement = models.ForeignKey(
        "requirements.Requirement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requirement"),
    )
    mandatory = models.BooleanField(_("mandatory"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    result = models.CharField(
        _("result"), max_length=20, choices=CriterionResult.choices, default=CriterionResult.PENDING
    )

    scope_project_path: ClassVar[str] = "request__project"
    scope_visibility_paths: ClassVar[tuple[str, ...]] = ("request__visibility",)
    objects = ScopedManager()

    class Meta:
        ordering = ["request", "position", "id"]
        verbose_name = _("acceptance criterion")
        verbose_name_plural = _("acceptance criteria")

    def __str__(self) -> str:
        return self.text


class CriterionReview(models.Model):
    """One reviewer's mark on one criterion, with a comment (the latest mark of a reviewer counts)."""

    criterion = models.ForeignKey(AcceptanceCriterion, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewer")
    )
    verdict = models.CharField(_("verdict"), max_length=20, choices=CriterionVerdict.choices)
    comment = models.TextField(_("comment"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"))

    scope_project_path: ClassVar[str] = "criterion__request__project"
    scope_visibility_paths: ClassVar[tuple[str, ...]] = ("criterion__request__visibility",)
    objects = ScopedManager()

    class Meta:
        ordering = ["criterion", "reviewed_at", "id"]
        verbose_name = _("criterion review")
        verbose_name_plural = _("criterion reviews")
        constraints = [
            models.UniqueConstraint(fields=["criterion", "reviewer"], name="one_mark_per_reviewer")
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.verdict}"


class AcceptanceCondition(VersionedModel):
    """A punch-list item of an acceptance with conditions: what is still owed, by when, by whom."""

    request = models.ForeignKey(AcceptanceRequest, on_delete=models.CASCADE, related_name="conditions")
    text = models.CharField(_("condition"), max_length=500)
    due_date = models.DateField(_("due date"))
    owner = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("owner")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ConditionStatus.choices, default=ConditionStatus.OPEN
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True, editable=False)
    done_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    position = models.PositiveIntegerField(_("position"), default=0)

    scope_project_path: ClassVar[str] = "request__project"
    scope_visibility_paths: ClassVar[tuple[str, ...]] = ("request__visibility",)
    objects = ScopedManager()

    class Meta:
        ordering = ["request", "position", "id"]
        verbose_name = _("acceptance condition")
        verbose_name_plural = _("acceptance conditions")

    def __str__(self) -> str:
        return self.text


class AcceptanceCertificate(models.Model):
    """The certificate PDF of a signed acceptance in one language, and the digest of the file."""

    request = models.ForeignKey(AcceptanceRequest, on_delete=models.CASCADE, related_name="certificates")
    language = models.CharField(_("language"), max_length=10)
    file = models.FileField(_("file"), upload_to="quality/certificates/%Y/%m/")
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, db_index=True)
    #: Whether the PDF carries a digital signature made with the instance's signing key.
    digitally_signed = models.BooleanField(_("digitally signed"), default=False)
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)

    scope_project_path: ClassVar[str] = "request__project"
    scope_visibility_paths: ClassVar[tuple[str, ...]] = ("request__visibility",)
    objects = ScopedManager()

    class Meta:
        ordering = ["request", "language"]
        verbose_name = _("acceptance certificate")
        verbose_name_plural = _("acceptance certificates")
        constraints = [
            models.UniqueConstraint(fields=["request", "language"], name="one_certificate_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.language}"
