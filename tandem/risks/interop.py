"""CSV and Excel export and import of each register, with headers in the project's language.

Exports hold what the reader may see (``queries.*_of``), so a client's file never has an internal
row. An import adds every row through the same services as the API, in one transaction: when any
row fails, nothing is saved and every failing row is reported with its column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.accounts.choices import Language
from tandem.accounts.models import User
from tandem.core import tabular
from tandem.projects.models import Project
from tandem.risks import permissions, queries, services

#: The largest file an import reads, and the most rows.
MAX_IMPORT_BYTES = tabular.MAX_UPLOAD_BYTES
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


def table(user: Any, project: Project, register: str) -> list[list[Any]]:
    """The register's rows as the user may see them, one per record, in the columns' order."""
    cols = columns_of(register)
    emails = dict(project.memberships.values_list("user_id", "user__email"))
    return [[_cell(record, c, emails) for c in cols] for record in _rows(user, project, register)]


def export_csv(user: Any, project: Project, register: str) -> str:
    """The register as CSV text (UTF-8)."""
    return tabular.write_csv(headers(project, register), table(user, project, register))


def export_xlsx(user: Any, project: Project, register: str) -> bytes:
    """The register as an Excel workbook with a bold, frozen header."""
    return tabular.write_xlsx(headers(project, register), table(user, project, register), title=register)


# ---------------------------------------------------------------- import


def read_table(data: bytes, filename: str) -> list[list[Any]]:
    """The rows of an uploaded CSV or Excel file; a ``ValidationError`` on ``file`` when unreadable."""
    return tabular.read_table(data, filename, max_rows=MAX_IMPORT_ROWS, max_bytes=MAX_IMPORT_BYTES)


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
    return str(value)


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
