"""Every list answers one page (``?page=``, ``?page_size=``) with the total ``count``."""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from ninja.pagination import PageNumberPagination, paginate

F = TypeVar("F", bound=Callable[..., Any])


def paged(func: F) -> F:
    """Paginate a list endpoint with the configured page size (``settings.API_PAGE_SIZE``)."""
    # The view's postponed annotations must be resolved in its own module: ninja reads them
    # through the pagination wrapper, whose module does not know the view's types.
    func.__annotations__ = typing.get_type_hints(func)
    return paginate(PageNumberPagination, page_size=settings.API_PAGE_SIZE)(func)  # type: ignore[no-any-return]
