"""The audit trail: append-only, old → new values, and internal changes kept internal."""

from __future__ import annotations

import pytest

from tandem.core.choices import Visibility
from tandem.core.models import Activity
from tandem.projects import queries, services


def test_it_records_old_and_new_values(world):
    goal = world.records["goal_shared"]
    services.do_update_charter_item(goal, data={"target": "99%"}, version=goal.version, actor=world.lead)
    activity = Activity.objects.filter(target_type="projects.goal", verb="updated").first()
    assert activity.actor == world.lead
    assert activity.changes == {"target": ["t", "99%"]}
    assert activity.visibility == Visibility.SHARED


def test_it_keeps_internal_field_changes_out_of_the_clients_feed(world):
    project = world.project
    services.do_update_project(
        project,
        version=project.version,
        actor=world.pm,
        internal_notes="Secret margin",
        summary="Public summary",
    )
    client_feed = list(queries.activity_of(world.client_viewer, project))
    assert all("internal_notes" not in a.changes for a in client_feed)
    assert any("summary" in a.changes for a in client_feed)
    assert any("internal_notes" in a.changes for a in queries.activity_of(world.member, project))


def test_it_keeps_an_item_made_internal_out_of_the_clients_feed(world):
    goal = world.records["goal_shared"]
    services.do_update_charter_item(
        goal,
        data={"visibility": Visibility.INTERNAL, "target": "secret"},
        version=goal.version,
        actor=world.pm,
    )
    assert not any(
        "secret" in str(a.changes) for a in queries.activity_of(world.client_viewer, world.project)
    )


def test_it_shows_no_other_clients_activity(world):
    assert not queries.activity_of(world.other_client, world.project).exists()
    assert not any(a.project_id == world.project.pk for a in queries.activity_of(world.other_client))


def test_it_cannot_be_changed_or_deleted(world):
    activity = Activity.objects.first()
    activity.verb = "forged"
    with pytest.raises(TypeError):
        activity.save()
    with pytest.raises(TypeError):
        activity.delete()
    with pytest.raises(TypeError):
        Activity.objects.filter(pk=activity.pk).update(verb="forged")
    with pytest.raises(TypeError):
        Activity.objects.all().delete()
