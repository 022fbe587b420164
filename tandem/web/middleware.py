"""Web middleware: a signed-in user's chosen language wins over the browser's; a lock timeout is a 503."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from tandem.core.errors import busy_message, is_lock_timeout, retry_after

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
