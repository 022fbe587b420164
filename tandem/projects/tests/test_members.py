"""Members: roles follow the organization's side, a project keeps a manager, managers are limited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.core.choices import Side
from tandem.projects import services
from tandem.projects.choices import Role
from tandem.projects.models import Membership
from tandem.testing.api import Caller
from tandem.testing.personas import make_user


def test_it_derives_the_side_from_the_role(world):
    assert Membership.objects.get(project=world.project, user=world.sponsor).side == Side.CLIENT
    assert Membership.objects.get(project=world.project, user=world.member).side == Side.TEAM


def test_it_refuses_a_client_role_for_a_vendor_employee(world):
    newcomer = make_user("new@acme.test", "New", world.vendor)
    with pytest.raises(ValidationError) as caught:
        services.do_add_member(world.project, user=newcomer, role=Role.SPONSOR, actor=world.pm)
    assert "role" in caught.value.message_dict


def test_it_keeps_the_last_project_manager(world):
    membership = Membership.objects.get(project=world.project, user=world.pm)
    with pytest.raises(ValidationError):
        services.do_remove_member(membership, actor=world.pm)
    with pytest.raises(ValidationError):
        services.do_change_role(membership, role=Role.LEAD, actor=world.pm)
    assert Membership.objects.filter(project=world.project, role=Role.PROJECT_MANAGER).count() == 1


def test_it_lets_the_client_pm_manage_client_roles_only(world):
    newcomer = make_user("nina@northwind.test", "Nina", world.client)
    membership = services.do_add_member(
        world.project, user=newcomer, role=Role.REVIEWER, actor=world.client_pm
    )
    assert membership.side == Side.CLIENT
    with pytest.raises(PermissionDenied):
        services.do_change_role(
            Membership.objects.get(user=world.member, project=world.project),
            role=Role.TEAM_VIEWER,
            actor=world.client_pm,
        )


@pytest.mark.parametrize("who", ["member", "lead", "client_viewer", "reviewer"])
def test_it_refuses_member_management_by_others(world, who):
    newcomer = make_user("x@acme.test", "X", world.vendor)
    with pytest.raises(PermissionDenied):
        services.do_add_member(world.project, user=newcomer, role=Role.MEMBER, actor=world.people[who])


def test_it_refuses_a_second_membership(world):
    with pytest.raises(ValidationError):
        services.do_add_member(world.project, user=world.member, role=Role.LEAD, actor=world.pm)


@pytest.mark.parametrize("viewer", ["client_viewer", "member", "sponsor"])
def test_it_never_tells_a_member_who_may_not_add_this_role_whether_an_email_has_an_account(world, viewer):
    """Unknown and known addresses get the same 403: the check of the caller's role comes first."""
    make_user("nick@acme.test", "Nick", world.vendor)
    caller = Caller(world, viewer)
    for email in ("nobody@nowhere.test", "nick@acme.test", "NICK@acme.test"):
        response = caller.call("POST", "/projects/ERP/members", {"email": email, "role": "member"})
        assert response.status == 403, (email, response.text)
    assert not Membership.objects.filter(user__email="nick@acme.test").exists()


def test_a_manager_still_learns_that_an_unknown_email_needs_an_invitation(world):
    response = Caller(world, "pm").call(
        "POST", "/projects/ERP/members", {"email": "nobody@nowhere.test", "role": "member"}
    )
    assert response.status == 422 and "email" in response.text
