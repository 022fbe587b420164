"""Hostile upload files for tests, built small and fast: zip bombs dressed as Excel workbooks."""

from __future__ import annotations

import io
import zipfile

import openpyxl

SHEET = "xl/worksheets/sheet1.xml"
_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>title</t></is></c></row>'
)
_TAIL = b"</sheetData></worksheet>"


def workbook(*rows: list[object]) -> bytes:
    """A genuine one-sheet workbook holding ``rows``."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_sheet_xml(body: bytes | None = None, *, title_bytes: int = 0) -> bytes:
    """A valid workbook whose first sheet is a "title" header row followed by ``body``.

    With ``title_bytes``, the second row is one cell of that many letters, streamed into the archive
    a megabyte at a time: a few kilobytes on disk that unpack to ``title_bytes``, while neither the
    test nor the file ever holds the whole text in memory.
    """
    source = zipfile.ZipFile(io.BytesIO(workbook(["title"], ["x"])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for info in source.infolist():
            if info.filename != SHEET:
                bomb.writestr(info, source.read(info))
                continue
            with bomb.open(SHEET, "w", force_zip64=True) as sheet:
                sheet.write(_HEAD)
                if body is not None:
                    sheet.write(body)
                if title_bytes:
                    sheet.write(b'<row r="2"><c r="A2" t="inlineStr"><is><t>')
                    chunk = b"a" * (1024 * 1024)
                    for start in range(0, title_bytes, len(chunk)):
                        sheet.write(chunk[: title_bytes - start])
                    sheet.write(b"</t></is></c></row>")
                sheet.write(_TAIL)
    return out.getvalue()


def xlsx_bomb(unpacked_bytes: int = 48 * 1024 * 1024) -> bytes:
    """A well-formed workbook of a few kilobytes whose sheet unpacks to ``unpacked_bytes``."""
    return with_sheet_xml(title_bytes=unpacked_bytes)
