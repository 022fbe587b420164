"""A write that cannot get its database lock in time answers 503 with Retry-After (pages, API), not 500."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test import Client

from tandem.accounts.models import User
from tandem.core.errors import is_lock_timeout
from tandem.projects.models import CharterSection
from tandem.testing.locks import lock_held_elsewhere
from tandem.testing.personas import build_world

BUSY = "Tandem is busy with other changes to the same data. Please try again in a few seconds."
BUSY_ZH = "Tandem 正忙于处理对同一数据的其他更改，请几秒钟后重试。"
pytestmark = [pytest.mark.database_file, pytest.mark.django_db(transaction=True)]


def test_a_page_whose_write_waits_too_long_for_a_lock_answers_503() -> None:
    world = build_world()
    pm = world.pm
    client = Client()
    client.force_login(pm)
    form = {"full_name": "Paula Renamed", "title": "PM", "language": "zh-hans"}
    with lock_held_elsewhere(User._meta.db_table):
        response = client.post("/profile/", form)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert BUSY in response.content.decode()
    pm.refresh_from_db()
    assert pm.full_name != "Paula Renamed"
    # Once the lock is gone the same form goes through.
    assert client.post("/profile/", form).status_code == 302
    pm.refresh_from_db()
    assert pm.full_name == "Paula Renamed"


SCOPE = "/api/v1/projects/ERP/charter/sections/scope_in"


def put_scope(client: Client, body: str, version: int) -> HttpResponse:
    """Edit the project's in-scope section through the API."""
    return client.put(SCOPE, {"body": body, "version": version}, content_type="application/json")


def test_the_busy_page_and_answer_are_in_the_readers_language() -> None:
    world = build_world()
    User.objects.filter(pk=world.pm.pk).update(language="zh-hans")
    client = Client()
    client.force_login(world.pm)
    form = {"full_name": "Paula", "title": "PM", "language": "zh-hans"}
    with lock_held_elsewhere(User._meta.db_table):
        response = client.post("/profile/", form)
    assert response.status_code == 503
    assert BUSY_ZH in response.content.decode()
    section = CharterSection.objects.get(project=world.project, key="scope_in")
    with lock_held_elsewhere(CharterSection._meta.db_table):
        response = put_scope(client, "x", section.version)
    assert response.status_code == 503
    assert response.json() == {"detail": BUSY_ZH}


def test_an_api_write_that_waits_too_long_for_a_lock_answers_503_in_the_error_shape(settings) -> None:
    settings.DB_LOCK_RETRY_AFTER = 7
    world = build_world()
    client = Client()
    client.force_login(world.pm)
    section = CharterSection.objects.get(project=world.project, key="scope_in")
    with lock_held_elsewhere(CharterSection._meta.db_table):
        response = put_scope(client, "Locked out", section.version)
    assert (response.status_code, response["Retry-After"]) == (503, "7")
    assert response.json() == {"detail": BUSY}
    # Nothing was written: the same request, sent again once the lock is gone, goes through.
    assert put_scope(client, "After the lock", section.version).status_code == 200
    assert CharterSection.objects.get(pk=section.pk).body == "After the lock"


def test_lock_errors_are_told_from_other_database_errors() -> None:
    def wrapped(cause: BaseException) -> OperationalError:
        try:
            raise OperationalError(*cause.args) from cause
        except OperationalError as error:
            return error

    assert is_lock_timeout(wrapped(sqlite3.OperationalError("database is locked")))
    assert not is_lock_timeout(wrapped(sqlite3.OperationalError("no such table: x")))
    for error in (psycopg.errors.LockNotAvailable, psycopg.errors.DeadlockDetected):
        assert is_lock_timeout(wrapped(error("waited")))
    assert is_lock_timeout(wrapped(psycopg.errors.SerializationFailure("could not serialize")))
    assert not is_lock_timeout(wrapped(psycopg.errors.UndefinedTable("no such table")))
    try:  # a bug met while handling a lock error is a bug, not a busy database
        try:
            raise wrapped(sqlite3.OperationalError("database is locked"))
        except OperationalError:
            raise KeyError("x") from None
    except KeyError as bug:
        assert not is_lock_timeout(bug)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="lock_timeout is PostgreSQL's")
def test_postgresql_connections_wait_at_most_the_lock_timeout() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "10s"
