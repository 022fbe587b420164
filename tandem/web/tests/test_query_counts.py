"""The pages read a fixed number of queries, however many rows they show (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.core import inbox
from tandem.core.choices import Visibility
from tandem.projects import services
from tandem.projects.choices import Role
from tandem.testing.personas import World, make_user


def inbox_queries() -> int:
    """The most queries the inbox adds to a page that lists it (the project home), whatever the number
    of projects and items: the reader's decision rights and projects (two), then one query per
    provider at most. Elsewhere the header's count costs two (``test_demo_page_queries``)."""
    return 2 + len(inbox.PROVIDERS)


def count_queries(client: Client, url: str) -> int:
    """The queries of a request once process-wide caches (content types, translations) are warm."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def add_projects(world: World, n: int) -> None:
    for i in range(n):
        project = services.do_create_project(
            code=f"P{world.__dict__.setdefault('_next', 0) + i}",
            name=f"Project {i}",
            client=world.client,
            vendor=world.vendor,
            actor=world.pm,
        )
        services.do_add_member(project, user=world.sponsor, role=Role.SPONSOR, actor=world.pm)
    world.__dict__["_next"] = world.__dict__.get("_next", 0) + n


def add_charter_rows(world: World, n: int) -> None:
    base = world.__dict__.setdefault("_rows", 0)
    for i in range(base, base + n):
        vis = Visibility.SHARED if i % 2 else Visibility.INTERNAL
        project, pm = world.project, world.pm
        services.do_add_charter_item(
            project, kind="goals", actor=pm, data={"statement": f"G{i}", "visibility": vis}
        )
        services.do_add_charter_item(
            project, kind="kpis", actor=pm, data={"name": f"K{i}", "visibility": vis}
        )
        person = services.do_add_charter_item(
            project, kind="stakeholders", actor=pm, data={"name": f"S{i}", "visibility": Visibility.SHARED}
        )
        deliverable = services.do_add_charter_item(
            project, kind="deliverables", actor=pm, data={"name": f"D{i}", "visibility": vis}
        )
        services.do_set_raci(deliverable, cells={person.pk: "A"}, version=deliverable.version, actor=pm)
        services.do_add_note(project, actor=pm, title=f"N{i}", visibility=vis)
        user = make_user(f"person{i}@northwind.test", f"Person {i}", world.client)
        services.do_add_member(project, user=user, role=Role.CLIENT_VIEWER, actor=pm)
    world.__dict__["_rows"] = base + n


@pytest.mark.parametrize("persona", ["pm", "sponsor"])
def test_the_project_list_reads_the_same_queries_for_3_or_30_projects(
    world: World, client: Client, persona: str
) -> None:
    client.force_login(world.people[persona])
    url = reverse("web:project_list")
    add_projects(world, 3)
    few = count_queries(client, url)
    add_projects(world, 27)
    assert count_queries(client, url) == few


@pytest.mark.parametrize("persona", ["pm", "sponsor"])
@pytest.mark.parametrize("page", ["project_home", "charter", "notes", "activity", "members", "decisions"])
def test_a_project_page_reads_the_same_queries_for_3_or_30_rows(
    world: World, client: Client, persona: str, page: str
) -> None:
    client.force_login(world.people[persona])
    url = reverse(f"web:{page}", args=["ERP"])
    add_charter_rows(world, 3)
    few = count_queries(client, url)
    add_charter_rows(world, 27)
    assert count_queries(client, url) == few


def test_the_project_home_stays_within_a_fixed_budget(
    world: World, client: Client, django_assert_max_num_queries
) -> None:
    add_charter_rows(world, 10)
    client.force_login(world.pm)
    # 30, listed so that a new one is a decision: session, user, the user's memberships (read once for
    # every scope of the request), the project, its decision rights; what waits on the reader (one
    # statement counting every inbox provider's rows, none listed here); the charter and its
    # confirmation (no revision read when confirmed); the latest sent report; the budget (cost
    # settings, lines, the plan's revision, the plan's tree, time and expense sums: 6); the agreed
    # baseline and its milestones; the overdue decisions; people; the meetings panel (communication
    # plan, due actions); the header's running timer and unread badge; who holds the client PM's
    # rights; onboarding's first-visit prompt (2) and the client PM's readiness (3 here); the
    # satisfaction panel's pulses (none here, 1). (The charter's lists are on the charter page.)
    with django_assert_max_num_queries(30):
        client.get(reverse("web:project_home", args=["ERP"]))
