"""The caller's inbox: everything that waits on them across their projects."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from tandem.api.auth import AUTH, actor
from tandem.api.inbox_schemas import InboxItemOut, InboxOut
from tandem.core import inbox

router = Router(tags=["me"], auth=AUTH)


@router.get("/me/inbox", response=InboxOut, summary="What waits on me")
def my_inbox(request: HttpRequest) -> InboxOut:
    """Everything the caller may decide or answer now, most urgent first (overdue, then by due date,
    then the longest waiting); the same list as the web's "Waiting for me"."""
    user = actor(request)
    today = timezone.localdate()
    items = inbox.items_for(user, today=today)
    return InboxOut(
        items=[
            InboxItemOut(
                kind=item.kind,
                kind_label=str(item.kind_label),
                key=item.key,
                project=item.project_code,
                project_name=item.project_name,
                title=str(item.title),
                action=str(item.action_label),
                url=item.url,
                due=item.due,
                since=item.since,
                cost_of_delay=None if item.cost_of_delay is None else str(item.cost_of_delay),
                overdue=item.overdue(today),
            )
            for item in items
        ],
        count=len(items),
    )
