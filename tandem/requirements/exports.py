"""The requirements specification as a PDF (WeasyPrint, CJK font) and as an Excel workbook.

Both are built from the same visible-to-the-reader rows and written in the project's language,
with each requirement's version and confirmation record.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tandem.core import pdf, tabular
from tandem.core.jobs import Progress
from tandem.core.scoping import Viewer
from tandem.projects.models import Project
from tandem.requirements.models import Requirement, RequirementConfirmation, TraceLink
from tandem.requirements.queries import requirements_of


@dataclass
class SpecEntry:
    """A requirement as the specification prints it."""

    requirement: Requirement
    confirmations: list[RequirementConfirmation]
    task_names: list[str]

    @property
    def confirmed_current(self) -> bool:
        """Whether the latest version is the one confirmed."""
        return any(c.version_number == self.requirement.current_version for c in self.confirmations)


def specification(user: Viewer, project: Project) -> list[SpecEntry]:
    """The requirements of the specification in backlog order, with confirmations and tasks (3 queries)."""
    rows = list(requirements_of(user, project))
    ids = [r.pk for r in rows]
    confirmations: dict[int, list[RequirementConfirmation]] = defaultdict(list)
    for c in (
        RequirementConfirmation.objects.visible_to(user)
        .filter(requirement_id__in=ids)
        .select_related("confirmed_by")
        .order_by("confirmed_at", "id")
    ):
        confirmations[c.requirement_id].append(c)
    tasks: dict[int, list[str]] = defaultdict(list)
    for link in (
        TraceLink.objects.visible_to(user)
        .filter(requirement_id__in=ids)
        .select_related("task")
        .order_by("task__outline_key", "id")
    ):
        tasks[link.requirement_id].append(link.task.name)
    return [SpecEntry(r, confirmations[r.pk], tasks[r.pk]) for r in rows]


def _language(project: Project) -> str:
    return project.language or "en"


def specification_html(user: Viewer, project: Project) -> tuple[str, int]:
    """The specification as HTML in the project's language, and the number of requirements it holds."""
    with translation.override(_language(project)):
        entries = specification(user, project)
        html = render_to_string(
            "requirements/specification.html",
            {
                "project": project,
                "entries": entries,
                "generated_at": timezone.localtime(),
                "language": _language(project),
            },
        )
    return html, len(entries)


def export_pdf(user: Viewer, project: Project, *, progress: Progress | None = None) -> bytes:
    """The specification as a PDF in the project's language (with ``progress``, as a background job)."""
    if progress is not None:
        progress.begin(gettext_noop("Reading requirements"), 1)
    html, count = specification_html(user, project)
    # About two requirements fit on a page of the specification.
    return pdf.write_pdf(html, progress=progress, expected_pages=count // 2 + 1)


def export_xlsx(user: Viewer, project: Project) -> bytes:
    """The specification as an Excel workbook: one row per requirement, in the project's language."""
    with translation.override(_language(project)):
        headings = [
            _("Code"),
            _("Title"),
            _("Priority"),
            _("Status"),
            _("Version"),
            _("Description"),
            _("Acceptance criteria"),
            _("Source"),
            _("Requester"),
            _("Owner"),
            _("Confirmed (version, by, at)"),
            _("Tasks"),
        ]
        rows = [_xlsx_row(entry) for entry in specification(user, project)]
        return tabular.write_xlsx(
            headings,
            rows,
            title=_("Requirements"),
            widths=[10, 40, 14, 14, 8, 60, 60, 24, 20, 20, 36, 36],
            wrap=True,
        )


def _xlsx_row(entry: SpecEntry) -> list[Any]:
    """One requirement as a row of the Excel specification."""
    r = entry.requirement
    return [
        r.code,
        r.title,
        str(r.get_priority_display()),
        str(r.get_status_display()),
        r.current_version,
        r.description,
        "\n".join(f"{i}. {c}" for i, c in enumerate(r.acceptance_criteria or [], start=1)),
        str(r.get_source_display()) + (f" — {r.source_note}" if r.source_note else ""),
        r.requester.full_name if r.requester else r.requester_name,
        r.owner.full_name if r.owner else "",
        "\n".join(
            f"v{c.version_number}, {c.confirmed_by.full_name}, "
            f"{timezone.localtime(c.confirmed_at):%Y-%m-%d %H:%M}"
            for c in entry.confirmations
        ),
        "\n".join(entry.task_names),
    ]
