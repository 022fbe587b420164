"""Percent lags in MSPDI: ``LinkLag`` holds the percentage itself, read at its real size."""

from __future__ import annotations

from datetime import datetime

import pytest

from tandem_engine import LagUnit, read_mspdi, schedule


def _plan(lag: int, lag_format: int) -> bytes:
    return f"""<Project xmlns='http://schemas.microsoft.com/project'>
      <StartDate>2026-11-23T08:00:00</StartDate><CalendarUID>1</CalendarUID>
      <Calendars><Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar></Calendar></Calendars>
      <Tasks>
        <Task><UID>1</UID><Name>Design</Name><OutlineLevel>1</OutlineLevel><Duration>PT80H0M0S</Duration></Task>
        <Task><UID>2</UID><Name>Build</Name><OutlineLevel>1</OutlineLevel><Duration>PT8H0M0S</Duration>
          <PredecessorLink><PredecessorUID>1</PredecessorUID><Type>3</Type><LinkLag>{lag}</LinkLag>
          <LagFormat>{lag_format}</LagFormat></PredecessorLink></Task>
      </Tasks></Project>""".encode()


@pytest.mark.parametrize("lag_format", [19, 20, 51, 52])
def test_it_reads_a_percent_lag_as_the_percentage(lag_format: int) -> None:
    (link,) = read_mspdi(_plan(50, lag_format)).network.links
    assert (link.lag, link.lag_unit) == (50.0, LagUnit.PERCENT)


def test_it_schedules_ss_plus_50_percent_of_a_ten_day_predecessor_five_days_later() -> None:
    # SS+50% of a 10-day task: 5 working days after Monday 23 Nov 08:00 is Monday 30 Nov 08:00.
    result = schedule(read_mspdi(_plan(50, 19)).network)
    assert result[2].start == datetime(2026, 11, 30, 8, 0)
    assert result[2].finish == datetime(2026, 11, 30, 17, 0)


def test_it_still_reads_other_lags_in_tenths_of_a_minute() -> None:
    (link,) = read_mspdi(_plan(4800, 7)).network.links
    assert (link.lag, link.lag_unit) == (480.0, LagUnit.WORKING)
