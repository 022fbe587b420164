"""Every web page and form, requested by every kind of viewer: the status the permission model promises.

Anonymous visitors are sent to sign in; people outside a project (an outsider, a member of another
client's project) get 404 for it, as if it did not exist; members get 200, or 403 where their role or
the project's decision rights do not allow the action. Client members never receive internal text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tandem.costs import services as cost_services
from tandem.costs import timesheets as time_services
from tandem.costs.models import CostSettings
from tandem.costs.tests.conftest import make_costs
from tandem.projects import kpis, services
from tandem.projects.choices import Role
from tandem.projects.models import Invitation, KpiMeasurement, Membership
from tandem.resources.models import Assignment, Resource
from tandem.resources.tests.conftest import make_pool
from tandem.testing.earned_value import build_worked_example
from tandem.testing.personas import VIEWERS, World
from tandem.testing.plans import build_small_plan

CLIENTS = ("client_viewer", "client_pm", "sponsor")
MEMBERS = ("client_viewer", "client_pm", "sponsor", "member", "pm")
SIGNED_IN = tuple(v for v in VIEWERS if v != "anonymous")

#: Text that only the delivery team may ever read (see tandem.testing.personas).
INTERNAL_TEXTS = (
    "Internal goal",
    "Internal KPI",
    "Internal stakeholder",
    "Internal deliverable",
    "Internal note",
    "internal body",
    "Margin target 22%",
    "subcontractor",
    "Contoso secret goal",
)


def project_page(*allowed: str, hidden_from: tuple[str, ...] = ()) -> dict[str, int]:
    """Expected statuses for a page of project ERP: 200 for ``allowed``, 403 for other members."""
    expected = {"anonymous": 302, "outsider": 404, "other_client": 404}
    for viewer in MEMBERS:
        expected[viewer] = 404 if viewer in hidden_from else 200 if viewer in allowed else 403
    return expected


def account_page(*allowed: str, ok: int = 200) -> dict[str, int]:
    """Expected statuses for a page outside any project: sign-in required, then ``ok`` or 403."""
    return {"anonymous": 302, **{v: ok if v in allowed else 403 for v in SIGNED_IN}}


def submitted(*allowed: str) -> dict[str, int]:
    """Expected statuses of a valid form posted in project ERP: a redirect when allowed, else 403."""
    return {k: 302 if v == 200 else v for k, v in project_page(*allowed).items()}


@dataclass
class Case:
    """One page or form submission of the web UI."""

    name: str
    url: Callable[[World], str]
    expected: dict[str, int]
    data: Callable[[World], dict[str, Any]] | None = None  # a POST when given
    htmx: bool = False
    setup: Callable[[World], None] = field(default=lambda world: None)


def url(name: str, *args: Any) -> Callable[[World], str]:
    return lambda world: reverse(f"web:{name}", args=[arg(world) if callable(arg) else arg for arg in args])


def rec(key: str) -> Callable[[World], int]:
    return lambda world: world.records[key].pk


def member_pk(persona: str) -> Callable[[World], int]:
    return lambda world: Membership.objects.get(project=world.project, user=world.people[persona]).pk


def invitation_pk(world: World) -> int:
    return Invitation.objects.get(project=world.project, email="new.reviewer@northwind.test").pk


def invite_reviewer(world: World) -> None:
    services.do_invite(world.project, email="new.reviewer@northwind.test", role=Role.REVIEWER, actor=world.pm)


def version_of(key: str) -> Callable[[World], int]:
    def read(world: World) -> int:
        record = world.records[key]
        return type(record).objects.get(pk=record.pk).version  # type: ignore[no-any-return]

    return read


GET_CASES = [
    Case("project list", url("project_list"), account_page(*SIGNED_IN)),
    Case("project list (HTMX results)", url("project_list"), account_page(*SIGNED_IN), htmx=True),
    Case("new project form", url("project_create"), account_page("member", "pm")),
    Case("profile and tokens", url("profile"), account_page(*SIGNED_IN)),
    Case("project home", url("project_home", "ERP"), project_page(*MEMBERS)),
    Case("project settings", url("project_edit", "ERP"), project_page("pm")),
    Case("charter section form", url("section_edit", "ERP", "scope_in"), project_page("pm")),
    Case(
        "charter section (HTMX cancel)",
        lambda w: reverse("web:section_edit", args=["ERP", "scope_in"]) + "?cancel=1",
        project_page(*MEMBERS),
        htmx=True,
    ),
    Case("new goal form", url("item_create", "ERP", "goals"), project_page("pm")),
    Case("new KPI form", url("item_create", "ERP", "kpis"), project_page("pm")),
    Case("new stakeholder form", url("item_create", "ERP", "stakeholders"), project_page("pm")),
    Case("new deliverable form", url("item_create", "ERP", "deliverables"), project_page("pm")),
    Case("shared goal form", url("item_edit", "ERP", "goals", rec("goal_shared")), project_page("pm")),
    Case(
        "internal goal form",
        url("item_edit", "ERP", "goals", rec("goal_internal")),
        project_page("pm", hidden_from=CLIENTS),
    ),
    Case(
        "internal KPI removal",
        url("item_delete", "ERP", "kpis", rec("kpi_internal")),
        project_page("pm", hidden_from=CLIENTS),
    ),
    Case(
        "shared stakeholder removal",
        url("item_delete", "ERP", "stakeholders", rec("stakeholder_shared")),
        project_page("pm"),
    ),
    Case("RACI form", url("raci_edit", "ERP", rec("deliverable_shared")), project_page("pm")),
    Case(
        "internal deliverable RACI form",
        url("raci_edit", "ERP", rec("deliverable_internal")),
        project_page("pm", hidden_from=CLIENTS),
    ),
    Case("shared KPI page", url("kpi_detail", "ERP", rec("kpi_shared")), project_page(*MEMBERS)),
    Case(
        "internal KPI page",
        url("kpi_detail", "ERP", rec("kpi_internal")),
        project_page("member", "pm", hidden_from=CLIENTS),
    ),
    Case("members and invitations", url("members", "ERP"), project_page(*MEMBERS)),
    Case("decision rights", url("decisions", "ERP"), project_page(*MEMBERS)),
    Case("notes", url("notes", "ERP"), project_page(*MEMBERS)),
    Case("shared note form", url("note_edit", "ERP", rec("note_shared")), project_page("pm")),
    Case(
        "internal note form",
        url("note_edit", "ERP", rec("note_internal")),
        project_page("pm", hidden_from=CLIENTS),
    ),
    Case("shared note removal", url("note_delete", "ERP", rec("note_shared")), project_page("pm")),
    Case("activity", url("activity", "ERP"), project_page(*MEMBERS)),
    Case("activity (HTMX page)", url("activity", "ERP"), project_page(*MEMBERS), htmx=True),
]

POST_CASES = [
    Case(
        "start a project",
        url("project_create"),
        {"anonymous": 302, **{v: 302 if v in ("member", "pm") else 403 for v in SIGNED_IN}},
        data=lambda w: {
            "code": "NEW-1",
            "name": "New project",
            "client": w.client.pk,
            "status": "proposed",
            "currency": "CNY",
            "preset": "joint",
        },
    ),
    Case("create an API token", url("token_create"), account_page(*SIGNED_IN), data=lambda w: {"name": "ci"}),
    Case(
        "edit project details",
        url("project_edit", "ERP"),
        submitted("pm"),
        data=lambda w: {
            "name": "ERP upgrade 2",
            "status": "active",
            "currency": "CNY",
            "version": w.project.__class__.objects.get(pk=w.project.pk).version,
        },
    ),
    Case(
        "confirm the charter",
        url("charter_confirm", "ERP"),
        submitted("sponsor", "client_pm"),
        data=lambda w: {"revision": w.project.__class__.objects.get(pk=w.project.pk).charter.revision},
    ),
    Case(
        "edit a charter section",
        url("section_edit", "ERP", "scope_in"),
        submitted("pm"),
        data=lambda w: {
            "body": "Stores, warehouses and the web shop",
            "version": version_of("section_scope")(w),
        },
    ),
    Case(
        "add a goal",
        url("item_create", "ERP", "goals"),
        submitted("pm"),
        data=lambda w: {"statement": "Go live by June", "visibility": "shared"},
    ),
    Case(
        "edit a goal",
        url("item_edit", "ERP", "goals", rec("goal_shared")),
        submitted("pm"),
        data=lambda w: {
            "statement": "Go live by July",
            "visibility": "shared",
            "version": version_of("goal_shared")(w),
        },
    ),
    Case(
        "remove a stakeholder",
        url("item_delete", "ERP", "stakeholders", rec("stakeholder_shared")),
        submitted("pm"),
        data=lambda w: {"version": version_of("stakeholder_shared")(w)},
    ),
    Case(
        "set a RACI row",
        url("raci_edit", "ERP", rec("deliverable_shared")),
        submitted("pm"),
        data=lambda w: {
            f"s{w.records['stakeholder_shared'].pk}": "A",
            "version": version_of("deliverable_shared")(w),
        },
    ),
    Case(
        "invite a client reviewer",
        url("members", "ERP"),
        submitted("pm", "sponsor", "client_pm"),
        data=lambda w: {"email": "new.person@northwind.test", "role": "reviewer"},
    ),
    Case(
        "change a client member's role",
        url("member_role", "ERP", member_pk("client_viewer")),
        submitted("pm", "sponsor", "client_pm"),
        data=lambda w: {"role": "reviewer"},
    ),
    Case(
        "remove a client member",
        url("member_remove", "ERP", member_pk("reviewer")),
        submitted("pm", "sponsor", "client_pm"),
        data=lambda w: {},
    ),
    Case(
        "withdraw an invitation",
        lambda w: reverse("web:invitation_revoke", args=["ERP", invitation_pk(w)]),
        submitted("pm", "sponsor", "client_pm"),
        data=lambda w: {},
        setup=invite_reviewer,
    ),
    Case(
        "apply a decision-rights preset",
        url("decisions", "ERP"),
        submitted("pm", "sponsor"),
        data=lambda w: {"preset": "team_led"},
    ),
    Case(
        "change one decision right",
        url("decision_right_edit", "ERP", "confirm_charter"),
        submitted("pm", "sponsor"),
        data=lambda w: {"confirm_charter-roles": ["sponsor"]},
    ),
    Case(
        "write a note",
        url("notes", "ERP"),
        submitted("pm", "member", "client_pm"),
        data=lambda w: {"title": "Weekly sync", "body": "Moved to Thursday", "visibility": "shared"},
    ),
    Case(
        "edit a note",
        url("note_edit", "ERP", rec("note_shared")),
        submitted("pm"),
        data=lambda w: {
            "title": "Shared note 2",
            "visibility": "shared",
            "version": version_of("note_shared")(w),
        },
    ),
    Case("delete a note", url("note_delete", "ERP", rec("note_shared")), submitted("pm"), data=lambda w: {}),
    Case(
        "enter a KPI value",
        url("kpi_detail", "ERP", rec("kpi_shared")),
        submitted("pm"),
        data=lambda w: {"action": "value", "measured_on": "2026-03-02", "value": "97.5", "note": ""},
    ),
    Case(
        "bind a KPI to a live source",
        url("kpi_detail", "ERP", rec("kpi_shared")),
        submitted("pm"),
        data=lambda w: {"action": "source", "source": "schedule.percent_complete"},
    ),
    Case(
        "remove a KPI value",
        url("kpi_detail", "ERP", rec("kpi_shared")),
        submitted("pm"),
        data=lambda w: {"action": "remove", "value_id": _kpi_value(w)},
    ),
]


def _pool(world: World) -> None:
    """ERP's small plan with a pool on both sides; Bob assigned to Design (made once per test)."""
    if "assignment" not in world.records:
        pool = make_pool(world)
        world.records["design"] = pool.plan.design
        world.records["uat_env"] = pool.uat_env
        world.records["assignment"] = Assignment.objects.get(task=pool.plan.design, resource=pool.bob)


def _assignment_form(world: World) -> dict[str, Any]:
    prefix = f"assignment-{world.records['assignment'].pk}"
    return {f"{prefix}-units": "50", f"{prefix}-version": version_of("assignment")(world)}


ASSIGNMENT_CASES = [
    Case(
        "assign a resource to a task",
        url("plan_task_assignment_add", "ERP", rec("design")),
        submitted("pm"),
        data=lambda w: {"assign-resource": w.records["uat_env"].pk, "assign-units": "50"},
        setup=_pool,
    ),
    Case(
        "change an assignment's units",
        url("plan_task_assignment_edit", "ERP", rec("design"), rec("assignment")),
        submitted("pm"),
        data=_assignment_form,
        setup=_pool,
    ),
    Case(
        "remove an assignment",
        url("plan_task_assignment_remove", "ERP", rec("design"), rec("assignment")),
        submitted("pm"),
        data=lambda w: {"version": version_of("assignment")(w)},
        setup=_pool,
    ),
]
POST_CASES += ASSIGNMENT_CASES

#: The compact assignment dialog the task list and the Gantt link each row to.
GET_CASES += [
    Case("assignment dialog", url("plan_task_assign", "ERP", rec("design")), project_page("pm"), setup=_pool),
]
POST_CASES += [
    Case(
        "assign from the task list or the Gantt",
        url("plan_task_assign", "ERP", rec("design")),
        submitted("pm"),
        data=lambda w: {"assign-resource": w.records["uat_env"].pk, "assign-units": "50"},
        setup=_pool,
    ),
]

TIME_WEEK = dt.date(2026, 3, 2)


def _time(world: World, *, client_approves: bool = False) -> None:
    """ERP's small plan; Bob's week of 2026-03-02 submitted (and approved by the team when the client
    approves time too)."""
    if "sheet" in world.records:
        return
    plan = build_small_plan(world)
    world.records["design"] = plan.design
    if client_approves:
        CostSettings.objects.create(project=world.project, client_approves_time=True)
    project, member = world.project, world.member
    time_services.do_log_time(project, actor=member, task_id=plan.design.pk, day=TIME_WEEK, minutes=60)
    sheet = time_services.do_submit_week(project, actor=member, week=TIME_WEEK)
    if client_approves:
        sheet = time_services.do_approve_timesheet(sheet, version=sheet.version, actor=world.pm)
    world.records["sheet"] = sheet


def _sheet_step(ok_for: str) -> dict[str, int]:
    """A step on Bob's week: ``ok_for`` redirects; Bob is refused; whoever may not read it gets 404."""
    expected = {v: 404 for v in VIEWERS}
    expected.update({"anonymous": 302, "member": 403, "pm": 403, ok_for: 302})
    return expected


def _everyone(status: int) -> dict[str, int]:
    return {v: status for v in VIEWERS}


TIME_GET_CASES = [
    Case("my week of time", url("timesheet", "ERP"), project_page("member", "pm"), setup=_time),
    Case("weeks to approve", url("time_approvals", "ERP"), project_page("pm"), setup=_time),
    Case(
        "weeks to approve (client approval on)",
        url("time_approvals", "ERP"),
        project_page("client_pm", "pm"),
        setup=lambda w: _time(w, client_approves=True),
    ),
    Case("cost settings", url("cost_settings", "ERP"), project_page("pm")),
    Case("time export", url("time_export", "ERP"), project_page("member", "pm"), setup=_time),
]
GET_CASES += TIME_GET_CASES

TIME_POST_CASES = [
    Case(
        "save my week of time",
        url("timesheet", "ERP"),
        submitted("member", "pm"),
        data=lambda w: {
            "rows": str(w.records["design"].pk),
            "week": "2026-03-09",
            f"m_{w.records['design'].pk}_20260310": "1.5",
        },
        setup=_time,
    ),
    Case(
        "submit my week",
        url("timesheet_submit", "ERP"),
        submitted("member", "pm"),
        data=lambda w: {"week": "2026-03-02"},
        setup=_time,
    ),
    Case(
        "start the timer",
        url("timer_start", "ERP"),
        submitted("member", "pm"),
        data=lambda w: {"timer-task": w.records["design"].pk},
        setup=_time,
    ),
    Case("stop the timer", url("timer_stop"), _everyone(302), data=lambda w: {}),
    Case("discard the timer", url("timer_discard"), _everyone(302), data=lambda w: {}),
    Case(
        "approve a week",
        url("timesheet_approve", "ERP", rec("sheet")),
        _sheet_step("pm"),
        data=lambda w: {"version": w.records["sheet"].version},
        setup=_time,
    ),
    Case(
        "reject a week",
        url("timesheet_reject", "ERP", rec("sheet")),
        _sheet_step("pm"),
        data=lambda w: {"version": w.records["sheet"].version, "reason": "Wrong task"},
        setup=_time,
    ),
    Case(
        "approve a week for the client",
        url("timesheet_client_approve", "ERP", rec("sheet")),
        {**_sheet_step("client_pm"), "pm": 403},
        data=lambda w: {"version": w.records["sheet"].version},
        setup=lambda w: _time(w, client_approves=True),
    ),
    Case(
        "change the cost settings",
        url("cost_settings", "ERP"),
        submitted("pm"),
        data=lambda w: {"locked_until": "2026-01-31", "actuals_from_time": "on"},
    ),
]
POST_CASES += TIME_POST_CASES


def _workload_pool(world: World) -> None:
    """The pool of both sides (as for the assignments) with Rita and Bob at hand."""
    _pool(world)
    world.records.setdefault("rita", Resource.objects.get(name="Rita Reviewer"))
    world.records.setdefault("bob", Resource.objects.get(name="Bob Member"))


def pool_page(*allowed: str) -> dict[str, int]:
    """Expected statuses for a pool's page: its own people and the delivery team read it; others 404."""
    return {"anonymous": 302, **{v: 200 if v in allowed else 404 for v in SIGNED_IN}}


WORKLOAD_CASES = [
    Case(
        "client pool workload",
        url("workload", lambda w: w.client.pk),
        pool_page(*MEMBERS),
        setup=_workload_pool,
    ),
    Case(
        "client pool workload (HTMX heatmap)",
        lambda w: reverse("web:workload", args=[w.client.pk]) + "?start=2026-01-05&group=role",
        pool_page(*MEMBERS),
        htmx=True,
        setup=_workload_pool,
    ),
    Case(
        "vendor pool workload",
        url("workload", lambda w: w.vendor.pk),
        pool_page("member", "pm"),
        setup=_workload_pool,
    ),
    Case("project workload", url("project_workload", "ERP"), project_page(*MEMBERS), setup=_workload_pool),
    Case(
        "a client resource's week",
        url("resource_week", rec("rita"), "2026-01-05"),
        pool_page(*MEMBERS),
        setup=_workload_pool,
    ),
    Case(
        "a vendor resource's week (HTMX panel)",
        url("resource_week", rec("bob"), "2026-01-05"),
        pool_page("member", "pm"),
        htmx=True,
        setup=_workload_pool,
    ),
]
GET_CASES += WORKLOAD_CASES


def _worked_example(world: World) -> None:
    """The worked example of earned value in ERP (made once per test)."""
    if "evm_build" not in world.records:
        world.records["evm_build"] = build_worked_example(world).build


GET_CASES += [
    Case("earned value (no baseline)", url("evm", "ERP"), project_page(*MEMBERS)),
    Case(
        "earned value",
        lambda w: reverse("web:evm", args=["ERP"]) + "?as_of=2026-01-16",
        project_page(*MEMBERS),
        setup=_worked_example,
    ),
]


def _kpi_value(world: World) -> int:
    """A value of the shared KPI (made once; each request's changes are rolled back)."""
    row = KpiMeasurement.objects.filter(kpi=world.records["kpi_shared"]).first()
    if row is None:
        row = kpis.do_record_measurement(
            world.records["kpi_shared"], value="90", measured_on=dt.date(2026, 3, 1), actor=world.pm
        )
    return row.pk


def _costs(world: World) -> None:
    """ERP's expenses and budget (tandem.costs.tests.conftest), and a receipt on the member's draft."""
    if "expense_draft" in world.records:
        return
    costs = make_costs(world)
    world.records["expense_shared"] = costs.material
    world.records["expense_internal"] = costs.travel
    world.records["expense_submitted"] = costs.submitted
    world.records["budget_line"] = costs.whole_travel
    draft = cost_services.do_add_expense(
        world.project,
        actor=world.member,
        category="travel",
        day=dt.date(2026, 3, 2),
        amount="9",
        description="Bus",
    )
    world.records["expense_draft"] = cost_services.do_attach_receipt(
        draft, actor=world.member, upload=SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    )


def _expense_form(world: World) -> dict[str, Any]:
    return {
        "description": "Parking",
        "category": "travel",
        "day": "2026-03-03",
        "amount": "12.00",
        "task": "",
        "visibility": "internal",
        "version": "0",
    }


COST_GET_CASES = [
    Case("budget", url("budget", "ERP"), project_page(*MEMBERS), setup=_costs),
    Case(
        "budget (client preview)",
        lambda w: reverse("web:budget", args=["ERP"]) + "?view=client",
        project_page(*MEMBERS),
        setup=_costs,
    ),
    Case("expenses", url("expenses", "ERP"), project_page(*MEMBERS), setup=_costs),
    Case(
        "expenses (HTMX results)",
        lambda w: reverse("web:expenses", args=["ERP"]) + "?status=approved",
        project_page(*MEMBERS),
        htmx=True,
        setup=_costs,
    ),
    Case(
        "expense export",
        lambda w: reverse("web:expense_export", args=["ERP"]) + "?format=csv",
        project_page(*MEMBERS),
        setup=_costs,
    ),
    Case(
        "shared expense",
        url("expense_detail", "ERP", rec("expense_shared")),
        project_page(*MEMBERS),
        setup=_costs,
    ),
    Case(
        "internal expense",
        url("expense_detail", "ERP", rec("expense_internal")),
        project_page("member", "pm", hidden_from=CLIENTS),
        setup=_costs,
    ),
    Case(
        "internal expense's receipt",
        url("expense_receipt", "ERP", rec("expense_draft")),
        project_page("member", "pm", hidden_from=CLIENTS),
        setup=_costs,
    ),
]
GET_CASES += COST_GET_CASES

COST_POST_CASES = [
    Case(
        "add a budget line",
        url("budget", "ERP"),
        submitted("pm"),
        data=lambda w: {"action": "add_line", "phase": "", "category": "other", "amount": "100"},
        setup=_costs,
    ),
    Case(
        "set the budget thresholds",
        url("budget", "ERP"),
        submitted("pm"),
        data=lambda w: {"action": "thresholds", "thresholds": "50, 100"},
        setup=_costs,
    ),
    Case(
        "remove a budget line",
        url("budget", "ERP"),
        submitted("pm"),
        data=lambda w: {"action": "remove_line", "line_id": w.records["budget_line"].pk, "version": 1},
        setup=_costs,
    ),
    Case(
        "file an expense", url("expenses", "ERP"), submitted("member", "pm"), data=_expense_form, setup=_costs
    ),
    Case(
        "change an internal draft expense",
        url("expense_detail", "ERP", rec("expense_draft")),
        {**submitted("member", "pm"), **{c: 404 for c in CLIENTS}},
        data=lambda w: {**_expense_form(w), "version": version_of("expense_draft")(w)},
        setup=_costs,
    ),
    Case(
        "submit an internal draft expense",
        url("expense_action", "ERP", rec("expense_draft")),
        {**submitted("member", "pm"), **{c: 404 for c in CLIENTS}},
        data=lambda w: {"action": "submit", "version": version_of("expense_draft")(w)},
        setup=_costs,
    ),
    Case(
        "approve a submitted expense",
        url("expense_action", "ERP", rec("expense_submitted")),
        {**submitted("pm"), **{c: 404 for c in CLIENTS}},
        data=lambda w: {"action": "approve", "version": version_of("expense_submitted")(w)},
        setup=_costs,
    ),
]
POST_CASES += COST_POST_CASES


def request_as(world: World, case: Case, viewer: str) -> tuple[int, str]:
    """Make the request as ``viewer``; a POST's changes are rolled back so each viewer starts afresh."""
    client = Client()
    user = world.viewer(viewer)
    if user is not None:
        client.force_login(user)
    headers = {"HTTP_HX_REQUEST": "true"} if case.htmx else {}
    with transaction.atomic():
        if case.data is None:
            response = client.get(case.url(world), **headers)
        else:
            response = client.post(case.url(world), case.data(world), **headers)
        transaction.set_rollback(True)
    return response.status_code, response.content.decode()


def check(world: World, case: Case) -> None:
    case.setup(world)
    actual, leaks = {}, []
    for viewer in VIEWERS:
        status, body = request_as(world, case, viewer)
        actual[viewer] = status
        if viewer not in ("member", "pm"):
            leaks += [(viewer, text) for text in INTERNAL_TEXTS if text in body]
    assert actual == case.expected
    assert leaks == [], f"internal text sent to a client: {leaks}"


@pytest.fixture(autouse=True)
def _files_in_a_temporary_folder(settings: Any, tmp_path: Any) -> None:
    """Receipts stored by the cases go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("case", GET_CASES, ids=lambda c: c.name)
def test_it_answers_each_page_as_the_permission_model_says(world: World, case: Case) -> None:
    check(world, case)


@pytest.mark.parametrize("case", POST_CASES, ids=lambda c: c.name)
def test_it_answers_each_form_as_the_permission_model_says(world: World, case: Case) -> None:
    check(world, case)


def test_it_sends_anonymous_visitors_to_sign_in_and_back(world: World, client: Client) -> None:
    home = reverse("web:project_home", args=["ERP"])
    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('web:login')}?next={home}"


@pytest.mark.parametrize(
    "path",
    [
        "/projects/OTHER/",
        "/projects/OTHER/members/",
        "/projects/NOPE/",
        "/projects/ERP/charter/widgets/new/",
        "/projects/ERP/charter/sections/nonsense/",
        "/projects/ERP/notes/999999/",
        "/projects/ERP/charter/goals/999999/",
    ],
)
def test_it_answers_404_for_what_does_not_exist_or_is_not_yours(
    world: World, client: Client, path: str
) -> None:
    client.force_login(world.pm)
    assert client.get(path).status_code == 404


def test_it_answers_404_for_a_record_of_another_project(world: World, client: Client) -> None:
    client.force_login(world.pm)
    goal = world.records["other_goal"]
    assert client.get(reverse("web:item_edit", args=["ERP", "goals", goal.pk])).status_code == 404
