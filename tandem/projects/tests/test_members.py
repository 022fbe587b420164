"""Members: roles follow the organization's side, a project keeps a manager, managers are limited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.core.choices import Side
from tandem.projects import services
from tandem.projects.choices import Role
from tandem.projects.models import Membership
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
