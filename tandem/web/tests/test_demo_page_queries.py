"""The demo's plan pages (Gantt, board, task list) read a fixed number of queries, and the header's
"Waiting for me" badge costs two of them whatever the number of inbox providers, with the same
numbers for the team and the client as the inbox lists."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from tandem.accounts.models import User
from tandem.core import inbox
from tandem.core.scoping import remembered_memberships, remembering_memberships
from tandem.projects.demo import DEMO_CODE, PEOPLE
from tandem.testing.api import FAST_PASSWORDS

#: What waits on each demo person (the badge), as the demo is built; nobody else has a badge.
BADGES = {"pm": 2, "lead": 1, "sponsor": 5, "client_pm": 8, "reviewer": 3}

#: Each page's own queries once the layout's are taken away (see ``LAYOUT``).
PAGES = {"plan_gantt": 11, "plan_board": 8, "plan_list": 6}

#: The layout's queries on a project page, at most: session, user, the reader's memberships, the
#: project and its decision rights (the scope); the badge (the reader's decision rights in every
#: project, then one count of what waits); the running timer; the unread notifications (their kinds,
#: then the count); for a client, the navigation's pulse results and time approval settings.
LAYOUT = 5 + 2 + 1 + 2 + 2


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo as ``tandem demo`` loads it, once for the module; rolled back at its end."""
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORDS), django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("demo", quiet_logins=True, stdout=StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def person(key: str) -> User:
    return User.objects.get(email=next(p.email for p in PEOPLE if p.key == key))


def badge(content: bytes) -> int:
    marker = b'class="badge inbox-badge" data-count="'
    if marker not in content:
        return 0
    return int(content.split(marker, 1)[1].split(b'"', 1)[0])


@pytest.mark.parametrize("key", [p.key for p in PEOPLE])
def test_the_badge_shows_what_waits_on_each_demo_person(
    demo: None, db: None, client: Client, key: str
) -> None:
    user = person(key)
    client.force_login(user)
    response = client.get(reverse("web:plan_gantt", args=[DEMO_CODE]))
    assert response.status_code == 200
    assert badge(response.content) == BADGES.get(key, 0) == len(inbox.items_for(user))


@pytest.mark.parametrize("key", ["pm", "sponsor", "client_pm"])
@pytest.mark.parametrize("copies", [1, 3])
def test_the_badge_reads_two_queries_whatever_the_number_of_providers(
    demo: None, db: None, monkeypatch: pytest.MonkeyPatch, key: str, copies: int
) -> None:
    user = person(key)
    for name, provider in list(inbox.PROVIDERS.items()):
        for n in range(1, copies):
            monkeypatch.setitem(inbox.PROVIDERS, f"{name}:{n}", provider)
            monkeypatch.setitem(inbox.COUNTERS, f"{name}:{n}", inbox.COUNTERS[name])
    with remembering_memberships():
        remembered_memberships(user)  # as the request's visibility scope reads them first
        with CaptureQueriesContext(connection) as captured:
            assert inbox.count_for(user) == copies * BADGES[key]
    # The reader's decision rights in their projects, then one UNION ALL of every provider's rows.
    assert len(captured) == 2


@pytest.mark.parametrize("key", ["pm", "sponsor", "client_pm"])
@pytest.mark.parametrize("page", list(PAGES))
def test_a_plan_page_of_the_demo_stays_within_its_budget(
    demo: None, db: None, client: Client, django_assert_max_num_queries: Any, key: str, page: str
) -> None:
    client.force_login(person(key))
    url = reverse(f"web:{page}", args=[DEMO_CODE])
    client.get(url)  # process-wide caches (content types, translations) warm
    with django_assert_max_num_queries(PAGES[page] + LAYOUT):
        response = client.get(url)
    assert response.status_code == 200
