"""Every service that changes state writes one activity record in its own transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from tandem.accounts import services as account_services
from tandem.core.models import Activity
from tandem.projects import queries, services
from tandem.projects.choices import Role
from tandem.projects.models import Membership
from tandem.testing.personas import World, make_user


def _membership(world: World, key: str) -> Membership:
    return world.project.memberships.get(user=world.people[key])


SERVICES: dict[str, tuple[Callable[[World], Any], str, str]] = {
    "update project": (
        lambda w: services.do_update_project(w.project, version=w.project.version, actor=w.pm, name="ERP 2"),
        "updated",
        "projects.project",
    ),
    "add member": (
        lambda w: services.do_add_member(
            w.project, user=make_user("n@northwind.test", "N", w.client), role=Role.REVIEWER, actor=w.pm
        ),
        "added",
        "projects.membership",
    ),
    "change role": (
        lambda w: services.do_change_role(_membership(w, "reviewer"), role=Role.CLIENT_VIEWER, actor=w.pm),
        "changed role",
        "projects.membership",
    ),
    "remove member": (
        lambda w: services.do_remove_member(_membership(w, "reviewer"), actor=w.pm),
        "removed",
        "projects.membership",
    ),
    "invite": (
        lambda w: services.do_invite(w.project, email="z@northwind.test", role=Role.REVIEWER, actor=w.pm),
        "invited",
        "projects.invitation",
    ),
    "revoke invitation": (
        lambda w: services.do_revoke_invitation(
            services.do_invite(w.project, email="y@northwind.test", role=Role.REVIEWER, actor=w.pm)[0],
            actor=w.pm,
        ),
        "revoked",
        "projects.invitation",
    ),
    "apply preset": (
        lambda w: services.do_apply_decision_preset(w.project, preset="client_as_pm", actor=w.pm),
        "changed decision rights",
        "projects.project",
    ),
    "set decision right": (
        lambda w: services.do_set_decision_right(w.project, kind="close_risk", roles=["pm"], actor=w.pm),
        "changed decision rights",
        "projects.project",
    ),
    "update section": (
        lambda w: services.do_update_section(
            w.project, key="scope_out", body="Payroll", version=0, actor=w.pm
        ),
        "updated",
        "projects.chartersection",
    ),
    "add goal": (
        lambda w: services.do_add_charter_item(w.project, kind="goals", data={"statement": "g"}, actor=w.pm),
        "added",
        "projects.goal",
    ),
    "update kpi": (
        lambda w: services.do_update_charter_item(
            w.records["kpi_shared"], data={"unit": "%"}, version=1, actor=w.pm
        ),
        "updated",
        "projects.kpi",
    ),
    "delete stakeholder": (
        lambda w: services.do_delete_charter_item(w.records["stakeholder_shared"], version=1, actor=w.pm),
        "removed",
        "projects.stakeholder",
    ),
    "set raci": (
        lambda w: services.do_set_raci(
            w.records["deliverable_shared"],
            cells={w.records["stakeholder_shared"].pk: "A"},
            version=1,
            actor=w.pm,
        ),
        "changed RACI",
        "projects.deliverable",
    ),
    "confirm charter": (
        lambda w: services.do_confirm_charter(
            w.project, revision=queries.charter_of(w.project).revision, actor=w.sponsor
        ),
        "confirmed",
        "projects.charter",
    ),
    "add note": (
        lambda w: services.do_add_note(w.project, actor=w.member, title="t"),
        "added",
        "projects.note",
    ),
    "update note": (
        lambda w: services.do_update_note(w.records["note_shared"], actor=w.pm, version=1, title="t2"),
        "updated",
        "projects.note",
    ),
    "delete note": (
        lambda w: services.do_delete_note(w.records["note_shared"], actor=w.pm),
        "removed",
        "projects.note",
    ),
    "create token": (
        lambda w: account_services.do_create_api_token(w.pm, name="t", actor=w.pm),
        "created",
        "accounts.apitoken",
    ),
    "update profile": (
        lambda w: account_services.do_update_profile(w.pm, actor=w.pm, title="Director"),
        "updated",
        "accounts.user",
    ),
}


@pytest.mark.parametrize("name", list(SERVICES))
def test_it_writes_an_activity_with_actor_verb_target_and_changes(name: str, world: World) -> None:
    call, verb, target_type = SERVICES[name]
    before = Activity.objects.order_by("-id").values_list("id", flat=True).first() or 0
    call(world)
    written = list(Activity.objects.filter(id__gt=before, verb=verb, target_type=target_type))
    assert written, f"{name} wrote no '{verb}' activity on {target_type}"
    activity = written[0]
    assert activity.actor is not None
    assert activity.created_at is not None
    assert activity.target_id
    if verb in {"updated", "changed role", "changed decision rights", "changed RACI"}:
        assert activity.changes and all(len(pair) == 2 for pair in activity.changes.values()), (
            activity.changes
        )


@pytest.mark.parametrize("name", list(SERVICES))
def test_the_activity_is_rolled_back_with_the_change(name: str, world: World) -> None:
    """The audit row is written inside the service's transaction: undoing one undoes the other."""
    call, _verb, _target = SERVICES[name]
    before = Activity.objects.count()
    with transaction.atomic():
        call(world)
        assert Activity.objects.count() > before
        transaction.set_rollback(True)
    assert Activity.objects.count() == before


def test_a_refused_change_leaves_no_activity(world: World) -> None:
    before = Activity.objects.count()
    deliverable = world.records["deliverable_shared"]
    two_accountables = {
        world.records["stakeholder_shared"].pk: "A",
        world.records["stakeholder_internal"].pk: "A",
    }
    with pytest.raises(ValidationError):
        services.do_set_raci(deliverable, cells=two_accountables, version=1, actor=world.pm)
    with pytest.raises(ValidationError):
        services.do_update_project(world.project, version=1, actor=world.pm, time_zone="Mars/Olympus")
    assert Activity.objects.count() == before


def test_changing_decision_rights_is_audited_old_to_new(world: World) -> None:
    services.do_set_decision_right(world.project, kind="close_risk", roles=["sponsor"], actor=world.sponsor)
    activity = Activity.objects.filter(verb="changed decision rights").latest("id")
    assert activity.actor == world.sponsor
    old, new = activity.changes["close_risk"]
    assert new == ["sponsor"] and old != new
    assert activity.changes["preset"] == ["joint", "custom"]
