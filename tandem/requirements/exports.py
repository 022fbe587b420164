"""The requirements specification as a PDF (ReportLab, CJK font) and as an Excel workbook.

Both are built from the same visible-to-the-reader rows and written in the project's language,
with each requirement's version and confirmation record.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from tandem.core import pdfdoc, tabular
from tandem.core.jobs import Progress
from tandem.core.scoping import Viewer
from tandem.projects.models import Project
from tandem.requirements.models import Requirement, RequirementConfirmation, TraceLink
from tandem.requirements.queries import requirements_of

if TYPE_CHECKING:
    from reportlab.platypus import Flowable


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


def export_pdf(user: Viewer, project: Project, *, progress: Progress | None = None) -> bytes:
    """The specification as a PDF in the project's language (with ``progress``, as a background job).

    Laid out with ReportLab (``core.pdfdoc``): 500 requirements make about 250 pages, which
    WeasyPrint needed 12 s of CPU for.
    """
    if progress is not None:
        progress.begin(gettext_noop("Reading requirements"), 1)
    language = _language(project)
    with translation.override(language):
        entries = specification(user, project)
        styles = pdfdoc.Styles()
        title = f"{project.name} — {_('Requirements specification')}"
        story: list[Flowable] = [
            styles.para(pdfdoc.text(title), styles.title),
            styles.para(
                pdfdoc.text(
                    " · ".join(
                        [
                            project.code,
                            f"{_('Generated')} {timezone.localtime():%Y-%m-%d %H:%M}",
                            ngettext("%(n)s requirement", "%(n)s requirements", len(entries))
                            % {"n": len(entries)},
                        ]
                    )
                ),
                styles.meta,
            ),
        ]
        story.extend(_entry_flowables(entry, styles) for entry in entries)
        if not entries:
            story.append(styles.para(pdfdoc.text(_("No requirements yet.")), styles.none))
        info = pdfdoc.PageInfo(title=title, footer_left=project.code)
        # About two requirements fit on a page of the specification.
        return pdfdoc.build(
            story, info, progress=progress, expected_pages=len(entries) // 2 + 1, language=language
        )


def _entry_flowables(entry: SpecEntry, styles: pdfdoc.Styles) -> Flowable:
    """One requirement, kept on one page when it fits: heading, tags, texts, criteria, tasks, record."""
    from reportlab.lib import colors
    from reportlab.platypus import HRFlowable, KeepTogether

    r = entry.requirement
    t = pdfdoc.text
    parts: list[Flowable] = [
        HRFlowable(
            width="100%", thickness=0.6, color=colors.HexColor(pdfdoc.RULE), spaceBefore=8, spaceAfter=6
        ),
        pdfdoc.heading(styles, t(f"{r.code} {r.title}"), styles.h2, outline=f"{r.code} {r.title}"),
        styles.para(
            t(
                " · ".join(
                    [
                        str(r.get_priority_display()),
                        str(r.get_status_display()),
                        _("Version %(n)s") % {"n": r.current_version},
                        str(r.get_source_display()),
                    ]
                )
            ),
            styles.tags,
        ),
    ]
    if r.background:
        parts.append(styles.para(t(_("Background")), styles.h3))
        parts.extend(pdfdoc.markdown(r.background, styles))
    if r.description:
        parts.append(styles.para(t(_("Description")), styles.h3))
        parts.extend(pdfdoc.markdown(r.description, styles))
    parts.append(styles.para(t(_("Acceptance criteria")), styles.h3))
    if r.acceptance_criteria:
        parts.extend(
            styles.para(t(c), styles.body, indent=14, bullet=f"{n}.")
            for n, c in enumerate(r.acceptance_criteria, start=1)
        )
    else:
        parts.append(styles.para(t(_("None yet.")), styles.none))
    if entry.task_names:
        parts.append(styles.para(t(_("Tasks")), styles.h3))
        parts.append(styles.para(t(", ".join(entry.task_names)), styles.body))
    parts.append(styles.para(t(_("Confirmation record")), styles.h3))
    if entry.confirmations:
        lines = []
        for c in entry.confirmations:
            line = (
                f"<b>{t(_('Version %(n)s') % {'n': c.version_number})}</b> · "
                f"{t(_('Confirmed by'))}: {t(c.confirmed_by.full_name)} · "
                f"{t(_('Confirmed at'))}: {timezone.localtime(c.confirmed_at):%Y-%m-%d %H:%M}"
            )
            if c.comment:
                line += f" · {t(_('Comment'))}: {t(c.comment)}"
            lines.append(line)
        parts.append(styles.para("<br/>".join(lines), styles.record))
        if not entry.confirmed_current:
            message = _("Version %(n)s is not confirmed yet.") % {"n": r.current_version}
            parts.append(styles.para(t(message), styles.none))
    else:
        parts.append(styles.para(t(_("Not confirmed yet.")), styles.none))
    return KeepTogether(parts)


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
