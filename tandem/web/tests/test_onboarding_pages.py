"""Onboarding pages: the role guide and its first-visit prompt, the glossary and its term links, the
handbook (page and PDF, built from the setup as it stands, shared records only for the client), the
training material with its completion, and the client PM readiness checklist.

The permission matrix reuses the one of every other page (``test_page_permissions``): the same
personas, statuses and the same check that no internal text reaches a client.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tandem.core.choices import Visibility
from tandem.core.models import Job
from tandem.meetings import services as meetings
from tandem.meetings.choices import Frequency
from tandem.onboarding import glossary
from tandem.onboarding import services as onboarding
from tandem.onboarding.models import GuideVisit, TrainingCompletion, TrainingItem, TrainingKind
from tandem.projects import services
from tandem.projects.choices import DecisionKind, Role
from tandem.projects.models import Membership
from tandem.testing.pdf import pdf_text
from tandem.testing.personas import World, make_user
from tandem.testing.plans import build_small_plan
from tandem.web.tests.test_page_permissions import (
    CLIENTS,
    MEMBERS,
    SIGNED_IN,
    Case,
    account_page,
    check,
    project_page,
    submitted,
    url,
)
from tandem.web.tests.test_query_counts import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def as_(world: World, persona: str, language: str = "en") -> Client:
    user = world.people[persona]
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def add_training(world: World) -> None:
    """An item for every client role (with a document) and one for the client PM only."""
    world.records["training_all"] = onboarding.do_add_training_item(
        world.project,
        actor=world.pm,
        data={"kind": TrainingKind.DOCUMENT, "title": "Cheat sheet"},
        upload=SimpleUploadedFile("sheet.txt", "决策权 decision rights".encode(), content_type="text/plain"),
    )
    world.records["training_pm"] = onboarding.do_add_training_item(
        world.project,
        actor=world.pm,
        data={
            "kind": TrainingKind.DOCUMENT,
            "title": "For the client PM",
            "audience_roles": [Role.CLIENT_PM],
        },
        upload=SimpleUploadedFile("pm.pdf", b"%PDF-1.4 pm", content_type="application/pdf"),
    )


def item_pk(key: str) -> Any:
    return lambda world: world.records[key].pk


def item_version(key: str) -> Any:
    return lambda world: TrainingItem.objects.get(pk=world.records[key].pk).version


GUIDE_FORM = {"kind": "guide", "title": "New guide", "body": "Text", "audience_roles": ["client_pm"]}

GET_CASES = [
    Case("guide", url("guide", "ERP"), project_page(*MEMBERS)),
    Case(
        "guide of another role",
        lambda w: reverse("web:guide", args=["ERP"]) + "?role=sponsor",
        project_page(*MEMBERS),
    ),
    Case(
        "guide of no role",
        lambda w: reverse("web:guide", args=["ERP"]) + "?role=nonsense",
        {**project_page(*MEMBERS), **dict.fromkeys(MEMBERS, 404)},
    ),
    Case("handbook", url("handbook", "ERP"), project_page(*MEMBERS)),
    Case("training", url("training", "ERP"), project_page(*MEMBERS), setup=add_training),
    Case("training form", url("training_item_create", "ERP"), project_page("pm")),
    Case(
        "training edit form",
        url("training_item_edit", "ERP", item_pk("training_pm")),
        project_page("pm"),
        setup=add_training,
    ),
    Case(
        "training document",
        url("training_item_file", "ERP", item_pk("training_all")),
        project_page(*MEMBERS),
        setup=add_training,
    ),
    Case(
        "training document for another role",
        url("training_item_file", "ERP", item_pk("training_pm")),
        project_page(*MEMBERS, hidden_from=("sponsor", "client_viewer")),
        setup=add_training,
    ),
    Case("glossary", url("glossary"), account_page(*SIGNED_IN)),
    Case("glossary filtered", lambda w: reverse("web:glossary") + "?q=基线", account_page(*SIGNED_IN)),
]

POST_CASES = [
    Case("dismiss the guide prompt", url("guide_dismiss", "ERP"), submitted(*MEMBERS), data=lambda w: {}),
    Case("open the guide", url("guide_open", "ERP"), submitted(*MEMBERS), data=lambda w: {}),
    Case("add training", url("training_item_create", "ERP"), submitted("pm"), data=lambda w: GUIDE_FORM),
    Case(
        "edit training",
        url("training_item_edit", "ERP", item_pk("training_pm")),
        submitted("pm"),
        data=lambda w: {**GUIDE_FORM, "version": item_version("training_pm")(w)},
        setup=add_training,
    ),
    Case(
        "delete training",
        url("training_item_delete", "ERP", item_pk("training_all")),
        submitted("pm"),
        data=lambda w: {"version": item_version("training_all")(w)},
        setup=add_training,
    ),
    Case(
        "mark training done",
        url("training_item_done", "ERP", item_pk("training_all")),
        submitted(*CLIENTS),
        data=lambda w: {"done": "1"},
        setup=add_training,
    ),
    Case(
        "mark another role's training done",
        url("training_item_done", "ERP", item_pk("training_pm")),
        {**submitted("client_pm"), "sponsor": 404, "client_viewer": 404, "member": 403, "pm": 403},
        data=lambda w: {"done": "1"},
        setup=add_training,
    ),
]


@pytest.mark.parametrize("case", GET_CASES, ids=lambda c: c.name)
def test_each_onboarding_page_answers_as_the_permission_model_says(world: World, case: Case) -> None:
    check(world, case)


@pytest.mark.parametrize("case", POST_CASES, ids=lambda c: c.name)
def test_each_onboarding_form_answers_as_the_permission_model_says(world: World, case: Case) -> None:
    check(world, case)


# ---------------------------------------------------------------- the first-visit prompt and the guide


def test_the_home_invites_a_member_to_the_guide_until_they_dismiss_it(world: World) -> None:
    client = as_(world, "client_viewer")
    home = reverse("web:project_home", args=["ERP"])
    page = client.get(home).content.decode()
    assert 'id="first-visit"' in page
    # A plain form post: dismissing works without JavaScript.
    assert f'<form method="post" action="{reverse("web:guide_dismiss", args=["ERP"])}">' in page
    # Reading the guide writes nothing; opening it from the prompt (a POST) is remembered, and the
    # prompt stays until it is dismissed.
    guide = client.get(reverse("web:guide", args=["ERP"])).content.decode()
    assert not GuideVisit.objects.exists() and 'id="guide-read"' in guide
    opened = client.post(reverse("web:guide_open", args=["ERP"]))
    assert opened.status_code == 302 and opened["Location"] == reverse("web:guide", args=["ERP"])
    assert 'id="guide-read"' not in client.get(reverse("web:guide", args=["ERP"])).content.decode()
    visit = GuideVisit.objects.get(membership__user=world.client_viewer)
    assert visit.seen_at is not None and visit.dismissed_at is None
    assert 'id="first-visit"' in client.get(home).content.decode()

    response = client.post(reverse("web:guide_dismiss", args=["ERP"]))
    assert response.status_code == 302 and response["Location"] == home
    assert 'id="first-visit"' not in client.get(home).content.decode()
    assert GuideVisit.objects.get(membership__user=world.client_viewer).dismissed_at is not None
    # Per membership: the other members still see it.
    assert 'id="first-visit"' in as_(world, "sponsor").get(home).content.decode()
    # The team's client preview does not offer it (it would dismiss the team member's own).
    assert 'id="first-visit"' not in as_(world, "pm").get(home + "?view=client").content.decode()


def decision_kinds(page: str, section: str, end: str) -> set[str]:
    part = page.split(f'id="{section}"', 1)[1].split(f'id="{end}"', 1)[0]
    return set(re.findall(r'data-kind="([a-z_]+)"', part))


@pytest.mark.parametrize(
    ("persona", "kinds"),
    [
        (
            "sponsor",
            {DecisionKind.CONFIRM_CHARTER, DecisionKind.APPROVE_CHANGE, DecisionKind.ACCEPT_DELIVERABLE},
        ),
        (
            "client_pm",
            {
                DecisionKind.CONFIRM_CHARTER,
                DecisionKind.CONFIRM_REQUIREMENT,
                DecisionKind.PRIORITISE_BACKLOG,
                DecisionKind.APPROVE_CHANGE,
                DecisionKind.APPROVE_BASELINE,
                DecisionKind.ACCEPT_DELIVERABLE,
                DecisionKind.CLOSE_RISK,
                DecisionKind.APPROVE_TIMESHEETS,
            },
        ),
        ("reviewer", {DecisionKind.CONFIRM_REQUIREMENT}),
        ("client_viewer", set()),
    ],
)
def test_the_guide_tells_each_role_its_rights_from_the_joint_preset(
    world: World, persona: str, kinds: set[str]
) -> None:
    page = as_(world, persona, "zh-hans").get(reverse("web:guide", args=["ERP"])).content.decode()
    assert decision_kinds(page, "you-decide", "you-do") == kinds
    assert decision_kinds(page, "others-decide", "next-h") == set(DecisionKind.values) - kinds
    assert "您决定什么" in page and "会发生什么" in page
    # Where: the decision links to its page (approving a change: the change requests).
    if DecisionKind.APPROVE_CHANGE in kinds:
        assert reverse("web:changes", args=["ERP"]) in page.split('id="you-do"')[0]
        assert "重新设定基线" in page


def test_the_guide_follows_a_change_of_the_decision_rights(world: World) -> None:
    services.do_set_decision_right(
        world.project, kind=DecisionKind.CLOSE_RISK, roles=[Role.SPONSOR], actor=world.pm
    )
    page = as_(world, "sponsor").get(reverse("web:guide", args=["ERP"])).content.decode()
    assert DecisionKind.CLOSE_RISK in decision_kinds(page, "you-decide", "you-do")


# ---------------------------------------------------------------- the glossary and its term tag


def test_the_glossary_shows_both_languages_and_filters(world: World) -> None:
    client = as_(world, "client_viewer", "zh-hans")
    page = client.get(reverse("web:glossary")).content.decode()
    for term in glossary.TERMS:
        assert f'id="{term.anchor}"' in page
    assert "基线" in page and "Baseline" in page and "关键路径" in page and "Critical path" in page
    found = client.get(reverse("web:glossary"), {"q": "critical"}).content.decode()
    assert 'id="term-critical_path"' in found and 'id="term-baseline"' not in found
    found = client.get(reverse("web:glossary"), {"q": "挣值"}).content.decode()
    assert 'id="term-earned_value"' in found and 'id="term-risk"' not in found
    too_long = client.get(reverse("web:glossary"), {"q": "x" * 101})
    assert too_long.status_code == 400 and 'role="alert"' in too_long.content.decode()


def test_the_term_tag_links_to_the_entry_with_its_definition() -> None:
    template = Template(
        '{% load onboarding_ui %}{% term "baseline" %}|{% term "critical_path" "the path" %}'
        '|{% term "nope" "Plain" %}'
    )
    with translation.override("zh-hans"):
        zh = template.render(Context())
    with translation.override("en"):
        en = template.render(Context())
    assert '<a class="glossary-term" href="/glossary/#term-baseline" title="基线 · Baseline: 经批准的' in zh
    assert ">基线</a>" in zh and ">the path</a>" in zh and zh.endswith("|Plain")
    assert ">Baseline</a>" in en and 'title="基线 · Baseline: The approved snapshot' in en


def test_the_pages_that_use_the_terms_link_them(world: World) -> None:
    build_small_plan(world)
    client = as_(world, "sponsor")
    expected = {
        reverse("web:decisions", args=["ERP"]): "term-decision_rights",
        reverse("web:changes", args=["ERP"]): "term-change_request",
        reverse("web:acceptances", args=["ERP"]): "term-acceptance",
        reverse("web:plan_baselines", args=["ERP"]): "term-baseline",
        reverse("web:plan_gantt", args=["ERP"]): "term-critical_path",
        reverse("web:evm", args=["ERP"]): "term-earned_value",
    }
    for path, anchor in expected.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert f'href="/glossary/#{anchor}"' in response.content.decode(), path


# ---------------------------------------------------------------- the handbook


def test_the_handbook_is_read_anew_from_the_setup(world: World) -> None:
    client = as_(world, "sponsor")
    path = reverse("web:handbook", args=["ERP"])
    page = client.get(path).content.decode()
    assert "Generated at" in page and "Shared deliverable" in page and "Internal deliverable" not in page
    assert "Weekly steering" not in page
    meetings.do_add_item(
        world.project,
        actor=world.pm,
        title="Weekly steering",
        frequency=Frequency.AS_NEEDED,
        audience_roles=[Role.SPONSOR],
    )
    meetings.do_add_item(
        world.project,
        actor=world.pm,
        title="Margin call",
        frequency=Frequency.AS_NEEDED,
        visibility=Visibility.INTERNAL,
    )
    page = client.get(path).content.decode()
    assert "Weekly steering" in page and "Margin call" not in page
    assert "Margin call" in as_(world, "pm").get(path).content.decode()
    # The PDF is a background job (the Chinese font takes over a second): the page offers buttons.
    assert 'data-background-job="handbook_pdf"' in page


def test_the_handbook_pdf_is_built_for_the_client_without_internal_records(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = as_(world, "sponsor", "zh-hans")
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            reverse("web:jobs", args=["ERP"]), {"kind": "handbook_pdf", "language": "zh-hans"}
        )
    assert started.status_code == 302
    job = Job.objects.get(requested_by=world.sponsor)
    download = client.get(reverse("web:job_file", args=["ERP", job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(download.streaming_content) if download.streaming else download.content)
    assert "项目管理手册" in text and "Shared deliverable" in text
    assert "Internal deliverable" not in text and "Internal stakeholder" not in text
    bad = client.post(reverse("web:jobs", args=["ERP"]), {"kind": "handbook_pdf", "language": "fr"})
    assert bad.status_code == 400


# ---------------------------------------------------------------- training


def test_the_pm_adds_training_and_each_client_member_marks_it(world: World) -> None:
    pm = as_(world, "pm")
    create = reverse("web:training_item_create", args=["ERP"])
    missing = pm.post(create, {"kind": "link", "title": "EVM intro"})
    assert missing.status_code == 400 and "Give the link" in missing.content.decode()
    renamed = pm.post(
        create,
        {
            "kind": "document",
            "title": "Slides",
            "file": SimpleUploadedFile("a.pdf", b"MZ\x90", content_type="application/pdf"),
        },
    )
    assert renamed.status_code == 400 and "A training document is a PDF" in renamed.content.decode()
    assert (
        pm.post(
            create,
            {
                "kind": "link",
                "title": "EVM intro",
                "url": "https://example.com/evm",
                "audience_roles": ["client_pm"],
            },
        ).status_code
        == 302
    )
    assert (
        pm.post(
            create,
            {
                "kind": "document",
                "title": "Slides",
                "file": SimpleUploadedFile("deck.pdf", b"%PDF-1.7 deck", content_type="application/pdf"),
            },
        ).status_code
        == 302
    )
    link, slides = TrainingItem.objects.order_by("position")

    client_pm = as_(world, "client_pm")
    training = reverse("web:training", args=["ERP"])
    page = client_pm.get(training).content.decode()
    assert "EVM intro" in page and "Mark as done" in page and "Completion by" not in page
    assert (
        client_pm.post(reverse("web:training_item_done", args=["ERP", link.pk]), {"done": "1"}).status_code
        == 302
    )
    assert (
        client_pm.post(
            reverse("web:training_item_done", args=["ERP", link.pk]), {"done": "maybe"}
        ).status_code
        == 400
    )
    document = client_pm.get(reverse("web:training_item_file", args=["ERP", slides.pk]))
    assert document.status_code == 200 and document.content.startswith(b"%PDF")
    assert "deck.pdf" in document["Content-Disposition"] and document["X-Content-Type-Options"] == "nosniff"
    sponsor_page = as_(world, "sponsor").get(training).content.decode()
    assert "EVM intro" not in sponsor_page and "Slides" in sponsor_page

    table = pm.get(training).content.decode().split('class="table completion-table"')[1]
    row = table.split(f'data-member="{world.client_pm.email}"')[1].split("</tr>")[0]
    assert row.count("check-mark") == 1 and "1 / 2" in row
    sponsor_row = table.split(f'data-member="{world.sponsor.email}"')[1].split("</tr>")[0]
    assert "0 / 1" in sponsor_row
    assert TrainingCompletion.objects.filter(user=world.client_pm).count() == 1

    stale = pm.post(reverse("web:training_item_delete", args=["ERP", link.pk]), {"version": "99"})
    assert stale.status_code == 409 and TrainingItem.objects.filter(pk=link.pk).exists()


# ---------------------------------------------------------------- readiness on the home


def test_the_home_shows_the_readiness_score_to_those_who_make_the_client_ready(world: World) -> None:
    home = reverse("web:project_home", args=["ERP"])
    page = as_(world, "pm").get(home).content.decode()
    assert 'id="readiness"' in page and 'id="readiness-score">1 / 6<' in page
    assert reverse("web:training", args=["ERP"]) in page.split('id="readiness"')[1]
    onboarding.do_record_guide_opened(world.project, actor=world.client_pm)
    page = as_(world, "client_pm").get(home).content.decode()
    assert 'id="readiness-score">2 / 6<' in page
    assert 'id="readiness"' not in as_(world, "client_viewer").get(home).content.decode()


# ---------------------------------------------------------------- query counts


def grow(world: World, n: int) -> None:
    start = world.__dict__.setdefault("_grown", 0)
    for i in range(start, start + n):
        person = make_user(f"learner{i}@northwind.test", f"Learner {i}", world.client)
        services.do_add_member(world.project, user=person, role=Role.CLIENT_PM, actor=world.pm)
        item = onboarding.do_add_training_item(
            world.project, actor=world.pm, data={"kind": "guide", "title": f"T{i}", "body": "b"}
        )
        onboarding.do_mark_training_done(item, actor=person)
        onboarding.do_record_guide_opened(world.project, actor=person)
        stakeholder = services.do_add_charter_item(
            world.project, kind="stakeholders", actor=world.pm, data={"name": f"S{i}"}
        )
        deliverable = services.do_add_charter_item(
            world.project,
            kind="deliverables",
            actor=world.pm,
            data={"name": f"D{i}", "acceptance_criteria": [f"C{i}"]},
        )
        services.do_set_raci(
            deliverable, cells={stakeholder.pk: "A"}, version=deliverable.version, actor=world.pm
        )
        meetings.do_add_item(
            world.project,
            actor=world.pm,
            title=f"E{i}",
            frequency=Frequency.AS_NEEDED,
            audience_roles=[Role.SPONSOR],
        )
    world.__dict__["_grown"] = start + n


@pytest.mark.parametrize("page", ["project_home", "guide", "handbook", "training"])
@pytest.mark.parametrize("persona", ["pm", "sponsor"])
def test_the_onboarding_pages_read_the_same_queries_for_more_rows(
    world: World, page: str, persona: str
) -> None:
    client = as_(world, persona)
    path = reverse(f"web:{page}", args=["ERP"])
    grow(world, 1)
    before = count_queries(client, path)
    grow(world, 3)
    assert count_queries(client, path) == before


def test_a_new_client_member_has_no_guide_visit_until_they_act(world: World) -> None:
    person = make_user("new@northwind.test", "New Person", world.client)
    services.do_add_member(world.project, user=person, role=Role.REVIEWER, actor=world.pm)
    membership = Membership.objects.get(project=world.project, user=person)
    assert not GuideVisit.objects.filter(membership=membership).exists()
    client = Client()
    client.force_login(person)
    assert 'id="first-visit"' in client.get(reverse("web:project_home", args=["ERP"])).content.decode()
