from __future__ import annotations

from tandem.projects import queries


def test_it_builds_the_world(world):
    assert queries.projects_for(world.pm).count() == 1
    assert [g.statement for g in queries.goals_of(world.client_viewer, world.project)] == ["Shared goal"]
    assert queries.goals_of(world.member, world.project).count() == 2
    assert queries.goals_of(world.other_client, world.project).count() == 0
