"""Survey answers (CSV or Excel) as candidate requirements: parsed and checked, never saved here.

``parse_survey`` returns every row with its errors so that the user sees a preview; only the rows
they confirm are created, by ``services.do_import_candidates``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tandem.core import tabular
from tandem.core.validation import illegal_character, illegal_character_message
from tandem.requirements.choices import Priority
from tandem.requirements.services import MAX_TITLE, clean_criteria

#: The largest survey file read, and the most rows previewed at once.
MAX_BYTES = tabular.MAX_UPLOAD_BYTES
MAX_ROWS = 1000

#: Accepted column headings (English or Chinese, any case) → field.
HEADINGS: dict[str, str] = {
    "title": "title",
    "requirement": "title",
    "标题": "title",
    "需求": "title",
    "description": "description",
    "details": "description",
    "描述": "description",
    "说明": "description",
    "background": "background",
    "背景": "background",
    "priority": "priority",
    "优先级": "priority",
    "acceptance criteria": "acceptance_criteria",
    "acceptance_criteria": "acceptance_criteria",
    "验收标准": "acceptance_criteria",
    "requester": "requester_name",
    "name": "requester_name",
    "提出人": "requester_name",
    "姓名": "requester_name",
    "source": "source_note",
    "source note": "source_note",
    "来源": "source_note",
}

#: Priority words a survey may use → priority.
PRIORITY_WORDS: dict[str, str] = {
    **{p.value: p.value for p in Priority},
    "must have": Priority.MUST,
    "should have": Priority.SHOULD,
    "could have": Priority.COULD,
    "won't": Priority.WONT,
    "won't have": Priority.WONT,
    "wont have": Priority.WONT,
    "必须": Priority.MUST,
    "应该": Priority.SHOULD,
    "可以": Priority.COULD,
    "不会": Priority.WONT,
    "high": Priority.MUST,
    "medium": Priority.SHOULD,
    "low": Priority.COULD,
    "高": Priority.MUST,
    "中": Priority.SHOULD,
    "低": Priority.COULD,
}


@dataclass
class Candidate:
    """One survey row: its line number, the requirement it would make, and what is wrong with it."""

    line: int
    data: dict[str, Any]
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the row can be imported as it is."""
        return not self.errors


def parse_survey(content: bytes, filename: str) -> list[Candidate]:
    """The candidate requirements in a CSV or Excel (.xlsx) file of survey answers.

    The first row names the columns (title, description, background, priority, acceptance criteria,
    requester, source — in English or Chinese); only a title column is required. Acceptance criteria
    are one per line (or separated by ";"). Raises ``ValidationError`` on ``file`` when the file as a
    whole cannot be read; errors of single rows are on their candidates.
    """
    rows = [
        ["" if v is None else str(v) for v in row]
        for row in tabular.read_table(
            content, filename, max_rows=MAX_ROWS, max_bytes=MAX_BYTES, suffixes=(".csv", ".txt", ".xlsx")
        )
    ]
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise ValidationError({"file": [_("The file is empty.")]})
    header = [HEADINGS.get(cell.strip().lower().replace("*", "").strip(), "") for cell in rows[0]]
    if "title" not in header:
        raise ValidationError(
            {
                "file": [
                    _("The first row must name the columns, with a “%(column)s” column.")
                    % {"column": "title"}
                ]
            }
        )
    return [_candidate(i, header, row) for i, row in enumerate(rows[1:], start=2)]


def _candidate(line: int, header: list[str], row: list[str]) -> Candidate:
    data: dict[str, Any] = {}
    for name, cell in zip(header, row, strict=False):
        if name and cell.strip() and name not in data:
            data[name] = cell.strip()
    candidate = Candidate(line=line, data=data)
    title = data.get("title", "")
    if not title:
        candidate.errors["title"] = [_("The title is empty.")]
    elif len(title) > MAX_TITLE:
        candidate.errors["title"] = [_("The title is longer than %(n)s characters.") % {"n": MAX_TITLE}]
    if "priority" in data:
        word = data["priority"].strip().lower().replace("’", "'")
        if word in PRIORITY_WORDS:
            data["priority"] = str(PRIORITY_WORDS[word])
        else:
            candidate.errors["priority"] = [
                _("Unknown priority “%(value)s”: use must, should, could or won't.")
                % {"value": data["priority"]}
            ]
    if "acceptance_criteria" in data:
        text = data["acceptance_criteria"].replace(";", "\n").replace("；", "\n")
        try:
            data["acceptance_criteria"] = clean_criteria(text)
        except ValidationError as exc:
            candidate.errors.update(exc.message_dict)
    for name, limit in (("requester_name", 200), ("source_note", 500)):
        if len(data.get(name, "")) > limit:
            candidate.errors[name] = [_("At most %(n)s characters.") % {"n": limit}]
    for name, value in data.items():
        if (char := illegal_character(value)) is not None:
            candidate.errors[name] = [illegal_character_message(name, char)]
    return candidate
