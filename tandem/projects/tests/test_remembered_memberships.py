"""Within a request the scopes read the user's memberships once, and never act on stale ones."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.core.scoping import remembered_memberships, remembering_memberships
from tandem.projects import services
from tandem.projects.choices import Role
from tandem.projects.models import Goal, Project
from tandem.testing.personas import World


def visible_goals(user: object) -> set[str]:
    return set(Goal.objects.visible_to(user).values_list("statement", flat=True))  # type: ignore[arg-type]


def test_it_reads_the_memberships_once_for_every_scope_of_a_request(world: World) -> None:
    with remembering_memberships(), CaptureQueriesContext(connection) as captured:
        list(Goal.objects.visible_to(world.pm))
        list(Project.objects.visible_to(world.pm))
        list(Goal.objects.visible_to(world.pm))
    # One read of the memberships, then one query per scope (no membership subquery in them).
    assert len(captured) == 4
    assert sum("projects_membership" in q["sql"] for q in captured.captured_queries) == 1


def test_it_sees_what_the_subquery_sees(world: World) -> None:
    for name in ("pm", "member", "sponsor", "client_viewer", "other_client", "outsider"):
        user = world.people[name]
        outside = visible_goals(user)
        with remembering_memberships():
            assert visible_goals(user) == outside, name


def test_it_forgets_the_memberships_when_one_is_added_or_removed(world: World) -> None:
    outsider, project = world.outsider, world.project
    with remembering_memberships():
        assert visible_goals(outsider) == set()
        membership = services.do_add_member(project, user=outsider, role=Role.MEMBER, actor=world.pm)
        assert "Internal goal" in visible_goals(outsider)
        services.do_remove_member(membership, actor=world.pm)
        assert visible_goals(outsider) == set()


def test_it_forgets_a_changed_role(world: World) -> None:
    membership = world.project.memberships.get(user=world.member)
    with remembering_memberships():
        assert remembered_memberships(world.member)[world.project.pk].role == Role.MEMBER  # type: ignore[index]
        services.do_change_role(membership, role=Role.TEAM_VIEWER, actor=world.pm)
        assert remembered_memberships(world.member)[world.project.pk].role == Role.TEAM_VIEWER  # type: ignore[index]
    assert remembered_memberships(world.member) is None  # outside a request nothing is remembered


def test_it_reads_a_project_s_decision_rights_once_and_again_after_a_change(world: World) -> None:
    from tandem.projects import permissions
    from tandem.projects.choices import DecisionKind
    from tandem.projects.inbox import seats_of

    with remembering_memberships():
        with CaptureQueriesContext(connection) as captured:
            seats_of(world.sponsor)  # every project of the sponsor's, in one query
            again = Project.objects.get(pk=world.project.pk)  # another instance of the same project
            assert permissions.holds(world.sponsor, again, DecisionKind.APPROVE_CHANGE)
        assert sum("projects_decisionright" in q["sql"] for q in captured.captured_queries) == 1
        services.do_set_decision_right(
            world.project, kind=DecisionKind.APPROVE_CHANGE, roles=["pm"], actor=world.pm
        )
        fresh = Project.objects.get(pk=world.project.pk)
        assert not permissions.holds(world.sponsor, fresh, DecisionKind.APPROVE_CHANGE)
        assert permissions.holds(world.pm, fresh, DecisionKind.APPROVE_CHANGE)
        assert DecisionKind.APPROVE_CHANGE not in seats_of(world.sponsor)[world.project.pk].kinds
