"""Request and response shapes of status reports."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from tandem.api.schemas import IsoDate, PersonOut, StrictBool, StrictInt, Version, VersionIn

Text = Annotated[str, Field(max_length=20_000)]
RagValue = Literal["", "green", "amber", "red"]


class ReportListOut(Schema):
    """A report in a list: its period, status and overall rating."""

    id: int
    title: str
    period_start: dt.date
    period_end: dt.date
    language: str
    status: str
    rag: str
    shown_rag: str
    generated_at: dt.datetime | None
    sent_at: dt.datetime | None
    version: int


class ReportOut(ReportListOut):
    """A report with its facts (generated from the data the client may see) and its narrative."""

    facts: dict[str, Any]
    summary: str
    achievements: str
    next_steps: str
    help_needed: str
    rag_override: str
    rag_override_reason: str
    generated_by: PersonOut | None
    approved_by: PersonOut | None
    approved_at: dt.datetime | None
    sent_by: PersonOut | None
    recipients: list[str]
    item_id: int | None
    slot: dt.datetime | None


class GenerateIn(Schema):
    """The period to report on (first and last day) and, optionally, the language and plan entry."""

    period_start: IsoDate
    period_end: IsoDate
    language: Literal["en", "zh-hans"] | None = None
    item_id: StrictInt | None = None


class ReportPatchIn(Schema):
    """Narrative changes to a draft (only the fields sent change)."""

    version: Version
    title: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    summary: Text | None = None
    achievements: Text | None = None
    next_steps: Text | None = None
    help_needed: Text | None = None
    rag_override: RagValue | None = None
    rag_override_reason: Annotated[str, Field(max_length=2000)] | None = None


class ReturnIn(VersionIn):
    """Why the report goes back to its author."""

    reason: Annotated[str, Field(max_length=2000)] = ""


class ReportSettingsOut(Schema):
    """Whether a report needs approval before it is sent."""

    require_approval: bool
    version: int


class ReportSettingsIn(Schema):
    """New report settings (version 0 for the first change)."""

    require_approval: StrictBool
    version: Version
