"""The language switch on every page: saved on the profile when signed in, a cookie otherwise."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tandem.testing.personas import World


def test_it_offers_the_switch_on_the_sign_in_page_and_the_project_pages(world: World, client: Client) -> None:
    assert 'name="language" value="zh-hans"' in client.get(reverse("web:login")).content.decode()
    client.force_login(world.sponsor)
    for url in (
        reverse("web:project_list"),
        reverse("web:project_home", args=["ERP"]),
        reverse("web:members", args=["ERP"]),
        reverse("web:profile"),
    ):
        assert 'name="language" value="zh-hans"' in client.get(url).content.decode(), url


def test_it_saves_a_signed_in_users_choice_on_the_profile(world: World, client: Client) -> None:
    client.force_login(world.sponsor)
    home = reverse("web:project_home", args=["ERP"])
    response = client.post(reverse("web:set_language"), {"language": "zh-hans", "next": home})
    assert response.status_code == 302
    assert response["Location"] == home
    world.sponsor.refresh_from_db()
    assert world.sponsor.language == "zh-hans"
    page = client.get(home).content.decode()
    assert "范围与变更" in page
    assert 'lang="zh-Hans"' in page
    # A fresh session (another browser) still gets Chinese: the choice lives on the profile.
    other = Client()
    other.force_login(world.sponsor)
    assert "范围与变更" in other.get(home).content.decode()


def test_it_switches_back_to_english(world: World, client: Client) -> None:
    world.sponsor.language = "zh-hans"
    world.sponsor.save()
    client.force_login(world.sponsor)
    client.post(reverse("web:set_language"), {"language": "en", "next": "/"})
    world.sponsor.refresh_from_db()
    assert world.sponsor.language == "en"
    assert "Scope and changes" in client.get(reverse("web:project_home", args=["ERP"])).content.decode()


def test_it_keeps_an_anonymous_visitors_choice_in_a_cookie(db: None, client: Client) -> None:
    login = reverse("web:login")
    response = client.post(reverse("web:set_language"), {"language": "zh-hans", "next": login})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert "登录 Tandem" in client.get(login).content.decode()


@pytest.mark.parametrize("language", ["fr", "", "zh-hans'><script>"])
def test_it_ignores_an_unknown_language(world: World, client: Client, language: str) -> None:
    client.force_login(world.sponsor)
    response = client.post(reverse("web:set_language"), {"language": language, "next": "/"})
    assert response.status_code == 302
    world.sponsor.refresh_from_db()
    assert world.sponsor.language == "en"


def test_it_never_redirects_to_another_site(world: World, client: Client) -> None:
    client.force_login(world.sponsor)
    response = client.post(
        reverse("web:set_language"), {"language": "zh-hans", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_it_writes_the_invitation_email_in_chinese_for_a_chinese_project(
    world: World, client: Client, mailoutbox: list, django_capture_on_commit_callbacks
) -> None:
    world.project.language = "zh-hans"
    world.project.save()
    client.force_login(world.pm)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("web:members", args=["ERP"]),
            {"email": "li.na@northwind.test", "role": "reviewer", "full_name": "Li Na"},
        )
    assert response.status_code == 302
    (message,) = mailoutbox
    assert "接受邀请" in message.body
    assert "您的角色：评审人" in message.body
