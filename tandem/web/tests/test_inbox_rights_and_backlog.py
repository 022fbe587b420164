"""Where the reader lacks a decision right, the record's page names who holds it; the requirements
backlog filters and marks the requirements awaiting confirmation."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tandem.accounts.choices import Language
from tandem.projects import services as project_services
from tandem.projects.choices import DecisionKind
from tandem.requirements import services as requirement_services
from tandem.testing import inbox as seed
from tandem.testing.personas import World

pytestmark = pytest.mark.django_db


def page(client: Client, world: World, persona: str, url: str) -> str:
    client.force_login(world.people[persona])
    response = client.get(url)
    assert response.status_code == 200, (persona, url)
    return response.content.decode()


def test_the_charter_banner_names_who_confirms(world: World, client: Client) -> None:
    home = reverse("web:project_home", args=["ERP"])
    body = page(client, world, "reviewer", home)
    assert "Only Cindy Client PM (client project manager), Sam Sponsor (sponsor) can confirm." in body
    assert "only-holders" not in page(client, world, "sponsor", home)  # a holder gets the button instead


def test_the_sentence_is_chinese_for_a_chinese_reader(world: World, client: Client) -> None:
    world.client_viewer.language = Language.CHINESE
    world.client_viewer.save()
    client.force_login(world.client_viewer)
    client.post(reverse("web:set_language"), {"language": "zh-hans", "next": "/"})
    body = client.get(reverse("web:project_home", args=["ERP"])).content.decode()
    assert "只有 Cindy Client PM（客户项目经理）、Sam Sponsor（发起人） 可以确认。" in body


def test_the_requirement_change_report_and_baseline_pages_name_their_deciders(
    world: World, client: Client
) -> None:
    requirement = seed.requirement_in_review(world)
    body = page(client, world, "sponsor", reverse("web:requirement_detail", args=["ERP", requirement.code]))
    assert "can confirm." in body and "Cindy Client PM (client project manager)" in body
    assert "Rita Reviewer (reviewer)" in body

    plan = seed.plan_with_baseline(world)
    change = seed.change_awaiting(world, plan)
    body = page(client, world, "pm", reverse("web:change_detail", args=["ERP", change.code]))
    assert "Only Sam Sponsor (sponsor), Cindy Client PM (client project manager) can approve." in body or (
        "Only Cindy Client PM (client project manager), Sam Sponsor (sponsor) can approve." in body
    )

    report = seed.report_awaiting(world)
    body = page(client, world, "lead", reverse("web:report_detail", args=["ERP", report.pk]))
    assert "Only Alice PM (project manager) can approve." in body

    seed.baseline_to_approve(world)
    body = page(client, world, "member", reverse("web:plan_baselines", args=["ERP"]))
    assert "can approve." in body and "Alice PM (project manager)" in body
    assert "only-holders" not in page(client, world, "pm", reverse("web:plan_baselines", args=["ERP"]))


def test_an_acceptance_names_its_signers_and_time_its_client_approver(world: World, client: Client) -> None:
    request = seed.acceptance_in_review(world)
    body = page(client, world, "pm", reverse("web:acceptance_detail", args=["ERP", request.pk]))
    assert "can sign." in body and "Sam Sponsor (sponsor)" in body
    seed.weeks_submitted(world, client_approves=True)
    body = page(client, world, "pm", reverse("web:time_approvals", args=["ERP"]))
    assert "Then only Cindy Client PM (client project manager) can approve for the client." in body


def test_nobody_holding_the_right_is_said_plainly(world: World, client: Client) -> None:
    project_services.do_set_decision_right(
        world.project, kind=DecisionKind.CONFIRM_CHARTER, roles=["reviewer"], actor=world.pm
    )
    world.reviewer.is_active = False
    world.reviewer.save()
    body = page(client, world, "sponsor", reverse("web:project_home", args=["ERP"]))
    assert "Nobody in this project holds this decision right yet" in body


def test_the_backlog_filters_and_marks_what_awaits_confirmation(world: World, client: Client) -> None:
    waiting = seed.requirement_in_review(world, title="Stock levels")
    confirmed = seed.requirement_in_review(world, title="Price labels")
    requirement_services.do_confirm_requirement(confirmed, actor=world.client_pm, version_number=1)
    requirement_services.do_create_requirement(world.project, actor=world.pm, title="Loyalty cards")
    url = reverse("web:requirements", args=["ERP"])
    body = page(client, world, "sponsor", url)
    assert body.count("data-awaiting") == 1
    assert "Stock levels" in body and "Price labels" in body and "Loyalty cards" in body
    only = client.get(url, {"awaiting": "1"}).content.decode()
    assert waiting.code in only and confirmed.code not in only and "Loyalty cards" not in only
    assert 'name="awaiting" value="1" checked' in only
    assert client.get(url, {"awaiting": "maybe"}).status_code == 200
