"""Reading resources, assignments and task costing fields from MSPDI, in MSPDI's own units.

MSPDI stores time rates per hour whatever their display format, costs (cost per use, fixed cost,
an assignment's cost) in hundredths, units as fractions, delays in tenths of a minute.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tandem_engine import (
    Accrual,
    MspdiError,
    Rate,
    RateEntry,
    RateUnit,
    ResourceType,
    TaskType,
    WorkContour,
    apply_assignments,
    cost_schedule,
    read_mspdi,
    schedule,
)

DOCUMENT = b"""<Project xmlns='http://schemas.microsoft.com/project'>
  <StartDate>2026-11-23T08:00:00</StartDate><CalendarUID>1</CalendarUID><CurrencyCode>CNY</CurrencyCode>
  <MinutesPerDay>480</MinutesPerDay><MinutesPerWeek>2400</MinutesPerWeek><DaysPerMonth>20</DaysPerMonth>
  <Calendars>
    <Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar></Calendar>
    <Calendar><UID>2</UID><Name>Ann</Name><IsBaseCalendar>0</IsBaseCalendar><BaseCalendarUID>1</BaseCalendarUID>
      <Exceptions><Exception><TimePeriod><FromDate>2026-11-25T00:00:00</FromDate>
        <ToDate>2026-11-25T23:59:00</ToDate></TimePeriod><DayWorking>0</DayWorking></Exception></Exceptions>
    </Calendar>
  </Calendars>
  <Tasks>
    <Task><UID>0</UID><OutlineLevel>0</OutlineLevel><Summary>1</Summary><FixedCost>1000</FixedCost></Task>
    <Task><UID>1</UID><Name>Pour</Name><OutlineLevel>1</OutlineLevel><Duration>PT40H0M0S</Duration>
      <Type>1</Type><EffortDriven>1</EffortDriven><FixedCost>12345</FixedCost><FixedCostAccrual>1</FixedCostAccrual>
      <Work>PT999H0M0S</Work><Cost>99999999</Cost></Task>
  </Tasks>
  <Resources>
    <Resource><UID>0</UID><Type>1</Type></Resource>
    <Resource><UID>1</UID><Name>Ann</Name><Type>1</Type><MaxUnits>1</MaxUnits><CalendarUID>2</CalendarUID>
      <StandardRate>50</StandardRate><StandardRateFormat>3</StandardRateFormat><OvertimeRate>75</OvertimeRate>
      <CostPerUse>2000</CostPerUse><AccrueAt>1</AccrueAt>
      <Rates>
        <Rate><RatesFrom>1984-01-01T00:00:00</RatesFrom><RatesTo>2026-11-26T08:00:00</RatesTo><RateTable>0</RateTable>
          <StandardRate>50</StandardRate><OvertimeRate>75</OvertimeRate><CostPerUse>2000</CostPerUse></Rate>
        <Rate><RatesFrom>2026-11-26T08:00:00</RatesFrom><RatesTo>2049-12-31T23:59:00</RatesTo><RateTable>0</RateTable>
          <StandardRate>60</StandardRate><OvertimeRate>90</OvertimeRate><CostPerUse>2000</CostPerUse></Rate>
        <Rate><RatesFrom>1984-01-01T00:00:00</RatesFrom><RatesTo>2049-12-31T23:59:00</RatesTo><RateTable>1</RateTable>
          <StandardRate>80</StandardRate><OvertimeRate>0</OvertimeRate><CostPerUse>0</CostPerUse></Rate>
      </Rates></Resource>
    <Resource><UID>2</UID><Name>Cement</Name><Type>0</Type><MaterialLabel>bag</MaterialLabel>
      <StandardRate>3.5</StandardRate><CostPerUse>500</CostPerUse></Resource>
    <Resource><UID>3</UID><Name>Travel</Name><Type>2</Type></Resource>
  </Resources>
  <Assignments>
    <Assignment><UID>1</UID><TaskUID>1</TaskUID><ResourceUID>1</ResourceUID><Units>0.5</Units>
      <Work>PT20H0M0S</Work><OvertimeWork>PT2H0M0S</OvertimeWork><Delay>4800</Delay><WorkContour>0</WorkContour>
      <CostRateTable>0</CostRateTable></Assignment>
    <Assignment><UID>2</UID><TaskUID>1</TaskUID><ResourceUID>2</ResourceUID><Units>12</Units></Assignment>
    <Assignment><UID>3</UID><TaskUID>1</TaskUID><ResourceUID>3</ResourceUID><Units>1</Units><Cost>80000</Cost></Assignment>
    <Assignment><UID>4</UID><TaskUID>1</TaskUID><ResourceUID>-65535</ResourceUID><Units>1</Units></Assignment>
  </Assignments>
</Project>"""


def test_it_reads_resources_in_mspdi_units() -> None:
    plan = read_mspdi(DOCUMENT).resourcing
    ann, cement, travel = plan.resources[1], plan.resources[2], plan.resources[3]
    assert (ann.type, ann.calendar_id, ann.accrue_at) == (ResourceType.WORK, 2, Accrual.START)
    assert ann.rates[0] == (
        RateEntry(None, Rate(50.0, RateUnit.HOUR), Rate(75.0, RateUnit.HOUR), 20.0),
        RateEntry(datetime(2026, 11, 26, 8, 0), Rate(60.0, RateUnit.HOUR), Rate(90.0, RateUnit.HOUR), 20.0),
    )
    assert ann.rates[1] == (RateEntry(None, Rate(80.0, RateUnit.HOUR), Rate(0.0, RateUnit.HOUR), 0.0),)
    assert (cement.type, cement.material_label) == (ResourceType.MATERIAL, "bag")
    assert cement.rates[0][0].standard == Rate(3.5, RateUnit.UNIT)
    assert cement.rates[0][0].cost_per_use == 5.0
    assert travel.type is ResourceType.COST
    assert plan.currency == "CNY"


def test_it_reads_assignments_and_skips_the_unassigned_placeholder() -> None:
    plan = read_mspdi(DOCUMENT).resourcing
    first, cement, travel = plan.assignments
    assert (first.units, first.work, first.overtime_work, first.delay) == (0.5, 1200.0, 120.0, 480)
    assert first.contour is WorkContour.FLAT
    assert (cement.resource_id, cement.units) == (2, 12.0)
    assert travel.cost == 800.0


def test_it_reads_task_types_and_fixed_costs_in_currency() -> None:
    plan = read_mspdi(DOCUMENT).resourcing
    pour = plan.task(1)
    assert (pour.task_type, pour.effort_driven, pour.fixed_cost, pour.fixed_cost_accrual) == (
        TaskType.FIXED_DURATION,
        True,
        123.45,
        Accrual.START,
    )
    assert plan.task(0).fixed_cost == 10.0


def test_it_computes_the_task_from_inputs_not_from_its_stored_totals() -> None:
    project = read_mspdi(DOCUMENT)
    network = apply_assignments(project.network, project.resourcing)
    result = schedule(network)
    cost = cost_schedule(project.network, project.resourcing, result)[1]
    # Five days on Ann's calendar (her only calendar: off on Wednesday) run Monday to next Monday.
    # She starts a day late (delay), at 50 %: Tuesday at 50/h, Thursday, Friday, Monday at 60/h, so
    # 16 h of regular work; her 2 h of overtime ride along (1/8 of each hour) at 75/h, then 90/h.
    assert result[1].finish == datetime(2026, 11, 30, 17, 0)
    ann = next(a for a in cost.assignments if a.resource_id == 1)
    assert ann.work == pytest.approx(16 * 60 + 120)
    regular = 4 * 50 + 12 * 60
    overtime = (120 / 960) * (4 * 75 + 12 * 90)
    assert ann.cost == pytest.approx(regular + overtime + 20 * 0.5)
    assert cost.work == pytest.approx(ann.work)
    assert cost.cost == pytest.approx(ann.cost + (12 * 3.5 + 5) + 800 + 123.45)


def _period(start: str, finish: str, hours: int | None) -> str:
    value = f"<Value>PT{hours}H0M0S</Value>" if hours is not None else ""
    span = f"<Start>{start}</Start><Finish>{finish}</Finish>"
    return f"<TimephasedData><Type>1</Type>{span}{value}</TimephasedData>"


@pytest.mark.parametrize("gap", [0, None], ids=["zero work (MS Project)", "no value (MPXJ)"])
def test_a_split_task_takes_its_gap_on_the_calendar_but_no_work_in_it(gap: int | None) -> None:
    # Three days of work, then Thursday 26 November off (zero work, or no value as MPXJ writes the
    # gap of an .mpp file's split), then the last two days.
    days = [("2026-11-23", 8), ("2026-11-24", 8), ("2026-11-25", 8), ("2026-11-26", gap), ("2026-11-27", 8)]
    periods = "".join(_period(f"{d}T08:00:00", f"{d}T17:00:00", h) for d, h in days)
    periods += _period("2026-11-28T08:00:00", "2026-11-30T08:00:00", None) + _period(
        "2026-11-30T08:00:00", "2026-11-30T17:00:00", 8
    )
    document = f"""<Project xmlns='http://schemas.microsoft.com/project'>
      <StartDate>2026-11-23T08:00:00</StartDate><CalendarUID>1</CalendarUID>
      <Calendars><Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar></Calendar></Calendars>
      <Tasks><Task><UID>1</UID><Name>Pour</Name><OutlineLevel>1</OutlineLevel><Duration>PT40H0M0S</Duration></Task></Tasks>
      <Resources><Resource><UID>1</UID><Name>Ann</Name><Type>1</Type><StandardRate>10</StandardRate></Resource></Resources>
      <Assignments><Assignment><UID>1</UID><TaskUID>1</TaskUID><ResourceUID>1</ResourceUID><Units>1</Units>
        {periods}</Assignment></Assignments>
    </Project>""".encode()
    project = read_mspdi(document)
    assert project.network.activities[0].duration == 48 * 60
    assert project.resourcing.task(1).split_minutes == 480
    network = apply_assignments(project.network, project.resourcing)
    result = schedule(network)
    assert result[1].finish == datetime(2026, 11, 30, 17, 0)
    cost = cost_schedule(project.network, project.resourcing, result)[1]
    assert (cost.work, cost.cost) == (pytest.approx(2400.0), pytest.approx(400.0))


def test_a_negative_rate_in_the_file_is_an_mspdi_error() -> None:
    with pytest.raises(MspdiError, match="amount"):
        read_mspdi(
            DOCUMENT.replace(b"<StandardRate>3.5</StandardRate>", b"<StandardRate>-3.5</StandardRate>")
        )


def test_time_the_resource_does_not_work_is_no_gap() -> None:
    # Ann's own calendar has Thursdays off: her work skips Thursday 26 November, which is no split.
    days = [("2026-11-23", 8), ("2026-11-24", 8), ("2026-11-25", 8), ("2026-11-27", 8), ("2026-11-30", 8)]
    periods = "".join(_period(f"{d}T08:00:00", f"{d}T17:00:00", h) for d, h in days)
    document = f"""<Project xmlns='http://schemas.microsoft.com/project'>
      <StartDate>2026-11-23T08:00:00</StartDate><CalendarUID>1</CalendarUID>
      <Calendars><Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar></Calendar>
        <Calendar><UID>2</UID><Name>Ann</Name><IsBaseCalendar>0</IsBaseCalendar><BaseCalendarUID>1</BaseCalendarUID>
          <WeekDays><WeekDay><DayType>5</DayType><DayWorking>0</DayWorking></WeekDay></WeekDays></Calendar></Calendars>
      <Tasks><Task><UID>1</UID><Name>Pour</Name><OutlineLevel>1</OutlineLevel><Duration>PT40H0M0S</Duration></Task></Tasks>
      <Resources><Resource><UID>1</UID><Name>Ann</Name><Type>1</Type><CalendarUID>2</CalendarUID></Resource></Resources>
      <Assignments><Assignment><UID>1</UID><TaskUID>1</TaskUID><ResourceUID>1</ResourceUID><Units>1</Units>
        {periods}</Assignment></Assignments>
    </Project>""".encode()
    project = read_mspdi(document)
    assert project.resourcing.task(1).split_minutes == 0
    assert project.network.activities[0].duration == 40 * 60
