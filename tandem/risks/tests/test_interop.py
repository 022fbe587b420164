"""Register files: every export survives old rows and quotes formulas; imports read bounded files."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from tandem.risks import interop, services
from tandem.risks.models import Risk
from tandem.testing.files import xlsx_bomb
from tandem.testing.personas import World


def test_the_register_files_survive_a_control_character_stored_earlier(world: World) -> None:
    risk = services.do_add_risk(world.project, actor=world.pm, title="Vendor late", probability=3, impact=3)
    # A row stored before control characters were refused: written straight through the ORM.
    Risk.objects.filter(pk=risk.pk).update(title="Vendor\x11late", description="=1+1")
    sheet = openpyxl.load_workbook(io.BytesIO(interop.export_xlsx(world.pm, world.project, "risks"))).active
    assert sheet is not None
    assert sheet["A2"].value == "Vendor\ufffdlate" and sheet["B2"].value == "'=1+1"
    rows = list(csv.reader(io.StringIO(interop.export_csv(world.pm, world.project, "risks"))))
    assert rows[1][:2] == ["Vendor\ufffdlate", "'=1+1"]


def test_a_quoted_formula_reads_back_as_the_text_that_was_written(world: World) -> None:
    services.do_add_risk(world.project, actor=world.pm, title="-1 day slip", probability=2, impact=2)
    exported = interop.export_xlsx(world.pm, world.project, "risks")
    Risk.objects.all().delete()
    assert interop.import_register(world.project, "risks", exported, "risks.xlsx", actor=world.pm) == 1
    assert Risk.objects.get().title == "-1 day slip"


def test_a_zip_bomb_is_refused_on_the_file_field(world: World) -> None:
    with pytest.raises(ValidationError) as err:
        interop.import_register(world.project, "risks", xlsx_bomb(), "risks.xlsx", actor=world.pm)
    assert list(err.value.message_dict) == ["file"]
    assert not Risk.objects.exists()
