"""CSV and Excel export and import of each register, with headers in the project's language.

Exports hold what the reader may see (``queries.*_of``), so a client's file never has an internal
row. An import adds every row through the same services as the API, in one transaction: when any
row fails, nothing is saved and every failing row is reported with its column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import openpyxl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Font

from tandem.accounts.choices import Language
from tandem.accounts.models import User
from tandem.projects.models import Project
from tandem.risks import permissions, queries, services

#: The largest file an import reads, and the most rows.
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 5000


@dataclass(frozen=True)
class Column:
    """One column of a register's file: the field, its label, how to read and write a value."""

    field: str
    label: Any
    kind: str = "text"  # text, int, decimal, date, person, options
    export_only: bool = False


C = Column
L = gettext_lazy
REGISTERS: dict[str, tuple[Column, ...]] = {
    "risks": (
        C("title", L("title")),
        C("description", L("description")),
        C("cause", L("cause")),
        C("effect", L("effect")),
        C("category", L("category")),
        C("probability", L("probability"), "int"),
        C("impact", L("impact"), "int"),
        C("impact_dimension", L("impact on")),
        C("inherent_probability", L("inherent probability"), "int"),
        C("inherent_impact", L("inherent impact"), "int"),
        C("score", L("score"), "int", export_only=True),
        C("level", L("level"), export_only=True),
        C("proximity", L("proximity")),
        C("owner_id", L("owner"), "person"),
        C("strategy", L("response strategy")),
        C("trigger", L("trigger")),
        C("contingency_days", L("schedule contingency (days)"), "int"),
        C("contingency_money", L("cost contingency"), "decimal"),
        C("status", L("status")),
        C("next_review", L("next review"), "date"),
        C("visibility", L("visibility")),
    ),
    "issues": (
        C("title", L("title")),
        C("description", L("what happened")),
        C("impact", L("impact")),
        C("severity", L("severity")),
        C("owner_id", L("owner"), "person"),
        C("due_date", L("due date"), "date"),
        C("escalation_level", L("escalation level")),
        C("status", L("status")),
        C("resolution", L("resolution")),
        C("visibility", L("visibility")),
    ),
    "conflicts": (
        C("subject", L("subject")),
        C("description", L("description")),
        C("parties", L("parties")),
        C("root_cause", L("root cause")),
        C("resolution_method", L("resolution method")),
        C("outcome", L("outcome")),
        C("status", L("status")),
        C("resolved_on", L("date resolved"), "date"),
        C("visibility", L("visibility")),
    ),
    "decisions": (
        C("question", L("question")),
        C("context", L("context")),
        C("options", L("options"), "options"),
        C("recommendation", L("recommendation")),
        C("decider_id", L("to be decided by"), "person"),
        C("decision_kind", L("decision right")),
        C("due_date", L("due date"), "date"),
        C("status", L("status"), export_only=True),
        C("outcome", L("outcome"), export_only=True),
        C("visibility", L("visibility")),
    ),
}
OPTION_SEPARATOR = " | "


def columns_of(register: str) -> tuple[Column, ...]:
    """The columns of ``register``; ``KeyError`` for an unknown one."""
    return REGISTERS[register]


def _language(project: Project) -> str:
    return "zh-hans" if project.language == Language.CHINESE else "en"


def headers(project: Project, register: str) -> list[str]:
    """The column headers in the project's language."""
    with translation.override(_language(project)):
        return [str(c.label) for c in columns_of(register)]


def _rows(user: Any, project: Project, register: str) -> Iterable[Any]:
    if register == "risks":
        return queries.risks_of(user, project)
    if register == "issues":
        return queries.issues_of(user, project)
    if register == "conflicts":
        return queries.conflicts_of(user, project)
    return queries.decisions_of(user, project)


def _cell(record: Any, column: Column, emails: dict[int, str]) -> Any:
    if column.field == "status" and hasattr(record, "shown_status"):
        return str(record.shown_status)
    value = getattr(record, column.field, None)
    if column.kind == "person":
        return emails.get(value, "") if value else ""
    if column.kind == "options":
        return OPTION_SEPARATOR.join(value or [])
    if column.kind == "date":
        return value.isoformat() if value else ""
    if column.kind == "decimal":
        return str(value) if value is not None else ""
    if value is None:
        return ""
    return value if isinstance(value, int) else str(value)


def _safe(value: Any) -> Any:
    # A cell starting with = + - @ is a formula to spreadsheets: quote it (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def table(user: Any, project: Project, register: str) -> list[list[Any]]:
    """The register as the user may see it: a header row, then one row per record."""
    cols = columns_of(register)
    emails = dict(project.memberships.values_list("user_id", "user__email"))
    out: list[list[Any]] = [headers(project, register)]
    for record in _rows(user, project, register):
        out.append([_safe(_cell(record, c, emails)) for c in cols])
    return out


def export_csv(user: Any, project: Project, register: str) -> str:
    """The register as CSV text (UTF-8)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(table(user, project, register))
    return buffer.getvalue()


def export_xlsx(user: Any, project: Project, register: str) -> bytes:
    """The register as an Excel workbook with a bold, frozen header."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = register
    for row in table(user, project, register):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- import


def read_table(data: bytes, filename: str) -> list[list[Any]]:
    """The rows of an uploaded CSV or Excel file; a ``ValidationError`` on ``file`` when unreadable."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError({"file": [_("The file is larger than 2 MB.")]})
    name = filename.lower()
    try:
        if name.endswith(".xlsx"):
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = workbook.active
            if sheet is None:
                return []
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        elif name.endswith(".csv"):
            rows = [list(r) for r in csv.reader(io.StringIO(data.decode("utf-8-sig")))]
        else:
            raise ValidationError({"file": [_("Upload a .csv or .xlsx file.")]})
    except ValidationError:
        raise
    except Exception:
        raise ValidationError({"file": [_("The file could not be read as CSV or Excel.")]}) from None
    if len(rows) > MAX_IMPORT_ROWS + 1:
        raise ValidationError({"file": [_("The file has more than %(n)s rows.") % {"n": MAX_IMPORT_ROWS}]})
    return rows


def _header_map(project: Project, register: str, header: Sequence[Any]) -> dict[int, Column]:
    names: dict[str, Column] = {}
    for column in columns_of(register):
        if column.export_only:
            continue
        names[column.field.lower()] = column
        names[column.field.removesuffix("_id").lower()] = column
        for language in ("en", "zh-hans"):
            with translation.override(language):
                names[str(column.label).lower()] = column
    found = {
        i: names[str(h).strip().lower()]
        for i, h in enumerate(header)
        if h and str(h).strip().lower() in names
    }
    if not found:
        raise ValidationError({"file": [_("The first row must name the columns of this register.")]})
    return found


def _convert(column: Column, value: Any, people: dict[str, int]) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return (
            None
            if column.kind in ("int", "decimal", "date", "person")
            else ([] if column.kind == "options" else "")
        )
    if column.kind == "int":
        try:
            return int(str(value).strip())
        except ValueError:
            raise ValidationError(_("Enter a whole number.")) from None
    if column.kind == "decimal":
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            raise ValidationError(_("Enter a number.")) from None
    if column.kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError(_("Enter a valid date (YYYY-MM-DD).")) from None
    if column.kind == "person":
        user_id = people.get(str(value).strip().lower())
        if user_id is None:
            raise ValidationError(_("No member of this project has this email address."))
        return user_id
    if column.kind == "options":
        return [part.strip() for part in str(value).split("|") if part.strip()]
    text = str(value)
    return text[1:] if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@") else text


ADDERS: dict[str, Callable[..., Any]] = {
    "risks": services.do_add_risk,
    "issues": services.do_add_issue,
    "conflicts": services.do_add_conflict,
    "decisions": services.do_add_decision,
}


def import_register(project: Project, register: str, data: bytes, filename: str, *, actor: User) -> int:
    """Add one record per row of the file; all or nothing. Returns the number of records added.

    Raises ``ValidationError`` whose keys name the row and column at fault (``row 3: probability``).
    """
    permissions.require_edit(actor, project)
    rows = read_table(data, filename)
    if not rows:
        raise ValidationError({"file": [_("The file is empty.")]})
    mapping = _header_map(project, register, rows[0])
    people = {email.lower(): pk for pk, email in project.memberships.values_list("user_id", "user__email")}
    errors: dict[str, list[str]] = {}
    added = 0
    with transaction.atomic():
        for number, row in enumerate(rows[1:], start=2):
            if not any(v not in (None, "") for v in row):
                continue
            values: dict[str, Any] = {}
            for index, column in mapping.items():
                raw = row[index] if index < len(row) else None
                try:
                    value = _convert(column, raw, people)
                except ValidationError as exc:
                    errors.setdefault(
                        _("row %(n)s: %(field)s") % {"n": number, "field": column.field}, []
                    ).extend(exc.messages)
                    continue
                # An empty cell leaves the field at its default.
                if value is not None and not (value == "" and column.field in _CHOICE_FIELDS):
                    values[column.field] = value
            try:
                with transaction.atomic():
                    ADDERS[register](project, actor=actor, **values)
                added += 1
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    key = _("row %(n)s: %(field)s") % {"n": number, "field": field}
                    errors.setdefault(key, []).extend(messages)
            except PermissionDenied:
                raise
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ValidationError(errors)
    return added


#: Fields with choices: an empty cell takes the default.
_CHOICE_FIELDS = frozenset(
    {
        "category",
        "impact_dimension",
        "proximity",
        "strategy",
        "status",
        "visibility",
        "severity",
        "escalation_level",
        "root_cause",
        "resolution_method",
        "decision_kind",
    }
)
