"""The registers' pages, opened as every kind of viewer: who gets what, what a client never reads,
form errors on bad input, and query counts that do not grow with the register."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tandem.core.choices import Visibility
from tandem.planning.models import Task
from tandem.risks import services
from tandem.risks.models import ClientDecision, Conflict, Issue, Risk
from tandem.risks.tests.conftest import Plan, make_plan
from tandem.testing.personas import World

VIEWERS = ("outsider", "other_client", "client_viewer", "client_pm", "sponsor", "member", "pm")


def as_(world: World, viewer: str) -> Client:
    client = Client()
    client.force_login(world.people[viewer])
    return client


@dataclass
class Registers:
    plan: Plan
    risk: Risk
    secret_risk: Risk
    issue: Issue
    conflict: Conflict
    secret_conflict: Conflict
    decision: ClientDecision
    secret_decision: ClientDecision

    @property
    def world(self) -> World:
        return self.plan.world


def make_registers(world: World) -> Registers:
    plan = make_plan(world)
    pm, project = world.pm, world.project
    risk = services.do_add_risk(
        project,
        actor=pm,
        title="Legacy data quality",
        probability=4,
        impact=4,
        category="technical",
        visibility=Visibility.SHARED,
        owner_id=world.client_pm.pk,
    )
    secret_risk = services.do_add_risk(
        project,
        actor=pm,
        title="Subcontractor insolvency",
        probability=2,
        impact=5,
        visibility=Visibility.INTERNAL,
    )
    issue = services.do_add_issue(
        project, actor=pm, title="Test server down", visibility=Visibility.SHARED, task_ids=[plan.build.pk]
    )
    conflict = services.do_add_conflict(
        project, actor=pm, subject="Scope of reports", visibility=Visibility.SHARED
    )
    secret_conflict = services.do_add_conflict(project, actor=pm, subject="Lead versus architect")
    decision = services.do_add_decision(
        project,
        actor=pm,
        question="Which payment provider?",
        options=["Alipay", "WeChat Pay"],
        decider_id=world.client_pm.pk,
        due_date=dt.date(2026, 1, 9),
        visibility=Visibility.SHARED,
        blocked_task_ids=[plan.build.pk, plan.secret.pk],
    )
    secret_decision = services.do_add_decision(
        project,
        actor=pm,
        question="Raise the day rate?",
        decision_kind="approve_change",
        visibility=Visibility.INTERNAL,
    )
    return Registers(plan, risk, secret_risk, issue, conflict, secret_conflict, decision, secret_decision)


@pytest.fixture
def regs(world: World) -> Registers:
    return make_registers(world)


P = "/projects/ERP/"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("risks/", "404 404 200 200 200 200 200"),
        ("risks/overview/", "404 404 200 200 200 200 200"),
        ("risks/new/", "404 404 403 200 200 200 200"),
        ("risks/{risk}/", "404 404 200 200 200 200 200"),
        ("risks/{secret_risk}/", "404 404 404 404 404 200 200"),
        ("risks/{risk}/edit/", "404 404 403 403 403 200 200"),
        ("risks/{secret_risk}/edit/", "404 404 404 404 404 200 200"),
        ("issues/", "404 404 200 200 200 200 200"),
        ("issues/new/", "404 404 403 200 200 200 200"),
        ("issues/{issue}/edit/", "404 404 403 403 403 200 200"),
        ("conflicts/", "404 404 200 200 200 200 200"),
        ("conflicts/new/", "404 404 403 403 403 200 200"),
        ("conflicts/{conflict}/edit/", "404 404 403 403 403 200 200"),
        ("conflicts/{secret_conflict}/edit/", "404 404 404 404 404 200 200"),
        ("client-decisions/", "404 404 200 200 200 200 200"),
        ("client-decisions/new/", "404 404 403 403 403 200 200"),
        ("client-decisions/{decision}/", "404 404 200 200 200 200 200"),
        ("client-decisions/{secret_decision}/", "404 404 404 404 404 200 200"),
        ("client-decisions/{decision}/edit/", "404 404 403 403 403 200 200"),
        ("registers/risks/export.csv", "404 404 200 200 200 200 200"),
        ("registers/conflicts/export.xlsx", "404 404 200 200 200 200 200"),
        ("registers/risks/import/", "404 404 403 403 403 200 200"),
        ("registers/nonsense/export.csv", "404 404 404 404 404 404 404"),
    ],
)
def test_each_viewer_gets_the_pages_the_matrix_says(regs: Registers, path: str, expected: str) -> None:
    ids = {
        name: getattr(regs, name).pk
        for name in (
            "risk",
            "secret_risk",
            "issue",
            "conflict",
            "secret_conflict",
            "decision",
            "secret_decision",
        )
    }
    url = P + path.format(**ids)
    for viewer, status in zip(VIEWERS, expected.split(), strict=True):
        assert as_(regs.world, viewer).get(url).status_code == int(status), (viewer, url)


def test_anonymous_visitors_are_sent_to_sign_in(regs: Registers) -> None:
    for path in ("risks/", "client-decisions/", f"client-decisions/{regs.decision.pk}/", "conflicts/"):
        response = Client().get(P + path)
        assert response.status_code == 302 and "/login/" in response["Location"]
    response = Client().get("/risks/heat-map/")
    assert response.status_code == 302 and "/login/" in response["Location"]


SECRETS = ("Subcontractor insolvency", "Lead versus architect", "Raise the day rate?", "Margin review")


@pytest.mark.parametrize("viewer", ["client_viewer", "client_pm", "sponsor", "pm-preview"])
def test_internal_records_never_reach_a_clients_html(regs: Registers, viewer: str) -> None:
    client = as_(regs.world, "pm" if viewer == "pm-preview" else viewer)
    suffix = "?view=client" if viewer == "pm-preview" else ""
    pages = [
        "risks/",
        "risks/overview/",
        f"risks/{regs.risk.pk}/",
        "issues/",
        "conflicts/",
        "client-decisions/",
        f"client-decisions/{regs.decision.pk}/",
        "",
        "registers/risks/export.csv",
        "registers/conflicts/export.csv",
        "registers/decisions/export.csv",
    ]
    for page in pages:
        response = client.get(P + page + suffix)
        assert response.status_code == 200, page
        html = response.content.decode()
        for secret in SECRETS:
            assert secret not in html, (page, secret)
    assert "Scope of reports" in client.get(P + "conflicts/" + suffix).content.decode()
    portfolio = client.get("/risks/heat-map/").content.decode()
    if viewer != "pm-preview":
        assert "Subcontractor insolvency" not in portfolio


def test_the_team_reads_internal_records(regs: Registers) -> None:
    client = as_(regs.world, "member")
    assert "Subcontractor insolvency" in client.get(P + "risks/").content.decode()
    assert "Lead versus architect" in client.get(P + "conflicts/").content.decode()
    page = client.get(P + f"client-decisions/{regs.decision.pk}/").content.decode()
    assert "Margin review" in page and "Build" in page


def test_the_client_pm_sees_what_waits_for_them_with_due_dates(regs: Registers) -> None:
    home = as_(regs.world, "client_pm").get(P).content.decode()
    assert "Waiting for you" in home and "Which payment provider?" in home and "2026-01-09" in home
    assert "Overdue client decisions" in home  # with the slip per day of delay
    register = as_(regs.world, "client_pm").get(P + "client-decisions/").content.decode()
    assert "Waiting for you" in register
    assert "Waiting for you" not in as_(regs.world, "client_viewer").get(P).content.decode()
    detail = as_(regs.world, "client_pm").get(P + f"client-decisions/{regs.decision.pk}/").content.decode()
    assert "Take this decision" in detail and "Cost of delay" in detail
    viewer_detail = as_(regs.world, "client_viewer").get(P + f"client-decisions/{regs.decision.pk}/")
    assert "Take this decision" not in viewer_detail.content.decode()


def test_the_overdue_decisions_panel_reads_the_project_once(regs: Registers) -> None:
    # The panel's decisions are the page's project's: it is read once, for the page, not again for
    # each decision's delay impact.
    client = as_(regs.world, "client_pm")
    with CaptureQueriesContext(connection) as ctx:
        home = client.get(P).content.decode()
    assert "Overdue client decisions" in home
    statements = [q["sql"].lstrip() for q in ctx.captured_queries]
    reads = [sql for sql in statements if sql.startswith('SELECT "projects_project"')]
    assert len(reads) == 1, reads


def test_deciding_from_the_page_releases_the_blocked_tasks(regs: Registers) -> None:
    client = as_(regs.world, "client_pm")
    url = P + f"client-decisions/{regs.decision.pk}/decide/"
    held = Task.objects.get(pk=regs.plan.build.pk)
    assert held.held_until is not None
    response = client.post(url, {"option": "Alipay", "rationale": "Most customers use it", "version": 1})
    assert response.status_code == 302
    decision = ClientDecision.objects.get(pk=regs.decision.pk)
    assert decision.status == "decided" and decision.outcome == "Alipay"
    build = Task.objects.get(pk=regs.plan.build.pk)
    assert build.held_until is None and build.start is not None and held.start is not None
    assert build.start < held.start
    page = client.get(P + f"client-decisions/{regs.decision.pk}/").content.decode()
    assert "Margin review" not in page and "Alipay" in page


def test_only_the_named_decider_may_decide(regs: Registers) -> None:
    url = P + f"client-decisions/{regs.decision.pk}/decide/"
    for viewer in ("client_viewer", "sponsor", "member"):
        assert as_(regs.world, viewer).post(url, {"option": "Alipay", "version": 1}).status_code == 403
    assert (
        as_(regs.world, "pm").post(url + "?view=client", {"option": "Alipay", "version": 1}).status_code
        == 403
    )


def _post(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.post(P + path, data)


def test_bad_input_answers_with_form_errors(regs: Registers) -> None:
    pm = as_(regs.world, "pm")
    response = _post(pm, "risks/new/", {"title": "", "probability": "9", "impact": "3"})
    assert response.status_code == 400
    assert response.context["form"].errors.keys() >= {"title", "probability"}
    response = _post(
        pm,
        "risks/new/",
        {
            "title": "X",
            "probability": 3,
            "impact": 3,
            "inherent_probability": 3,
            "inherent_impact": 3,
            "category": "technical",
            "impact_dimension": "cost",
            "proximity": "imminent",
            "strategy": "accept",
            "contingency_days": 0,
            "contingency_money": 0,
            "status": "open",
            "visibility": "shared",
            "owner": str(regs.world.other_pm.pk),
        },
    )
    assert response.status_code == 400 and "owner" in response.context["form"].errors
    client_pm = as_(regs.world, "client_pm")
    response = _post(client_pm, f"client-decisions/{regs.decision.pk}/decide/", {"version": 1})
    assert response.status_code == 400 and response.context["decide_form"].errors
    response = _post(
        client_pm, f"client-decisions/{regs.decision.pk}/decide/", {"option": "Bitcoin", "version": 1}
    )
    assert response.status_code == 400
    response = _post(pm, "client-decisions/new/", {"question": "Colour?", "visibility": "shared"})
    assert response.status_code == 400 and "decider" in response.context["form"].errors


def test_a_stale_version_answers_409_with_the_current_version(regs: Registers) -> None:
    pm = as_(regs.world, "pm")
    data = {
        "title": "Legacy data quality",
        "probability": 5,
        "impact": 4,
        "inherent_probability": 4,
        "inherent_impact": 4,
        "category": "technical",
        "impact_dimension": "schedule",
        "proximity": "this_project",
        "strategy": "mitigate",
        "contingency_days": 0,
        "contingency_money": 0,
        "status": "open",
        "visibility": "shared",
        "version": 0,
    }
    response = _post(pm, f"risks/{regs.risk.pk}/edit/", data)
    assert response.status_code == 409
    assert response.context["form"].data["version"] == str(Risk.objects.get(pk=regs.risk.pk).version)


def test_a_risk_is_added_scored_and_its_history_shows(regs: Registers) -> None:
    pm = as_(regs.world, "pm")
    data = {
        "title": "Legacy data quality",
        "probability": 2,
        "impact": 4,
        "inherent_probability": 4,
        "inherent_impact": 4,
        "category": "technical",
        "impact_dimension": "schedule",
        "proximity": "this_project",
        "strategy": "mitigate",
        "contingency_days": 2,
        "contingency_money": 0,
        "status": "open",
        "visibility": "shared",
        "version": regs.risk.version,
    }
    assert _post(pm, f"risks/{regs.risk.pk}/edit/", data).status_code == 302
    page = pm.get(P + f"risks/{regs.risk.pk}/").content.decode()
    assert "Score history" in page and "trend-down" in page


def test_actions_are_added_completed_and_made_plan_tasks(regs: Registers) -> None:
    pm = as_(regs.world, "pm")
    response = _post(
        pm, f"risks/{regs.risk.pk}/actions/", {"description": "Profile the data", "due_date": "2026-02-01"}
    )
    assert response.status_code == 302
    action = regs.risk.actions.get()
    assert (
        _post(pm, f"risks/{regs.risk.pk}/actions/{action.pk}/task/", {"version": action.version}).status_code
        == 302
    )
    action.refresh_from_db()
    assert action.task is not None and action.task.name == "Profile the data"
    assert (
        _post(pm, f"risks/{regs.risk.pk}/actions/{action.pk}/done/", {"version": action.version}).status_code
        == 302
    )
    action.refresh_from_db()
    assert action.done
    assert _post(pm, f"risks/{regs.risk.pk}/actions/", {"description": ""}).status_code == 400


def test_an_occurred_risk_becomes_an_issue(regs: Registers) -> None:
    pm = as_(regs.world, "pm")
    response = _post(pm, f"risks/{regs.risk.pk}/occurred/", {"version": regs.risk.version})
    assert response.status_code == 302
    issue = Issue.objects.get(risk=regs.risk)
    assert response["Location"].endswith(f"/issues/{issue.pk}/edit/")
    assert Risk.objects.get(pk=regs.risk.pk).status == "occurred"


def test_client_pm_raises_a_shared_risk_but_cannot_choose_visibility(regs: Registers) -> None:
    client_pm = as_(regs.world, "client_pm")
    page = client_pm.get(P + "risks/new/")
    assert "visibility" not in page.context["form"].fields
    data = {
        "title": "Store staff unavailable",
        "probability": 3,
        "impact": 3,
        "inherent_probability": 3,
        "inherent_impact": 3,
        "category": "resource",
        "impact_dimension": "schedule",
        "proximity": "this_stage",
        "strategy": "mitigate",
        "contingency_days": 0,
        "contingency_money": 0,
        "status": "open",
    }
    assert _post(client_pm, "risks/new/", data).status_code == 302
    assert Risk.objects.get(title="Store staff unavailable").visibility == Visibility.SHARED


def test_import_reports_each_failing_row_and_saves_nothing(regs: Registers) -> None:
    pm = as_(regs.world, "pm")
    csv_text = "title,probability,impact\nGood row,3,3\n,9,3\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("risks.csv", csv_text.encode(), content_type="text/csv")
    response = pm.post(P + "registers/risks/import/", {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "row 3" in html and not Risk.objects.filter(title="Good row").exists()
    upload = SimpleUploadedFile(
        "risks.csv", b"title,probability,impact\nGood row,3,3\n", content_type="text/csv"
    )
    assert pm.post(P + "registers/risks/import/", {"file": upload}).status_code == 302
    assert Risk.objects.filter(title="Good row").exists()


def test_filters_search_and_sort(regs: Registers) -> None:
    pm = as_(regs.world, "pm")
    html = pm.get(P + "risks/?q=legacy").content.decode()
    assert "Legacy data quality" in html and "Subcontractor insolvency" not in html
    html = pm.get(P + "risks/?level=critical").content.decode()
    assert "Legacy data quality" in html and "Subcontractor insolvency" not in html
    assert pm.get(P + "risks/?status=nonsense").status_code == 400
    html = pm.get(P + "risks/?sort=score").content.decode()
    assert html.index("Subcontractor insolvency") < html.index("Legacy data quality")


def test_empty_registers_say_so(world: World) -> None:
    pm = as_(world, "pm")
    assert "No risks yet" in pm.get(P + "risks/").content.decode()
    assert "No issues" in pm.get(P + "issues/").content.decode()
    assert "No conflicts" in pm.get(P + "conflicts/").content.decode()
    assert "No client decisions" in pm.get(P + "client-decisions/").content.decode()
    assert "No active risks to map." in pm.get(P + "risks/overview/").content.decode()


# ---------------------------------------------------------------- query counts


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _add(world: World, n: int) -> None:
    for i in range(n):
        services.do_add_risk(
            world.project,
            actor=world.pm,
            title=f"Risk {i}",
            probability=1 + i % 5,
            impact=1 + (i * 2) % 5,
            owner_id=world.member.pk,
            visibility=Visibility.SHARED,
            next_review=dt.date(2026, 1, 1),
        )
        services.do_add_issue(world.project, actor=world.pm, title=f"Issue {i}", visibility=Visibility.SHARED)
        services.do_add_conflict(world.project, actor=world.pm, subject=f"Conflict {i}")
        services.do_add_decision(
            world.project,
            actor=world.pm,
            question=f"Decision {i}",
            decider_id=world.client_pm.pk,
            visibility=Visibility.SHARED,
        )


@pytest.mark.parametrize(
    "path",
    ["risks/", "risks/overview/", "issues/", "conflicts/", "client-decisions/", "registers/risks/export.csv"],
)
@pytest.mark.parametrize("viewer", ["pm", "client_pm"])
def test_the_lists_and_heat_map_do_not_grow_with_the_register(world: World, path: str, viewer: str) -> None:
    client = as_(world, viewer)
    _add(world, 3)
    few = _queries(client, P + path)
    _add(world, 27)
    many = _queries(client, P + path)
    assert many == few, (path, few, many)


def test_the_portfolio_heat_map_does_not_grow_with_the_register(world: World) -> None:
    client = as_(world, "pm")
    _add(world, 3)
    few = _queries(client, "/risks/heat-map/")
    _add(world, 27)
    assert _queries(client, "/risks/heat-map/") == few


def test_threatened_tasks_are_chosen_in_the_form_and_shown_as_the_viewer_may(regs: Registers) -> None:
    plan = regs.plan
    pm, client_pm = as_(regs.world, "pm"), as_(regs.world, "client_pm")
    data = {
        "title": regs.risk.title,
        "probability": 3,
        "impact": 3,
        "inherent_probability": 3,
        "inherent_impact": 3,
        "category": "technical",
        "impact_dimension": "schedule",
        "proximity": "this_project",
        "strategy": "mitigate",
        "contingency_days": 2,
        "contingency_money": 0,
        "status": "open",
        "visibility": "shared",
        "tasks": [str(plan.build.pk), str(plan.secret.pk)],
        "version": regs.risk.version,
    }
    assert _post(pm, f"risks/{regs.risk.pk}/edit/", data).status_code == 302
    assert set(regs.risk.tasks.values_list("id", flat=True)) == {plan.build.pk, plan.secret.pk}
    edit = pm.get(P + f"risks/{regs.risk.pk}/edit/")
    assert set(edit.context["form"].initial["tasks"]) == {str(plan.build.pk), str(plan.secret.pk)}
    team_page = pm.get(P + f"risks/{regs.risk.pk}/").content.decode()
    assert plan.build.name in team_page and plan.secret.name in team_page
    client_page = client_pm.get(P + f"risks/{regs.risk.pk}/").content.decode()
    assert plan.build.name in client_page and plan.secret.name not in client_page
    choices = dict(client_pm.get(P + "risks/new/").context["form"].fields["tasks"].choices)
    assert str(plan.build.pk) in choices and str(plan.secret.pk) not in choices
