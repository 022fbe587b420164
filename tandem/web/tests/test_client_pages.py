"""The list of client pages the accessibility and phone checks visit (tandem/testing/client_pages.py):
each one opens for the client member it was listed for, and pages meant for the team are not on it."""

from __future__ import annotations

import pytest
from django.test import Client

from tandem.testing import client_pages as listing
from tandem.testing.personas import World


@pytest.mark.parametrize("persona", ["sponsor", "client_pm", "client_viewer"])
def test_it_lists_pages_the_client_member_can_open(world: World, client: Client, persona: str) -> None:
    user = world.people[persona]
    pages = listing.client_pages(world.project, user)
    client.force_login(user)
    for page in pages:
        assert client.get(page.path, follow=True).status_code == 200, page
    names = {page.name.split()[0] for page in pages}
    assert {"project_home", "requirements", "changes", "project_list", "profile", "notifications"} <= names
    # The team's own pages are not the client's.
    assert not names & {"project_edit", "cost_settings", "webhooks", "timesheet"}
    assert len({page.path for page in pages}) == len(pages)


def test_it_leaves_out_a_page_whose_name_does_not_reverse_yet(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listing, "UPCOMING_PAGES", ("no_such_page", "project_list", "members"))
    pages = listing.client_pages(world.project, world.sponsor)
    paths = [page.path for page in pages]
    # A name without arguments and one that takes the project's code are both found (once each);
    # an unknown name is skipped.
    assert paths.count("/") == 1
    assert paths.count(f"/projects/{world.project.code}/members/") == 1
    assert not any("no_such_page" in page.name for page in pages)
