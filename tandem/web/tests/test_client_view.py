"""What the client side reads: shared records only, never internal notes, fields or charter items."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tandem.testing.personas import World
from tandem.web.tests.test_page_permissions import CLIENTS, INTERNAL_TEXTS

PAGES = [
    ("project_list", []),
    ("project_home", ["ERP"]),
    ("charter", ["ERP"]),
    ("members", ["ERP"]),
    ("decisions", ["ERP"]),
    ("notes", ["ERP"]),
    ("activity", ["ERP"]),
]

TEAM_ONLY = ("Internal goal", "Internal KPI", "Internal stakeholder", "Internal deliverable", "Internal note")


def read(client: Client, name: str, args: list[str], *, query: str = "", htmx: bool = False) -> str:
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.get(reverse(f"web:{name}", args=args) + query, **headers)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("persona", CLIENTS)
def test_a_client_member_never_receives_internal_text(world: World, client: Client, persona: str) -> None:
    client.force_login(world.people[persona])
    for name, args in PAGES:
        for htmx in (False, True):
            body = read(client, name, args, htmx=htmx)
            assert [t for t in INTERNAL_TEXTS if t in body] == [], (name, htmx)
    charter = read(client, "charter", ["ERP"])
    for shared in ("Shared goal", "Shared KPI", "Shared stakeholder", "Shared deliverable"):
        assert shared in charter
    assert "Shared note" in read(client, "notes", ["ERP"])


def test_the_team_reads_the_internal_records_the_client_does_not(world: World, client: Client) -> None:
    """The control for the test above: the same pages do carry the internal text for the team."""
    client.force_login(world.pm)
    charter = read(client, "charter", ["ERP"])
    assert [t for t in TEAM_ONLY if t not in charter and t != "Internal note"] == []
    assert "Margin target 22%" in read(client, "project_home", ["ERP"])
    assert "Internal note" in read(client, "notes", ["ERP"])
    assert "Internal goal" in read(client, "activity", ["ERP"])


def test_the_team_previewing_the_client_view_reads_what_the_client_reads(
    world: World, client: Client
) -> None:
    client.force_login(world.pm)
    for name, args in PAGES[1:]:
        body = read(client, name, args, query="?view=client")
        assert [t for t in INTERNAL_TEXTS if t in body] == [], name
        assert "?view=client" in body, f"{name} loses the preview on its links"
    charter = read(client, "charter", ["ERP"], query="?view=client")
    assert "Shared goal" in charter
    # No editing controls in the preview: it is read-only.
    assert reverse("web:item_create", args=["ERP", "goals"]) not in charter


def test_a_team_member_without_manager_rights_still_reads_internal_records(
    world: World, client: Client
) -> None:
    client.force_login(world.member)
    assert "Internal goal" in read(client, "charter", ["ERP"])


def test_the_client_never_gets_the_internal_visibility_choice_on_notes(world: World, client: Client) -> None:
    client.force_login(world.client_pm)
    body = read(client, "notes", ["ERP"])
    assert 'name="visibility"' not in body
    response = client.post(
        reverse("web:notes", args=["ERP"]), {"title": "Client note", "visibility": "internal"}
    )
    assert response.status_code == 302
    client.force_login(world.sponsor)
    assert "Client note" in read(client, "notes", ["ERP"]), "a client's note is shared with the client side"


def test_the_other_clients_member_cannot_see_the_project_in_the_list(world: World, client: Client) -> None:
    client.force_login(world.people["other_client"])
    body = read(client, "project_list", [])
    assert "ERP upgrade" not in body
    assert "Contoso portal" in body
