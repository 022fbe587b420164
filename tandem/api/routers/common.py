"""What the project routers share: the caller with the project they may read, and a payload's data."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Schema

from tandem.api.auth import actor
from tandem.projects import queries as project_queries
from tandem.projects.models import Project


def caller_and_project(request: HttpRequest, code: str) -> tuple[Any, Project]:
    """The caller and the project ``code`` (404 unless they may read it)."""
    user = actor(request)
    return user, project_queries.access_project(user, code)


def payload_data(payload: Schema, *exclude: str) -> dict[str, Any]:
    """The fields the caller sent (not the schema's defaults), without ``exclude``."""
    return payload.model_dump(exclude_unset=True, exclude=set(exclude))
