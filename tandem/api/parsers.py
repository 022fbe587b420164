"""Request bodies: JSON objects only."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser


class JsonObjectParser(Parser):
    """Parse a JSON body and refuse anything but an object.

    A bare string or number would otherwise reach the input schemas, which read attributes and
    so would take ``"text".title`` for a field. A refused body is answered 400.
    """

    def parse_body(self, request: HttpRequest) -> Any:
        """The body's JSON object; ``ValueError`` for any other JSON value or invalid JSON."""
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("the request body must be a JSON object")
        return data
