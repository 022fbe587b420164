"""Every list answers one page (``?limit=``, ``?offset=``) with the total ``count`` of matching rows."""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase, paginate

F = TypeVar("F", bound=Callable[..., Any])

#: The largest page a caller may ask for.
MAX_LIMIT = 200
#: Offsets beyond this are refused (a 422), not sent to the database.
MAX_OFFSET = 1_000_000_000


class LimitOffset(PaginationBase):
    """``limit`` rows from ``offset``, and ``count``: how many rows the whole list has."""

    class Input(Schema):
        limit: int = Field(settings.API_PAGE_SIZE, ge=1, le=MAX_LIMIT, description="Rows per page.")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Rows to skip.")

    class Output(Schema):
        items: list[Any]
        count: int = Field(..., description="How many rows the whole list has.")
        limit: int
        offset: int

    def paginate_queryset(
        self, queryset: QuerySet[Any] | list[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        """One page of ``queryset`` with the total count."""
        offset, limit = pagination.offset, pagination.limit
        return {
            "items": queryset[offset : offset + limit],
            "count": queryset.count() if isinstance(queryset, QuerySet) else len(queryset),
            "limit": limit,
            "offset": offset,
        }


def paged(func: F) -> F:
    """Paginate a list endpoint with ``limit``/``offset`` (default ``settings.API_PAGE_SIZE`` rows)."""
    # The view's postponed annotations must be resolved in its own module: ninja reads them
    # through the pagination wrapper, whose module does not know the view's types.
    func.__annotations__ = typing.get_type_hints(func, include_extras=True)
    return paginate(LimitOffset)(func)  # type: ignore[no-any-return]
