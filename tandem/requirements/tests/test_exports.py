"""The specification as PDF and Excel: in the project's language, with versions and confirmations."""

from __future__ import annotations

import io

import openpyxl
from pypdf import PdfReader

from tandem.accounts.choices import Language
from tandem.requirements import exports, services
from tandem.requirements.models import Requirement
from tandem.testing.pdf import pdf_text

from .conftest import Backlog


def test_the_excel_specification_lists_what_the_reader_may_see_in_the_project_language(
    backlog: Backlog,
) -> None:
    world = backlog.world
    services.do_confirm_requirement(backlog.login, actor=world.client_pm, version_number=1)
    book = openpyxl.load_workbook(io.BytesIO(exports.export_xlsx(world.client_viewer, world.project)))
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Code" and [r[0] for r in rows[1:]] == ["REQ-001", "REQ-002"]
    assert "v1, Cindy Client PM" in str(rows[1][10])
    world.project.language = Language.CHINESE
    world.project.save()
    book = openpyxl.load_workbook(io.BytesIO(exports.export_xlsx(world.pm, world.project)))
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "代码" and len(rows) == 4


def test_the_pdf_specification_renders(backlog: Backlog) -> None:
    world = backlog.world
    services.do_confirm_requirement(backlog.login, actor=world.client_pm, version_number=1)
    world.project.language = Language.CHINESE
    world.project.save()
    pdf = exports.export_pdf(world.client_viewer, world.project)
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000
    text = pdf_text(pdf)
    assert "REQ-001" in text and "确认记录" in text
    assert "Margin dashboard" not in text
    assert "版本 1" in text and "Cindy Client PM" in text
    reader = PdfReader(io.BytesIO(pdf))
    assert [getattr(entry, "title", None) for entry in reader.outline] == [
        f"{r.code} {r.title}" for r in (backlog.login, backlog.report)
    ]
    assert f"1 / {len(reader.pages)}" in reader.pages[0].extract_text()


def test_the_excel_specification_quotes_formulas_and_replaces_control_characters(backlog: Backlog) -> None:
    world = backlog.world
    # Rows stored before control characters were refused: written straight through the ORM.
    Requirement.objects.filter(pk=backlog.login.pk).update(title="=cmd|' /C calc'!A0")
    Requirement.objects.filter(pk=backlog.report.pk).update(title="Daily\x11report", description="-2+3")
    book = openpyxl.load_workbook(io.BytesIO(exports.export_xlsx(world.pm, world.project)))
    sheet = book.active
    assert sheet is not None
    login, report = sheet["B2"], sheet["B3"]
    assert login.data_type == "s" and login.value == "'=cmd|' /C calc'!A0"
    assert report.value == "Daily\ufffdreport" and sheet["F3"].value == "'-2+3"
