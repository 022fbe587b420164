"""Two people editing the same charter part: the second, stale edit is refused, nothing is lost."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tandem.core.errors import ConflictError
from tandem.projects import services
from tandem.projects.models import CharterSection, Goal


def test_it_refuses_a_stale_section_edit_and_keeps_the_first(world):
    section = CharterSection.objects.get(project=world.project, key="scope_in")
    read_by_both = section.version
    services.do_update_section(
        world.project, key="scope_in", body="Alice's scope", version=read_by_both, actor=world.pm
    )
    with pytest.raises(ConflictError) as caught:
        services.do_update_section(
            world.project, key="scope_in", body="Larry's scope", version=read_by_both, actor=world.lead
        )
    assert caught.value.current_version == read_by_both + 1
    assert CharterSection.objects.get(pk=section.pk).body == "Alice's scope"


def test_it_refuses_a_stale_item_edit(world):
    goal = world.records["goal_shared"]
    services.do_update_charter_item(goal, data={"target": "A"}, version=goal.version, actor=world.pm)
    with pytest.raises(ConflictError):
        services.do_update_charter_item(goal, data={"target": "B"}, version=goal.version, actor=world.lead)
    assert Goal.objects.get(pk=goal.pk).target == "A"


def test_it_requires_the_version(world):
    goal = world.records["goal_shared"]
    with pytest.raises(ValidationError) as caught:
        services.do_update_charter_item(goal, data={"target": "A"}, version=None, actor=world.pm)
    assert "version" in caught.value.message_dict


def test_it_names_the_field_of_bad_input_and_changes_nothing(world):
    goal = world.records["goal_shared"]
    with pytest.raises(ValidationError) as caught:
        services.do_update_charter_item(
            goal, data={"due_date": "31/02/2026"}, version=goal.version, actor=world.pm
        )
    assert "due_date" in caught.value.message_dict
    assert Goal.objects.get(pk=goal.pk).version == goal.version


def test_it_refuses_unknown_fields(world):
    goal = world.records["goal_shared"]
    with pytest.raises(ValidationError) as caught:
        services.do_update_charter_item(goal, data={"project_id": 99}, version=goal.version, actor=world.pm)
    assert "project_id" in caught.value.message_dict
