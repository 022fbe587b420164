"""The OpenAPI document lists, for every operation, the errors it can answer and their JSON shapes.

Ninja documents only the statuses a handler declares; the errors come from the handlers in
``errors.py`` and apply by rule, so they are added here by the same rules instead of being
repeated on some 150 decorators (where they would drift).
"""

from __future__ import annotations

from functools import cache
from http.client import responses
from typing import Any

from ninja import NinjaAPI, Schema
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from tandem.api.auth import anonymous
from tandem.api.errors import ErrorOut, ValidationErrorOut, VersionConflictOut

#: Methods that change nothing, so never answer a conflict or a failed CSRF check.
READS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Where ninja reads a request body from.
BODY_SOURCES = frozenset({"body", "form", "file"})


def _has_body(operation: Operation) -> bool:
    """Whether the operation reads a request body (a schema, a form, a file, or a documented upload)."""
    sources = {model.__ninja_param_source__ for model in operation.models}
    return bool(sources & BODY_SOURCES) or "requestBody" in (operation.openapi_extra or {})


def error_statuses(operation: Operation) -> dict[int, type[Schema]]:
    """The error statuses ``operation`` can answer, each with the shape of its body."""
    writes = not set(operation.methods) <= READS
    authenticated = bool(operation.auth_callbacks) and anonymous not in operation.auth_callbacks
    statuses: dict[int, type[Schema]] = {500: ErrorOut}
    if _has_body(operation):
        statuses |= {400: ErrorOut, 413: ErrorOut}
    if authenticated:
        statuses[401] = ErrorOut
    # 403: a right the project's members may lack, or a session write without its CSRF token.
    if "{code}" in operation.path or (authenticated and writes):
        statuses[403] = ErrorOut
    if "{" in operation.path:
        statuses[404] = ErrorOut
    if writes:  # a version read too long ago, or a uniqueness race (IntegrityError)
        statuses[409] = VersionConflictOut
    if operation.models or writes:
        statuses[422] = ValidationErrorOut
    return statuses


@cache
def _response_model(schema: type[Schema]) -> type[Schema]:
    """Ninja's wrapper around a response schema, made once per schema (it names the component)."""
    return type(f"{schema.__name__}Response", (Schema,), {"__annotations__": {"response": schema}})


class ContractSchema(OpenAPISchema):
    """Ninja's document, with every error status an operation can answer."""

    def operation_security(self, operation: Operation) -> list[dict[str, Any]] | None:
        """The ways to sign in; an empty requirement when the operation is open to anyone too."""
        security = super().operation_security(operation)
        if security is not None and anonymous in operation.auth_callbacks:
            security.append({})
        return security

    def responses(self, operation: Operation) -> dict[int, Any]:
        """The declared answers, then each error the operation can answer with its JSON shape."""
        result = super().responses(operation)
        for status, schema in sorted(error_statuses(operation).items()):
            if status in result:
                continue
            wrapper = _response_model(schema)
            content, _required = self._create_schema_from_model(wrapper, mode="serialization")  # type: ignore[type-var]
            result[status] = {
                "description": responses[status],
                "content": {self.api.renderer.media_type: {"schema": content}},
            }
        return result


class TandemAPI(NinjaAPI):
    """The API, documenting its errors as well as its answers."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """The OpenAPI document with every operation's error statuses."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return ContractSchema(self, path_prefix)
