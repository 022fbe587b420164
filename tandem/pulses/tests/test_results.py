"""The satisfaction figures on textbook numbers: CSAT, NPS, average, response rate."""

from __future__ import annotations

from decimal import Decimal

from tandem.pulses.results import figures_of


def test_it_computes_nps_as_promoters_minus_detractors() -> None:
    # 6 promoters (9, 9, 9, 10, 10, 9), 2 passives (8, 7), 2 detractors (6, 3): 60 % − 20 % = 40.
    figures = figures_of(nps=[9, 9, 9, 10, 8, 7, 6, 3, 10, 9])
    assert figures.nps == Decimal("40.0")
    assert figures.average == Decimal("8.0")
    assert figures.csat is None


def test_it_computes_nps_below_zero_when_detractors_dominate() -> None:
    assert figures_of(nps=[0, 6, 6, 10]).nps == Decimal("-50.0")


def test_it_computes_csat_as_the_share_of_4_and_5() -> None:
    figures = figures_of(csat=[5, 4, 3, 2, 1, 4])
    assert figures.csat == Decimal("50.0")
    assert figures.average == Decimal("3.2")  # 19 / 6 = 3.1666…


def test_it_counts_a_response_rate_and_nothing_before_answers() -> None:
    assert figures_of(invited=8, responded=6).response_rate == Decimal("75.0")
    empty = figures_of()
    assert (empty.csat, empty.nps, empty.average, empty.response_rate) == (None, None, None, None)
