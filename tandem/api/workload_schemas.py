"""Response shapes of the workload heatmap and its drill-down (minutes only: no rate, no cost)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class WorkloadFilters(Schema):
    """The window and grouping of a heatmap; checked by the query (422 naming the field)."""

    start: str = ""
    weeks: str = ""
    group: str = "person"
    project: str = ""
    role: str = ""


class WorkloadRowOut(Schema):
    """A resource (``group=person``) or a role (``group=role``) with its figures per week."""

    resource_id: int | None
    organization_id: int | None
    name: str
    role: str
    kind: str
    capacity_minutes: list[int]
    work_minutes: list[int]
    load_percent: list[int | None]
    over: list[bool]


class WorkloadOut(Schema):
    """The weeks (their Mondays) and one row per resource or role."""

    start: dt.date
    group: str
    weeks: list[dt.date]
    rows: list[WorkloadRowOut]


class WeekTaskOut(Schema):
    """A task giving the resource work in the week."""

    project_code: str
    task_id: int
    task_name: str
    work_minutes: int


class ResourceWeekOut(Schema):
    """A resource's tasks in one week, as the caller may see them."""

    resource_id: int
    name: str
    week: dt.date
    tasks: list[WeekTaskOut]
