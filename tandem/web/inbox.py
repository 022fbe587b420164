"""The inbox as the web reads it: what waits on the signed-in user, read once per request."""

from __future__ import annotations

from django.http import HttpRequest

from tandem.core import inbox


def items_of(request: HttpRequest) -> list[inbox.Item]:
    """Everything that waits on the signed-in user, read once per request (the header's count, the
    inbox page and the project home's panel share it)."""
    cached: list[inbox.Item] | None = getattr(request, "_inbox_items", None)
    if cached is None:
        cached = inbox.items_for(request.user)  # type: ignore[arg-type]
        request._inbox_items = cached  # type: ignore[attr-defined]
    return cached
