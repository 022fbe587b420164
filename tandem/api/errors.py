"""Every API error answered as JSON: 400, 401, 403, 404, 409, 413, 422 naming the field at fault, 503, 500.

The shapes of these answers are schemas here, so the OpenAPI document describes them too.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from tandem.core.errors import ConflictError, busy_message, is_lock_timeout, retry_after

ALL = "__all__"
#: Django's logger of failed requests: a 500 logged here reaches the operators (ADMINS, log files).
request_logger = logging.getLogger("django.request")


class ErrorOut(Schema):
    """An error: what went wrong, in the caller's language."""

    detail: str


class FieldErrorOut(Schema):
    """One invalid field (dotted for nested places; ``__all__`` when no single field is at fault)."""

    field: str
    message: str


class ValidationErrorOut(Schema):
    """Invalid input: every field at fault with its message."""

    detail: list[FieldErrorOut]


class VersionConflictOut(Schema):
    """The record changed since the caller read it (or the change clashes with existing data)."""

    detail: str
    current_version: int | None


def django_error_detail(exc: DjangoValidationError) -> list[dict[str, str]]:
    """One ``{"field", "message"}`` per message; errors not tied to a field name ``__all__``."""
    if hasattr(exc, "error_dict"):
        return [
            {"field": ALL if field == NON_FIELD_ERRORS else field, "message": str(message)}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": ALL, "message": str(message)} for message in exc.messages]


def _pydantic_message(error: dict[str, Any]) -> str:
    """A translatable message for the common kinds of invalid input, pydantic's own otherwise."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"enum", "literal_error"}:
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind.startswith("datetime"):
        return _("Enter a valid date and time (ISO 8601).")
    if kind.startswith("date"):
        return _("Enter a valid date (YYYY-MM-DD).")
    if kind == "time_of_day":
        return _("Enter a time of day as HH:MM, without a UTC offset.")
    if kind.startswith("bool"):
        return _("Enter true or false.")
    if kind == "greater_than_equal":
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("ge")
        }
    if kind == "less_than_equal":
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("le")
        }
    if kind.startswith(("int_", "decimal_", "float_")):
        return _("Enter a number.")
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return _("This field cannot be blank.")
    if kind == "string_too_long":
        return _("Use at most %(n)s characters.") % {"n": ctx.get("max_length", "")}
    if kind == "value_error" and "email" in str(error.get("msg", "")).lower():
        return _("Enter a valid email address.")
    return str(error.get("msg", _("Invalid value.")))


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    """``("body", "payload", "start_date")`` → ``start_date``; nested places are dotted."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        source, parts = parts[0], parts[1:]
        if source == "body" and len(parts) > 1:
            parts = parts[1:]  # the name of the body parameter itself
    return ".".join(parts) or ALL


def ninja_error_detail(exc: NinjaValidationError) -> list[dict[str, str]]:
    """Ninja's (pydantic's) validation errors in the same shape as the domain's."""
    return [{"field": _field_name(e.get("loc", ())), "message": _pydantic_message(e)} for e in exc.errors]


def install(api: NinjaAPI) -> None:
    """Register the handlers on ``api``."""

    @api.exception_handler(DjangoValidationError)
    def invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return api.create_response(request, {"detail": django_error_detail(exc)}, status=422)

    @api.exception_handler(NinjaValidationError)
    def invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return api.create_response(request, {"detail": ninja_error_detail(exc)}, status=422)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        message = str(exc) or _("Not found.")
        return api.create_response(request, {"detail": message}, status=404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        message = str(exc) or _("You may not do this.")
        return api.create_response(request, {"detail": message}, status=403)

    @api.exception_handler(ConflictError)
    def conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
        body = {"detail": exc.message, "current_version": exc.current_version}
        return api.create_response(request, body, status=409)

    @api.exception_handler(IntegrityError)
    def integrity(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        # A uniqueness race the service's own checks could not see: the data is fine, retry later.
        return api.create_response(
            request,
            {"detail": _("This change conflicts with existing data."), "current_version": None},
            status=409,
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = _("Sign in, or send a valid API token (Authorization: Bearer …).")
        return api.create_response(request, {"detail": message}, status=401)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # Ninja raises 400 for a body it cannot parse, with an English message of its own.
        message = _("The request body must be a JSON object.") if exc.status_code == 400 else str(exc)
        return api.create_response(request, {"detail": message}, status=exc.status_code)

    @api.exception_handler(SuspiciousOperation)
    def refused_request(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        # A body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields or files, a malformed upload:
        # Django refuses them, and so does the API, as JSON.
        if isinstance(exc, RequestDataTooBig):
            return api.create_response(request, {"detail": _("The request body is too large.")}, status=413)
        return api.create_response(request, {"detail": _("The request is malformed.")}, status=400)

    @api.exception_handler(DatabaseError)
    def database_error(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
        # A lock not had in time (SQLite busy, PostgreSQL lock timeout, deadlock, serialization
        # failure): the transaction was rolled back and the same request can simply be sent again.
        if not is_lock_timeout(exc):
            return server_error(request, exc)
        request_logger.warning("Database busy, answered 503: %s %s (%s)", request.method, request.path, exc)
        response = api.create_response(request, {"detail": busy_message()}, status=503)
        response["Retry-After"] = retry_after()
        return response

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Logged with its traceback for the operators; the caller learns only that it failed.
        request_logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exc,
            extra={"status_code": 500, "request": request},
        )
        message = _("Something went wrong on the server. It has been logged; please try again later.")
        return api.create_response(request, {"detail": message}, status=500)


def unknown_endpoint(request: HttpRequest, rest: str = "") -> HttpResponse:
    """A path under /api/v1 that names no endpoint: a JSON 404, like every other API answer."""
    message = _("There is no such API endpoint: %(path)s") % {"path": request.path}
    return JsonResponse({"detail": message}, status=404)
