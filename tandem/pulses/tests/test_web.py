"""The pulses' pages, requested by every kind of viewer; what a client sees; answering in the app;
the results pages' queries, which do not grow with the answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tandem.projects import services as project_services
from tandem.projects.choices import Role
from tandem.pulses import services
from tandem.pulses.models import FollowUp, Pulse, Response
from tandem.testing.personas import VIEWERS, World, make_user

from .support import invitation_of, send

COMMENT = "The steering meeting ran late again"


def _seed(world: World) -> dict[str, Any]:
    pulse = send(world)
    invitation = invitation_of(pulse, world.sponsor)
    follow_up = services.do_record_score(invitation, score=1).follow_up
    services.do_answer(invitation, values={}, comment=COMMENT)
    services.do_update_settings(
        world.other_project, actor=world.other_pm, version=None, recipient_roles=["client_viewer"]
    )
    other = services.do_send_pulse(
        world.other_project, trigger="manual", event_key="o1", actor=world.other_pm
    )
    return {"pulse": pulse, "follow_up": follow_up, "other": other}


def _client(world: World, viewer: str) -> Client:
    browser = Client()
    user = world.viewer(viewer)
    if user is not None:
        browser.force_login(user)
    return browser


def _status(world: World, viewer: str, url: str, data: dict[str, Any] | None = None) -> int:
    browser = _client(world, viewer)
    return (browser.post(url, data) if data is not None else browser.get(url)).status_code


PAGES: list[tuple[str, Callable[[dict[str, Any]], str], str]] = [
    # name, url, statuses in VIEWERS order (anonymous … pm)
    ("results (not shared)", lambda ids: "/projects/ERP/pulses/", "302 404 404 403 403 403 200 200"),
    ("detail", lambda ids: f"/projects/ERP/pulses/{ids['pulse'].pk}/", "302 404 404 404 404 404 200 200"),
    ("settings", lambda ids: "/projects/ERP/pulses/settings/", "302 404 404 403 403 403 403 200"),
    ("portfolio", lambda ids: "/pulses/", "302 403 403 403 403 403 200 200"),
    ("portfolio csv", lambda ids: "/pulses/export.csv", "302 403 403 403 403 403 200 200"),
    (
        "other project's pulse",
        lambda ids: f"/projects/ERP/pulses/{ids['other'].pk}/",
        "302 404 404 404 404 404 404 404",
    ),
]


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize(("name", "url", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_each_page_answers_each_viewer_as_the_permission_model_says(
    world: World, viewer: str, name: str, url: Callable[[dict[str, Any]], str], expected: str
) -> None:
    ids = _seed(world)
    want = int(expected.split()[VIEWERS.index(viewer)])
    assert _status(world, viewer, url(ids)) == want


@pytest.mark.parametrize("viewer", VIEWERS)
def test_only_the_pm_sends_a_pulse_and_closes_a_follow_up(world: World, viewer: str) -> None:
    ids = _seed(world)
    send_status = _status(world, viewer, "/projects/ERP/pulses/send/", {})
    close_status = _status(
        world, viewer, f"/projects/ERP/pulses/follow-ups/{ids['follow_up'].pk}/close/", {"note": "Called"}
    )
    expected_send = {"anonymous": 302, "outsider": 404, "other_client": 404, "pm": 302}.get(viewer, 403)
    expected_close = {"anonymous": 302, "outsider": 404, "other_client": 404, "member": 403, "pm": 302}.get(
        viewer, 404
    )
    assert send_status == expected_send
    assert close_status == expected_close
    closed = FollowUp.objects.get(pk=ids["follow_up"].pk).status == "done"
    assert closed is (viewer == "pm")


def test_a_client_sees_only_aggregates_when_the_pm_shares_them(world: World) -> None:
    _seed(world)
    services.do_update_settings(world.project, actor=world.pm, version=None, share_results=True)
    for viewer in ("client_viewer", "client_pm", "sponsor"):
        page = _client(world, viewer).get("/projects/ERP/pulses/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "CSAT" in html and "0.0 %" in html
        assert COMMENT not in html and "Follow-ups" not in html and "CSAT 1" not in html
    team = _client(world, "pm").get("/projects/ERP/pulses/").content.decode()
    assert COMMENT in team and "CSAT 1" in team
    # Never another project's results.
    assert _client(world, "other_client").get("/projects/ERP/pulses/").status_code == 404


def test_the_client_preview_shows_no_comment(world: World) -> None:
    _seed(world)
    services.do_update_settings(world.project, actor=world.pm, version=None, share_results=True)
    html = _client(world, "pm").get("/projects/ERP/pulses/?view=client").content.decode()
    assert COMMENT not in html


def test_the_recipient_answers_in_the_app_and_nobody_else_can(world: World) -> None:
    invitation = invitation_of(send(world), world.client_pm)
    url = reverse("web:pulse_answer", args=[invitation.pk])
    assert _client(world, "sponsor").get(url).status_code == 404
    assert _client(world, "pm").get(url).status_code == 404
    home = _client(world, "client_pm").get("/projects/ERP/").content.decode()
    assert url in home  # "answer now" on the project home
    first, text = invitation.pulse.survey.questions.order_by("position")
    browser = _client(world, "client_pm")
    assert browser.post(url, {f"q{first.pk}": "9"}).status_code == 400  # off the 1–5 scale
    assert browser.post(url, {f"q{first.pk}": "4", f"q{text.pk}": "More demos"}).status_code == 200
    response = Response.objects.get(invitation=invitation)
    assert (response.by_link, response.completed_at is not None) == (False, True)
    assert browser.get(url).status_code == 409


def test_the_pm_saves_the_settings_and_bad_input_names_the_field(world: World) -> None:
    browser = _client(world, "pm")
    page = browser.get("/projects/ERP/pulses/settings/")
    assert page.status_code == 200
    config = services.settings_of(world.project)
    data = {
        "version": config.version,
        "survey": config.survey_id,
        "recipient_roles": ["sponsor"],
        "schedule_day": 40,
        "expiry_days": 30,
        "on_schedule": "on",
    }
    bad = browser.post("/projects/ERP/pulses/settings/", data)
    assert bad.status_code == 400 and "schedule_day" in bad.content.decode()
    data["schedule_day"] = 15
    assert browser.post("/projects/ERP/pulses/settings/", data).status_code == 302
    config.refresh_from_db()
    assert (config.on_schedule, config.schedule_day, config.recipient_roles) == (True, 15, ["sponsor"])
    assert config.triggers_since is not None


def test_the_portfolio_lists_only_the_readers_team_projects_and_exports_csv(world: World) -> None:
    _seed(world)
    html = _client(world, "pm").get("/pulses/").content.decode()
    assert "ERP" in html and "OTHER" not in html
    csv = _client(world, "pm").get("/pulses/export.csv")
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("project,name,csat_percent,nps")
    assert lines[1].startswith("ERP,ERP upgrade,0.0,")


def _answer_many(world: World, count: int) -> None:
    for n in range(count):
        user = make_user(f"client{count}-{n}@northwind.test", f"Client {n}", world.client)
        project_services.do_add_member(world.project, user=user, role=Role.SPONSOR, actor=world.pm)
    pulse = send(world, f"many{count}")
    for invitation in pulse.invitations.select_related("pulse__survey", "user"):
        services.do_record_score(invitation, score=2)
        services.do_answer(invitation, values={}, comment="late")


@pytest.mark.parametrize("url", ["/projects/ERP/pulses/", "/projects/ERP/", "/pulses/", "pulse_detail"])
def test_the_results_pages_queries_do_not_grow_with_answers(
    world: World, url: str, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    browser = _client(world, "pm")
    services.do_update_settings(world.project, actor=world.pm, version=None, share_results=True)
    _answer_many(world, 1)

    def count() -> int:
        path = url
        if url == "pulse_detail":
            path = f"/projects/ERP/pulses/{Pulse.objects.filter(project=world.project).latest('sent_at').pk}/"
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(path).status_code == 200
        return len(queries)

    few = count()
    _answer_many(world, 12)
    assert count() <= few


def test_the_pm_adds_a_custom_survey_and_its_choice_question_is_answered(world: World) -> None:
    browser = _client(world, "pm")
    url = "/projects/ERP/pulses/surveys/new/"
    assert _client(world, "client_pm").get(url).status_code == 403
    bad = browser.post(
        url, {"kind": "custom", "name_en": "Go-live check", "q1_kind": "choice", "q1_text_en": "Ready?"}
    )
    assert bad.status_code == 400 and "q1_options" in bad.content.decode()
    made = browser.post(
        url,
        {
            "kind": "custom",
            "name_en": "Go-live check",
            "name_zh": "上线检查",
            "q1_kind": "scale",
            "q1_text_en": "How ready are your stores?",
            "q2_kind": "choice",
            "q2_text_en": "Which training suits you?",
            "q2_options": "On site | 现场\nOnline | 在线",
        },
    )
    assert made.status_code == 302
    survey = world.project.surveys.get(name_en="Go-live check")
    first, second = survey.questions.order_by("position")
    assert (first.kind, second.kind, second.options[1]) == ("scale", "choice", {"en": "Online", "zh": "在线"})
    invitation = invitation_of(send(world, "custom", survey=survey), world.sponsor)
    answer = _client(world, "sponsor").post(
        reverse("web:pulse_answer", args=[invitation.pk]), {f"q{first.pk}": "3", f"q{second.pk}": "Online"}
    )
    assert answer.status_code == 200
    assert sorted(Response.objects.get(invitation=invitation).answers.values_list("choice", flat=True)) == [
        "",
        "Online",
    ]
