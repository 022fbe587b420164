"""Decision rights: presets, custom tables, enforcement in services, and their audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.core.models import Activity
from tandem.projects import permissions, services
from tandem.projects.choices import PRESETS, DecisionKind, DecisionPreset, Role
from tandem.projects.models import DecisionRight, Project
from tandem.projects.permissions import Action


def rights(project):
    return dict(DecisionRight.objects.filter(project=project).values_list("kind", "roles"))


def test_it_starts_from_the_preset(world):
    assert rights(world.project) == {k: list(v) for k, v in PRESETS[DecisionPreset.JOINT].items()}


def test_it_applies_the_client_as_pm_preset(world):
    services.do_apply_decision_preset(world.project, preset=DecisionPreset.CLIENT_AS_PM, actor=world.pm)
    project = Project.objects.get(pk=world.project.pk)
    assert permissions.holds(world.client_pm, project, DecisionKind.APPROVE_CHANGE)
    assert not permissions.holds(world.pm, project, DecisionKind.APPROVE_CHANGE)
    assert permissions.can(world.client_pm, project, Action.EDIT_PLAN)
    activity = Activity.objects.filter(project=project, verb="changed decision rights").first()
    assert activity.changes["preset"] == [DecisionPreset.JOINT, DecisionPreset.CLIENT_AS_PM]


def test_it_keeps_the_plan_with_the_team_otherwise(world):
    assert not permissions.can(world.client_pm, world.project, Action.EDIT_PLAN)
    assert permissions.can(world.lead, world.project, Action.EDIT_PLAN)


def test_it_audits_a_custom_right_with_old_and_new_roles(world):
    services.do_set_decision_right(
        world.project, kind=DecisionKind.CLOSE_RISK, roles=[Role.SPONSOR], actor=world.pm
    )
    project = Project.objects.get(pk=world.project.pk)
    assert project.decision_preset == DecisionPreset.CUSTOM
    activity = Activity.objects.filter(project=project, verb="changed decision rights").first()
    assert activity.changes[DecisionKind.CLOSE_RISK] == [
        PRESETS[DecisionPreset.JOINT][DecisionKind.CLOSE_RISK],
        [Role.SPONSOR],
    ]
    assert activity.actor == world.pm


@pytest.mark.parametrize("who", ["member", "lead", "client_pm", "client_viewer", "other_client"])
def test_it_refuses_changes_by_others(world, who):
    with pytest.raises(PermissionDenied):
        services.do_apply_decision_preset(
            world.project, preset=DecisionPreset.TEAM_LED, actor=world.people[who]
        )
    assert rights(world.project) == {k: list(v) for k, v in PRESETS[DecisionPreset.JOINT].items()}


def test_it_lets_the_sponsor_change_them(world):
    services.do_apply_decision_preset(world.project, preset=DecisionPreset.TEAM_LED, actor=world.sponsor)
    assert rights(world.project)[DecisionKind.PRIORITISE_BACKLOG] == [Role.PROJECT_MANAGER]


def test_it_refuses_unknown_roles_and_empty_sets(world):
    with pytest.raises(ValidationError) as caught:
        services.do_set_decision_right(
            world.project, kind=DecisionKind.CLOSE_RISK, roles=["king"], actor=world.pm
        )
    assert "roles" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.do_set_decision_right(world.project, kind=DecisionKind.CLOSE_RISK, roles=[], actor=world.pm)
