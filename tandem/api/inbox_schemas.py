"""The shapes of the inbox: what waits on the caller."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class InboxItemOut(Schema):
    """One thing that waits on the caller, most urgent first."""

    kind: str = Field(description="The kind of item: charter, requirement, change_request, client_decision…")
    kind_label: str = Field(description="The kind in the caller's language")
    key: str = Field(description="Unique in the inbox, e.g. change_request:42:1")
    project: str = Field(description="The project's code")
    project_name: str
    title: str
    action: str = Field(description="What the caller is asked to do, in their language")
    url: str = Field(description="Where the action is taken (a path of the web UI)")
    due: dt.date | None = Field(description="When the decision is needed by, where known")
    since: dt.datetime | None = Field(description="Since when it waits")
    cost_of_delay: str | None = Field(description="What waiting costs, where Tandem knows it")
    overdue: bool


class InboxOut(Schema):
    """The caller's inbox."""

    items: list[InboxItemOut]
    count: int
