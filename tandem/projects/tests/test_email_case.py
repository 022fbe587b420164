"""Email addresses ignore case: sign-in, invitations and new accounts, and the stored rows."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse

from tandem.accounts.models import User
from tandem.projects import services
from tandem.projects.choices import Role
from tandem.testing.personas import PASSWORD, World, make_user

pytestmark = pytest.mark.django_db

MIXED = "Wang.Fang@Huaxin.example"
lowercase_emails = importlib.import_module(
    "tandem.accounts.migrations.0002_lowercase_emails"
).lowercase_emails


def _authenticate(username: str, password: str) -> User | None:
    """Django's authentication (django-axes wants a request)."""
    return authenticate(RequestFactory().post("/login/"), username=username, password=password)  # type: ignore[return-value]


def _sign_in(client: Client, email: str) -> int:
    """Post the sign-in form; the status (302 when signed in)."""
    response = client.post(reverse("web:login"), {"username": email, "password": PASSWORD})
    return response.status_code


def test_it_signs_in_whatever_the_case_of_the_address(client: Client) -> None:
    make_user(MIXED, "王芳", None)
    assert User.objects.get().email == "wang.fang@huaxin.example"
    assert _sign_in(client, MIXED) == 302
    assert _authenticate("WANG.FANG@huaxin.example", password=PASSWORD) is not None


def test_it_signs_in_an_account_stored_before_addresses_were_lower_cased(client: Client) -> None:
    user = make_user("wang.fang@huaxin.example", "王芳", None)
    User.objects.filter(pk=user.pk).update(email=MIXED)
    assert _sign_in(client, "wang.fang@huaxin.example") == 302
    assert _authenticate(MIXED, password=PASSWORD) == user


def test_an_address_two_old_accounts_share_ignoring_case_signs_in_neither_by_guess(client: Client) -> None:
    first = make_user("wang.fang@huaxin.example", "王芳", None)
    second = make_user("other@huaxin.example", "王芳 2", None)
    User.objects.filter(pk=second.pk).update(email=MIXED)
    assert _authenticate("wang.fang@huaxin.example", password=PASSWORD) == first
    assert _authenticate("WANG.FANG@HUAXIN.EXAMPLE", password=PASSWORD) is None


def test_the_migration_lower_cases_addresses_unless_another_account_shares_one() -> None:
    alone = make_user("li.na@huaxin.example", "李娜", None)
    twin = make_user("zhao@huaxin.example", "赵", None)
    twin_mixed = make_user("zhao2@huaxin.example", "赵 2", None)
    User.objects.filter(pk=alone.pk).update(email="Li.Na@Huaxin.example")
    User.objects.filter(pk=twin_mixed.pk).update(email="Zhao@Huaxin.example")
    lowercase_emails(apps, None)
    lowercase_emails(apps, None)  # running it again changes nothing more
    emails = dict(User.objects.values_list("pk", "email"))
    assert emails == {
        alone.pk: "li.na@huaxin.example",
        twin.pk: "zhao@huaxin.example",
        twin_mixed.pk: "Zhao@Huaxin.example",
    }


def test_a_new_account_may_not_take_an_address_in_another_case(world: World) -> None:
    user = User(email=world.member.email.upper(), full_name="Copy")
    with pytest.raises(ValidationError) as caught:
        user.full_clean(exclude=["password"])
    assert "email" in caught.value.message_dict


def test_an_invitation_finds_the_account_whatever_the_case(world: World) -> None:
    User.objects.filter(pk=world.member.pk).update(email=world.member.email.title())
    with pytest.raises(ValidationError) as caught:
        services.do_invite(world.project, email=world.member.email.upper(), role=Role.MEMBER, actor=world.pm)
    assert "already a member" in " ".join(caught.value.messages)
