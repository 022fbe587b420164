"""The handbook is built from the project's setup as it stands, through the reader's scope: a client's
page and PDF hold shared records only."""

from __future__ import annotations

import pytest

from tandem.changes.choices import ApprovalRule
from tandem.changes.models import ChangeSettings
from tandem.core.choices import Visibility
from tandem.meetings import services as meetings
from tandem.meetings.choices import Frequency
from tandem.onboarding import handbook
from tandem.projects import services as projects
from tandem.projects.choices import DecisionKind, Role
from tandem.projects.models import Project
from tandem.testing.pdf import pdf_text
from tandem.testing.personas import World

pytestmark = pytest.mark.django_db


def setup_project(world: World) -> None:
    pm, project = world.pm, world.project
    shared = projects.do_update_charter_item(
        world.records["deliverable_shared"],
        actor=pm,
        version=world.records["deliverable_shared"].version,
        data={"acceptance_criteria": ["Runs the nightly close in under an hour"]},
    )
    projects.do_set_raci(
        shared, cells={world.records["stakeholder_shared"].pk: "A"}, version=shared.version, actor=pm
    )
    meetings.do_add_item(
        project,
        actor=pm,
        frequency=Frequency.AS_NEEDED,
        title="Steering review",
        audience_roles=[Role.SPONSOR, Role.PROJECT_MANAGER],
    )
    meetings.do_add_item(
        project,
        actor=pm,
        frequency=Frequency.AS_NEEDED,
        title="Margin call",
        audience_roles=[Role.SPONSOR],
        visibility=Visibility.INTERNAL,
    )


def fresh(world: World) -> Project:
    return Project.objects.get(pk=world.project.pk)


def test_it_tells_the_setup_and_follows_its_changes(world: World) -> None:
    setup_project(world)
    book = handbook.build_handbook(world.pm, fresh(world))
    assert [r.role for r in book.roles][:1] == [Role.PROJECT_MANAGER]
    sponsor = next(r for r in book.roles if r.role == Role.SPONSOR)
    assert sponsor.people == ["Sam Sponsor"]
    assert DecisionKind.APPROVE_CHANGE.label in sponsor.decisions
    approve = next(r for r in book.rights if r.kind == DecisionKind.APPROVE_CHANGE)
    assert approve.people == ["Sam Sponsor", "Cindy Client PM"]
    assert {e.item.title for e in book.communication} == {"Steering review", "Margin call"}
    assert book.approval_rule == ApprovalRule.ANY.label
    levels = {level.title: level for level in book.escalation}
    assert [name for _role, name in levels["Sponsor"].people] == ["Sam Sponsor"]
    assert "Steering review" in levels["Sponsor"].forums
    assert [s.name for s in book.stakeholders] == ["Shared stakeholder", "Internal stakeholder"]

    # The setup changes: the handbook read next says so.
    projects.do_set_decision_right(
        world.project, kind=DecisionKind.APPROVE_CHANGE, roles=[Role.CLIENT_PM], actor=world.pm
    )
    ChangeSettings.objects.update_or_create(
        project=world.project, defaults={"approval_rule": ApprovalRule.ALL}
    )
    book = handbook.build_handbook(world.pm, fresh(world))
    approve = next(r for r in book.rights if r.kind == DecisionKind.APPROVE_CHANGE)
    assert approve.people == ["Cindy Client PM"]
    assert book.approvers == [Role.CLIENT_PM.label]
    assert book.approval_rule == ApprovalRule.ALL.label


def test_a_client_reads_shared_records_only_in_the_page_data_and_the_pdf(world: World) -> None:
    setup_project(world)
    book = handbook.build_handbook(world.sponsor, fresh(world))
    assert [s.name for s in book.stakeholders] == ["Shared stakeholder"]
    assert [r.deliverable.name for r in book.raci] == ["Shared deliverable"]
    assert [e.item.title for e in book.communication] == ["Steering review"]

    text = pdf_text(handbook.export_pdf(world.sponsor, fresh(world), "en"))
    assert "Project handbook" in text and "Shared deliverable" in text and "Steering review" in text
    assert "Runs the nightly close in under an hour" in text
    for secret in ("Internal stakeholder", "Internal deliverable", "Margin call"):
        assert secret not in text
    team_text = pdf_text(handbook.export_pdf(world.pm, fresh(world), "en"))
    assert "Internal deliverable" in team_text and "Margin call" in team_text

    chinese = pdf_text(handbook.export_pdf(world.sponsor, fresh(world), "zh-hans"))
    assert "项目管理手册" in chinese and "决策权" in chinese
