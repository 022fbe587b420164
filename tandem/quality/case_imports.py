"""Test cases in and out of spreadsheets: CSV and Excel, headings in English or Chinese.

An import is read whole and checked row by row (``preview_cases``: what each row would make and
what is wrong with it, naming the row and the column); ``do_import_cases`` saves every row or none,
in one transaction: the codes in one query, the cases, their first revisions and their requirement
links with one bulk insert each, one audit record per case. An export has the import's columns with
headings in the reader's language, so an exported file imports again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.core import audit, tabular
from tandem.core.choices import Visibility
from tandem.core.validation import full_clean
from tandem.quality.case_queries import CaseFilters, cases_of_filtered
from tandem.quality.cases import AUDITED, clean_steps, content_of, parse_steps, steps_text
from tandem.quality.choices import TestPriority
from tandem.quality.models import TestCase, TestCaseRevision
from tandem.quality.numbering import next_codes
from tandem.quality.permissions import can_write_cases, require, writes_internal_cases
from tandem.requirements.models import Requirement

if TYPE_CHECKING:
    from collections.abc import Iterable

    from tandem.accounts.models import User
    from tandem.core.scoping import Viewer
    from tandem.projects.models import Project

#: The largest file read, and the most cases imported at once.
MAX_BYTES = tabular.MAX_UPLOAD_BYTES
MAX_ROWS = 1000

#: The columns, in export order: (field, English heading). The heading is translated for the reader.
COLUMNS: tuple[tuple[str, Any], ...] = (
    ("code", gettext_lazy("Code")),
    ("title", gettext_lazy("Title")),
    ("preconditions", gettext_lazy("Preconditions")),
    ("steps", gettext_lazy("Steps")),
    ("expected_result", gettext_lazy("Expected result")),
    ("priority", gettext_lazy("Priority")),
    ("requirements", gettext_lazy("Requirements")),
    ("visibility", gettext_lazy("Visibility")),
)
#: Headings read besides the columns' own in English and Chinese (any case).
EXTRA_HEADINGS: dict[str, str] = {
    "编号": "code",
    "标题": "title",
    "前置条件": "preconditions",
    "步骤": "steps",
    "预期结果": "expected_result",
    "优先级": "priority",
    "需求": "requirements",
    "可见性": "visibility",
    "expected": "expected_result",
    "requirement": "requirements",
}
#: Priority words besides the values and labels of ``TestPriority`` in both languages.
EXTRA_PRIORITIES: dict[str, str] = {
    "高": TestPriority.HIGH,
    "中": TestPriority.MEDIUM,
    "低": TestPriority.LOW,
    "关键": TestPriority.CRITICAL,
    "紧急": TestPriority.CRITICAL,
}
EXTRA_VISIBILITIES: dict[str, str] = {
    "共享": Visibility.SHARED,
    "内部": Visibility.INTERNAL,
    "shared": Visibility.SHARED,
    "internal": Visibility.INTERNAL,
}
_CODE_SEPARATORS = re.compile(r"[,，、;；\s]+")
LANGUAGES = ("en", "zh-hans")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _words(choices: Iterable[tuple[str, Any]], extra: dict[str, str]) -> dict[str, str]:
    """Every way a value may be written: the value, its label in each language, the extra words."""
    words = {}
    for value, label in choices:
        words[str(value).lower()] = str(value)
        for language in LANGUAGES:
            with translation.override(language):
                words[str(label).strip().lower()] = str(value)
    words.update({k.lower(): str(v) for k, v in extra.items()})
    return words


def _headings() -> dict[str, str]:
    names = dict(EXTRA_HEADINGS)
    for name, heading in COLUMNS:
        names[name] = name
        for language in LANGUAGES:
            with translation.override(language):
                names[str(heading).strip().lower()] = name
    return names


@dataclass
class ImportRow:
    """One row of the file: its line number, the case it makes, and its errors by column heading."""

    line: int
    data: dict[str, Any]
    requirement_codes: list[str] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the row can be imported as it is."""
        return not self.errors


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}


def preview_cases(project: Project, *, actor: Viewer, content: bytes, filename: str) -> list[ImportRow]:
    """The cases a file would make, each with its errors (nothing saved).

    The first row names the columns in English or Chinese; a title column is required. Raises
    ``ValidationError`` on ``file`` when the file as a whole cannot be read.
    """
    if not content and not filename:
        raise ValidationError({"file": [_("Choose the file to import.")]})
    rows = tabular.read_table(content, filename, max_rows=MAX_ROWS, max_bytes=MAX_BYTES)
    if not rows:
        raise ValidationError({"file": [_("The file is empty.")]})
    names = _headings()
    header: list[tuple[int, str, str]] = []  # (index, field, the heading as written)
    seen: set[str] = set()
    for index, cell in enumerate(rows[0]):
        written = _cell(cell)
        name = names.get(written.replace("*", "").strip().lower(), "")
        if name and name not in seen:
            seen.add(name)
            header.append((index, name, written))
    if "title" not in seen:
        raise ValidationError(
            {
                "file": [
                    _("The first row must name the columns, with a “%(column)s” column.")
                    % {"column": _("Title")}
                ]
            }
        )
    words = {
        "priority": _words(TestPriority.choices, EXTRA_PRIORITIES),
        "visibility": _words(Visibility.choices, EXTRA_VISIBILITIES),
    }
    team = writes_internal_cases(actor, project)
    result = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(_cell(v) for v in row):
            continue
        item = ImportRow(line=line, data={"visibility": Visibility.SHARED})
        label = {name: written for _i, name, written in header}
        for index, name, _written in header:
            text = _cell(row[index]) if index < len(row) else ""
            try:
                _read_cell(item, name, text, words, team=team)
            except ValidationError as exc:
                item.errors.setdefault(label[name], []).extend(exc.messages)
        result.append(item)
    _check_rows(project, actor, result, {name: written for _i, name, written in header})
    return result


def _read_cell(
    item: ImportRow, name: str, text: str, words: dict[str, dict[str, str]], *, team: bool
) -> None:
    """Put one cell's value on ``item`` (a ``ValidationError`` when the cell cannot be read)."""
    if name == "code":
        return  # an exported case's code: the imported case gets a new one
    if name == "steps":
        item.data["steps"] = parse_steps(text)
    elif name == "requirements":
        item.requirement_codes = [c.upper() for c in _CODE_SEPARATORS.split(text) if c]
    elif name in words:
        if not text:
            return
        value = words[name].get(text.lower())
        if value is None and name == "priority":
            message = _("Unknown priority “%(value)s”: use critical, high, medium or low (关键, 高, 中, 低).")
            raise ValidationError(message % {"value": text})
        if value is None:
            raise ValidationError(
                _("Unknown visibility “%(value)s”: use shared or internal.") % {"value": text}
            )
        # A client's case is always shared.
        item.data[name] = value if name == "priority" or team else Visibility.SHARED
    else:
        item.data[name] = text


def _check_rows(project: Project, actor: Viewer, rows: list[ImportRow], label: dict[str, str]) -> None:
    """Check each row as the case it makes, and its requirement codes among those the actor sees."""
    codes = {code for row in rows for code in row.requirement_codes}
    known = dict(
        Requirement.objects.visible_to(actor)
        .filter(project=project, code__in=codes)
        .values_list("code", "pk")
    )
    for row in rows:
        missing = [code for code in row.requirement_codes if code not in known]
        if missing:
            row.errors.setdefault(label.get("requirements", "requirements"), []).append(
                _("No such requirement: %(codes)s.") % {"codes": ", ".join(missing)}
            )
        row.data["requirement_ids"] = sorted({known[c] for c in row.requirement_codes if c in known})
        case = TestCase(project=project, code="TC-000", **_case_values(row.data))
        try:
            full_clean(case, exclude=["project", "code", "created_by"])
        except ValidationError as exc:
            for name, messages in _messages(exc).items():
                row.errors.setdefault(label.get(name, name), []).extend(messages)


def _case_values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in data.items()
        if k in ("title", "preconditions", "steps", "expected_result", "priority", "visibility")
    }


def row_errors(rows: list[ImportRow]) -> dict[str, list[str]]:
    """Every row's errors, keyed "row 7, Priority"."""
    errors: dict[str, list[str]] = {}
    for row in rows:
        for column, messages in row.errors.items():
            key = _("row %(n)s, %(column)s") % {"n": row.line, "column": column}
            errors.setdefault(key, []).extend(messages)
    return errors


def check_import(project: Project, *, actor: Viewer, content: bytes, filename: str) -> list[ImportRow]:
    """The dry run of an import: the actor's right checked, every row with its errors, nothing saved."""
    require(can_write_cases(actor, project))
    return preview_cases(project, actor=actor, content=content, filename=filename)


@transaction.atomic
def do_import_cases(project: Project, *, actor: User, content: bytes, filename: str) -> list[TestCase]:
    """Add one test case per row of the file, all or none (a ``ValidationError`` names rows and columns)."""
    require(can_write_cases(actor, project))
    rows = preview_cases(project, actor=actor, content=content, filename=filename)
    errors = row_errors(rows)
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError({"file": [_("The file has no test case.")]})
    codes = next_codes(TestCase, project, len(rows))
    cases = TestCase.objects.bulk_create(
        [
            TestCase(project=project, code=code, created_by=actor, **_case_values(row.data))
            for code, row in zip(codes, rows, strict=True)
        ]
    )
    if any(case.pk is None for case in cases):  # a database that does not return ids of bulk inserts
        by_code = dict(TestCase.objects.filter(project=project, code__in=codes).values_list("code", "pk"))
        for case in cases:
            case.pk = by_code[case.code]
    TestCaseRevision.objects.bulk_create(
        [TestCaseRevision(case=case, number=1, content=content_of(case), created_by=actor) for case in cases]
    )
    through = TestCase.requirements.through
    through.objects.bulk_create(
        [
            through(testcase_id=case.pk, requirement_id=requirement_id)
            for case, row in zip(cases, rows, strict=True)
            for requirement_id in row.data["requirement_ids"]
        ]
    )
    audit.record_many(
        audit.entry(
            actor=actor,
            verb="imported",
            target=case,
            project=project,
            changes={k: [None, v] for k, v in audit.field_values(case, AUDITED).items()},
            visibility=case.visibility,
        )
        for case in cases
    )
    return cases


# ---------------------------------------------------------------- export


def headers() -> list[str]:
    """The columns' headings in the active language."""
    return [str(heading) for _name, heading in COLUMNS]


def table(cases: Iterable[TestCase]) -> list[list[Any]]:
    """One row per case in the columns' order; the requirements the reader sees (``shown_requirements``)."""
    rows = []
    for case in cases:
        requirements = getattr(case, "shown_requirements", None)
        if requirements is None:
            requirements = list(case.requirements.all())
        rows.append(
            [
                case.code,
                case.title,
                case.preconditions,
                steps_text(clean_steps(case.steps) if case.steps else []),
                case.expected_result,
                str(case.get_priority_display()),
                ", ".join(r.code for r in requirements),
                str(case.get_visibility_display()),
            ]
        )
    return rows


def export_csv(cases: Iterable[TestCase]) -> str:
    """The cases as CSV text with headings in the active language."""
    return tabular.write_csv(headers(), table(cases))


def export_xlsx(cases: Iterable[TestCase]) -> bytes:
    """The cases as an Excel workbook with headings in the active language."""
    return tabular.write_xlsx(headers(), table(cases), title=_("Test cases"), widths=(10, 40, 30, 60, 30))


def export_response(user: Viewer, project: Project, filters: CaseFilters, format: str) -> HttpResponse:
    """The cases the user reads that match ``filters`` as a CSV (``format="csv"``) or Excel download."""
    cases = cases_of_filtered(user, project, filters)
    if format == "xlsx":
        response = HttpResponse(export_xlsx(cases), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(
            ("\ufeff" + export_csv(cases)).encode(), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{project.code}-test-cases.{format}"'
    return response
