"""The one versioned, audited update (tandem.core.updates), through the notes of the personas' project."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.core import updates
from tandem.core.choices import Visibility
from tandem.core.errors import ConflictError
from tandem.core.models import Activity
from tandem.projects import services
from tandem.projects.models import Note
from tandem.testing.personas import World


def _note(world: World, visibility: str) -> Note:
    """A note of the project written by the PM."""
    return services.do_add_note(world.project, actor=world.pm, title="Kick-off", visibility=visibility)


def _last_record(note: Note) -> Activity:
    """The latest audit record about ``note``."""
    return Activity.objects.filter(target_id=str(note.pk), verb="updated").latest("id")


def test_it_records_a_change_of_a_shared_row_as_shared(world: World) -> None:
    note = _note(world, Visibility.SHARED)
    changed = services.do_update_note(note, actor=world.pm, version=note.version, title="Kick-off notes")
    assert changed.version == note.version + 1
    record = _last_record(note)
    assert record.changes == {"title": ["Kick-off", "Kick-off notes"]}
    assert record.visibility == Visibility.SHARED


@pytest.mark.parametrize(("was", "becomes"), [("shared", "internal"), ("internal", "shared")])
def test_a_row_that_changes_sides_is_recorded_as_internal(world: World, was: str, becomes: str) -> None:
    note = _note(world, was)
    services.do_update_note(note, actor=world.pm, version=note.version, visibility=becomes)
    assert _last_record(note).visibility == Visibility.INTERNAL


def test_a_stale_version_is_a_conflict_carrying_the_current_one(world: World) -> None:
    note = _note(world, Visibility.SHARED)
    services.do_update_note(note, actor=world.pm, version=note.version, title="First")
    with pytest.raises(ConflictError) as caught:
        services.do_update_note(note, actor=world.pm, version=note.version, title="Second")
    assert caught.value.current_version == note.version + 1


def test_a_field_outside_the_list_is_refused_by_name(world: World) -> None:
    note = _note(world, Visibility.SHARED)
    with pytest.raises(ValidationError) as caught:
        updates.update_versioned(
            note, {"author_id": world.client_pm.pk}, fields=("title",), version=1, actor=world.pm
        )
    assert set(caught.value.message_dict) == {"author_id"}


def test_it_writes_only_the_columns_that_changed(world: World) -> None:
    note = _note(world, Visibility.SHARED)
    with CaptureQueriesContext(connection) as queries:
        updates.update_versioned(
            note, {"title": "Renamed"}, fields=("title", "body"), version=1, actor=world.pm
        )
    (update,) = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert '"title"' in update and '"version"' in update and '"body"' not in update
