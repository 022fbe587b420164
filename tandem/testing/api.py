"""Calling /api/v1 in tests: a caller per persona, matrix cases, and a world shared by a module.

Every app's API tests use these: ``Caller(world, "pm").call("POST", path, body)``; a list of
``Case`` rows (one expected status per viewer, in ``VIEWERS`` order) checked by
``assert_matrix_case``; and ``module_world`` for a module-scoped fixture that builds one world,
seeds it, and rolls it all back at the end of the module.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils.crypto import get_random_string

from tandem.testing.personas import VIEWERS, World, build_world

API = "/api/v1"
FAST_PASSWORDS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Rows of a matrix used again and again, one status per viewer in ``VIEWERS`` order: anonymous,
# outsider, other_client, client_viewer, client_pm, sponsor, member, pm.
ANY_USER = "401 200 200 200 200 200 200 200"
MEMBERS_READ = "401 404 404 200 200 200 200 200"
TEAM_READS = "401 404 404 404 404 404 200 200"  # an internal record: the client may not know it exists


def only_pm(ok: str) -> str:
    """Members see the project, but only its manager (of these viewers) may do this."""
    return f"401 404 404 403 403 403 403 {ok}"


@dataclass
class Response:
    """A call's status, its body as text, the decoded JSON when the body is JSON, and the raw bytes."""

    status: int
    text: str
    json: Any
    content: bytes = b""


class Caller:
    """Calls /api/v1 as one persona (signed in by session), by bearer token, or anonymously.

    By default the session is a test client's, without the CSRF check. ``enforce_csrf=True`` makes
    it a real browser session: the CSRF check is enforced and the caller sends the CSRF token with
    unsafe methods as the web pages do (``csrf=False`` leaves it out).
    """

    def __init__(
        self,
        world: World | None,
        viewer: str = "anonymous",
        token: str | None = None,
        *,
        enforce_csrf: bool = False,
        csrf: bool = True,
    ) -> None:
        self.client = Client(enforce_csrf_checks=enforce_csrf)
        self.headers: dict[str, str] = {}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        elif world is not None and viewer != "anonymous":
            self.client.force_login(world.people[viewer])
            if enforce_csrf:
                secret = get_random_string(32)
                self.client.cookies[settings.CSRF_COOKIE_NAME] = secret
                if csrf:
                    self.headers["X-CSRFToken"] = secret

    def call(
        self, method: str, path: str, body: Any = None, *, files: dict[str, SimpleUploadedFile] | None = None
    ) -> Response:
        """One request; ``path`` is relative to /api/v1; ``files`` are sent as a multipart form."""
        kwargs: dict[str, Any] = {"headers": self.headers}
        if files is not None:
            kwargs["data"] = files
        elif body is not None:
            kwargs |= {"data": json.dumps(body), "content_type": "application/json"}
        response = getattr(self.client, method.lower())(API + path, **kwargs)
        text = response.content.decode("utf-8-sig", errors="replace")
        is_json = response.get("Content-Type", "").startswith("application/json") and text
        return Response(response.status_code, text, json.loads(text) if is_json else None, response.content)

    def get(self, path: str) -> Response:
        """GET ``path``."""
        return self.call("GET", path)

    def upload(self, path: str, name: str, data: bytes, content_type: str = "text/plain") -> Response:
        """POST a file as the multipart field ``file``."""
        return self.call("POST", path, files={"file": SimpleUploadedFile(name, data, content_type)})


@dataclass(frozen=True)
class Case:
    """One endpoint call and the status each viewer gets (in ``VIEWERS`` order).

    ``path`` and string values of ``body`` may name seeded rows as ``{name}``; ``body`` may also be
    a function of the seeded ids. ``upload`` is a file (name, bytes, content type) sent as ``file``.
    """

    name: str
    method: str
    path: str
    expected: str
    body: dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]] | None = None
    upload: tuple[str, bytes, str] | None = None


def fill(value: Any, ids: dict[str, Any]) -> Any:
    """``value`` with every ``"{name}"`` string replaced by ``ids[name]``, in dicts and lists too."""
    if callable(value):
        return value(ids)
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    return value


def assert_matrix_case(case: Case, viewer: str, world: World, ids: dict[str, Any]) -> None:
    """Call ``case`` as ``viewer`` and check the status the matrix expects for that viewer."""
    expected = int(case.expected.split()[VIEWERS.index(viewer)])
    files = None
    if case.upload is not None:
        name, data, content_type = case.upload
        files = {"file": SimpleUploadedFile(name, data, content_type=content_type)}
    response = Caller(world, viewer).call(
        case.method, case.path.format(**ids), fill(case.body, ids), files=files
    )
    assert response.status == expected, f"{case.method} {case.path} as {viewer}: {response.text[:300]}"


@contextmanager
def module_world(
    django_db_blocker: Any,
    seed: Callable[[World], dict[str, Any]] | None = None,
    *,
    with_records: bool = False,
) -> Iterator[tuple[World, dict[str, Any]]]:
    """One world (fast passwords) and ``seed(world)``'s ids, rolled back and disconnected at the end.

    For a module-scoped fixture: each test then runs in a savepoint inside this transaction.
    """
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORDS), django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = build_world(with_records=with_records)
            yield world, seed(world) if seed is not None else {}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            connection.close()


def world_fixture(seed: Callable[[World], dict[str, Any]], *, with_records: bool = False) -> Any:
    """A module-scoped fixture of ``module_world(seed)``: ``api_world = world_fixture(seed)``."""

    @pytest.fixture(scope="module")
    def api_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[World, dict[str, Any]]]:
        with module_world(django_db_blocker, seed, with_records=with_records) as world_and_ids:
            yield world_and_ids

    return api_world


def matrix_test(cases: list[Case]) -> Any:
    """The matrix test of a module's ``cases``, every case called as every viewer (on ``api_world``).

    ``test_it_answers_each_viewer_as_the_matrix_says = matrix_test(CASES)``; its ids are
    ``<case name>-<viewer>``.
    """

    @pytest.mark.parametrize("viewer", VIEWERS)
    @pytest.mark.parametrize("case", cases, ids=lambda case: case.name)
    def test_it_answers_each_viewer_as_the_matrix_says(
        case: Case, viewer: str, api_world: tuple[World, dict[str, Any]], db: None
    ) -> None:
        assert_matrix_case(case, viewer, *api_world)

    return test_it_answers_each_viewer_as_the_matrix_says
