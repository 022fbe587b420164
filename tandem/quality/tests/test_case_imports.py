"""Importing test cases from CSV and Excel (en/zh headings, UTF-8 or GB18030), and exporting them back."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tandem.core import tabular
from tandem.core.models import Activity
from tandem.quality import case_imports, case_queries
from tandem.quality.case_queries import CaseFilters
from tandem.quality.models import TestCase, TestCaseRevision
from tandem.testing.personas import World

from .case_fixtures import Suite, make_suite

pytestmark = pytest.mark.django_db

EN = (
    "Title,Preconditions,Steps,Expected result,Priority,Requirements,Visibility\n"
    '"Pay by card","Card reader on","1. Insert the card => PIN asked\n2. Enter the PIN | Paid",'
    "Receipt printed,"
    'high,"REQ-001, REQ-002",internal\n'
    "Refund,,Scan the receipt,Money back,低,REQ-002,\n"
)
ZH = (
    "标题,前置条件,步骤,预期结果,优先级,需求,可见性\n"
    "扫码支付 Scan to pay,已登录,打开收银台 => 显示二维码,支付成功,关键,REQ-001、REQ-002,共享\n"
)


@pytest.fixture
def suite(world: World) -> Suite:
    return make_suite(world)


def test_it_imports_english_headings_with_steps_priorities_and_requirements(suite: Suite) -> None:
    world = suite.world
    made = case_imports.do_import_cases(
        world.project, actor=world.pm, content=EN.encode(), filename="cases.csv"
    )
    assert [c.code for c in made] == ["TC-004", "TC-005"]
    card = TestCase.objects.get(code="TC-004")
    assert card.steps == [
        {"action": "Insert the card", "expected": "PIN asked"},
        {"action": "Enter the PIN", "expected": "Paid"},
    ]
    assert (
        card.priority == "high" and card.visibility == "internal" and card.preconditions == "Card reader on"
    )
    assert set(card.requirements.all()) == {suite.login, suite.report}
    refund = TestCase.objects.get(code="TC-005")
    assert refund.priority == "low" and refund.visibility == "shared"
    assert TestCaseRevision.objects.filter(case__in=made, number=1).count() == 2
    assert Activity.objects.filter(verb="imported").count() == 2


def test_it_imports_chinese_headings_from_a_gb18030_file_with_a_bom_free_utf8_twin(suite: Suite) -> None:
    world = suite.world
    made = case_imports.do_import_cases(
        world.project, actor=world.pm, content=ZH.encode("gb18030"), filename="用例.csv"
    )
    case = made[0]
    assert case.title == "扫码支付 Scan to pay" and case.priority == "critical"
    assert case.steps == [{"action": "打开收银台", "expected": "显示二维码"}]
    assert set(case.requirements.all()) == {suite.login, suite.report}
    again = case_imports.do_import_cases(
        world.project, actor=world.pm, content=("\ufeff" + ZH).encode(), filename="cases.csv"
    )
    assert again[0].title == case.title


def test_a_bad_row_saves_nothing_and_names_the_row_and_the_column(suite: Suite) -> None:
    world = suite.world
    bad = EN + "Third,,Do it,,urgent,REQ-003,\n,,no title,,,,\n"
    before = TestCase.objects.count()
    with pytest.raises(ValidationError) as caught:
        case_imports.do_import_cases(world.project, actor=world.pm, content=bad.encode(), filename="c.csv")
    errors = caught.value.message_dict
    assert any(k == "row 4, Priority" for k in errors), errors
    assert "row 5, Title" in errors
    assert TestCase.objects.count() == before
    # The client PM does not see REQ-003 (internal): the same row names it as unknown.
    client = "Title,Requirements\nMine,REQ-003\n"
    with pytest.raises(ValidationError) as caught:
        case_imports.do_import_cases(
            world.project, actor=world.client_pm, content=client.encode(), filename="c.csv"
        )
    assert "row 2, Requirements" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        case_imports.do_import_cases(
            world.project, actor=world.pm, content=b"Name,Steps\nx,y\n", filename="c.csv"
        )
    assert "file" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        case_imports.do_import_cases(
            world.project, actor=world.sponsor, content=EN.encode(), filename="c.csv"
        )


def test_the_preview_shows_every_row_and_saves_nothing(suite: Suite) -> None:
    world = suite.world
    rows = case_imports.preview_cases(
        world.project, actor=world.pm, content=(EN + "X,,,,urgent,,\n").encode(), filename="c.csv"
    )
    assert [r.ok for r in rows] == [True, True, False]
    assert "Priority" in rows[2].errors
    assert TestCase.objects.count() == 3


def test_a_client_pms_import_is_shared(suite: Suite) -> None:
    world = suite.world
    made = case_imports.do_import_cases(
        world.project,
        actor=world.client_pm,
        content=b"Title,Visibility,Requirements\nTheirs,internal,REQ-001\n",
        filename="c.csv",
    )
    assert made[0].visibility == "shared"


def test_it_imports_in_constant_queries(suite: Suite) -> None:
    world = suite.world

    def file(n: int) -> bytes:
        lines = "".join(f"Case {i},Step {i} => ok,high,REQ-001 REQ-002\n" for i in range(n))
        return ("Title,Steps,Priority,Requirements\n" + lines).encode()

    with CaptureQueriesContext(connection) as few:
        case_imports.do_import_cases(world.project, actor=world.pm, content=file(3), filename="a.csv")
    with CaptureQueriesContext(connection) as many:
        case_imports.do_import_cases(world.project, actor=world.pm, content=file(30), filename="b.csv")
    assert len(many) == len(few)
    assert TestCase.objects.filter(title="Case 29").get().requirements.count() == 2


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_export_imports_again(suite: Suite, language: str, kind: str) -> None:
    world = suite.world
    with translation.override(language):
        response = case_imports.export_response(world.pm, world.project, CaseFilters(), kind)
        data = response.content
        rows = tabular.read_table(data, f"x.{kind}", max_rows=100)
        made = case_imports.do_import_cases(world.project, actor=world.pm, content=data, filename=f"x.{kind}")
    assert rows[0][1] == ("Title" if language == "en" else "标题")
    originals = {c.title: c for c in TestCase.objects.filter(code__in=["TC-001", "TC-002", "TC-003"])}
    assert len(made) == 3
    for case in made:
        original = originals[case.title]
        assert case.steps == original.steps
        assert (case.priority, case.visibility) == (original.priority, original.visibility)
        assert set(case.requirements.all()) == set(original.requirements.all())


def test_a_clients_export_has_only_what_they_see(suite: Suite) -> None:
    world = suite.world
    text = case_imports.export_response(world.sponsor, world.project, CaseFilters(), "csv").content.decode(
        "utf-8-sig"
    )
    assert "Sign in" in text and "Margin figures" not in text
    assert suite.margin.code not in text and suite.login.code in text
    tester = case_imports.export_response(world.client_viewer, world.project, CaseFilters(), "csv")
    assert "Print the report" not in tester.content.decode("utf-8-sig")
    rows = list(case_queries.cases_of_filtered(world.sponsor, world.project, CaseFilters()))
    assert len(rows) == 2
