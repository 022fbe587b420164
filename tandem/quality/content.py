"""The signed content of an acceptance and its digest.

When the holder of "accept deliverable" signs, the acceptance's content is frozen as a JSON document
(``AcceptanceRequest.content``) with this shape (version ``format`` 1)::

    {"format": 1,
     "project": {"code", "name", "client", "vendor"},
     "request": {"code", "title"},
     "deliverable": {"id", "name"} | null, "milestone": {"id", "name"} | null,
     "decision": "accept" | "accept_with_conditions" | "reject", "comment": str,
     "criteria": [{"text", "source", "requirement": code | null, "mandatory": bool, "result",
                   "reviews": [{"reviewer": name, "verdict", "comment", "at": ISO time}]}],
     "conditions": [{"text", "due_date": ISO date, "owner": name | null}],
     "evidence": {"test_cycles": [{"name", "kind", "passed", "failed", "blocked", "not_run"}],
                  "documents": [{"title", "filename", "sha256"}],
                  "demo_meeting": {"title", "date"} | null},
     "signed_by": {"name", "email", "role"}, "signed_at": ISO time in UTC,
     "language": the project's language}

Its digest is the SHA-256 of the canonical serialisation below; a certificate prints it and the
verification recomputes it from the stored content, so a changed row no longer verifies.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

#: The version of the content's shape.
CONTENT_FORMAT = 1


def canonical_bytes(content: Any) -> bytes:
    """The one serialisation that is hashed: sorted keys, no spaces, UTF-8, no ASCII escapes."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def digest(content: Any) -> str:
    """The SHA-256 of ``content``'s canonical serialisation, in lower-case hex."""
    return hashlib.sha256(canonical_bytes(content)).hexdigest()
