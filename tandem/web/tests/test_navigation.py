"""The project bar: seven sections, the same for both sides, every page of a project in one of them,
and every entry a reader is shown opening for that reader."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tandem.testing.personas import World
from tandem.web import navigation

MEMBERS = ("client_viewer", "reviewer", "client_pm", "sponsor", "member", "lead", "pm")

#: Project URLs that are no page of their own: fragments and actions drawn inside other pages.
NOT_PAGES = {"comments", "comment_edit", "comment_delete", "timer_start"}


def _project_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif "<str:code>" in prefix + str(pattern.pattern) and pattern.name:
                names.add(pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


def as_(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.people[persona])
    return client


def _bar(page: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The (href, label) of the section tabs and of the sub-navigation of a rendered page."""
    tabs = re.search(r'<nav class="tabs"[^>]*>(.*?)</nav>', page, re.S)
    subtabs = re.search(r'<nav class="subtabs"[^>]*>(.*?)</nav>', page, re.S)
    link = re.compile(r'<a href="([^"]+)"[^>]*>([^<]+)</a>')
    return (
        link.findall(tabs.group(1)) if tabs else [],
        link.findall(subtabs.group(1)) if subtabs else [],
    )


def test_there_are_at_most_seven_sections_and_every_project_page_is_in_exactly_one() -> None:
    assert len(navigation.SECTIONS) <= navigation.MAX_SECTIONS
    owners: dict[str, list[str]] = {}
    for section in navigation.SECTIONS:
        for page in section.pages:
            for name in (page.url_name, *page.matches):
                owners.setdefault(name, []).append(f"{section.key}.{page.key}")
    assert {n: o for n, o in owners.items() if len(o) > 1} == {}
    unplaced = _project_url_names() - set(owners) - NOT_PAGES
    assert unplaced == set(), "add these URL names to a page of tandem/web/navigation.py"
    assert set(owners) <= _project_url_names(), "the registry names URLs that do not exist"


def test_both_sides_see_the_same_sections(world: World) -> None:
    home = reverse("web:project_home", args=["ERP"])
    seen = {
        persona: [label for _href, label in _bar(as_(world, persona).get(home).content.decode())[0]]
        for persona in MEMBERS
    }
    assert len(seen["pm"]) == len(navigation.SECTIONS)
    assert all(labels == seen["pm"] for labels in seen.values()), seen


def test_every_entry_a_reader_is_shown_opens_for_that_reader(world: World) -> None:
    for persona in MEMBERS:
        client = as_(world, persona)
        home = client.get(reverse("web:project_home", args=["ERP"])).content.decode()
        for section_href, label in _bar(home)[0]:
            section_page = client.get(section_href, follow=True)
            assert section_page.status_code == 200, (persona, label, section_href)
            for href, page_label in _bar(section_page.content.decode())[1]:
                response = client.get(href, follow=True)
                assert response.status_code == 200, (persona, page_label, href, response.status_code)


def test_pages_only_the_team_uses_are_not_offered_to_a_client(world: World) -> None:
    code = "ERP"
    team_only = [reverse(f"web:{n}", args=[code]) for n in ("timesheet", "cost_settings", "project_edit")]
    cost = as_(world, "sponsor").get(reverse("web:budget", args=[code])).content.decode()
    overview = as_(world, "sponsor").get(reverse("web:project_home", args=[code])).content.decode()
    offered = [href for href, _label in _bar(cost)[1] + _bar(overview)[1]]
    assert not [url for url in team_only if any(href.startswith(url) for href in offered)]
    pm_cost = as_(world, "pm").get(reverse("web:budget", args=[code])).content.decode()
    assert reverse("web:cost_settings", args=[code]) in pm_cost


def test_a_page_is_highlighted_in_its_section_by_its_url_name(world: World) -> None:
    client = as_(world, "pm")
    item = reverse("web:item_create", args=["ERP", "goals"])
    page = client.get(item).content.decode()
    assert re.search(r'<a href="[^"]*/charter/"[^>]*aria-current="page"', page), "a charter form is Charter"
    risks = client.get(reverse("web:risk_overview", args=["ERP"])).content.decode()
    assert re.search(r'aria-current="page">Heat map and reviews<', risks)
    assert re.search(r'aria-current="true">Risks and decisions<', risks)


def test_register_pages_no_longer_repeat_the_sub_navigation(world: World) -> None:
    client = as_(world, "pm")
    for name in ("risks", "meetings", "requirements"):
        page = client.get(reverse(f"web:{name}", args=["ERP"])).content.decode()
        main = page[page.index("<main") :]
        sub_links = [href for href, _label in _bar(page)[1]]
        assert len(sub_links) >= 2, name
        # No page link of the sub-navigation appears again as a button in the page itself.
        in_main = set(re.findall(r'href="([^"#?]+)"', main))
        assert not (set(sub_links) - {reverse(f"web:{name}", args=["ERP"])}) & in_main, name
