"""The inbox as the web reads it: what waits on the signed-in user, read once per request."""

from __future__ import annotations

from django.http import HttpRequest

from tandem.core import inbox


def items_of(request: HttpRequest) -> list[inbox.Item]:
    """Everything that waits on the signed-in user, read once per request (the inbox page and the
    project home's panel share it, and the header's count reuses it when it was read first)."""
    cached: list[inbox.Item] | None = getattr(request, "_inbox_items", None)
    if cached is None:
        cached = inbox.items_for(request.user)  # type: ignore[arg-type]
        request._inbox_items = cached  # type: ignore[attr-defined]
    return cached


def count_of(request: HttpRequest) -> int:
    """How many items wait on the signed-in user (the header's badge, on every page): the length of
    the items when this request already read them, else ``inbox.count_for`` (one query for every
    provider, plus the user's decision rights), read once per request."""
    items: list[inbox.Item] | None = getattr(request, "_inbox_items", None)
    if items is not None:
        return len(items)
    cached: int | None = getattr(request, "_inbox_count", None)
    if cached is None:
        cached = inbox.count_for(request.user)  # type: ignore[arg-type]
        request._inbox_count = cached  # type: ignore[attr-defined]
    return cached
