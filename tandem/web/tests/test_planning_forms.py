"""The plan's forms: tasks, predecessor links and baselines, with their rights, errors and conflicts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.core.choices import Visibility
from tandem.planning import services
from tandem.planning.choices import DependencyType, TaskKind, TaskStatus
from tandem.planning.models import Baseline, Dependency, Task
from tandem.testing.personas import World
from tandem.web.tests.test_planning_pages import DAY, SECRET, Plan, build_plan, client_for

CLIENTS = ("client_viewer", "client_pm", "sponsor")


@pytest.fixture
def plan(world: World) -> Plan:
    return build_plan(world)


def url(name: str, *args: Any) -> str:
    return reverse(f"web:{name}", args=["ERP", *args])


def task_post(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Data migration",
        "kind": TaskKind.TASK,
        "parent": "",
        "owner": "",
        "duration_days": "2.5",
        "constraint_type": "ASAP",
        "constraint_date": "",
        "deadline": "",
        "optimistic_days": "",
        "most_likely_days": "",
        "pessimistic_days": "",
        "status": TaskStatus.NOT_STARTED,
        "percent_complete": "0",
        "actual_start": "",
        "actual_finish": "",
        "start": "",
        "visibility": Visibility.SHARED,
        "deliverable": "",
    }
    data.update(overrides)
    return data


def edit_post(task: Task, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": task.name,
        "kind": task.kind,
        "parent": task.parent_id or "",
        "duration_days": str(task.duration_minutes / DAY),
        "visibility": task.visibility,
        "version": task.version,
    }
    return task_post(**{**values, **overrides})


# ---------------------------------------------------------------- who may do what


def pages(plan: Plan) -> list[str]:
    baseline = Baseline.objects.get(project=plan.world.project)
    return [
        url("plan_task_create"),
        url("plan_task_edit", plan.design.pk),
        url("plan_task_delete", plan.design.pk),
        url("plan_baselines"),
        url("plan_baseline_compare", baseline.pk),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(plan: Plan) -> None:
    for path in pages(plan):
        response = Client().get(path)
        assert response.status_code == 302, path
        assert reverse("web:login") in response["Location"]


@pytest.mark.parametrize("kind", ["outsider", "other_client"])
def test_non_members_get_404_for_every_page_and_post(plan: Plan, kind: str) -> None:
    c = client_for(plan.world, kind)
    for path in pages(plan):
        assert c.get(path).status_code == 404, path
    assert c.post(url("plan_task_create"), task_post()).status_code == 404
    assert c.post(url("plan_baselines"), {"name": "x"}).status_code == 404
    assert not Task.objects.filter(name="Data migration").exists()


@pytest.mark.parametrize("kind", [*CLIENTS, "member"])
def test_who_may_not_edit_the_plan_gets_403_and_writes_nothing(plan: Plan, kind: str) -> None:
    c = client_for(plan.world, kind)
    assert c.get(url("plan_task_create")).status_code == 403
    assert c.post(url("plan_task_create"), task_post()).status_code == 403
    assert c.get(url("plan_task_edit", plan.design.pk)).status_code == 403
    assert c.post(url("plan_task_edit", plan.design.pk), edit_post(plan.design)).status_code == 403
    assert (
        c.post(url("plan_task_delete", plan.design.pk), {"version": plan.design.version}).status_code == 403
    )
    post = {"link-predecessor": plan.golive.pk, "link-type": "FS", "link-lag_days": "0"}
    assert c.post(url("plan_task_link_add", plan.design.pk), post).status_code == 403
    link = Dependency.objects.get(predecessor=plan.design, successor=plan.build)
    assert c.post(url("plan_task_link_remove", plan.build.pk, link.pk)).status_code == 403
    edit = {f"link-{link.pk}-type": "SS", f"link-{link.pk}-lag_days": "1"}
    assert c.post(url("plan_task_link_edit", plan.build.pk, link.pk), edit).status_code == 403
    assert c.post(url("plan_baselines"), {"name": "Mine"}).status_code == 403
    assert not Task.objects.filter(name="Data migration").exists()
    assert Task.objects.filter(pk=plan.design.pk).exists()
    assert Dependency.objects.filter(pk=link.pk, type="FS").exists()
    assert Baseline.objects.count() == 1
    assert "New task" not in c.get(url("plan_list")).content.decode()


@pytest.mark.parametrize("kind", [*CLIENTS, "member", "pm"])
def test_every_member_reads_the_baselines_and_the_comparison(plan: Plan, kind: str) -> None:
    c = client_for(plan.world, kind)
    baseline = Baseline.objects.get(project=plan.world.project)
    listing = c.get(url("plan_baselines"))
    assert listing.status_code == 200
    assert "Kick-off plan" in listing.content.decode()
    assert "The plan we agreed" in listing.content.decode()
    assert ("Save the baseline" in listing.content.decode()) is (kind == "pm")
    assert c.get(url("plan_baseline_compare", baseline.pk)).status_code == 200


def test_the_task_owner_reports_progress_only(plan: Plan) -> None:
    c = client_for(plan.world, "member")  # owns "Build"
    page = c.get(url("plan_task_edit", plan.build.pk))
    assert page.status_code == 200
    assert 'name="name"' not in page.content.decode()
    response = c.post(
        url("plan_task_edit", plan.build.pk),
        {"status": TaskStatus.IN_PROGRESS, "percent_complete": "40", "version": plan.build.version},
    )
    assert response.status_code == 302
    build = Task.objects.get(pk=plan.build.pk)
    assert (build.status, build.percent_complete, build.name) == (TaskStatus.IN_PROGRESS, 40, "Build")


# ---------------------------------------------------------------- tasks


def test_the_pm_adds_a_task_with_its_duration_in_working_days(plan: Plan) -> None:
    c = client_for(plan.world, "pm")
    page = c.get(url("plan_task_create")).content.decode()
    assert "autofocus" in page and SECRET in page  # the team's WBS offers its internal rows as parents
    response = c.post(
        url("plan_task_create"),
        task_post(
            parent=plan.phase.pk,
            owner=plan.world.member.pk,
            optimistic_days="2",
            most_likely_days="2.5",
            pessimistic_days="4",
            deadline="2026-03-02T17:00",
        ),
    )
    assert response.status_code == 302
    task = Task.objects.get(name="Data migration")
    assert task.duration_minutes == int(2.5 * DAY)
    assert (task.optimistic_minutes, task.pessimistic_minutes) == (2 * DAY, 4 * DAY)
    assert task.parent_id == plan.phase.pk and task.owner_id == plan.world.member.pk
    assert task.deadline is not None
    assert response["Location"] == url("plan_task_edit", task.pk)


@pytest.mark.parametrize(
    "overrides, field_text",
    [
        ({"name": ""}, "This field is required."),
        ({"duration_days": "-1"}, "greater than or equal to 0"),
        ({"duration_days": "lots"}, "Enter a number."),
        ({"percent_complete": "140"}, "less than or equal to 100"),
        ({"kind": "epic"}, "Select a valid choice."),
        ({"parent": "999999"}, "Select a valid choice."),
        ({"constraint_type": "MSO"}, "This constraint needs a date."),
        ({"deadline": "next tuesday"}, "Enter a valid date/time."),
        ({"optimistic_days": "5", "most_likely_days": "2"}, "cannot exceed the most likely"),
        ({"manual": "on"}, "A manually scheduled task needs a start."),
    ],
)
def test_bad_input_is_a_form_error_not_a_500(plan: Plan, overrides: dict[str, Any], field_text: str) -> None:
    response = client_for(plan.world, "pm").post(url("plan_task_create"), task_post(**overrides))
    assert response.status_code == 400
    assert field_text in response.content.decode()
    assert not Task.objects.filter(name="Data migration").exists()


def test_a_milestone_cannot_be_a_parent_and_a_task_not_its_own_subtask(plan: Plan) -> None:
    c = client_for(plan.world, "pm")
    page = c.get(url("plan_task_edit", plan.phase.pk)).content.decode()
    parent_select = page.split('name="parent"')[1].split("</select>")[0]
    assert "Design" not in parent_select and "Phase 1" not in parent_select  # not itself, not its subtasks
    response = c.post(url("plan_task_edit", plan.phase.pk), edit_post(plan.phase, parent=plan.design.pk))
    assert response.status_code == 400
    response = c.post(url("plan_task_create"), task_post(parent=plan.golive.pk))
    assert response.status_code == 400


def test_a_stale_version_answers_409_and_keeps_the_input(plan: Plan) -> None:
    c = client_for(plan.world, "pm")
    stale = plan.design
    services.do_update_task(stale, version=stale.version, actor=plan.world.pm, name="Design (revised)")
    response = c.post(
        url("plan_task_edit", stale.pk), edit_post(stale, name="My new name", duration_days="7")
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed this task" in body
    assert 'value="My new name"' in body and 'value="7"' in body
    assert "Design (revised)" in body  # the saved values shown beside
    fresh = Task.objects.get(pk=stale.pk)
    assert fresh.name == "Design (revised)"
    assert f'name="version" value="{fresh.version}"' in body
    # Saving again from the conflict page applies the user's values.
    again = c.post(url("plan_task_edit", stale.pk), edit_post(fresh, name="My new name", duration_days="7"))
    assert again.status_code == 302
    assert Task.objects.get(pk=stale.pk).duration_minutes == 7 * DAY


def test_the_pm_edits_and_deletes_a_task_after_confirming(plan: Plan) -> None:
    c = client_for(plan.world, "pm")
    response = c.post(url("plan_task_edit", plan.build.pk), edit_post(plan.build, status=TaskStatus.BLOCKED))
    assert response.status_code == 302
    assert Task.objects.get(pk=plan.build.pk).status == TaskStatus.BLOCKED
    confirm = c.get(url("plan_task_delete", plan.phase.pk))
    assert confirm.status_code == 200 and "subtasks are deleted too" in confirm.content.decode()
    assert c.post(url("plan_task_delete", plan.phase.pk), {"version": "0x"}).status_code == 400
    phase = Task.objects.get(pk=plan.phase.pk)
    assert c.post(url("plan_task_delete", phase.pk), {"version": phase.version + 5}).status_code == 409
    assert c.post(url("plan_task_delete", phase.pk), {"version": phase.version}).status_code == 302
    assert not Task.objects.filter(pk__in=[plan.phase.pk, plan.design.pk, plan.secret.pk]).exists()


def test_the_client_pm_as_plan_manager_writes_shared_tasks_only(world: World) -> None:
    from tandem.projects.choices import DecisionPreset

    world.project.decision_preset = DecisionPreset.CLIENT_AS_PM
    world.project.save()
    plan = build_plan(world)
    c = client_for(world, "client_pm")
    page = c.get(url("plan_task_create"))
    assert page.status_code == 200
    assert SECRET not in page.content.decode() and 'name="visibility"' not in page.content.decode()
    response = c.post(url("plan_task_create"), task_post(visibility=Visibility.INTERNAL))
    assert response.status_code == 302
    assert Task.objects.get(name="Data migration").visibility == Visibility.SHARED
    assert c.get(url("plan_task_edit", plan.secret.pk)).status_code == 404


# ---------------------------------------------------------------- links


def test_the_pm_adds_and_removes_a_predecessor_with_a_lag(plan: Plan) -> None:
    c = client_for(plan.world, "pm")
    post = {"link-predecessor": plan.build.pk, "link-type": DependencyType.SS, "link-lag_days": "-1.5"}
    response = c.post(url("plan_task_link_add", plan.secret.pk), post)
    assert response.status_code == 302
    link = Dependency.objects.get(predecessor=plan.build, successor=plan.secret)
    assert (link.type, link.lag_minutes) == (DependencyType.SS, int(-1.5 * DAY))
    page = c.get(url("plan_task_edit", plan.secret.pk)).content.decode()
    assert "Build" in page and "-1.5" in page
    assert c.post(url("plan_task_link_remove", plan.secret.pk, link.pk)).status_code == 302
    assert not Dependency.objects.filter(pk=link.pk).exists()


def test_the_pm_changes_a_links_type_and_lag_in_place(plan: Plan) -> None:
    c = client_for(plan.world, "pm")
    link = Dependency.objects.get(predecessor=plan.design, successor=plan.build)
    page = c.get(url("plan_task_edit", plan.build.pk)).content.decode()
    row = page.split(f'data-link-id="{link.pk}"')[1].split("</tr>")[0]
    # A native disclosure and form: reachable and usable with the keyboard, no script needed.
    assert "<details" in row and "<summary" in row and f'name="link-{link.pk}-lag_days"' in row
    post = {f"link-{link.pk}-type": DependencyType.SS, f"link-{link.pk}-lag_days": "1"}
    response = c.post(url("plan_task_link_edit", plan.build.pk, link.pk), post)
    assert response.status_code == 302 and response["Location"].endswith("#links")
    link.refresh_from_db()
    assert (link.type, link.lag_minutes) == (DependencyType.SS, DAY)
    bad = {f"link-{link.pk}-type": "FS", f"link-{link.pk}-lag_days": "99999"}
    response = c.post(url("plan_task_link_edit", plan.build.pk, link.pk), bad)
    assert response.status_code == 400
    row = response.content.decode().split(f'data-link-id="{link.pk}"')[1].split("</tr>")[0]
    assert '<details class="link-edit" open>' in row and 'class="error"' in row
    link.refresh_from_db()
    assert (link.type, link.lag_minutes) == (DependencyType.SS, DAY)
    # The link belongs to Build: posting it under another task finds nothing.
    assert c.post(url("plan_task_link_edit", plan.golive.pk, link.pk), post).status_code == 404


def test_a_cycle_shows_the_services_message(plan: Plan) -> None:
    c = client_for(plan.world, "pm")
    post = {"link-predecessor": plan.golive.pk, "link-type": "FS", "link-lag_days": "0"}
    response = c.post(url("plan_task_link_add", plan.design.pk), post)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Go-live" in body and "Design" in body and "→" in body
    assert not Dependency.objects.filter(predecessor=plan.golive, successor=plan.design).exists()


@pytest.mark.parametrize(
    "post",
    [
        {"link-predecessor": "", "link-type": "FS", "link-lag_days": "0"},
        {"link-predecessor": "abc", "link-type": "FS", "link-lag_days": "0"},
        {"link-predecessor": "1", "link-type": "XX", "link-lag_days": "0"},
        {"link-predecessor": "1", "link-type": "FS", "link-lag_days": "soon"},
    ],
)
def test_a_bad_link_is_a_form_error(plan: Plan, post: dict[str, Any]) -> None:
    if post["link-predecessor"] == "1":
        post = {**post, "link-predecessor": plan.build.pk}
    response = client_for(plan.world, "pm").post(url("plan_task_link_add", plan.golive.pk), post)
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()


# ---------------------------------------------------------------- baselines


def test_saving_and_approving_a_baseline(plan: Plan) -> None:
    pm = client_for(plan.world, "pm")
    assert pm.post(url("plan_baselines"), {"name": "  ", "reason": ""}).status_code == 400
    response = pm.post(url("plan_baselines"), {"name": "Change request 7", "reason": "Scope grew"})
    assert response.status_code == 302
    baseline = Baseline.objects.get(name="Change request 7")
    assert baseline.created_by == plan.world.pm and baseline.approved_at is None
    # Under the joint preset the client PM approves baselines; the team member and the viewer may not.
    for kind in ("member", "client_viewer"):
        assert client_for(plan.world, kind).post(url("plan_baseline_approve", baseline.pk)).status_code == 403
    client_pm = client_for(plan.world, "client_pm")
    assert "Approve “Change request 7”" in client_pm.get(url("plan_baselines")).content.decode()
    assert client_pm.post(url("plan_baseline_approve", baseline.pk)).status_code == 302
    baseline.refresh_from_db()
    assert baseline.approved_by == plan.world.client_pm
    page = client_pm.get(url("plan_baselines")).content.decode()
    agreed_row = page.split(f'data-baseline-id="{baseline.pk}"')[1].split("</tr>")[0]
    assert "The plan we agreed" in agreed_row
    # Approving twice is refused with a message, not an error page.
    again = client_pm.post(url("plan_baseline_approve", baseline.pk), follow=True)
    assert again.status_code == 200 and "already approved" in again.content.decode()


def test_the_comparison_flags_slips_and_hides_internal_rows_from_clients(plan: Plan) -> None:
    pm = plan.world.pm
    services.do_update_task(plan.build, version=plan.build.version, actor=pm, duration_minutes=6 * DAY)
    baseline = Baseline.objects.get(project=plan.world.project)
    team = client_for(plan.world, "pm").get(url("plan_baseline_compare", baseline.pk)).content.decode()
    assert SECRET in team
    build_row = team.split(f'data-task-id="{plan.build.pk}"')[1].split("</tr>")[0]
    assert "Slipping" in build_row and ">3.0<" in build_row
    for kind in CLIENTS:
        c = client_for(plan.world, kind)
        body = c.get(url("plan_baseline_compare", baseline.pk)).content.decode()
        assert SECRET not in body
        assert f'data-task-id="{plan.secret.pk}"' not in body
        assert "Go-live" in body
        milestones = c.get(url("plan_baseline_compare", baseline.pk) + "?only=milestones").content.decode()
        assert "Go-live" in milestones and "Build" not in milestones
        for path in (url("plan_baselines"), url("plan_list")):
            assert SECRET not in c.get(path).content.decode()
    preview = client_for(plan.world, "pm").get(url("plan_baseline_compare", baseline.pk) + "?view=client")
    assert SECRET not in preview.content.decode()


def test_an_unknown_baseline_is_404(plan: Plan) -> None:
    c = client_for(plan.world, "pm")
    assert c.get(url("plan_baseline_compare", 999999)).status_code == 404
    assert c.post(url("plan_baseline_approve", 999999)).status_code == 404


# ---------------------------------------------------------------- query counts


def count_queries(c: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("kind", ["pm", "client_viewer"])
def test_the_baselines_and_the_comparison_cost_the_same_queries_for_5_and_40_tasks(
    world: World, kind: str
) -> None:
    plan = build_plan(world)
    c = client_for(world, kind)
    baseline = Baseline.objects.get(project=world.project)
    # A baseline waiting for approval in both cases (the page then names who approves it).
    services.do_save_baseline(world.project, name="Draft", actor=world.pm)
    small = [
        count_queries(c, url("plan_baselines")),
        count_queries(c, url("plan_baseline_compare", baseline.pk)),
    ]
    for n in range(35):
        services.do_add_task(
            world.project, actor=world.pm, name=f"More {n}", parent_id=plan.phase.pk, duration_minutes=DAY
        )
    services.do_save_baseline(world.project, name="Bigger", actor=world.pm)
    big = [
        count_queries(c, url("plan_baselines")),
        count_queries(c, url("plan_baseline_compare", baseline.pk)),
    ]
    assert small == big


@pytest.mark.parametrize("kind", ["pm", "client_viewer"])
def test_the_milestone_pages_cost_the_same_queries_for_1_and_12_milestones(world: World, kind: str) -> None:
    # The milestones are read with a few columns (every project home shows them): a column a page
    # reads that the query left out would be read once per milestone.
    plan = build_plan(world)
    c = client_for(world, kind)
    baseline = Baseline.objects.get(project=world.project)
    pages = [
        reverse("web:project_home", args=["ERP"]),
        url("plan_timeline"),
        url("plan_baseline_compare", baseline.pk) + "?only=milestones",
    ]
    small = [count_queries(c, page) for page in pages]
    for n in range(11):
        services.do_add_task(
            world.project, actor=world.pm, name=f"Gate {n}", parent_id=plan.phase.pk, kind=TaskKind.MILESTONE
        )
    services.do_save_baseline(world.project, name="Gates", actor=world.pm)
    Baseline.objects.filter(project=world.project, name="Gates").update(approved_at=baseline.approved_at)
    big = [count_queries(c, page) for page in pages]
    home = c.get(pages[0]).content.decode()
    assert "Gate 0" in home or "more milestones later" in home
    assert small == big


def test_the_plan_pages_link_to_the_forms_as_the_viewers_rights_allow(plan: Plan) -> None:
    edit_design = url("plan_task_edit", plan.design.pk)
    pm = client_for(plan.world, "pm").get(url("plan_list")).content.decode()
    assert url("plan_task_create") in pm and edit_design in pm and url("plan_baselines") in pm
    member = client_for(plan.world, "member").get(url("plan_list")).content.decode()
    assert url("plan_task_edit", plan.build.pk) in member  # the task Bob owns
    assert edit_design not in member and url("plan_task_create") not in member
    viewer = client_for(plan.world, "client_viewer").get(url("plan_list")).content.decode()
    assert url("plan_baselines") in viewer
    assert edit_design not in viewer and url("plan_task_create") not in viewer
    preview = client_for(plan.world, "pm").get(url("plan_list") + "?view=client").content.decode()
    assert edit_design not in preview and url("plan_task_create") not in preview


def test_the_forms_speak_chinese(plan: Plan) -> None:
    plan.world.pm.language = "zh-hans"
    plan.world.pm.save()
    page = client_for(plan.world, "pm").get(url("plan_task_edit", plan.build.pk)).content.decode()
    assert "工期（工作日）" in page and "添加前置任务" in page


def test_the_comparison_lists_tasks_deleted_since_the_baseline_as_saved(plan: Plan) -> None:
    pm = plan.world.pm
    baseline = Baseline.objects.get(project=plan.world.project)
    services.do_delete_task(plan.golive, version=plan.golive.version, actor=pm)
    secret = Task.objects.get(pk=plan.secret.pk)
    services.do_delete_task(secret, version=secret.version, actor=pm)
    team = client_for(plan.world, "pm").get(url("plan_baseline_compare", baseline.pk)).content.decode()
    removed = team.split('id="removed-h"')[1]
    assert "Go-live" in removed and SECRET in removed and "Deleted" in removed
    golive_row = removed.split(f'data-baseline-row="{plan.golive.pk}"')[1].split("</tr>")[0]
    assert plan.golive.finish is not None and plan.golive.finish.strftime("%Y-%m-%d") in golive_row
    for kind in CLIENTS:
        body = client_for(plan.world, kind).get(url("plan_baseline_compare", baseline.pk)).content.decode()
        assert "Go-live" in body.split('id="removed-h"')[1] and SECRET not in body
