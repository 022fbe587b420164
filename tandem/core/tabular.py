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

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

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

    Numbers are written as numbers, dates and times as Excel dates shown as ISO text, anything else
    as text (never as a formula or a link). ``widths`` sets the first columns' widths (in
    characters); ``wrap`` wraps long text in the rows.
    """
    import xlsxwriter  # loaded when a workbook is written (0.1 s), as openpyxl when one is read

    out = io.BytesIO()
    # XlsxWriter writes each row's XML as soon as the row is complete (constant-memory mode, through
    # a temporary file), from the values themselves: openpyxl's write-only mode made a cell object
    # per value, and XlsxWriter's in-memory mode keeps one per value until the end, which in a
    # server's large heap costs as much in garbage collection as it saves. The text it turns into
    # numbers, formulas or links by default stays text here.
    # As a context manager the workbook is closed, and its temporary files removed, on an error too.
    with xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    ) as book:
        sheet = book.add_worksheet(_sheet_name(title))
        sheet.freeze_panes(1, 0)
        for index, width in enumerate(widths):
            sheet.set_column(index, index, width)
        lines = safe_rows(headers, rows)
        _write_line(sheet, 0, next(lines), _CellFormats(book, {"bold": True}))
        formats = _CellFormats(book, {"text_wrap": True, "valign": "top"} if wrap else {})
        for number, line in enumerate(lines, start=1):
            _write_line(sheet, number, line, formats)
    return out.getvalue()


def _sheet_name(title: str) -> str:
    """A sheet's name Excel accepts: none of ``[]:*?/\\``, no apostrophe at either end, 31 characters."""
    name = _SHEET_NAME_REFUSED.sub("-", clean_text(title))[:31].strip("'")
    return name or "Sheet"


class _CellFormats:
    """The cell formats of one kind of row (header or body): its style, and with it each date format."""

    def __init__(self, book: Any, style: dict[str, Any]) -> None:
        self.plain = book.add_format(style) if style else None
        # The number formats openpyxl gave typed cells, so a workbook reads back as it did.
        self.date = book.add_format({**style, "num_format": "yyyy-mm-dd"})
        self.datetime = book.add_format({**style, "num_format": "yyyy-mm-dd h:mm:ss"})
        self.time = book.add_format({**style, "num_format": "h:mm:ss"})


def _write_line(sheet: Any, row: int, values: Sequence[Any], formats: _CellFormats) -> None:
    """One row of safe cells: text as text, numbers as numbers, dates with a date format."""
    plain = formats.plain
    for col, value in enumerate(values):
        if isinstance(value, str):
            if value:
                sheet.write_string(row, col, value, plain)
            elif plain is not None:
                sheet.write_blank(row, col, None, plain)
        elif value is None:
            if plain is not None:
                sheet.write_blank(row, col, None, plain)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value, plain)
        elif isinstance(value, (int, float, Decimal)):
            sheet.write_number(row, col, value, plain)
        elif isinstance(value, dt.datetime):
            sheet.write_datetime(row, col, value, formats.datetime)
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, col, value, formats.date)
        else:
            sheet.write_datetime(row, col, value, formats.time)


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
    import openpyxl  # loaded when a workbook is read (0.3 s)

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
