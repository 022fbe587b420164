"""One writer for every export, one bounded reader for every upload."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from tandem.core import tabular
from tandem.testing.files import with_sheet_xml, workbook, xlsx_bomb


def _refusal(data: bytes, name: str, **limits: int) -> str:
    """The message ``read_table`` refuses the file with, on the ``file`` field."""
    with pytest.raises(ValidationError) as err:
        tabular.read_table(data, name, **{"max_rows": 10, **limits})
    assert list(err.value.message_dict) == ["file"]
    return err.value.message_dict["file"][0]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a\x11b\x0c", "a\ufffdb\ufffd"),
        ("line\nnext\ttab", "line\nnext\ttab"),
        ("需求 = 1", "需求 = 1"),
        (-3, -3),
        (None, None),
        (dt.date(2026, 1, 5), dt.date(2026, 1, 5)),
    ],
)
def test_it_makes_each_cell_safe(value: object, written: object) -> None:
    assert tabular.safe_cell(value) == written
    assert tabular.unquote_cell(tabular.safe_cell(value)) == (
        tabular.clean_text(value) if isinstance(value, str) else value
    )


def test_it_writes_the_same_safe_cells_to_csv_and_excel() -> None:
    rows = [["=1+1", 7, "a\x11"], ["ok", None, "-x"]]
    text = tabular.write_csv(["name", "n", "note"], rows)
    assert list(csv.reader(io.StringIO(text))) == [
        ["name", "n", "note"],
        ["'=1+1", "7", "a\ufffd"],
        ["ok", "", "'-x"],
    ]
    data = tabular.write_xlsx(["name", "n", "note"], rows, title="a/b:c", widths=(20,))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None and sheet.title == "a-b-c" and sheet.freeze_panes == "A2"
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["name", "n", "note"],
        ["'=1+1", 7, "a\ufffd"],
        ["ok", None, "'-x"],
    ]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert tabular.read_table(data, "back.xlsx", max_rows=5) == [
        ["name", "n", "note"],
        ["=1+1", 7, "a\ufffd"],
        ["ok", None, "-x"],
    ]


def test_it_writes_a_bold_frozen_header_widths_and_wrapped_rows_to_excel() -> None:
    rows = [["a long text", 1, None, dt.date(2026, 1, 5)], ["b", 2.5, "x", None]]
    data = tabular.write_xlsx(["name", "n", "note", "day"], rows, title="Plan", widths=(30, 8), wrap=True)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None and sheet.freeze_panes == "A2"
    # The stored width holds Excel's cell padding (30 characters shown are stored as 30.71).
    assert [int(sheet.column_dimensions[c].width) for c in "AB"] == [30, 8]
    assert all(c.font.b for c in sheet[1]) and not any(c.alignment.wrap_text for c in sheet[1])
    body = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert len(body) == 8 and all(c.alignment.wrap_text and c.alignment.vertical == "top" for c in body)
    assert not any(c.font.b for c in body)
    assert sheet["D2"].value == dt.datetime(2026, 1, 5) and sheet["B3"].value == 2.5
    plain = openpyxl.load_workbook(io.BytesIO(tabular.write_xlsx(["name"], [["a"]], title="P"))).active
    assert plain is not None and not plain["A2"].alignment.wrap_text and plain["A1"].font.b


def test_it_names_the_sheet_as_excel_allows_and_keeps_typed_cells() -> None:
    rows = [[Decimal("12.50"), dt.time(8, 30), dt.datetime(2026, 1, 5, 8, 0), True, ""]]
    data = tabular.write_xlsx(["a", "b", "c", "d", "e"], rows, title="'Q1' [risks]")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    # Excel refuses a sheet name that starts or ends with an apostrophe or holds brackets.
    assert sheet is not None and sheet.title == "Q1' -risks-"
    assert [c.value for c in sheet[2]][:4] == [12.5, dt.time(8, 30), dt.datetime(2026, 1, 5, 8, 0), True]
    assert sheet["E2"].value is None
    empty = openpyxl.load_workbook(io.BytesIO(tabular.write_xlsx(["a"], [], title="''")))
    assert empty.sheetnames == ["Sheet"]


def test_it_reads_csv_in_utf8_or_gb18030_with_the_headers_separator() -> None:
    assert tabular.read_table("标题;优先级\n会员;必须\n\n".encode("gb18030"), "a.csv", max_rows=5) == [
        ["标题", "优先级"],
        ["会员", "必须"],
    ]
    text = "\ufefftitle,note\n\nx,'=1\n"
    assert tabular.read_table(text.encode(), "a.csv", max_rows=5) == [["title", "note"], [], ["x", "=1"]]


def test_it_refuses_a_zip_bomb_from_the_archive_directory() -> None:
    assert "unpacks to more than" in _refusal(xlsx_bomb(), "bomb.xlsx")


def test_it_refuses_a_part_compressed_far_beyond_real_data() -> None:
    # 3 MB of one letter: below the unpacked limit, but a thousand times smaller packed.
    assert "compressed" in _refusal(xlsx_bomb(3 * 1024 * 1024), "bomb.xlsx")


def test_it_refuses_compression_methods_excel_never_uses() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", b"x" * 100, compress_type=zipfile.ZIP_BZIP2)
    assert "not a readable Excel workbook" in _refusal(out.getvalue(), "a.xlsx")


def test_it_refuses_too_many_rows_or_columns() -> None:
    assert "more than 10 rows" in _refusal(b"title\n" + b"x\n" * 11, "a.csv")
    assert "more than 10 rows" in _refusal(b"title\n" + b"\n" * 200 + b"x\n", "a.csv")
    assert "more than 3 columns" in _refusal(b"a,b,c,d\n", "a.csv", max_columns=3)
    assert "more than 3 columns" in _refusal(workbook(["a", "b", "c", "d"]), "a.xlsx", max_columns=3)
    assert tabular.read_table(b"a,b,c,,,\n", "a.csv", max_rows=1, max_columns=3) == [["a", "b", "c"]]


def test_a_sheet_claiming_the_last_row_is_refused_without_counting_to_it() -> None:
    body = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    assert "more than 10 rows" in _refusal(with_sheet_xml(body), "a.xlsx")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"x" * (2 * 1024 * 1024 + 1), "a.csv", "larger than"),
        (b"title\n", "a.pdf", "Upload a .csv or .xlsx file."),
        (b"not a zip", "a.xlsx", "not a readable Excel workbook"),
        (b"\xff\xfe\x00\x00garbage\x81", "a.csv", "neither UTF-8 nor GB18030"),
    ],
)
def test_it_refuses_unreadable_files_on_the_file_field(data: bytes, name: str, message: str) -> None:
    assert message in _refusal(data, name)
