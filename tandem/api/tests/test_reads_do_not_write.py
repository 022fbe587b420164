"""Reads do not write: pages and API reads change no row; a token's use is written once per interval."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, get_resolver
from django.utils import timezone

from tandem.accounts.models import ApiToken
from tandem.accounts.services import do_create_api_token, note_token_use
from tandem.api.api import api
from tandem.testing.locks import lock_held_elsewhere
from tandem.testing.personas import World, build_world

from .conftest import Caller

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def writes(captured: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in captured.captured_queries if WRITE.match(query["sql"])]


def token_writes(captured: CaptureQueriesContext) -> list[str]:
    return [sql for sql in writes(captured) if ApiToken._meta.db_table in sql]


def _page_urls() -> list[str]:
    """Every web page that needs no more than the project's code, for the demo-like project ERP."""
    urls = []
    for pattern in get_resolver().url_patterns:
        for inner in getattr(pattern, "url_patterns", [pattern]):
            if not isinstance(inner, URLPattern) or getattr(pattern, "namespace", None) != "web":
                continue
            route = str(pattern.pattern) + str(inner.pattern)
            params = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
            if params <= {"code"} and not route.startswith(("logout", "language")):
                urls.append("/" + re.sub(r"<(?:\w+:)?code>", "ERP", route))
    return urls


def _api_reads() -> list[str]:
    """Every API GET that needs no more than the project's code."""
    paths = api.get_openapi_schema()["paths"]
    prefix = "/api/v1"
    return [
        path.removeprefix(prefix).replace("{code}", "ERP")
        for path, operations in paths.items()
        if "get" in operations and set(re.findall(r"{(\w+)}", path)) <= {"code"}
    ]


def assert_reads_write_nothing(read: Callable[[str], int], urls: list[str]) -> None:
    """Each read answers (below 500) without a single INSERT, UPDATE or DELETE."""
    assert len(urls) > 15, urls
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            status = read(url)
        assert status < 500, url
        assert writes(captured) == [], url


def test_no_page_a_manager_reads_writes_a_row(world: World) -> None:
    client = Client()
    client.force_login(world.pm)
    assert_reads_write_nothing(lambda url: client.get(url).status_code, _page_urls())


def test_no_api_read_writes_a_row(world: World) -> None:
    caller = Caller(world, "pm")
    assert_reads_write_nothing(lambda path: caller.get(path).status, _api_reads())


@pytest.mark.django_db(transaction=True)
def test_two_reads_with_a_token_within_the_interval_write_its_use_once() -> None:
    world = build_world(with_records=False)
    token, raw = do_create_api_token(world.pm, name="script", actor=world.pm)
    script = Caller(None, token=raw)
    with CaptureQueriesContext(connection) as captured:
        assert script.get("/me").status == 200
        assert script.get("/projects").status == 200
    assert len(token_writes(captured)) == 1
    first_use = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first_use is not None
    # Two minutes later a read still writes nothing.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - dt.timedelta(minutes=2))
    with CaptureQueriesContext(connection) as captured:
        assert script.get("/me").status == 200
    assert token_writes(captured) == []
    # Five minutes later the next read writes it again, once.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - dt.timedelta(minutes=5))
    with CaptureQueriesContext(connection) as captured:
        assert script.get("/me").status == 200
        assert script.get("/me").status == 200
    assert len(token_writes(captured)) == 1
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first_use


@pytest.mark.django_db(transaction=True)
def test_of_two_requests_that_both_saw_an_old_use_only_one_writes() -> None:
    world = build_world(with_records=False)
    token, _raw = do_create_api_token(world.pm, name="script", actor=world.pm)
    now = timezone.now()
    assert note_token_use(token.pk, now) == 1
    assert note_token_use(token.pk, now + dt.timedelta(seconds=1)) == 0
    assert note_token_use(token.pk, now + dt.timedelta(minutes=5)) == 1


@pytest.mark.database_file
@pytest.mark.django_db(transaction=True)
def test_a_read_with_a_token_answers_while_the_database_is_write_locked(caplog) -> None:
    world = build_world(with_records=False)
    token, raw = do_create_api_token(world.pm, name="script", actor=world.pm)
    with lock_held_elsewhere(ApiToken._meta.db_table):
        response = Caller(None, token=raw).get("/me")
    assert response.status == 200
    assert response.json["email"] == world.pm.email
    assert ApiToken.objects.get(pk=token.pk).last_used_at is None  # skipped, and said so
    assert "was not recorded, the database is busy" in caplog.text
    assert Caller(None, token=raw).get("/me").status == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
