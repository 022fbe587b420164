"""Fixtures of the meetings tests: plan entries in the personas' project on a chosen calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tandem.meetings.choices import CommunicationKind, Frequency
from tandem.meetings.models import CommunicationItem
from tandem.planning.choices import CalendarBase
from tandem.planning.models import Calendar
from tandem.projects.models import Project


def china_calendar(project: Project) -> Calendar:
    """Make the project work on the mainland China calendar (holidays and make-up working days)."""
    calendar, _created = Calendar.objects.update_or_create(
        project=project,
        is_project_calendar=True,
        defaults={"name": "China", "base": CalendarBase.CHINA, "working_weekdays": [0, 1, 2, 3, 4]},
    )
    project.__dict__.pop("_meetings_working_calendar", None)
    return calendar


def make_item(project: Project, **data: Any) -> CommunicationItem:
    """An unsaved-then-saved plan entry with sensible defaults."""
    values: dict[str, Any] = {
        "kind": CommunicationKind.MEETING,
        "title": "Weekly status",
        "frequency": Frequency.WEEKLY,
        "weekday": 0,
        "starts_on": dt.date(2026, 1, 5),
    }
    values.update(data)
    item = CommunicationItem(project=project, **values)
    item.save()
    item.project = project
    return item


@pytest.fixture
def china(world: Any) -> Calendar:
    """The personas' project on the China calendar."""
    return china_calendar(world.project)
