"""The cost section of a status report: earned value facts, the cost RAG rule feeding the overall
rating, the verdict in the narrative and in every format, and nothing internal in it."""

from __future__ import annotations

import datetime as dt

import pytest

from tandem.reports import generation, rag, rendering, services
from tandem.reports.models import StatusReport
from tandem.testing.earned_value import AS_OF, RATE, build_worked_example
from tandem.testing.personas import World

pytestmark = pytest.mark.django_db

#: Friday 16 January 2026, 18:00 in Shanghai: the worked example's status date.
NOW = dt.datetime(2026, 1, 16, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
VERDICT = (
    "The project has spent ¥210,000 for ¥200,000 of work done: 5 % over cost and 20 % behind plan; "
    "at this rate it will cost ¥525,000, ¥25,000 over budget."
)


def _generate(world: World, language: str = "en") -> StatusReport:
    return services.generate_report(
        world.project,
        period_start=dt.date(2026, 1, 12),
        period_end=AS_OF,
        actor=world.pm,
        now=NOW,
        language=language,
    )


@pytest.mark.parametrize(
    ("cpi", "spi", "colour"),
    [
        (1.0, 1.0, "green"),
        (0.95, 1.2, "green"),
        (0.94, 1.0, "amber"),
        (1.0, 0.9, "amber"),
        (0.95, 0.89, "red"),
    ],
)
def test_the_cost_rule_grades_the_worse_index(cpi: float, spi: float, colour: str) -> None:
    assert rag.rate_cost(cpi=cpi, spi=spi).colour == colour


def test_the_cost_rule_is_green_with_a_note_when_nothing_can_be_measured() -> None:
    assert rag.rate_cost(cpi=None, spi=None, has_baseline=False).reasons == [rag.Reason("cost_no_baseline")]
    assert rag.rate_cost(cpi=None, spi=None).reasons == [rag.Reason("cost_not_measurable")]
    assert rag.rate_cost(cpi=None, spi=None).colour == rag.GREEN


def test_a_report_carries_the_earned_value_figures_and_the_cost_rating(world: World) -> None:
    build_worked_example(world)
    report = _generate(world)
    cost = report.facts["cost"]
    assert {k: cost[k] for k in ("bac", "pv", "ev", "ac", "eac", "vac", "cpi", "spi")} == {
        "bac": "500000.00",
        "pv": "250000.00",
        "ev": "200000.00",
        "ac": "210000.00",
        "eac": "525000.00",
        "vac": "-25000.00",
        "cpi": 0.952,
        "spi": 0.8,
    }
    dimension = report.facts["rag"]["dimensions"]["cost"]
    assert dimension["colour"] == "red"
    assert {"code": "cost_behind", "params": {"spi": "0.80"}} in dimension["reasons"]
    assert report.rag == "red"
    assert VERDICT in report.summary  # the default narrative mentions it


def test_every_format_shows_the_cost_section_and_no_rate(world: World) -> None:
    build_worked_example(world)
    report = _generate(world)
    body = str(rendering.render_body(report))
    markdown = rendering.render_markdown_text(report)
    for text in (body, markdown):
        assert "Cost and earned value" in text and VERDICT in text
        assert "525,000.00" in text and "0.952" in text
        assert RATE not in text and "3,125" not in text
        assert "Vendor work" not in text  # an internal task is never named
    assert "CPI = EV / AC" in body
    assert "The cost performance index" not in body  # SPI is the red one here
    assert "The schedule performance index is 0.80" in body


def test_a_chinese_report_says_it_in_chinese(world: World) -> None:
    build_worked_example(world)
    report = _generate(world, language="zh-hans")
    body = str(rendering.render_body(report))
    assert "成本与挣值" in body and "超支 5 %" in body and "落后计划 20 %" in body


def test_a_report_without_a_baseline_says_so_and_stays_green_on_cost(world: World) -> None:
    report = _generate(world)
    assert report.facts["cost"]["bac"] is None and report.facts["cost"]["ac"] == "0.00"
    assert report.facts["rag"]["dimensions"]["cost"] == {
        "colour": "green",
        "reasons": [{"code": "cost_no_baseline", "params": {}}],
    }


def test_facts_of_an_older_report_without_cost_still_rate_and_render(world: World) -> None:
    report = _generate(world)
    facts = dict(report.facts)
    del facts["cost"]
    assert "cost" not in generation.ratings(facts, today=AS_OF)
    report.facts = facts
    assert "Cost and earned value" not in str(rendering.render_body(report))
