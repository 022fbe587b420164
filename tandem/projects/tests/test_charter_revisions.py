"""Charter revisions freeze the shared charter; the client confirms one revision."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from tandem.core.choices import Visibility
from tandem.core.errors import ConflictError
from tandem.projects import queries, services
from tandem.projects.models import Charter, CharterConfirmation


def revision(project) -> int:
    return Charter.objects.get(project=project).revision


def test_it_raises_the_revision_for_a_shared_edit(world):
    before = revision(world.project)
    services.do_add_charter_item(world.project, kind="goals", actor=world.pm, data={"statement": "Go live"})
    assert revision(world.project) == before + 1


def test_it_keeps_the_revision_for_an_internal_edit(world):
    before = revision(world.project)
    services.do_add_charter_item(
        world.project,
        kind="goals",
        actor=world.pm,
        data={"statement": "Margin", "visibility": Visibility.INTERNAL},
    )
    assert revision(world.project) == before


def test_it_freezes_only_shared_content(world):
    charter = Charter.objects.get(project=world.project)
    content = charter.revisions.get(number=charter.revision).content
    statements = [g["statement"] for g in content["goals"]]
    assert statements == ["Shared goal"]
    assert "Internal" not in str(content)


def test_it_confirms_the_revision_the_client_read(world):
    current = revision(world.project)
    confirmation = services.do_confirm_charter(world.project, revision=current, actor=world.sponsor)
    assert confirmation.revision == current
    assert queries.latest_confirmation(world.project) == confirmation


def test_it_refuses_a_stale_confirmation(world):
    stale = revision(world.project)
    services.do_add_charter_item(world.project, kind="goals", actor=world.pm, data={"statement": "New goal"})
    with pytest.raises(ConflictError):
        services.do_confirm_charter(world.project, revision=stale, actor=world.sponsor)
    assert not CharterConfirmation.objects.exists()


def test_it_refuses_confirmation_without_the_decision_right(world):
    for person in (world.pm, world.member, world.client_viewer):
        with pytest.raises(PermissionDenied):
            services.do_confirm_charter(world.project, revision=revision(world.project), actor=person)


def test_it_lists_what_changed_since_the_confirmed_revision(world):
    services.do_confirm_charter(world.project, revision=revision(world.project), actor=world.client_pm)
    section = world.project.charter_sections.get(key="scope_in")
    services.do_update_section(
        world.project, key="scope_in", body="Stores only", version=section.version, actor=world.pm
    )
    goal = world.records["goal_shared"]
    services.do_update_charter_item(
        goal, data={"target": "120 stores"}, version=goal.version, actor=world.lead
    )
    services.do_add_charter_item(
        world.project,
        kind="kpis",
        actor=world.pm,
        data={"name": "Hidden KPI", "visibility": Visibility.INTERNAL},
    )
    confirmation, changes = queries.changes_since_confirmation(world.project)
    assert confirmation is not None
    summary = {(c["part"], c["change"], c["label"]) for c in changes}
    assert ("sections", "changed", "In scope") in summary
    assert ("goals", "changed", "Shared goal") in summary
    assert not any("Hidden" in c["label"] for c in changes)
    goal_change = next(c for c in changes if c["part"] == "goals")
    assert goal_change["fields"] == {"target": ["t", "120 stores"]}


def test_the_home_reads_the_changes_with_the_charter_it_has(world, django_assert_num_queries):
    """Given the charter row, the banner reads no revision while the confirmation stands and both
    revisions in one query once the charter has changed, with the same changes as without it."""
    services.do_confirm_charter(world.project, revision=revision(world.project), actor=world.client_pm)
    charter = queries.charter_of(world.project)
    with django_assert_num_queries(1):  # the confirmation only
        assert queries.changes_since_confirmation(world.project, charter)[1] == []
    section = world.project.charter_sections.get(key="scope_in")
    services.do_update_section(
        world.project, key="scope_in", body="Stores only", version=section.version, actor=world.pm
    )
    charter = queries.charter_of(world.project)
    with django_assert_num_queries(2):  # the confirmation, both revisions
        given = queries.changes_since_confirmation(world.project, charter)
    assert given[1] and given == queries.changes_since_confirmation(world.project)
    assert ("sections", "changed", "In scope") in {(c["part"], c["change"], c["label"]) for c in given[1]}
