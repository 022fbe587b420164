"""Files in and out: one writer for every spreadsheet and CSV export, one bounded reader for uploads.

The writer (``write_csv``, ``write_xlsx``) passes every cell through ``safe_cell``: characters no
XML or spreadsheet can hold are replaced by U+FFFD, so a row stored before they were refused never
breaks an export, and text a spreadsheet would run as a formula is quoted with an apostrophe.

The reader (``read_table``) opens an uploaded ``.csv`` or ``.xlsx`` within limits: the upload's
size, the workbook's unpacked size and compression ratio (checked from the archive's directory
before anything is inflated), and the number of rows and columns. Whatever it refuses is a
``ValidationError`` on the upload's field, which the API answers 422 and a page shows on its form.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import openpyxl
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from tandem.core.validation import ILLEGAL_TEXT

#: The largest upload read, in bytes.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
#: The most bytes all parts of a workbook may unpack to. A genuine 2 MB workbook unpacks to a few
#: times that; a zip bomb of the same size unpacks to gigabytes.
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
#: The highest ratio of unpacked to packed size of a part bigger than ``RATIO_FROM_BYTES``. Sheets
#: of real data compress 5 to 20 times; only repetition made on purpose compresses a thousand times.
MAX_COMPRESSION_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024
#: The most parts a workbook may have (a workbook of one sheet has about ten).
MAX_PARTS = 1000
#: The most columns a row may fill.
MAX_COLUMNS = 200
#: Starts of text that a spreadsheet runs as a formula (CSV/formula injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Cell values a workbook stores as they are; anything else is written as its text.
_TYPED = (bool, int, float, Decimal, dt.date, dt.datetime, dt.time)
#: What Excel refuses in a sheet's name.
_SHEET_NAME_REFUSED = re.compile(r"[\[\]:*?/\\]")


# ---------------------------------------------------------------- writing


def clean_text(value: str) -> str:
    """``value`` with every character no XML or spreadsheet can hold replaced by U+FFFD."""
    return ILLEGAL_TEXT.sub("\ufffd", value)


def safe_cell(value: Any) -> Any:
    """A cell value every file format can hold and no spreadsheet runs as a formula.

    Numbers and dates stay typed; ``None`` stays empty; any other value is written as its text,
    quoted with an apostrophe when it starts like a formula (``=``, ``+``, ``-``, ``@``, tab, CR).
    """
    if value is None or isinstance(value, _TYPED):
        return value
    text = clean_text(str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_rows(headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
    """The header row and then every row, each cell through ``safe_cell``."""
    yield [safe_cell(h) for h in headers]
    for row in rows:
        yield [safe_cell(v) for v in row]


def write_csv(headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """A CSV text (comma separated, CRLF lines) of a header row and rows, every cell made safe."""
    out = io.StringIO()
    csv.writer(out).writerows(safe_rows(headers, rows))
    return out.getvalue()


def write_xlsx(
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    title: str,
    widths: Sequence[float] = (),
    wrap: bool = False,
) -> bytes:
    """An Excel workbook of one sheet: a bold, frozen header row, then the rows, every cell made safe.

    ``widths`` sets the first columns' widths (in characters); ``wrap`` wraps long text in the rows.
    """
    # Write-only mode streams the rows into the file instead of keeping a cell object per value: a
    # 5,000-row plan is written several times faster, the cells and their styles are the same.
    book = openpyxl.Workbook(write_only=True)
    sheet: Any = book.create_sheet(_SHEET_NAME_REFUSED.sub("-", clean_text(title))[:31] or "Sheet")
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    lines = safe_rows(headers, rows)
    bold = Font(bold=True)
    sheet.append([_styled_cell(sheet, value, font=bold) for value in next(lines)])
    if wrap:
        top = Alignment(wrap_text=True, vertical="top")
        for line in lines:
            sheet.append([_styled_cell(sheet, value, alignment=top) for value in line])
    else:
        for line in lines:
            sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _styled_cell(
    sheet: Any, value: Any, *, font: Font | None = None, alignment: Alignment | None = None
) -> Any:
    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    return cell


# ---------------------------------------------------------------- reading


def unquote_cell(value: Any) -> Any:
    """A read cell without the apostrophe ``safe_cell`` put before formula-like text."""
    if isinstance(value, str) and value[:1] == "'" and value[1:2] and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def read_table(
    data: bytes,
    filename: str,
    *,
    max_rows: int,
    suffixes: Sequence[str] = (".csv", ".xlsx"),
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_columns: int = MAX_COLUMNS,
    field: str = "file",
) -> list[list[Any]]:
    """The rows of an uploaded CSV (UTF-8 or GB18030) or Excel (``.xlsx``, the active sheet) file.

    The first row is returned as it is (the header); then at most ``max_rows`` rows that are not
    empty. Rows keep their place (an empty row is ``[]``, so row numbers stay those the user sees),
    trailing empty rows and cells are dropped, and apostrophes the exports put before formula-like
    text are taken off. Excel cells keep their types (numbers, dates); CSV cells are text.

    Raises ``ValidationError`` on ``field`` when the file is too big, unpacks too far, has too many
    rows or columns, or cannot be read.
    """
    if len(data) > max_bytes:
        raise _refusal(field, _("The file is larger than %(size)s.") % {"size": filesizeformat(max_bytes)})
    name = (filename or "").lower()
    if not name.endswith(tuple(suffixes)):
        raise _refusal(field, _("Upload a .csv or .xlsx file."))
    lines = _xlsx_lines(data, max_columns, field) if name.endswith(".xlsx") else _csv_lines(data, field)
    rows: list[list[Any]] = []
    filled = 0
    # Blank lines between rows are tolerated up to as many again as the rows allowed; past that the
    # file is refused without reading on (a sheet can claim row 1,048,576 in a few bytes).
    for number, line in enumerate(lines, start=1):
        if number > 2 * max_rows + 100:
            raise _too_many_rows(max_rows, field)
        row = [unquote_cell(v) for v in line]
        while row and row[-1] in (None, ""):
            row.pop()
        if len(row) > max_columns:
            raise _refusal(field, _("The file has more than %(n)s columns.") % {"n": max_columns})
        filled += bool(row) and number > 1
        if filled > max_rows:
            raise _too_many_rows(max_rows, field)
        rows.append(row)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _refusal(field: str, message: str) -> ValidationError:
    """The refusal of the whole upload, on its field."""
    return ValidationError({field: [message]})


def _too_many_rows(max_rows: int, field: str) -> ValidationError:
    """The refusal of a file with more rows than may be imported at once."""
    return _refusal(field, _("The file has more than %(n)s rows.") % {"n": max_rows})


def _csv_lines(data: bytes, field: str) -> Iterator[list[str]]:
    """The lines of a CSV file, its encoding and separator (comma, semicolon or tab) detected."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _refusal(field, _("The file is neither UTF-8 nor GB18030 text."))
    # The header line decides the separator: spreadsheets set to Chinese or European locales save
    # with semicolons or tabs, and a header rarely holds any of them as text.
    header = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=lambda d: (header.count(d), d == ","))
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:
        raise _refusal(field, _("The file could not be read as CSV or Excel.")) from exc


def check_archive(data: bytes, field: str = "file") -> None:
    """Refuse a workbook whose parts, as its zip directory declares them, would unpack too far.

    Python's ``zipfile`` never inflates a part beyond the size its directory declares (a part that
    lies fails its checksum), so checking the declared sizes bounds what reading can cost.
    """
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _refusal(field, _("The file is not a readable Excel workbook.")) from exc
    too_far = _refusal(
        field,
        _("The file unpacks to more than %(size)s, which is more than a workbook of this size holds.")
        % {"size": filesizeformat(MAX_UNPACKED_BYTES)},
    )
    if len(parts) > MAX_PARTS or sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES:
        raise too_far
    for part in parts:
        # Excel only stores and deflates; other methods inflate unbounded within one read.
        if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _refusal(field, _("The file is not a readable Excel workbook."))
        ratio = part.file_size // max(part.compress_size, 1)
        if part.file_size > RATIO_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise _refusal(
                field,
                _(
                    "A part of the file is compressed %(ratio)s times, far more than real data "
                    "allows: it was not unpacked."
                )
                % {"ratio": ratio},
            )


def _xlsx_lines(data: bytes, max_columns: int, field: str) -> Iterator[list[Any]]:
    """The rows of a workbook's active sheet (else its first), read-only, after ``check_archive``."""
    check_archive(data, field)
    unreadable = _refusal(field, _("The file is not a readable Excel workbook."))
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:
        # openpyxl raises whatever its parsers meet in a hostile file: every failure is "unreadable".
        raise unreadable from exc
    try:
        sheet: Any = book.active if book.active in book.worksheets else book.worksheets[0]
        # Bounding the columns keeps a sheet that claims 16,384 columns from padding every row.
        for line in sheet.iter_rows(max_col=max_columns + 1, values_only=True):
            yield list(line)
    except ValidationError:
        raise
    except Exception as exc:
        raise unreadable from exc
    finally:
        book.close()
