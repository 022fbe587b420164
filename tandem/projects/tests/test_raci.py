"""A deliverable's RACI row has exactly one Accountable, and only the project's stakeholders."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tandem.projects import services
from tandem.projects.models import RaciAssignment


def stakeholders(world, n):
    return [
        services.do_add_charter_item(
            world.project, kind="stakeholders", actor=world.pm, data={"name": f"Person {i}"}
        )
        for i in range(n)
    ]


def test_it_saves_a_row_with_one_accountable(world):
    a, b, c = stakeholders(world, 3)
    deliverable = world.records["deliverable_shared"]
    services.do_set_raci(
        deliverable, cells={a.pk: "A", b.pk: "R", c.pk: "I"}, version=deliverable.version, actor=world.pm
    )
    assert dict(
        RaciAssignment.objects.filter(deliverable=deliverable).values_list("stakeholder_id", "letter")
    ) == {a.pk: "A", b.pk: "R", c.pk: "I"}


@pytest.mark.parametrize("letters", [("R", "C"), ("A", "A")])
def test_it_refuses_zero_or_two_accountables(world, letters):
    a, b = stakeholders(world, 2)
    deliverable = world.records["deliverable_shared"]
    with pytest.raises(ValidationError) as caught:
        services.do_set_raci(
            deliverable,
            cells={a.pk: letters[0], b.pk: letters[1]},
            version=deliverable.version,
            actor=world.pm,
        )
    assert "raci" in caught.value.message_dict
    assert not RaciAssignment.objects.filter(deliverable=deliverable).exists()


def test_it_refuses_another_projects_stakeholder(world):
    other = services.do_add_charter_item(
        world.other_project, kind="stakeholders", actor=world.other_pm, data={"name": "Elsewhere"}
    )
    deliverable = world.records["deliverable_shared"]
    with pytest.raises(ValidationError):
        services.do_set_raci(deliverable, cells={other.pk: "A"}, version=deliverable.version, actor=world.pm)


def test_it_lets_client_people_hold_any_letter(world):
    client_person = services.do_add_charter_item(
        world.project,
        kind="stakeholders",
        actor=world.pm,
        data={"name": "Sam", "side": "client", "user": world.sponsor},
    )
    deliverable = world.records["deliverable_shared"]
    services.do_set_raci(
        deliverable, cells={client_person.pk: "A"}, version=deliverable.version, actor=world.pm
    )
    assert RaciAssignment.objects.get(deliverable=deliverable).letter == "A"


def test_it_refuses_a_stakeholder_account_outside_the_project(world):
    with pytest.raises(ValidationError) as caught:
        services.do_add_charter_item(
            world.project,
            kind="stakeholders",
            actor=world.pm,
            data={"name": "Carol", "user": world.people["other_client"]},
        )
    assert "user" in caught.value.message_dict
