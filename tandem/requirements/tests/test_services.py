"""Writing requirements: creation, versions, the confirmed lock, status, confirmation, order, links."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.core.choices import Visibility
from tandem.core.errors import ConflictError
from tandem.core.models import Activity
from tandem.requirements import services
from tandem.requirements.choices import RequirementStatus, Source
from tandem.requirements.models import Requirement, RequirementConfirmation, RequirementVersion, TraceLink

from .conftest import Backlog

S = RequirementStatus


def test_it_numbers_codes_and_writes_version_one(backlog: Backlog) -> None:
    assert [backlog.login.code, backlog.report.code, backlog.margin.code] == ["REQ-001", "REQ-002", "REQ-003"]
    assert backlog.login.status == S.DRAFT and backlog.login.current_version == 1
    v1 = RequirementVersion.objects.get(requirement=backlog.login, number=1)
    assert v1.acceptance_criteria == ["Login with AD works", "Logout ends the session"]
    assert [r.rank for r in (backlog.login, backlog.report, backlog.margin)] == [0, 1, 2]


def test_a_client_submission_is_a_shared_draft_with_its_requester(backlog: Backlog) -> None:
    world = backlog.world
    req = services.do_create_requirement(
        world.project, actor=world.reviewer, title="Export to Excel", description="Please"
    )
    assert req.visibility == Visibility.SHARED and req.status == S.DRAFT
    assert req.requester == world.reviewer and req.source == Source.CLIENT_REQUEST
    with pytest.raises(ValidationError) as err:
        services.do_create_requirement(world.project, actor=world.reviewer, title="X", owner_id=world.pm.pk)
    assert "owner_id" in err.value.message_dict


def test_viewers_may_not_submit(backlog: Backlog) -> None:
    for who in ("client_viewer", "team_viewer"):
        with pytest.raises(PermissionDenied):
            services.do_create_requirement(backlog.world.project, actor=backlog.world.people[who], title="X")


def test_bad_input_names_the_field(backlog: Backlog) -> None:
    project, pm = backlog.world.project, backlog.world.pm
    cases = [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "ok", "priority": "urgent"}, "priority"),
        ({"title": "ok", "acceptance_criteria": [1, 2]}, "acceptance_criteria"),
        ({"title": "ok", "acceptance_criteria": {"a": 1}}, "acceptance_criteria"),
        ({"title": "ok", "owner_id": backlog.world.people["other_client"].pk}, "owner_id"),
        ({"title": "ok", "owner_id": "abc"}, "owner_id"),
        ({"title": "ok", "source": "rumour"}, "source"),
        ({"title": "a\x00b"}, "title"),
        ({"title": "ok", "code": "REQ-9"}, "code"),
    ]
    for data, field in cases:
        with pytest.raises(ValidationError) as err:
            services.do_create_requirement(project, actor=pm, **data)
        assert field in err.value.message_dict, (data, err.value.message_dict)
    assert Requirement.objects.filter(project=project).count() == 3


def test_every_edit_makes_a_version(backlog: Backlog) -> None:
    pm = backlog.world.pm
    req = services.do_revise_requirement(
        backlog.login, actor=pm, version=1, reason="Clarified", description="Staff sign in with AD or SMS."
    )
    assert req.current_version == 2 and req.version == 2
    v2 = RequirementVersion.objects.get(requirement=req, number=2)
    assert (
        v2.description == "Staff sign in with AD or SMS." and v2.reason == "Clarified" and v2.created_by == pm
    )
    # Nothing changed: no new version.
    same = services.do_revise_requirement(
        req, actor=pm, version=2, description="Staff sign in with AD or SMS."
    )
    assert same.current_version == 2


def test_a_stale_edit_is_a_conflict(backlog: Backlog) -> None:
    pm = backlog.world.pm
    services.do_revise_requirement(backlog.login, actor=pm, version=1, title="SSO")
    with pytest.raises(ConflictError) as err:
        services.do_revise_requirement(backlog.login, actor=pm, version=1, title="SSO 2")
    assert err.value.current_version == 2
    with pytest.raises(ValidationError):
        services.do_revise_requirement(backlog.login, actor=pm, version=None, title="SSO 3")


def test_once_confirmed_content_changes_need_a_change_request(backlog: Backlog) -> None:
    world = backlog.world
    services.do_confirm_requirement(backlog.login, actor=world.client_pm, version_number=1, comment="OK")
    req = Requirement.objects.get(pk=backlog.login.pk)
    assert req.status == S.CONFIRMED
    for field, value in (
        ("description", "new"),
        ("priority", "could"),
        ("acceptance_criteria", ["only one"]),
    ):
        with pytest.raises(ValidationError) as err:
            services.do_revise_requirement(req, actor=world.pm, version=req.version, **{field: value})
        assert field in err.value.message_dict and "change request" in err.value.message_dict[field][0]
    # The title and the owner are not change-controlled.
    req = services.do_revise_requirement(
        req, actor=world.pm, version=req.version, title="SSO", owner_id=world.lead.pk
    )
    # The change-control app applies an approved change with its reference, whoever approved it.
    req = services.do_revise_requirement(
        req,
        actor=world.sponsor,
        version=req.version,
        change_ref="CR-004",
        priority="could",
        reason="Approved",
    )
    assert req.priority == "could" and req.status == S.CONFIRMED
    last = req.versions.order_by("-number").first()
    assert last is not None and last.change_ref == "CR-004" and last.number == req.current_version == 3


def test_confirmation_records_who_which_version_and_refuses_stale_or_unentitled(backlog: Backlog) -> None:
    world = backlog.world
    services.do_revise_requirement(backlog.login, actor=world.pm, version=1, title="SSO v2")
    with pytest.raises(PermissionDenied):
        services.do_confirm_requirement(backlog.login, actor=world.pm, version_number=2)
    with pytest.raises(ConflictError):
        services.do_confirm_requirement(backlog.login, actor=world.reviewer, version_number=1)
    confirmation = services.do_confirm_requirement(backlog.login, actor=world.reviewer, version_number=2)
    assert (confirmation.version_number, confirmation.confirmed_by) == (2, world.reviewer)
    with pytest.raises(ValidationError):
        services.do_confirm_requirement(backlog.login, actor=world.client_pm, version_number=2)
    assert Activity.objects.filter(verb="confirmed", target_id=str(backlog.login.pk)).count() == 1


def test_status_moves_follow_the_allowed_transitions(backlog: Backlog) -> None:
    pm = backlog.world.pm
    req = services.do_change_status(backlog.report, actor=pm, status=S.IN_REVIEW, version=1)
    with pytest.raises(ValidationError) as err:
        services.do_change_status(req, actor=pm, status=S.CONFIRMED, version=req.version)
    assert "status" in err.value.message_dict
    with pytest.raises(ValidationError):
        services.do_change_status(req, actor=pm, status=S.DELIVERED, version=req.version)
    with pytest.raises(ValidationError):
        services.do_change_status(req, actor=pm, status="nonsense", version=req.version)
    with pytest.raises(PermissionDenied):
        services.do_change_status(req, actor=backlog.world.client_pm, status=S.WITHDRAWN, version=req.version)
    req = services.do_change_status(req, actor=pm, status=S.WITHDRAWN, version=req.version)
    assert req.status == S.WITHDRAWN


def test_reorder_keeps_internal_requirements_in_place_and_is_audited(backlog: Backlog) -> None:
    world = backlog.world
    # The client PM (joint preset) sees the two shared ones only and swaps them.
    services.do_reorder_requirements(
        world.project, actor=world.client_pm, order=[backlog.report.pk, backlog.login.pk]
    )
    ranks = dict(Requirement.objects.values_list("code", "rank"))
    assert ranks == {"REQ-001": 1, "REQ-002": 0, "REQ-003": 2}
    activity = Activity.objects.filter(verb="reordered").first()
    assert activity is not None and activity.changes["order"][1] == ["REQ-002", "REQ-001"]
    with pytest.raises(PermissionDenied):
        services.do_reorder_requirements(world.project, actor=world.member, order=[backlog.login.pk])
    with pytest.raises(ValidationError):
        services.do_reorder_requirements(world.project, actor=world.client_pm, order=[backlog.margin.pk])
    with pytest.raises(ValidationError):
        services.do_reorder_requirements(world.project, actor=world.pm, order=["x"])
    with pytest.raises(ValidationError):
        services.do_reorder_requirements(world.project, actor=world.pm, order=[backlog.login.pk] * 2)
    services.do_move_requirement(backlog.margin, actor=world.pm, direction="up")
    assert list(Requirement.objects.order_by("rank").values_list("code", flat=True)) == [
        "REQ-002",
        "REQ-003",
        "REQ-001",
    ]


def test_links_need_a_visible_task_of_the_project(backlog: Backlog) -> None:
    world = backlog.world
    services.do_link_task(backlog.login, actor=world.member, task_id=backlog.build.pk)
    with pytest.raises(ValidationError):
        services.do_link_task(backlog.login, actor=world.member, task_id=backlog.build.pk)
    with pytest.raises(ValidationError):
        services.do_link_task(backlog.login, actor=world.member, task_id=999999)
    with pytest.raises(PermissionDenied):
        services.do_link_task(backlog.login, actor=world.reviewer, task_id=backlog.build.pk)
    services.do_unlink_task(backlog.login, actor=world.pm, task_id=backlog.build.pk)
    assert not TraceLink.objects.exists()
    with pytest.raises(ValidationError):
        services.do_unlink_task(backlog.login, actor=world.pm, task_id=backlog.build.pk)


def test_notes_become_drafts_one_per_bullet_with_sub_bullets_as_criteria(backlog: Backlog) -> None:
    world = backlog.world
    notes = """Workshop with the store managers, 12 March

- Stock levels visible per store
    - Updated every 15 minutes
    - Shows reserved stock
* 门店可以发起调拨
Some prose that is not a requirement.
1. Price changes pushed overnight
"""
    made = services.do_requirements_from_notes(
        world.project, actor=world.pm, text=notes, source=Source.WORKSHOP, source_note="Workshop 12 March"
    )
    assert [r.title for r in made] == [
        "Stock levels visible per store",
        "门店可以发起调拨",
        "Price changes pushed overnight",
    ]
    assert made[0].acceptance_criteria == ["Updated every 15 minutes", "Shows reserved stock"]
    assert {r.status for r in made} == {S.DRAFT} and [r.code for r in made] == [
        "REQ-004",
        "REQ-005",
        "REQ-006",
    ]
    with pytest.raises(ValidationError) as err:
        services.do_requirements_from_notes(world.project, actor=world.pm, text="no bullets here")
    assert "text" in err.value.message_dict


def test_import_is_all_or_nothing(backlog: Backlog) -> None:
    world = backlog.world
    rows = [{"title": "Loyalty points"}, {"title": ""}]
    with pytest.raises(ValidationError) as err:
        services.do_import_candidates(world.project, actor=world.pm, rows=rows)
    assert "rows.2.title" in err.value.message_dict
    assert Requirement.objects.count() == 3
    made = services.do_import_candidates(
        world.project,
        actor=world.pm,
        rows=[{"title": "Loyalty points", "priority": "must"}, {"title": "Gift cards"}],
    )
    assert [r.source for r in made] == [Source.SURVEY, Source.SURVEY]
    with pytest.raises(PermissionDenied):
        services.do_import_candidates(world.project, actor=world.reviewer, rows=rows)
    with pytest.raises(ValidationError):
        services.do_import_candidates(world.project, actor=world.pm, rows=[{"title": "x", "owner_id": 1}])


def test_client_pm_edits_only_when_the_client_acts_as_pm(backlog: Backlog) -> None:
    world = backlog.world
    with pytest.raises(PermissionDenied):
        services.do_revise_requirement(backlog.report, actor=world.client_pm, version=1, title="X")
    mine = services.do_create_requirement(world.project, actor=world.client_pm, title="Mine")
    mine = services.do_revise_requirement(mine, actor=world.client_pm, version=1, title="Mine, clearer")
    assert mine.current_version == 2
    assert RequirementConfirmation.objects.count() == 0
