"""Unique lookups without an ordering (tandem.core.database.the_one); statements prepared on PostgreSQL."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from tandem.core.database import the_one
from tandem.projects.models import Project
from tandem.projects.queries import access_project


def test_the_one_finds_the_row_or_none_without_an_order(world):
    with CaptureQueriesContext(connection) as seen:
        found = the_one(Project.objects.filter(code=world.project.code))
        missing = the_one(Project.objects.filter(code="NO-SUCH-CODE"))
    assert found == world.project
    assert missing is None
    assert len(seen) == 2
    # ``first()`` would order by the model's ordering; one row has no order to keep.
    assert all("ORDER BY" not in q["sql"] for q in seen.captured_queries)


def test_a_project_is_accessed_without_an_order_and_still_within_the_readers_scope(world):
    with CaptureQueriesContext(connection) as seen:
        assert access_project(world.pm, world.project.code) == world.project
    lookup = [q["sql"] for q in seen.captured_queries if '"projects_project"' in q["sql"]]
    assert lookup and all("ORDER BY" not in sql for sql in lookup)
    with pytest.raises(Http404):
        access_project(world.outsider, world.project.code)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
@pytest.mark.django_db
def test_postgresql_prepares_a_statement_from_its_second_run():
    connection.ensure_connection()
    driver = connection.connection
    assert driver.prepare_threshold == 1
    assert driver.prepared_max == settings.DB_PREPARED_MAX
    marker = "SELECT 17 AS tandem_prepared_probe WHERE %s = %s"
    with connection.cursor() as cursor:
        for _ in range(3):
            cursor.execute(marker, [1, 1])
            assert cursor.fetchone() == (17,)
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%tandem_prepared_probe%"]
        )
        assert cursor.fetchone()[0] == 1
