"""Each role's guide tells the decisions the project's table gives that role, and who takes the rest."""

from __future__ import annotations

import pytest

from tandem.onboarding.guides import guide_for
from tandem.projects import services
from tandem.projects.choices import PRESETS, DecisionKind, DecisionPreset, Role
from tandem.projects.models import Project
from tandem.projects.permissions import Action, forget_cached_rights
from tandem.testing.personas import World, build_world

pytestmark = pytest.mark.django_db


def decided(project: Project, role: str) -> set[str]:
    return {d.kind for d in guide_for(project, role).decides}


@pytest.mark.parametrize(
    "preset", [DecisionPreset.TEAM_LED, DecisionPreset.JOINT, DecisionPreset.CLIENT_AS_PM]
)
def test_each_client_role_is_told_the_decisions_of_its_preset(preset: str) -> None:
    world = build_world(preset=preset, with_records=False)
    for role in (Role.SPONSOR, Role.CLIENT_PM, Role.REVIEWER, Role.CLIENT_VIEWER):
        expected = {kind for kind, roles in PRESETS[preset].items() if role in roles}
        guide = guide_for(world.project, role)
        assert decided(world.project, role) == expected
        # Every decision appears once: taken by the role, or by others with their holders named.
        assert {d.kind for d in guide.decides} | {d.kind for d in guide.others_decide} == set(
            DecisionKind.values
        )
        for other in guide.others_decide:
            assert other.holders == PRESETS[preset][other.kind]
        assert guide.client


def test_the_client_pm_gains_the_plan_when_the_client_acts_as_pm() -> None:
    joint = build_world(preset=DecisionPreset.JOINT, with_records=False)
    actions = {a for a, _label in guide_for(joint.project, Role.CLIENT_PM).actions}
    assert Action.EDIT_PLAN not in actions
    assert Action.RUN_MEETINGS in actions
    joint.project.decision_preset = DecisionPreset.CLIENT_AS_PM
    assert Action.EDIT_PLAN in {a for a, _label in guide_for(joint.project, Role.CLIENT_PM).actions}


def test_the_guide_follows_the_table_as_it_stands(world: World) -> None:
    assert DecisionKind.CLOSE_RISK not in decided(world.project, Role.SPONSOR)
    services.do_set_decision_right(
        world.project, kind=DecisionKind.CLOSE_RISK, roles=[Role.SPONSOR], actor=world.pm
    )
    project = Project.objects.get(pk=world.project.pk)
    forget_cached_rights(project)
    assert DecisionKind.CLOSE_RISK in decided(project, Role.SPONSOR)
    assert guide_for(project, Role.CLIENT_VIEWER).decides == []
