"""Each app's inbox provider: who gets the item, who does not (other roles, other projects, clients and
internal records), and that a decided item leaves the inbox."""

from __future__ import annotations

import pytest

from tandem.changes import services as change_services
from tandem.changes.choices import ApprovalRule
from tandem.changes.models import ChangeRequest
from tandem.core import inbox
from tandem.core.choices import Visibility
from tandem.costs.choices import SheetStatus
from tandem.planning import services as planning_services
from tandem.projects import services as project_services
from tandem.projects.choices import DecisionKind
from tandem.projects.models import Charter
from tandem.quality import acceptance as acceptance_services
from tandem.requirements import services as requirement_services
from tandem.risks import services as risk_services
from tandem.testing import inbox as seed
from tandem.testing.personas import World

pytestmark = pytest.mark.django_db

EVERYONE = (
    "pm",
    "lead",
    "member",
    "team_viewer",
    "sponsor",
    "client_pm",
    "reviewer",
    "client_viewer",
    "other_client",
    "other_pm",
    "outsider",
)


def waiting(world: World, kind: str) -> dict[str, list[inbox.Item]]:
    """Who has items of ``kind`` (and which); for everyone, the header's count is their number of items."""
    found = {}
    for persona in EVERYONE:
        person = world.people[persona]
        everything = inbox.items_for(person)
        assert inbox.count_for(person) == len(everything), persona
        items = [i for i in everything if i.kind == kind]
        if items:
            found[persona] = items
    return found


def confirm_charter(world: World) -> None:
    revision = Charter.objects.get(project=world.project).revision
    project_services.do_confirm_charter(world.project, revision=revision, actor=world.sponsor)


def test_an_unconfirmed_charter_waits_on_its_confirmers_until_one_confirms(world: World) -> None:
    holders = waiting(world, "charter")
    assert sorted(holders) == ["client_pm", "sponsor"]  # the joint preset's "confirm charter"
    (item,) = holders["sponsor"]
    assert item.project_code == "ERP" and item.in_place is not None
    assert item.in_place.url.endswith("/projects/ERP/charter/confirm/")
    confirm_charter(world)
    assert waiting(world, "charter") == {}
    # A new revision waits again.
    project_services.do_update_section(
        world.project, key="scope_out", body="Payroll", version=0, actor=world.pm
    )
    assert sorted(waiting(world, "charter")) == ["client_pm", "sponsor"]


def test_a_requirement_in_review_waits_on_its_confirmers_but_never_an_internal_one_on_a_client(
    world: World,
) -> None:
    draft = requirement_services.do_create_requirement(world.project, actor=world.pm, title="Draft only")
    shared = seed.requirement_in_review(world)
    seed.requirement_in_review(world, title="Margin calculator", visibility=Visibility.INTERNAL)
    seed.requirement_in_review(world, world.other_project, title="Contoso portal login")
    holders = waiting(world, "requirement")
    assert sorted(holders) == ["client_pm", "reviewer"]
    assert [i.title for i in holders["client_pm"]] == [f"{shared.code} Stock levels · v1"]
    assert draft.code not in str(holders)
    requirement_services.do_confirm_requirement(shared, actor=world.client_pm, version_number=1)
    assert waiting(world, "requirement") == {}


def test_an_internal_requirement_waits_on_a_team_holder(world: World) -> None:
    project_services.do_set_decision_right(
        world.project, kind=DecisionKind.CONFIRM_REQUIREMENT, roles=["pm", "client_pm"], actor=world.pm
    )
    seed.requirement_in_review(world, title="Margin calculator", visibility=Visibility.INTERNAL)
    assert sorted(waiting(world, "requirement")) == ["pm"]


def test_a_change_request_waits_on_each_approver_until_they_approve(world: World) -> None:
    plan = seed.plan_with_baseline(world)
    change_services.do_update_change_settings(world.project, actor=world.pm, approval_rule=ApprovalRule.ALL)
    change = seed.change_awaiting(world, plan)
    seed.change_awaiting(world, plan, title="Margin rework", visibility=Visibility.INTERNAL)
    holders = waiting(world, "change_request")
    assert sorted(holders) == ["client_pm", "sponsor"]  # nobody on the team holds "approve change"
    (item,) = holders["sponsor"]
    assert item.title == f"{change.code} Sales reports"
    assert item.due == seed.PAST and item.overdue(seed.PAST.replace(day=10))
    assert str(item.cost_of_delay) == "moves the finish by +4 days"  # two working days and a weekend
    current = ChangeRequest.objects.select_related("project").get(pk=change.pk)
    change_services.do_decide_change(current, actor=world.sponsor, version=current.version, outcome="approve")
    assert sorted(waiting(world, "change_request")) == ["client_pm"]


def test_a_client_decision_waits_on_its_decider_or_the_holders_of_its_right(world: World) -> None:
    named = seed.client_decision(world, decider=world.sponsor)
    seed.client_decision(world, kind=DecisionKind.CLOSE_RISK)
    seed.client_decision(world, kind=DecisionKind.CLOSE_RISK, visibility=Visibility.INTERNAL)
    holders = waiting(world, "client_decision")
    assert sorted(holders) == ["client_pm", "pm", "sponsor"]
    assert len(holders["pm"]) == 2  # the internal one too
    assert len(holders["client_pm"]) == 1  # never the internal one
    (mine,) = holders["sponsor"]
    assert mine.key == f"client_decision:{named.pk}" and mine.due == seed.PAST
    assert mine.in_place is not None and [b.value for b in mine.in_place.buttons] == ["Shanghai", "Beijing"]
    risk_services.do_decide(named, version=named.version, actor=world.sponsor, outcome="Shanghai")
    assert "sponsor" not in waiting(world, "client_decision")


def test_a_saved_baseline_waits_on_its_approvers_and_an_overtaken_one_does_not(world: World) -> None:
    seed.plan_with_baseline(world)  # "Kick-off", approved by the PM
    older = seed.baseline_to_approve(world, name="Draft re-plan")
    later = seed.baseline_to_approve(world)
    holders = waiting(world, "baseline")
    assert sorted(holders) == ["client_pm", "pm"]
    assert [i.title for i in holders["pm"]] == ["Draft re-plan", "Re-plan after CR-001"]
    planning_services.do_approve_baseline(later, actor=world.client_pm)
    assert waiting(world, "baseline") == {}  # the older draft was overtaken by an approved one
    assert older.approved_at is None


def test_an_acceptance_in_review_waits_on_its_signers_and_unfinished_reviewers(world: World) -> None:
    request = seed.acceptance_in_review(world, reviewers=(world.reviewer,))
    holders = waiting(world, "acceptance")
    assert sorted(holders) == ["client_pm", "reviewer", "sponsor"]
    assert str(holders["sponsor"][0].action_label) == "Sign"
    assert str(holders["reviewer"][0].action_label) == "Review"
    criterion = request.criteria.get()
    acceptance_services.do_review(criterion, actor=world.reviewer, verdict="accepted")
    assert sorted(waiting(world, "acceptance")) == ["client_pm", "sponsor"]


def test_a_report_awaiting_approval_waits_on_its_approvers(world: World) -> None:
    seed.report_awaiting(world)
    assert sorted(waiting(world, "status_report")) == ["pm"]  # joint preset: the PM approves reports


def test_minutes_wait_on_their_organizer_or_else_on_whoever_runs_meetings(world: World) -> None:
    seed.minutes_to_approve(world, organizer=world.client_pm)
    assert sorted(waiting(world, "minutes")) == ["client_pm"]
    seed.minutes_to_approve(world, visibility=Visibility.INTERNAL)
    holders = waiting(world, "minutes")
    assert sorted(holders) == ["client_pm", "lead", "pm"]
    assert len(holders["client_pm"]) == 1  # not the internal meeting


def test_submitted_weeks_wait_on_the_team_keepers_then_on_the_client_approver(world: World) -> None:
    seed.weeks_submitted(world)
    holders = waiting(world, "timesheets")
    assert sorted(holders) == ["lead", "pm"]
    assert str(holders["pm"][0].title) == "1 week of time to approve"
    sheet = seed.weeks_submitted(world, status=SheetStatus.TEAM_APPROVED, user=world.lead)
    assert sorted(waiting(world, "timesheets")) == ["lead", "pm"]  # the client does not approve time here
    type(sheet).objects.filter(pk=sheet.pk).delete()
    seed.weeks_submitted(world, status=SheetStatus.TEAM_APPROVED, client_approves=True, user=world.lead)
    assert sorted(waiting(world, "timesheets")) == ["client_pm", "lead", "pm"]


def test_the_most_urgent_comes_first(world: World) -> None:
    confirm_charter(world)
    seed.client_decision(world, decider=world.sponsor, due=None)
    late = seed.client_decision(world, decider=world.sponsor)
    items = inbox.items_for(world.sponsor, today=seed.PAST.replace(day=20))
    assert items[0].key == f"client_decision:{late.pk}"
    assert items[0].overdue(seed.PAST.replace(day=20))


def test_nobody_signed_out_or_inactive_has_an_inbox(world: World) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert inbox.items_for(AnonymousUser()) == []  # type: ignore[arg-type]
    world.sponsor.is_active = False
    assert inbox.items_for(world.sponsor) == []
