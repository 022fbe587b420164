"""The defect workflow: who edits what, each allowed and refused move, the reopen count, the resolution
rule, the notifications, and the triage note that never reaches a client."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.accounts.models import User
from tandem.communication.models import Notification, NotificationVerb
from tandem.core.choices import Visibility
from tandem.core.errors import ConflictError
from tandem.core.models import Activity
from tandem.quality.choices import DEFECT_TRANSITIONS, DefectStatus
from tandem.quality.defect_queries import DefectFilters, access_defect, defects_of
from tandem.quality.defect_services import do_move_defect, do_update_defect, moves_for
from tandem.quality.defects import do_file_defect
from tandem.quality.models import Defect
from tandem.testing.personas import World

pytestmark = pytest.mark.django_db

SECRET = "Root cause: the vendor's cache"


def _filed(world: World, who: str = "client_pm", **data: object) -> Defect:
    values = {"title": "Invoice total wrong", **data}
    return do_file_defect(world.project, actor=world.people[who], data=values)


def _move(defect: Defect, who: User, to: str, **how: Any) -> Defect:
    defect.refresh_from_db()
    return do_move_defect(defect, actor=who, version=defect.version, to=to, **how)


def test_the_team_confirms_fixes_and_the_reporter_verifies_and_closes(world: World) -> None:
    defect = _filed(world)
    assert moves_for(world.client_pm, defect) == [DefectStatus.CLOSED]
    assert moves_for(world.member, defect) == [DefectStatus.CONFIRMED, DefectStatus.CLOSED]
    with pytest.raises(PermissionDenied):
        _move(defect, world.client_pm, DefectStatus.CONFIRMED)
    defect = _move(defect, world.member, DefectStatus.CONFIRMED)
    with pytest.raises(PermissionDenied):
        _move(defect, world.client_pm, DefectStatus.FIXED)
    defect = _move(defect, world.member, DefectStatus.FIXED)
    assert defect.fixed_at is not None and defect.closed_at is None
    defect = _move(defect, world.client_pm, DefectStatus.VERIFIED)
    defect = _move(defect, world.client_pm, DefectStatus.CLOSED)
    assert defect.status == DefectStatus.CLOSED and defect.closed_at is not None
    assert defect.reopen_count == 0


def test_reopening_counts_and_clears_the_closing(world: World) -> None:
    defect = _filed(world, "reviewer")
    for who, to in (
        (world.pm, DefectStatus.CONFIRMED),
        (world.pm, DefectStatus.FIXED),
        (world.reviewer, DefectStatus.REOPENED),
        (world.pm, DefectStatus.FIXED),
        (world.reviewer, DefectStatus.VERIFIED),
        (world.reviewer, DefectStatus.CLOSED),
        (world.reviewer, DefectStatus.REOPENED),
    ):
        defect = _move(defect, who, to)
    assert defect.status == DefectStatus.REOPENED
    assert defect.reopen_count == 2 and defect.closed_at is None and defect.fixed_at is not None


@pytest.mark.parametrize(
    ("start", "to"),
    [(s, t) for s in DefectStatus.values for t in DefectStatus.values if t not in DEFECT_TRANSITIONS[s]],
)
def test_a_move_outside_the_table_is_refused_naming_to_and_the_allowed_ones(
    world: World, start: str, to: str
) -> None:
    defect = _filed(world, "member")
    Defect.objects.filter(pk=defect.pk).update(status=start)
    with pytest.raises(ValidationError) as caught:
        _move(defect, world.pm, to, resolution="Duplicate")
    assert "to" in caught.value.error_dict
    message = " ".join(caught.value.message_dict["to"])
    for allowed in DEFECT_TRANSITIONS[start]:
        assert str(DefectStatus(allowed).label) in message
    assert Defect.objects.get(pk=defect.pk).status == start


def test_an_unknown_state_names_to(world: World) -> None:
    defect = _filed(world)
    with pytest.raises(ValidationError) as caught:
        _move(defect, world.pm, "done")
    assert "to" in caught.value.error_dict


def test_closing_a_new_defect_needs_a_resolution(world: World) -> None:
    defect = _filed(world)
    with pytest.raises(ValidationError) as caught:
        _move(defect, world.pm, DefectStatus.CLOSED)
    assert "resolution" in caught.value.error_dict
    assert Defect.objects.get(pk=defect.pk).status == DefectStatus.NEW
    closed = _move(defect, world.pm, DefectStatus.CLOSED, resolution="Duplicate of DEF-009")
    assert closed.resolution == "Duplicate of DEF-009" and closed.closed_at is not None


def test_viewers_and_strangers_make_no_move(world: World) -> None:
    defect = _filed(world)
    for who in ("client_viewer", "team_viewer", "sponsor", "reviewer"):
        assert moves_for(world.people[who], defect) == [], who
        with pytest.raises(PermissionDenied):
            _move(defect, world.people[who], DefectStatus.CLOSED, resolution="x")


def test_a_stale_version_is_a_conflict(world: World) -> None:
    defect = _filed(world)
    with pytest.raises(ConflictError):
        do_move_defect(defect, actor=world.pm, version=defect.version + 1, to=DefectStatus.CONFIRMED)


def test_the_reporter_edits_while_new_and_the_team_edits_everything(world: World) -> None:
    defect = _filed(world)
    defect = do_update_defect(
        defect, actor=world.client_pm, version=defect.version, title="Invoice total off"
    )
    assert defect.title == "Invoice total off"
    for field, value in (
        ("internal_note", "x"),
        ("assignee_id", world.member.pk),
        ("visibility", "internal"),
    ):
        with pytest.raises(ValidationError) as caught:
            do_update_defect(defect, actor=world.client_pm, version=defect.version, **{field: value})
        assert field in caught.value.error_dict
    with pytest.raises(PermissionDenied):
        do_update_defect(defect, actor=world.sponsor, version=defect.version, title="Mine")
    defect = do_update_defect(
        defect,
        actor=world.member,
        version=defect.version,
        severity="critical",
        priority="high",
        assignee_id=world.member.pk,
        internal_note=SECRET,
    )
    assert defect.severity == "critical" and defect.assignee == world.member
    defect = _move(defect, world.member, DefectStatus.CONFIRMED)
    with pytest.raises(PermissionDenied):
        do_update_defect(defect, actor=world.client_pm, version=defect.version, title="Later")


def test_the_triage_note_never_reaches_a_client(world: World) -> None:
    defect = _filed(world)
    defect = do_update_defect(defect, actor=world.pm, version=defect.version, internal_note=SECRET)
    _move(defect, world.pm, DefectStatus.CONFIRMED)
    client_feed = Activity.objects.visible_to(world.client_pm).filter(project=world.project)
    assert client_feed.filter(verb="moved").exists()
    assert SECRET not in json.dumps([a.changes for a in client_feed])
    team_feed = Activity.objects.visible_to(world.pm).filter(project=world.project)
    assert SECRET in json.dumps([a.changes for a in team_feed])
    assert access_defect(world.client_pm, world.project, defect.pk).shown_internal_note is None  # type: ignore[attr-defined]
    assert access_defect(world.pm, world.project, defect.pk).shown_internal_note == SECRET  # type: ignore[attr-defined]


def test_the_reporter_and_the_assignee_hear_of_a_move(world: World) -> None:
    defect = _filed(world)
    defect = do_update_defect(defect, actor=world.pm, version=defect.version, assignee_id=world.member.pk)
    _move(defect, world.pm, DefectStatus.CONFIRMED)
    told = set(
        Notification.objects.filter(verb=NotificationVerb.DEFECT_MOVED).values_list("recipient_id", flat=True)
    )
    assert told == {world.client_pm.pk, world.member.pk}
    _move(defect, world.member, DefectStatus.FIXED)  # the assignee moves it: only the reporter hears
    assert Notification.objects.filter(verb=NotificationVerb.DEFECT_MOVED).count() == 3


def test_a_client_never_hears_of_an_internal_defect(world: World) -> None:
    defect = _filed(world, "member", visibility=Visibility.INTERNAL)
    defect = do_update_defect(defect, actor=world.pm, version=defect.version, assignee_id=world.client_pm.pk)
    _move(defect, world.pm, DefectStatus.CONFIRMED)
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert told == {world.member.pk}


def test_the_list_filters_and_a_client_reads_the_shared_ones(world: World) -> None:
    shared = _filed(world, title="Export breaks")
    internal = _filed(
        world, "member", title="Flaky build", visibility=Visibility.INTERNAL, severity="critical"
    )
    project = world.project
    assert set(defects_of(world.client_pm, project)) == {shared}
    assert set(defects_of(world.pm, project)) == {shared, internal}
    assert list(defects_of(world.pm, project, DefectFilters(search="flaky"))) == [internal]
    assert list(defects_of(world.pm, project, DefectFilters(search=shared.code))) == [shared]
    assert list(defects_of(world.pm, project, DefectFilters(severity="critical"))) == [internal]
    assert list(defects_of(world.client_pm, project, DefectFilters(mine=True))) == [shared]
    assert list(defects_of(world.member, project, DefectFilters(mine=True))) == [internal]
    _move(internal, world.pm, DefectStatus.CLOSED, resolution="Not a defect")
    assert list(defects_of(world.pm, project, DefectFilters(open_only=True))) == [shared]
    assert list(defects_of(world.pm, project, DefectFilters(status="closed"))) == [internal]
