"""Web middleware: the signed-in user's language wins over the browser's; memberships read once per
request; a lock timeout is a 503; opt-in query counts for benchmarks."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from tandem.core.errors import busy_message, is_lock_timeout, retry_after
from tandem.core.scoping import remembering_memberships

logger = logging.getLogger(__name__)


class UserLanguageMiddleware:
    """Activate the signed-in user's saved language (set after LocaleMiddleware and auth)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "language", None):
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class RememberMembershipsMiddleware:
    """Read each user's memberships once per request and let every visibility scope reuse them.

    See ``tandem.core.scoping``: the scopes then name project ids instead of a membership subquery.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with remembering_memberships():
            return self.get_response(request)


class DatabaseBusyMiddleware:
    """A page whose database lock could not be had in time answers 503 with Retry-After, not 500.

    The API answers the same in its own JSON shape (tandem.api.errors).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """The busy page for a lock timeout; anything else goes on to Django's own handling."""
        if not is_lock_timeout(exception):
            return None
        logger.warning("Database busy, answered 503: %s %s (%s)", request.method, request.path, exception)
        try:
            response = render(request, "web/busy.html", status=503)
        except DatabaseError:  # the page's own queries may wait on the same lock: say it plainly
            response = HttpResponse(busy_message(), status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = retry_after()
        return response


class QueryCountMiddleware:
    """Tell the caller how much SQL a request ran: ``X-Query-Count`` and ``Server-Timing``.

    For benchmarks and load tests (``TANDEM_QUERY_COUNT_HEADER=1``); off by default, when Django
    drops it from the chain at start-up and it costs nothing. It counts the statements run on the
    request thread's default connection, the session and authentication lookups included (it sits
    first in the chain), and times them: ``Server-Timing: app;dur=…, db;dur=…;desc="N queries"``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not settings.QUERY_COUNT_HEADER:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counter = _QueryCounter()
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        app_ms = (time.perf_counter() - started) * 1000
        response["X-Query-Count"] = str(counter.count)
        response["Server-Timing"] = (
            f'app;dur={app_ms:.1f}, db;dur={counter.seconds * 1000:.1f};desc="{counter.count} queries"'
        )
        return response


class _QueryCounter:
    """An execute wrapper counting the statements it lets through and the time they take."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1
