"""The write side: permissions, version checks, cycles, calendars, baselines and the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.core.errors import ConflictError
from tandem.core.models import Activity
from tandem.planning import services
from tandem.planning.models import Baseline, Dependency, Task
from tandem.projects import services as project_services
from tandem.projects.choices import DecisionPreset

from .conftest import DAY, Plan, at


def test_an_update_based_on_a_stale_version_conflicts(plan: Plan) -> None:
    pm = plan.world.pm
    services.do_update_task(plan.design, version=1, actor=pm, name="Design v2")
    with pytest.raises(ConflictError) as caught:
        services.do_update_task(plan.design, version=1, actor=pm, name="Design v3")
    assert caught.value.current_version == 2
    assert Task.objects.get(pk=plan.design.pk).name == "Design v2"


def test_a_version_is_required(plan: Plan) -> None:
    with pytest.raises(ValidationError) as caught:
        services.do_update_task(plan.design, version=None, actor=plan.world.pm, name="x")
    assert "version" in caught.value.message_dict


def test_changing_a_duration_reschedules_the_successors(plan: Plan) -> None:
    services.do_update_task(plan.design, version=1, actor=plan.world.pm, duration_minutes=4 * DAY)
    assert Task.objects.get(pk=plan.build.pk).start == at(2026, 1, 9, 8)
    assert Task.objects.get(pk=plan.golive.pk).finish == at(2026, 1, 13, 17)


def test_a_link_closing_a_loop_is_refused_with_the_tasks_named(plan: Plan) -> None:
    with pytest.raises(ValidationError) as caught:
        services.do_add_dependency(
            plan.world.project,
            predecessor_id=plan.golive.pk,
            successor_id=plan.design.pk,
            actor=plan.world.pm,
        )
    message = " ".join(caught.value.message_dict["predecessor_id"])
    assert "Go-live" in message and "Design" in message and "Build" in message
    assert not Dependency.objects.filter(predecessor=plan.golive).exists()


def test_a_link_to_its_own_summary_or_twice_is_refused(plan: Plan) -> None:
    pm, project = plan.world.pm, plan.world.project
    with pytest.raises(ValidationError):
        services.do_add_dependency(
            project, predecessor_id=plan.phase.pk, successor_id=plan.design.pk, actor=pm
        )
    with pytest.raises(ValidationError):
        services.do_add_dependency(
            project, predecessor_id=plan.design.pk, successor_id=plan.build.pk, actor=pm
        )


def test_removing_a_link_frees_the_successor(plan: Plan) -> None:
    link = Dependency.objects.get(predecessor=plan.design, successor=plan.build)
    services.do_remove_dependency(link, actor=plan.world.pm)
    assert Task.objects.get(pk=plan.build.pk).start == at(2026, 1, 5, 8)


def test_moving_a_bar_sets_a_start_no_earlier_than(plan: Plan) -> None:
    build = services.do_move_task(
        plan.build, version=plan.build.version, actor=plan.world.pm, start=at(2026, 1, 12, 8)
    )
    assert build.constraint_type == "SNET" and build.start == at(2026, 1, 12, 8)


def test_moving_in_the_wbs_renumbers(plan: Plan) -> None:
    moved = services.do_move_task(
        plan.build, version=plan.build.version, actor=plan.world.pm, parent_id=None, position=0
    )
    assert moved.wbs == "1" and Task.objects.get(pk=plan.phase.pk).wbs == "2"
    with pytest.raises(ValidationError):
        services.do_move_task(
            plan.phase, version=plan.phase.version, actor=plan.world.pm, parent_id=plan.design.pk
        )


def test_deleting_a_summary_deletes_its_subtasks(plan: Plan) -> None:
    services.do_delete_task(plan.phase, version=plan.phase.version, actor=plan.world.pm)
    assert list(Task.objects.filter(project=plan.world.project).values_list("name", flat=True)) == ["Go-live"]


def test_invalid_input_names_the_field(plan: Plan) -> None:
    pm, project = plan.world.pm, plan.world.project
    cases = [
        ({"name": "x", "constraint_type": "MSO"}, "constraint_date"),
        ({"name": "x", "optimistic_minutes": 10, "most_likely_minutes": 5}, "optimistic_minutes"),
        ({"name": "x", "owner_id": plan.world.outsider.pk}, "owner_id"),
        ({"name": "x", "parent_id": plan.golive.pk}, "parent_id"),
        ({"name": "x", "manual": True}, "start"),
        ({"name": ""}, "name"),
        ({"name": "x", "colour": "red"}, "colour"),
    ]
    for data, field in cases:
        with pytest.raises(ValidationError) as caught:
            services.do_add_task(project, actor=pm, **data)
        assert field in caught.value.message_dict, (data, caught.value.message_dict)


def test_who_may_edit_the_plan(plan: Plan) -> None:
    world = plan.world
    for who in ("member", "client_pm", "sponsor", "client_viewer", "team_viewer"):
        with pytest.raises(PermissionDenied):
            services.do_add_task(world.project, actor=world.people[who], name="x")
    services.do_add_task(world.project, actor=world.lead, name="by the lead")


def test_the_client_pm_edits_the_plan_when_the_client_acts_as_pm(plan: Plan) -> None:
    world = plan.world
    project = project_services.do_apply_decision_preset(
        world.project, preset=DecisionPreset.CLIENT_AS_PM, actor=world.pm
    )
    task = services.do_add_task(project, actor=world.client_pm, name="Client task", duration_minutes=DAY)
    assert task.visibility == "shared"
    with pytest.raises(ValidationError):
        services.do_add_task(project, actor=world.client_pm, name="hidden", visibility="internal")
    with pytest.raises(ValidationError):  # the client cannot link to what it cannot see
        services.do_add_dependency(
            project, predecessor_id=plan.secret.pk, successor_id=task.pk, actor=world.client_pm
        )
    phase = Task.objects.select_related("project").get(pk=plan.phase.pk)
    with pytest.raises(PermissionDenied):  # the phase holds internal work
        services.do_delete_task(phase, version=plan.phase.version, actor=world.client_pm)


def test_the_owner_reports_progress_without_editing_rights(plan: Plan) -> None:
    world = plan.world
    task = services.do_update_task(plan.design, version=1, actor=world.pm, owner_id=world.member.pk)
    task = services.do_update_task(task, version=task.version, actor=world.member, percent_complete=50)
    assert task.status == "in_progress" and task.actual_start == task.start
    with pytest.raises(PermissionDenied):
        services.do_update_task(task, version=task.version, actor=world.member, name="renamed")
    done = services.do_update_task(task, version=task.version, actor=world.member, status="done")
    assert done.percent_complete == 100 and done.actual_finish is not None


def test_every_change_is_audited_with_the_task_visibility(plan: Plan) -> None:
    services.do_update_task(plan.secret, version=1, actor=plan.world.pm, name="Margin review 2")
    record = Activity.objects.filter(target_id=str(plan.secret.pk), verb="updated").get()
    assert record.visibility == "internal" and record.changes["name"] == ["Margin review", "Margin review 2"]
    link = Activity.objects.filter(verb="linked", target_label__contains="Margin").get()
    assert link.visibility == "internal"
    assert Activity.objects.filter(verb="linked", visibility="shared").count() == 2


def test_a_calendar_holiday_moves_the_work(plan: Plan) -> None:
    services.do_set_calendar(
        plan.world.project,
        actor=plan.world.pm,
        exceptions=[
            {"name": "Company day", "start": dt.date(2026, 1, 5), "end": dt.date(2026, 1, 5)},
        ],
    )
    assert Task.objects.get(pk=plan.design.pk).start == at(2026, 1, 6, 8)
    services.do_set_calendar(
        plan.world.project,
        actor=plan.world.pm,
        exceptions=[
            {
                "name": "Saturday worked",
                "start": dt.date(2026, 1, 10),
                "working": True,
                "hours": "09:00-13:00",
            },
        ],
    )
    assert Task.objects.get(pk=plan.golive.pk).finish == at(2026, 1, 9, 17)
    with pytest.raises(ValidationError) as caught:
        services.do_set_calendar(plan.world.project, actor=plan.world.pm, hours="17:00-08:00")
    assert "hours" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.do_set_calendar(plan.world.project, actor=plan.world.pm, working_weekdays=[7])
    assert "working_weekdays" in caught.value.message_dict


def test_a_task_calendar_overrides_the_project_calendar(plan: Plan) -> None:
    pm = plan.world.pm
    seven = services.do_add_calendar(
        plan.world.project, actor=pm, name="Seven days", working_weekdays=[0, 1, 2, 3, 4, 5, 6]
    )
    task = services.do_add_task(
        plan.world.project, actor=pm, name="Cutover", duration_minutes=7 * DAY, calendar_id=seven.pk
    )
    assert task.finish == at(2026, 1, 11, 17)


def test_baselines_are_saved_and_approved_by_the_right_holder(plan: Plan) -> None:
    world = plan.world
    baseline = services.do_save_baseline(
        world.project, name="Kick-off plan", reason="Agreed at kick-off", actor=world.pm
    )
    assert baseline.rows.count() == 5 and baseline.created_by == world.pm
    with pytest.raises(PermissionDenied):
        services.do_approve_baseline(baseline, actor=world.sponsor)  # joint preset: PM and client PM
    approved = services.do_approve_baseline(baseline, actor=world.client_pm)
    assert approved.approved_by == world.client_pm and approved.is_approved
    with pytest.raises(ValidationError):
        services.do_approve_baseline(approved, actor=world.pm)
    assert Activity.objects.filter(verb="approved baseline").count() == 1
    with pytest.raises(PermissionDenied):
        services.do_save_baseline(world.project, name="x", actor=world.client_pm)
    assert Baseline.objects.count() == 1


def test_deleting_a_task_keeps_its_rows_in_saved_baselines(plan: Plan) -> None:
    world = plan.world
    baseline = services.do_save_baseline(world.project, name="Contract", actor=world.pm)
    services.do_delete_task(plan.golive, version=plan.golive.version, actor=world.pm)
    assert baseline.rows.count() == 5
    row = baseline.rows.get(task_uid=plan.golive.pk)
    assert row.task_id is None and row.task_deleted
    assert (row.name, row.kind, row.wbs) == ("Go-live", "milestone", "2")
    assert row.start == row.finish == at(2026, 1, 9, 17)


def test_baseline_rows_cannot_be_changed(plan: Plan) -> None:
    world = plan.world
    baseline = services.do_save_baseline(world.project, name="Contract", actor=world.pm)
    row = baseline.rows.get(task_uid=plan.design.pk)
    row.finish = at(2027, 1, 1)
    with pytest.raises(TypeError):
        row.save()
    with pytest.raises(TypeError):
        baseline.rows.update(finish=at(2027, 1, 1))
    assert baseline.rows.get(task_uid=plan.design.pk).finish == at(2026, 1, 6, 17)


def test_a_link_type_and_lag_are_changed_in_place_and_the_plan_moves(plan: Plan) -> None:
    world = plan.world
    link = Dependency.objects.get(predecessor=plan.build, successor=plan.golive)
    changed = services.do_update_dependency(link, actor=world.pm, type="SS", lag_minutes=DAY)
    assert (changed.pk, changed.type, changed.lag_minutes) == (link.pk, "SS", DAY)
    # Build starts Wednesday 08:00; go-live one working day (480 working minutes) after that start.
    assert Task.objects.get(pk=plan.golive.pk).finish == at(2026, 1, 7, 17)
    activity = Activity.objects.filter(verb="changed link").get()
    assert activity.changes == {"type": ["FS", "SS"], "lag_minutes": [0, DAY]}


def test_a_link_edit_is_checked_like_a_new_link(plan: Plan) -> None:
    world = plan.world
    project = project_services.do_apply_decision_preset(
        world.project, preset=DecisionPreset.CLIENT_AS_PM, actor=world.pm
    )
    internal = Dependency.objects.get(predecessor=plan.design, successor=plan.secret)
    with pytest.raises(PermissionDenied):
        services.do_update_dependency(internal, actor=world.client_pm, lag_minutes=DAY)
    shared = Dependency.objects.get(predecessor=plan.design, successor=plan.build)
    with pytest.raises(PermissionDenied):
        services.do_update_dependency(shared, actor=world.client_viewer, lag_minutes=DAY)
    with pytest.raises(ValidationError) as bad_lag:
        services.do_update_dependency(shared, actor=world.client_pm, lag_minutes=20_000_000)
    assert "lag_minutes" in bad_lag.value.message_dict
    with pytest.raises(ValidationError) as bad_type:
        services.do_update_dependency(shared, actor=world.client_pm, type="XX")
    assert "type" in bad_type.value.message_dict
    assert services.do_update_dependency(shared, actor=world.client_pm, lag_minutes=DAY).lag_minutes == DAY
    assert project.pk == world.project.pk


def test_a_task_is_neither_linked_to_its_summary_nor_moved_under_itself(plan: Plan) -> None:
    pm, project = plan.world.pm, plan.world.project
    assert plan.phase is not None
    for predecessor, successor in ((plan.phase, plan.build), (plan.build, plan.phase)):
        with pytest.raises(ValidationError) as caught:
            services.do_add_dependency(
                project, predecessor_id=predecessor.pk, successor_id=successor.pk, actor=pm
            )
        assert "successor_id" in caught.value.message_dict
    below = services.do_add_task(project, actor=pm, name="Below build", parent_id=plan.build.pk)
    phase = plan.fresh(plan.phase)
    for parent in (phase, below):
        with pytest.raises(ValidationError) as caught:
            services.do_move_task(phase, version=phase.version, actor=pm, parent_id=parent.pk)
        assert "parent_id" in caught.value.message_dict
    services.do_add_dependency(project, predecessor_id=plan.secret.pk, successor_id=below.pk, actor=pm)
