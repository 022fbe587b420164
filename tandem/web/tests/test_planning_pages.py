"""The plan's pages: Gantt, board, task list and milestone timeline, and the JSON writes behind them."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.core.choices import Visibility
from tandem.planning import scheduling, services
from tandem.planning.choices import TaskKind, TaskStatus
from tandem.planning.models import Dependency, Task
from tandem.risks import services as risk_services
from tandem.testing.personas import World
from tandem.testing.plans import DAY, Plan, build_small_plan

SECRET = "Margin review with subcontractor"

PAGES = ("plan_gantt", "plan_board", "plan_list", "plan_timeline", "plan_gantt_data")


def build_plan(world: World, extra: int = 0) -> Plan:
    """ERP: Phase 1 (design 2d → build 3d, and an internal review after design) → go-live."""
    return build_small_plan(
        world,
        phase=True,
        internal_name=SECRET,
        build_owner=world.member,
        secret_feeds_golive=True,
        extra=extra,
        baseline="Kick-off plan",
        approver=world.client_pm,
    )


@pytest.fixture
def plan(world: World) -> Plan:
    return build_plan(world)


def client_for(world: World, kind: str) -> Client:
    c = Client()
    user = world.viewer(kind)
    if user is not None:
        c.force_login(user)
    return c


def url(name: str, *args: Any, code: str = "ERP") -> str:
    return reverse(f"web:{name}", args=[code, *args])


def post_json(c: Client, path: str, body: Any) -> Any:
    return c.post(path, data=json.dumps(body), content_type="application/json")


# ---------------------------------------------------------------- who sees what


@pytest.mark.parametrize("page", PAGES)
def test_it_sends_anonymous_visitors_to_sign_in(plan: Plan, page: str) -> None:
    response = Client().get(url(page))
    assert response.status_code == 302
    assert reverse("web:login") in response["Location"]


@pytest.mark.parametrize("kind", ["outsider", "other_client"])
@pytest.mark.parametrize("page", PAGES)
def test_it_hides_the_project_from_non_members(plan: Plan, page: str, kind: str) -> None:
    assert client_for(plan.world, kind).get(url(page)).status_code == 404


@pytest.mark.parametrize("kind", ["client_viewer", "client_pm", "sponsor", "member", "pm"])
@pytest.mark.parametrize("page", PAGES)
def test_it_shows_every_plan_page_to_members(plan: Plan, page: str, kind: str) -> None:
    response = client_for(plan.world, kind).get(url(page))
    assert response.status_code == 200
    body = response.content.decode()
    if kind in ("client_viewer", "client_pm", "sponsor"):
        assert SECRET not in body
        assert str(plan.secret.pk) not in json.dumps([t["id"] for t in plan_json(plan.world, kind)["tasks"]])
    else:
        assert "Design" in body or page == "plan_timeline"


def unpack_gantt(raw: dict[str, Any]) -> dict[str, Any]:
    """The compact Gantt data as row objects, the way planning.js unpacks it."""
    origin = dt.date.fromisoformat(raw["origin"])

    def day(n: int | None) -> str | None:
        return None if n is None else (origin + dt.timedelta(days=n)).isoformat()

    tasks = []
    for values in raw["rows"]:
        r = dict(zip(raw["fields"], values, strict=True))
        kind = raw["kinds"][r["kind"]][0]
        tasks.append(
            {
                **r,
                "id": str(r["id"]),
                "parent": None if r["parent"] is None else str(r["parent"]),
                "kind": kind,
                "status": raw["statuses"][r["status"]][0],
                "milestone": kind == "milestone",
                "critical": bool(r["flags"] & 1),
                "summary": bool(r["flags"] & 2),
                "overdue": bool(r["flags"] & 4),
                "slipping": bool(r["flags"] & 8),
                "owner": raw["owners"][r["owner"]],
                "risks": [raw["risks"][i] for i in r["risks"]],
                "assigned": [raw["resources"][i] for i in r["assigned"]],
                **{name: day(r[name]) for name in ("start", "end", "baseline_start", "baseline_end")},
            }
        )
    links = [{"from": str(a), "to": str(b)} for a, b in raw["links"]]
    return {**raw, "tasks": tasks, "links": links}


def plan_json(world: World, kind: str, suffix: str = "") -> dict[str, Any]:
    response = client_for(world, kind).get(url("plan_gantt_data") + suffix)
    assert response.status_code == 200
    return unpack_gantt(json.loads(response.content))


@pytest.mark.parametrize("kind", ["client_viewer", "client_pm", "sponsor"])
def test_a_client_never_sees_an_internal_task_as_a_row_an_arrow_or_a_count(plan: Plan, kind: str) -> None:
    data = plan_json(plan.world, kind)
    ids = {t["id"] for t in data["tasks"]}
    assert str(plan.secret.pk) not in ids
    assert ids == {str(t.pk) for t in (plan.phase, plan.design, plan.build, plan.golive)}
    for link in data["links"]:
        assert str(plan.secret.pk) not in (link["from"], link["to"])
    assert len(data["links"]) == 2
    c = client_for(plan.world, kind)
    board = c.get(url("plan_board")).content.decode()
    assert SECRET not in board
    # Board counts: design, build, go-live (the phase is a summary); the internal task is not counted.
    assert board.count("data-movable=") == 3
    listing = c.get(url("plan_list")).content.decode()
    assert SECRET not in listing
    assert "4 tasks" in listing


def test_a_shared_phase_of_internal_work_is_no_folder_for_the_client(world: World) -> None:
    pm, project = world.pm, world.project
    phase = services.do_add_task(project, actor=pm, name="Vendor set-up", kind=TaskKind.PHASE)
    services.do_add_task(
        project,
        actor=pm,
        name=SECRET,
        parent_id=phase.pk,
        duration_minutes=DAY,
        visibility=Visibility.INTERNAL,
    )
    team = {t["id"]: t for t in plan_json(world, "pm")["tasks"]}
    client = {t["id"]: t for t in plan_json(world, "client_viewer")["tasks"]}
    assert team[str(phase.pk)]["summary"] is True
    assert client[str(phase.pk)]["summary"] is False
    assert len(client) == 1


def test_the_team_sees_internal_tasks_and_the_preview_hides_them(plan: Plan) -> None:
    team = plan_json(plan.world, "pm")
    assert str(plan.secret.pk) in {t["id"] for t in team["tasks"]}
    assert len(team["links"]) == 4
    preview = plan_json(plan.world, "pm", "?view=client")
    assert str(plan.secret.pk) not in {t["id"] for t in preview["tasks"]}
    assert preview["editable"] is False
    page = client_for(plan.world, "pm").get(url("plan_gantt") + "?view=client").content.decode()
    assert SECRET not in page


def test_the_plan_tab_opens_the_gantt_for_the_team_and_the_milestones_for_the_client(plan: Plan) -> None:
    team = client_for(plan.world, "pm").get(url("plan"))
    assert team["Location"] == url("plan_gantt")
    client = client_for(plan.world, "client_viewer").get(url("plan"))
    assert client["Location"] == url("plan_timeline")
    preview = client_for(plan.world, "pm").get(url("plan") + "?view=client")
    assert preview["Location"] == url("plan_timeline") + "?view=client"


def test_the_gantt_carries_the_agreed_baseline_critical_path_and_milestones(plan: Plan) -> None:
    data = plan_json(plan.world, "pm")
    rows = {t["id"]: t for t in data["tasks"]}
    assert data["baseline"]["name"] == "Kick-off plan"
    golive = rows[str(plan.golive.pk)]
    assert golive["milestone"] is True
    assert golive["baseline_end"] == golive["end"]
    assert rows[str(plan.phase.pk)]["summary"] is True
    assert rows[str(plan.design.pk)]["parent"] == str(plan.phase.pk)
    assert rows[str(plan.build.pk)]["critical"] is True
    assert data["editable"] is True
    assert plan_json(plan.world, "client_viewer")["editable"] is False


# ---------------------------------------------------------------- the milestone timeline and flags


def test_the_timeline_flags_a_slipping_milestone(plan: Plan) -> None:
    services.do_update_task(
        plan.build, version=plan.build.version, actor=plan.world.pm, duration_minutes=6 * DAY
    )
    page = client_for(plan.world, "sponsor").get(url("plan_timeline")).content.decode()
    assert "Go-live" in page
    assert "Slipping" in page
    assert "+3.0 working days" in page or "+3 working days" in page


def _plan_risks(plan: Plan) -> None:
    pm, project = plan.world.pm, plan.world.project
    risk_services.do_add_risk(
        project,
        actor=pm,
        title="Key user leaves",
        probability=5,
        impact=5,
        contingency_days=2,
        task_ids=[plan.build.pk],
    )
    risk_services.do_add_risk(
        project,
        actor=pm,
        title="Subcontractor margin",
        probability=1,
        impact=1,
        contingency_days=5,
        task_ids=[plan.build.pk],
        visibility=Visibility.INTERNAL,
    )
    risk_services.do_add_risk(
        project, actor=pm, title="Review slips", contingency_days=7, task_ids=[plan.secret.pk]
    )
    risk_services.do_add_risk(
        project,
        actor=pm,
        title="Old worry",
        contingency_days=11,
        task_ids=[plan.design.pk],
        status="closed",
    )


def test_the_gantt_marks_rows_with_open_risks_as_the_viewer_may_see_them(plan: Plan) -> None:
    _plan_risks(plan)
    team = {r["name"]: r for r in plan_json(plan.world, "pm")["tasks"]}
    assert team["Build"]["risks"] == ["Key user leaves", "Subcontractor margin"]
    assert team["Build"]["risk_level"] == "critical"
    assert team[SECRET]["risks"] == ["Review slips"]
    assert team["Design"]["risks"] == [] and team["Design"]["risk_level"] == ""
    raw = client_for(plan.world, "client_viewer").get(url("plan_gantt_data")).content.decode()
    client = {r["name"]: r for r in unpack_gantt(json.loads(raw))["tasks"]}
    assert client["Build"]["risks"] == ["Key user leaves"]
    assert "Subcontractor margin" not in raw and "Review slips" not in raw


def test_the_timeline_adds_risk_contingency_on_request(plan: Plan) -> None:
    _plan_risks(plan)
    pm = client_for(plan.world, "pm")
    plain = pm.get(url("plan_timeline"))
    assert not plain.context["with_contingency"] and "Key user leaves" not in plain.content.decode()
    on = pm.get(url("plan_timeline") + "?contingency=1")
    row = next(r for r in on.context["rows"] if r["m"].task.pk == plan.golive.pk)
    # Build and the internal review both lead to go-live; the closed risk on design does not count.
    assert row["buffer"].days == 2 + 5 + 7
    assert row["buffered"] > row["m"].forecast
    assert "Include risk contingency" in on.content.decode() and "Review slips" in on.content.decode()
    client = client_for(plan.world, "sponsor").get(url("plan_timeline") + "?contingency=1")
    row = next(r for r in client.context["rows"] if r["m"].task.pk == plan.golive.pk)
    assert row["buffer"].days == 2
    body = client.content.decode()
    assert "Key user leaves" in body and "Subcontractor margin" not in body and "Review slips" not in body


def test_overdue_tasks_are_flagged_in_the_list(plan: Plan) -> None:
    past = dt.datetime(2020, 1, 1, 17, tzinfo=dt.UTC)
    services.do_update_task(plan.design, version=plan.design.version, actor=plan.world.pm, deadline=past)
    services.do_update_task(
        plan.build, version=plan.build.version, actor=plan.world.pm, status=TaskStatus.DONE
    )
    page = client_for(plan.world, "pm").get(url("plan_list") + "?flag=overdue").content.decode()
    assert "Design" in page and "Overdue" in page
    assert "Build" not in page


def test_empty_plans_show_an_empty_state(world: World) -> None:
    c = client_for(world, "pm")
    assert "No tasks in the plan yet" in c.get(url("plan_gantt")).content.decode()
    assert "No tasks on the board yet" in c.get(url("plan_board")).content.decode()
    assert "No tasks in the plan yet." in c.get(url("plan_list")).content.decode()
    assert "The plan has no milestones yet." in c.get(url("plan_timeline")).content.decode()


# ---------------------------------------------------------------- the list


def test_the_list_searches_filters_sorts_and_pages(world: World) -> None:
    build_plan(world, extra=30)
    c = client_for(world, "pm")
    first = c.get(url("plan_list")).content.decode()
    assert "Page 1 of 2" in first
    found = c.get(url("plan_list") + "?q=extra+1").content.decode()
    assert "<td>Extra 1 " in found and "Extra 12" in found and "Design" not in found
    milestones = c.get(url("plan_list") + "?kind=milestone").content.decode()
    assert "Go-live" in milestones and "Design" not in milestones
    by_name = c.get(url("plan_list") + "?sort=name&desc=on&q=s").content.decode()
    assert by_name.index("Phase 1") < by_name.index(SECRET) < by_name.index("Design")
    assert "Build" not in by_name


@pytest.mark.parametrize(
    "query", ["?status=nope", "?kind=x", "?sort=password", "?flag=everything", "?q=" + "x" * 101, "?q=%00"]
)
def test_bad_list_filters_are_a_form_error_not_a_crash(plan: Plan, query: str) -> None:
    response = client_for(plan.world, "pm").get(url("plan_list") + query)
    assert response.status_code == 400
    assert "Some filters are not valid" in response.content.decode()


def test_a_page_number_out_of_range_shows_the_last_page(plan: Plan) -> None:
    assert client_for(plan.world, "pm").get(url("plan_list") + "?page=999").status_code == 200
    assert client_for(plan.world, "pm").get(url("plan_list") + "?page=abc").status_code == 200


# ---------------------------------------------------------------- query counts


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("kind", ["pm", "client_viewer"])
def test_pages_read_the_same_number_of_queries_for_5_and_40_tasks(world: World, page: str, kind: str) -> None:
    build_plan(world)
    c = client_for(world, kind)
    c.get(url(page))  # warm caches (session, content types)
    scheduling.forget_derived_from_plan()  # both counts without values kept per plan revision
    with CaptureQueriesContext(connection) as small:
        assert c.get(url(page)).status_code == 200
    phase = Task.objects.get(name="Phase 1")
    for n in range(35):
        task = services.do_add_task(
            world.project,
            actor=world.pm,
            name=f"More {n}",
            parent_id=phase.pk,
            duration_minutes=DAY,
            kind=TaskKind.MILESTONE if n % 7 == 0 else TaskKind.TASK,
            owner_id=world.member.pk,
        )
        if n % 5 == 0:  # risks on the plan are read in one go, however many
            risk_services.do_add_risk(
                world.project,
                actor=world.pm,
                title=f"Risk {n}",
                contingency_days=1,
                task_ids=[task.pk, phase.pk],
                visibility=Visibility.INTERNAL if n % 10 == 0 else Visibility.SHARED,
            )
    scheduling.forget_derived_from_plan()
    with CaptureQueriesContext(connection) as large:
        assert c.get(url(page)).status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


# ---------------------------------------------------------------- writes


def test_moving_a_bar_reschedules_through_the_service(plan: Plan) -> None:
    c = client_for(plan.world, "pm")
    response = post_json(
        c, url("plan_task_dates", plan.design.pk), {"version": plan.design.version, "start": "2026-01-12"}
    )
    assert response.status_code == 200, response.content
    design = Task.objects.get(pk=plan.design.pk)
    assert design.version == plan.design.version + 1
    assert design.constraint_type == "SNET"
    assert design.start is not None and design.start.date() == dt.date(2026, 1, 12)
    assert json.loads(response.content)["version"] == design.version


def test_resizing_a_bar_changes_its_duration(plan: Plan) -> None:
    c = client_for(plan.world, "pm")
    start = plan.build.start.astimezone(dt.timezone(dt.timedelta(hours=8))).date()  # type: ignore[union-attr]
    end = start + dt.timedelta(days=6)  # three days more than a Wed..Fri bar, crossing a weekend
    response = post_json(
        c,
        url("plan_task_dates", plan.build.pk),
        {"version": plan.build.version, "start": start.isoformat(), "end": end.isoformat()},
    )
    assert response.status_code == 200, response.content
    build = Task.objects.get(pk=plan.build.pk)
    assert build.duration_minutes == 5 * DAY
    assert build.constraint_type == "ASAP"


def test_a_stale_version_is_a_409_with_a_clear_message(plan: Plan) -> None:
    c = client_for(plan.world, "pm")
    response = post_json(
        c, url("plan_task_dates", plan.design.pk), {"version": 0 + 99, "start": "2026-01-12"}
    )
    assert response.status_code == 409
    payload = json.loads(response.content)
    assert "Someone else changed this task" in payload["error"]
    assert Task.objects.get(pk=plan.design.pk).constraint_type == "ASAP"


@pytest.mark.parametrize(
    "body",
    [
        {"start": "2026-01-12"},
        {"version": "x", "start": "2026-01-12"},
        {"version": True, "start": "2026-01-12"},
        {"version": 1, "start": "tomorrow"},
        {"version": 1, "start": "2026-01-12", "end": "2026-01-01"},
        {"version": 1, "start": "2026-01-10", "end": "2026-01-10"},
        [],
        "text",
    ],
)
def test_bad_drag_input_is_a_400(plan: Plan, body: Any) -> None:
    response = post_json(client_for(plan.world, "pm"), url("plan_task_dates", plan.design.pk), body)
    assert response.status_code == 400, response.content
    assert json.loads(response.content)["error"]


def test_malformed_json_is_a_400(plan: Plan) -> None:
    c = client_for(plan.world, "pm")
    response = c.post(url("plan_task_dates", plan.design.pk), data=b"{nope", content_type="application/json")
    assert response.status_code == 400


def test_a_summary_row_cannot_be_dragged(plan: Plan) -> None:
    response = post_json(
        client_for(plan.world, "pm"),
        url("plan_task_dates", plan.phase.pk),
        {"version": plan.phase.version, "start": "2026-02-02"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize("kind,status", [("client_viewer", 404), ("sponsor", 404), ("member", 403)])
def test_only_plan_editors_move_bars_and_clients_cannot_reach_internal_tasks(
    plan: Plan, kind: str, status: int
) -> None:
    c = client_for(plan.world, kind)
    internal = post_json(
        c, url("plan_task_dates", plan.secret.pk), {"version": plan.secret.version, "start": "2026-02-02"}
    )
    assert internal.status_code == (403 if kind == "member" else 404)
    shared = post_json(
        c, url("plan_task_dates", plan.design.pk), {"version": plan.design.version, "start": "2026-02-02"}
    )
    assert shared.status_code == 403
    assert Task.objects.get(pk=plan.design.pk).version == plan.design.version
    del status


def test_the_client_preview_is_read_only(plan: Plan) -> None:
    c = client_for(plan.world, "pm")
    response = post_json(
        c,
        url("plan_task_dates", plan.design.pk) + "?view=client",
        {"version": plan.design.version, "start": "2026-02-02"},
    )
    assert response.status_code == 403


def test_writes_need_post(plan: Plan) -> None:
    c = client_for(plan.world, "pm")
    assert c.get(url("plan_task_dates", plan.design.pk)).status_code == 405
    assert c.get(url("plan_link_add")).status_code == 405


def test_drawing_a_link_adds_a_dependency_and_refuses_a_loop(plan: Plan) -> None:
    c = client_for(plan.world, "pm")
    fresh = services.do_add_task(
        plan.world.project, actor=plan.world.pm, name="Training", duration_minutes=DAY
    )
    response = post_json(c, url("plan_link_add"), {"from": plan.build.pk, "to": fresh.pk})
    assert response.status_code == 200, response.content
    assert Dependency.objects.filter(predecessor=plan.build, successor=fresh).exists()
    loop = post_json(c, url("plan_link_add"), {"from": plan.golive.pk, "to": plan.design.pk})
    assert loop.status_code == 400
    assert json.loads(loop.content)["error"]
    unknown = post_json(c, url("plan_link_add"), {"from": plan.build.pk, "to": 999999})
    assert unknown.status_code == 400


def test_a_board_drop_changes_the_status_with_the_version_check(plan: Plan) -> None:
    c = client_for(plan.world, "pm")
    response = post_json(
        c,
        url("plan_task_status", plan.design.pk),
        {"version": plan.design.version, "status": TaskStatus.IN_PROGRESS},
    )
    assert response.status_code == 200, response.content
    assert Task.objects.get(pk=plan.design.pk).status == TaskStatus.IN_PROGRESS
    stale = post_json(
        c,
        url("plan_task_status", plan.design.pk),
        {"version": plan.design.version, "status": TaskStatus.DONE},
    )
    assert stale.status_code == 409
    bad = post_json(
        c, url("plan_task_status", plan.design.pk), {"version": plan.design.version + 1, "status": "gone"}
    )
    assert bad.status_code == 400


def test_a_task_owner_moves_their_own_card_but_not_others(plan: Plan) -> None:
    c = client_for(plan.world, "member")
    own = post_json(
        c, url("plan_task_status", plan.build.pk), {"version": plan.build.version, "status": "done"}
    )
    assert own.status_code == 200, own.content
    assert Task.objects.get(pk=plan.build.pk).percent_complete == 100
    other = post_json(
        c, url("plan_task_status", plan.design.pk), {"version": plan.design.version, "status": "done"}
    )
    assert other.status_code == 403
    page = c.get(url("plan_board")).content.decode()
    assert (
        f'data-task-id="{plan.build.pk}" data-version="{plan.build.version + 1}" data-movable="true"' in page
    )
    assert (
        f'data-task-id="{plan.design.pk}" data-version="{plan.design.version}" data-movable="false"' in page
    )


def test_the_list_answers_htmx_with_the_results_only(plan: Plan) -> None:
    c = client_for(plan.world, "pm")
    response = c.get(url("plan_list") + "?q=build", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "Build" in body and "Design" not in body
    bad = c.get(url("plan_list") + "?kind=nope", HTTP_HX_REQUEST="true")
    assert bad.status_code == 400 and "<html" not in bad.content.decode()


def test_the_gantt_shades_the_project_calendars_days_off(plan: Plan) -> None:
    services.do_set_calendar(plan.world.project, actor=plan.world.pm, base="china")
    off = set(plan_json(plan.world, "client_viewer")["off_days"])
    assert "2026-01-10" in off  # a Saturday
    assert "2026-02-17" in off and "2026-02-20" in off  # Spring Festival, on weekdays
    assert "2026-02-14" not in off  # a Saturday worked to make up for the Spring Festival
    assert "2026-01-12" not in off


def test_dates_are_shown_in_the_project_time_zone_not_the_servers(world: World, settings: Any) -> None:
    # 17:00 in Los Angeles is 01:00 UTC the next day: a UTC server must still show the local day.
    settings.TIME_ZONE = "UTC"
    world.project.time_zone = "America/Los_Angeles"
    world.project.save(update_fields=["time_zone"])
    plan = build_plan(world)
    assert plan.golive.finish is not None and plan.golive.finish.astimezone(dt.UTC).day == 10
    c = client_for(world, "pm")
    listing = c.get(url("plan_list")).content.decode()
    design_row = listing.split(f'data-task-id="{plan.design.pk}"')[1].split("</tr>")[0]
    assert "2026-01-06" in design_row and "2026-01-07" not in design_row
    for page in ("plan_timeline", "plan_board"):
        body = c.get(url(page)).content.decode()
        assert "2026-01-09" in body and "2026-01-10" not in body, page
    form = c.get(reverse("web:plan_task_edit", args=["ERP", plan.golive.pk])).content.decode()
    assert "2026-01-09 17:00" in form
