"""Survey files as candidate requirements: a preview with an error per bad row, nothing saved."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from tandem.requirements.imports import parse_survey
from tandem.requirements.models import Requirement
from tandem.testing.files import xlsx_bomb


def test_a_csv_becomes_candidates_with_row_errors(db: None) -> None:
    content = (
        b"Title,Priority,Acceptance criteria,Requester\n"
        b"Loyalty points,must,Points on every sale; Points visible on receipt,Ann\n"
        b",should,,Bob\n"
        b"Gift cards,urgent,,\n"
        b"\n"
    )
    rows = parse_survey(content, "survey.csv")
    assert [r.line for r in rows] == [2, 3, 4]
    assert rows[0].ok and rows[0].data == {
        "title": "Loyalty points",
        "priority": "must",
        "acceptance_criteria": ["Points on every sale", "Points visible on receipt"],
        "requester_name": "Ann",
    }
    assert "title" in rows[1].errors and "priority" in rows[2].errors
    assert not Requirement.objects.exists()


def test_chinese_headings_and_gb18030_and_semicolons() -> None:
    content = "标题;优先级;描述\n会员积分;必须;积分规则\n".encode("gb18030")
    rows = parse_survey(content, "问卷.CSV")
    assert rows[0].data == {"title": "会员积分", "priority": "must", "description": "积分规则"}


def test_an_excel_file() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Requirement", "Details", "Priority"])
    sheet.append(["Stock per store", "Live", "Should have"])
    sheet.append([None, None, None])
    sheet.append(["", "no title", "could"])
    out = io.BytesIO()
    book.save(out)
    rows = parse_survey(out.getvalue(), "answers.xlsx")
    assert rows[0].ok and rows[0].data["priority"] == "should"
    assert rows[1].line == 3 and "title" in rows[1].errors


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"", "a.csv"),
        (b"foo,bar\n1,2\n", "a.csv"),
        (b"title\nx\n", "a.pdf"),
        (b"not a zip", "a.xlsx"),
        (b"\xff\xfe\x00\x00garbage\x81", "a.csv"),
        (b"title\n" + b"x\n" * 1001, "a.csv"),
        (b"x" * (2 * 1024 * 1024 + 1), "a.csv"),
    ],
)
def test_unreadable_files_are_refused_on_the_file_field(content: bytes, name: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_survey(content, name)
    assert "file" in err.value.message_dict


def test_a_zip_bomb_is_refused_on_the_file_field_before_it_is_unpacked() -> None:
    # A few kilobytes that unpack to 48 MB: refused from the archive's directory, nothing inflated.
    with pytest.raises(ValidationError) as err:
        parse_survey(xlsx_bomb(), "bomb.xlsx")
    assert "file" in err.value.message_dict


def test_a_control_character_in_a_cell_is_an_error_of_its_row() -> None:
    rows = parse_survey(b"title,description\nGood,fine\tand tabbed\nBad\x11title,x\n", "survey.csv")
    assert rows[0].ok
    assert "title" in rows[1].errors and "U+0011" in rows[1].errors["title"][0]
