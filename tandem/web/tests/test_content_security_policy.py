"""Every page carries the Content-Security-Policy and holds no script the policy would refuse.

The project manager walks the site from the project list, following every link and HTMX ``hx-get``
into project ERP (with a plan, requirements, a change, a risk and a commented issue in it); each HTML
answer must send the policy and contain no inline ``<script>``, no ``on*=`` handler, no ``hx-on``
attribute and no ``javascript:`` address.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from django.test import Client

from tandem.changes import services as changes
from tandem.communication import services as communication
from tandem.core.choices import Visibility
from tandem.requirements import services as requirements
from tandem.risks import services as risks
from tandem.testing.personas import World
from tandem.web.tests.test_planning_pages import build_plan

#: Addresses that end the session or answer with files rather than pages.
SKIPPED = ("/logout/", "/static/", "/media/")
MOST_PAGES = 200


class PageScan(HTMLParser):
    """Collects the links of a page and whatever in it would run as inline script."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, bool]] = []  # (address, asked for by HTMX)
        self.inline: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not values.get("src") and values.get("type") != "application/json":
            self.inline.append(f"<script> at line {self.getpos()[0]}")
        for name, value in attrs:
            if (name.startswith("on") and len(name) > 2) or name.startswith("hx-on"):
                self.inline.append(f"<{tag} {name}=…> at line {self.getpos()[0]}")
            if (value or "").strip().lower().startswith("javascript:"):
                self.inline.append(f"<{tag} {name}={value!r}>")
        for name in ("href", "hx-get"):
            if values.get(name):
                self.links.append((str(values[name]), name == "hx-get"))


def rich_project(world: World) -> None:
    """Project ERP with a record of every kind the pages show."""
    pm = world.pm
    build_plan(world)
    for title in ("Store stock levels", "Loyalty points"):
        requirements.do_create_requirement(world.project, actor=pm, title=title)
    changes.do_propose_change(world.project, actor=pm, title="Second warehouse")
    risks.do_add_risk(world.project, actor=pm, title="Key user leaves")
    issue = risks.do_add_issue(
        world.project, actor=pm, title="Test server down", visibility=Visibility.SHARED
    )
    communication.do_add_comment(issue, actor=pm, body="We are on it.")


def test_it_sends_the_policy_and_no_inline_script_on_every_page(world: World) -> None:
    rich_project(world)
    client = Client()
    client.force_login(world.pm)
    queue: list[tuple[str, bool]] = [("/", False), ("/projects/ERP/", False), ("/api/v1/docs", False)]
    seen: set[str] = set()
    problems: list[str] = []
    while queue and len(seen) < MOST_PAGES:
        link, htmx = queue.pop(0)
        address = urldefrag(link).url
        path = urlsplit(address).path
        if path in seen or address.startswith(SKIPPED):
            continue
        seen.add(path)  # each page once, whatever its filters
        response = client.get(address, headers={"HX-Request": "true"} if htmx else {})
        if not response.get("Content-Type", "").startswith("text/html") or response.status_code != 200:
            continue
        policy = response.get("Content-Security-Policy", "")
        if "script-src 'self'" not in policy or "frame-ancestors 'none'" not in policy:
            problems.append(f"{address}: policy {policy!r}")
        scan = PageScan()
        scan.feed(response.content.decode())
        problems += [f"{address}: {found}" for found in scan.inline]
        home = path == "/"
        queue += [
            (href, by_htmx)
            for href, by_htmx in scan.links
            if href.startswith("/projects/ERP/")
            or (home and href.startswith("/") and "/projects/" not in href)
        ]
    assert len(seen) > 60, sorted(seen)
    assert {"/projects/ERP/plan/", "/projects/ERP/requirements/", "/projects/ERP/changes/"} <= seen, sorted(
        seen
    )
    assert problems == []
