"""China's working calendar from the ``holidays`` package: public holidays and make-up working days (调休)."""

from __future__ import annotations

import warnings
from collections.abc import Iterable

from .model import STANDARD_DAY, Calendar, CalendarException, CalendarId, WorkingRanges

__all__ = ["UnpublishedHolidaysWarning", "china_calendar", "last_published_china_year"]


class UnpublishedHolidaysWarning(UserWarning):
    """A requested year has no official State Council arrangement in the ``holidays`` package yet.

    Its holidays are then the statutory days only, without the year's make-up working days.
    """


def last_published_china_year() -> int:
    """The last year whose official holiday arrangement (with make-up working days) ``holidays`` ships."""
    # Imported when a Chinese calendar is asked for: ``holidays`` loads every country's module on
    # the first import of any (0.4 s), which every command and worker would otherwise pay at start.
    from holidays.countries.china import ChinaStaticHolidays

    return max(ChinaStaticHolidays.special_public_holidays)


def china_calendar(
    years: Iterable[int],
    *,
    id: CalendarId = "CN",
    day: WorkingRanges = STANDARD_DAY,
    name: str = "中国大陆 / Mainland China",
) -> Calendar:
    """Build a Monday-to-Friday calendar for mainland China over ``years``.

    Public holidays (including days off moved by 调休) become non-working exceptions; the
    weekend days worked in exchange become working exceptions with the hours of ``day``.

    Warns with :class:`UnpublishedHolidaysWarning` for each year after the last published
    arrangement (the State Council publishes the next year's in November or December).

    >>> cal = china_calendar([2026])
    >>> from datetime import date
    >>> any(e.start == date(2026, 2, 14) and e.working_times for e in cal.exceptions)  # a Saturday worked
    True

    Method: ``holidays.China`` (public category) for days off; its ``weekend_workdays`` for the
    make-up working days.
    """
    from holidays.countries.china import China

    wanted = sorted(set(years))
    last = last_published_china_year()
    for year in wanted:
        if year > last:
            warnings.warn(
                f"no official holiday arrangement for China in {year} is known yet (last published: {last}); "
                "statutory holidays only, without make-up working days",
                UnpublishedHolidaysWarning,
                stacklevel=2,
            )
    table = China(years=wanted, language="en_US")  # type: ignore[no-untyped-call]
    wanted_set = set(wanted)
    exceptions: list[CalendarException] = []
    for holiday, holiday_name in sorted(table.items()):
        if holiday.year in wanted_set:
            exceptions.append(CalendarException(holiday, holiday, (), str(holiday_name)))
    for workday in sorted(table.weekend_workdays):
        if workday.year in wanted_set:
            exceptions.append(CalendarException(workday, workday, day, "make-up working day (调休)"))
    return Calendar(id=id, week=(day,) * 5 + ((), ()), exceptions=tuple(exceptions), name=name)
