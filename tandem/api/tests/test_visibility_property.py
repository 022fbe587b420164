"""Property: whatever visibility records get, a client never reads an internal one, anywhere.

Hypothesis draws records of every shareable kind, each with a history of visibilities (created
internal and shared later, or the reverse, renamed on the way). Every text a record held while
internal is a secret. The client then reads every list, detail, revision, diff and activity feed
of the API, and no secret may appear in any answer; the team reads them all.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.core.choices import Visibility
from tandem.projects import queries, services
from tandem.testing.personas import World, build_world

from .conftest import Caller

KINDS = ("goals", "kpis", "stakeholders", "deliverables", "notes")
LABEL_FIELD = {
    "goals": "statement",
    "kpis": "name",
    "stakeholders": "name",
    "deliverables": "name",
    "notes": "title",
}
SINGULAR = {"goals": "goal", "kpis": "kpi", "stakeholders": "stakeholder", "deliverables": "deliverable"}

visibilities = st.sampled_from([Visibility.SHARED, Visibility.INTERNAL])
records = st.lists(
    st.tuples(st.sampled_from(KINDS), st.lists(visibilities, min_size=1, max_size=3)),
    min_size=1,
    max_size=8,
)

_labels = itertools.count()


def _label(visibility: str) -> str:
    return f"{'SECRET' if visibility == Visibility.INTERNAL else 'OPEN'}-{next(_labels):05d}-x"


def _apply(world: World, kind: str, history: list[str]) -> tuple[Any, list[str], str]:
    """Create a record and walk it through ``history``; its secrets and its final label."""
    pm, project = world.pm, world.project
    secrets: list[str] = []
    label = _label(history[0])
    if history[0] == Visibility.INTERNAL:
        secrets.append(label)
    if kind == "notes":
        record: Any = services.do_add_note(project, actor=pm, title=label, body=label, visibility=history[0])
    else:
        record = services.do_add_charter_item(
            project, kind=kind, actor=pm, data={LABEL_FIELD[kind]: label, "visibility": history[0]}
        )
    for visibility in history[1:]:
        label = _label(visibility)
        if visibility == Visibility.INTERNAL:
            secrets.append(label)
        record.refresh_from_db()
        if kind == "notes":
            record = services.do_update_note(
                record, actor=pm, version=record.version, title=label, body=label, visibility=visibility
            )
        else:
            record = services.do_update_charter_item(
                record,
                data={LABEL_FIELD[kind]: label, "visibility": visibility},
                version=record.version,
                actor=pm,
            )
    return record, secrets, label


def _detail_path(kind: str, pk: int) -> str:
    if kind == "notes":
        return f"/projects/ERP/notes/{pk}"
    return f"/projects/ERP/charter/{kind}/{pk}"


def _everything(world: World, details: list[str]) -> list[str]:
    revision = queries.charter_of(world.project).revision
    paths = [
        "/projects",
        "/projects/ERP",
        "/projects/ERP/charter",
        "/projects/ERP/charter/sections",
        "/projects/ERP/notes?limit=200",
        "/projects/ERP/activity?limit=200",
        "/activity?limit=200",
        "/projects/ERP/charter/revisions?limit=200",
        "/projects/ERP/charter/changes-since-confirmed",
        "/projects/ERP/charter/confirmations",
        f"/projects/ERP/charter/diff?from_revision=1&to_revision={revision}",
        *[f"/projects/ERP/charter/{kind}?limit=200" for kind in SINGULAR],
        *[f"/projects/ERP/charter/revisions/{n}" for n in range(1, revision + 1)],
    ]
    return paths + details


@pytest.fixture(scope="module")
def property_world(django_db_setup: None, django_db_blocker: Any) -> Any:
    """A world confirmed by the sponsor, kept for the module; each example runs in a savepoint."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = build_world(with_records=False)
            services.do_confirm_charter(
                world.project, revision=queries.charter_of(world.project).revision, actor=world.sponsor
            )
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=records, with_raci=st.booleans())
def test_a_client_never_receives_an_internal_record(
    drawn: list[tuple[str, list[str]]], with_raci: bool, property_world: World, db: None
) -> None:
    world = property_world
    with transaction.atomic():
        made = [(kind, *_apply(world, kind, history)) for kind, history in drawn]
        stakeholders = [record for kind, record, _s, _l in made if kind == "stakeholders"]
        if with_raci and stakeholders:
            for kind, record, _s, _l in made:
                if kind == "deliverables":
                    record.refresh_from_db()
                    cells = {s.pk: ("A" if i == 0 else "C") for i, s in enumerate(stakeholders)}
                    services.do_set_raci(record, cells=cells, version=record.version, actor=world.pm)
        secrets = [s for _k, _r, record_secrets, _l in made for s in record_secrets]
        internal_details = [
            _detail_path(k, r.pk) for k, r, _s, _l in made if r.visibility == Visibility.INTERNAL
        ]
        shared_details = [_detail_path(k, r.pk) for k, r, _s, _l in made if r.visibility == Visibility.SHARED]

        for viewer in ("client_viewer", "client_pm", "sponsor"):
            client = Caller(world, viewer)
            for path in _everything(world, shared_details):
                response = client.get(path)
                assert response.status == 200, f"{viewer} {path}: {response.text[:200]}"
                leaked = [s for s in secrets if s in response.text]
                assert not leaked, f"{viewer} read {leaked} at {path}"
            for path in internal_details:
                assert client.get(path).status == 404, path

        team = Caller(world, "member")
        lists = {kind: team.get(f"/projects/ERP/charter/{kind}?limit=200").text for kind in SINGULAR}
        lists["notes"] = team.get("/projects/ERP/notes?limit=200").text
        for kind, record, _s, label in made:
            assert label in lists[kind], f"the team misses {kind} {label}"
            assert team.get(_detail_path(kind, record.pk)).status == 200
        feed = team.get("/projects/ERP/activity?limit=200").text
        missing = [s for s in secrets if s not in feed]
        assert not missing, f"the team's feed misses {missing}"
        transaction.set_rollback(True)
