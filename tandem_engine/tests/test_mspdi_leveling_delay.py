"""A task's ``LevelingDelay`` in MSPDI: tenths of a minute of elapsed time, whatever its format."""

from __future__ import annotations

from datetime import datetime

from tandem_engine import read_mspdi, schedule


def _plan(delay: int, delay_format: int) -> bytes:
    return f"""<Project xmlns='http://schemas.microsoft.com/project'>
      <StartDate>2026-11-23T08:00:00</StartDate><CalendarUID>1</CalendarUID>
      <Calendars><Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar></Calendar></Calendars>
      <Tasks>
        <Task><UID>1</UID><Name>Design</Name><OutlineLevel>1</OutlineLevel><Duration>PT8H0M0S</Duration>
          <LevelingDelay>{delay}</LevelingDelay><LevelingDelayFormat>{delay_format}</LevelingDelayFormat></Task>
        <Task><UID>2</UID><Name>Build</Name><OutlineLevel>1</OutlineLevel><Duration>PT8H0M0S</Duration>
          <LevelingDelay>0</LevelingDelay><LevelingDelayFormat>8</LevelingDelayFormat></Task>
      </Tasks></Project>""".encode()


def test_it_reads_the_delay_as_elapsed_minutes() -> None:
    project = read_mspdi(_plan(28800, 8))  # two elapsed days, as MS Project saves them
    delays = {a.id: a.leveling_delay for a in project.network.activities}
    assert delays == {1: 2 * 1440, 2: 0}


def test_a_delayed_task_starts_that_much_elapsed_time_after_the_project_start() -> None:
    result = schedule(read_mspdi(_plan(28800, 8)).network)
    assert (result[1].start, result[1].finish) == (
        datetime(2026, 11, 25, 8, 0),
        datetime(2026, 11, 25, 17, 0),
    )
    assert result[2].start == datetime(2026, 11, 23, 8, 0)
