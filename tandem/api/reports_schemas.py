"""Request and response shapes of status reports."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from tandem.api.model_fields import model_field
from tandem.api.schemas import IsoDate, PersonOut, StrictBool, StrictInt, Version, VersionIn
from tandem.reports.models import ReportSettings, StatusReport

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

    period_start: IsoDate = model_field(StatusReport, "period_start")
    period_end: IsoDate = model_field(StatusReport, "period_end")
    language: Literal["en", "zh-hans"] | None = model_field(StatusReport, "language", None)
    item_id: StrictInt | None = None


class ReportPatchIn(Schema):
    """Narrative changes to a draft (only the fields sent change)."""

    version: Version
    title: str | None = model_field(StatusReport, "title", None)
    summary: str | None = model_field(StatusReport, "summary", None)
    achievements: str | None = model_field(StatusReport, "achievements", None)
    next_steps: str | None = model_field(StatusReport, "next_steps", None)
    help_needed: str | None = model_field(StatusReport, "help_needed", None)
    rag_override: RagValue | None = model_field(StatusReport, "rag_override", None)
    rag_override_reason: str | None = model_field(StatusReport, "rag_override_reason", None)


class ReturnIn(VersionIn):
    """Why the report goes back to its author."""

    reason: Annotated[str, Field(max_length=2000)] = ""


class ReportSettingsOut(Schema):
    """Whether a report needs approval before it is sent."""

    require_approval: bool
    version: int


class ReportSettingsIn(Schema):
    """New report settings (version 0 for the first change)."""

    require_approval: StrictBool = model_field(ReportSettings, "require_approval")
    version: Version
