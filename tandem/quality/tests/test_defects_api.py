"""The defect, coverage and quality-figure API, called as every kind of viewer, and what each side reads."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.core.choices import Visibility
from tandem.quality.choices import DefectStatus
from tandem.quality.defect_services import do_move_defect, do_update_defect
from tandem.quality.defects import do_file_defect
from tandem.quality.models import Defect, TestCase, TestCycle, TestRun
from tandem.requirements.models import Requirement
from tandem.testing.api import MEMBERS_READ, TEAM_READS, Caller, Case, matrix_test, world_fixture
from tandem.testing.personas import World

P = "/projects/ERP"
SECRET = "Triage: the vendor's caching layer"
FILERS = "401 404 404 403 201 201 201 201"
TEAM_ONLY = "401 404 404 404 404 404 200 200"
#: The reporter (the client PM) and the team; not the sponsor nor a viewer.
REPORTER_OR_TEAM = "401 404 404 403 200 403 200 200"
TRIAGE = "401 404 404 403 403 403 200 200"

CASES = [
    Case("defects.list", "GET", f"{P}/defects", MEMBERS_READ),
    Case(
        "defects.list-filtered",
        "GET",
        f"{P}/defects?search=DEF&status=new&open=true&severity=major&priority=medium&mine=true&limit=5",
        MEMBERS_READ,
    ),
    Case("defects.export-csv", "GET", f"{P}/defects/export?format=csv", MEMBERS_READ),
    Case("defects.export-xlsx", "GET", f"{P}/defects/export?format=xlsx&open=true", MEMBERS_READ),
    Case("defects.create", "POST", f"{P}/defects", FILERS, {"title": "Totals wrong", "severity": "minor"}),
    Case("defects.detail-shared", "GET", P + "/defects/{shared}", MEMBERS_READ),
    Case("defects.detail-internal", "GET", P + "/defects/{internal}", TEAM_READS),
    Case(
        "defects.update-shared",
        "PATCH",
        P + "/defects/{shared}",
        REPORTER_OR_TEAM,
        {"version": 1, "title": "Totals are wrong"},
    ),
    Case(
        "defects.update-internal",
        "PATCH",
        P + "/defects/{internal}",
        TEAM_ONLY,
        {"version": 1, "priority": "high"},
    ),
    Case(
        "defects.move-confirm",
        "POST",
        P + "/defects/{shared}/move",
        TRIAGE,
        {"to": "confirmed", "version": 1},
    ),
    Case(
        "defects.move-close-new",
        "POST",
        P + "/defects/{shared}/move",
        REPORTER_OR_TEAM,
        {"to": "closed", "version": 1, "resolution": "Duplicate"},
    ),
    Case(
        "defects.move-verify",
        "POST",
        P + "/defects/{fixed}/move",
        REPORTER_OR_TEAM,
        {"to": "verified", "version": 4},
    ),
    Case("quality.coverage", "GET", f"{P}/quality/coverage", MEMBERS_READ),
    Case("quality.coverage-gaps", "GET", f"{P}/quality/coverage?gaps=true&limit=10&offset=0", MEMBERS_READ),
    Case("quality.coverage-export", "GET", f"{P}/quality/coverage/export?format=xlsx", MEMBERS_READ),
    Case("quality.metrics", "GET", f"{P}/quality/metrics", MEMBERS_READ),
]


def seed(world: World) -> dict[str, Any]:
    """A client's new defect, an internal defect with a triage note, a shared defect the team fixed."""
    project = world.project
    requirement = Requirement.objects.create(project=project, code="REQ-001", title="Invoices")
    hidden = Requirement.objects.create(
        project=project, code="REQ-002", title="Secret tuning", visibility=Visibility.INTERNAL
    )
    case = TestCase.objects.create(project=project, code="TC-001", title="Invoice totals")
    case.requirements.set([requirement])
    cycle = TestCycle.objects.create(project=project, name="System 1")
    TestRun.objects.create(cycle=cycle, case=case)
    shared = do_file_defect(
        project,
        actor=world.client_pm,
        data={"title": "Invoice total wrong", "requirement_id": requirement.pk},
    )
    internal = do_file_defect(
        project,
        actor=world.member,
        data={"title": "Flaky build", "visibility": Visibility.INTERNAL, "internal_note": SECRET},
    )
    fixed = do_file_defect(
        project,
        actor=world.client_pm,
        data={"title": "Export breaks"},
    )
    fixed = do_update_defect(fixed, actor=world.pm, version=1, internal_note=SECRET, requirement_id=hidden.pk)
    fixed = do_move_defect(fixed, actor=world.member, version=2, to=DefectStatus.CONFIRMED)
    fixed = do_move_defect(fixed, actor=world.member, version=3, to=DefectStatus.FIXED)
    return {"shared": shared.pk, "internal": internal.pk, "fixed": fixed.pk, "hidden": hidden.pk}


api_world = world_fixture(seed)

test_it_answers_each_viewer_as_the_matrix_says = matrix_test(CASES)


def test_a_client_never_reads_the_triage_note_nor_an_internal_defect(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    for viewer in ("client_viewer", "client_pm", "sponsor"):
        caller = Caller(world, viewer)
        for case in (c for c in CASES if c.method == "GET"):
            text = caller.get(case.path.format(**ids)).content.decode("utf-8", errors="replace")
            for secret in (SECRET, "Flaky build", "internal_note", "Secret tuning"):
                assert secret not in text, f"{case.name} as {viewer}: {secret}"
        feed = caller.get(f"{P}/activity?limit=200").content.decode()
        assert SECRET not in feed and "Flaky build" not in feed
        listed = caller.get(f"{P}/defects").json["items"]
        assert {d["title"] for d in listed} == {"Invoice total wrong", "Export breaks"}
        assert all("internal_note" not in d for d in listed)
        fixed = caller.get(f"{P}/defects/{ids['fixed']}").json
        assert fixed["requirement_id"] is None  # an internal requirement is not named to a client
    team = Caller(world, "member")
    assert SECRET in team.get(f"{P}/activity?limit=200").content.decode()
    assert team.get(f"{P}/defects/{ids['fixed']}").json["internal_note"] == SECRET
    assert team.get(f"{P}/defects/{ids['fixed']}").json["requirement_id"] == ids["hidden"]
    assert SECRET in team.get(f"{P}/defects/export?format=csv").content.decode()
    assert {d["title"] for d in team.get(f"{P}/defects").json["items"]} == {
        "Invoice total wrong",
        "Export breaks",
        "Flaky build",
    }


def test_a_move_outside_the_workflow_is_a_422_naming_to(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    pm = Caller(world, "pm")
    response = pm.call("POST", f"{P}/defects/{ids['shared']}/move", {"to": "verified", "version": 1})
    assert response.status == 422 and "to" in response.text
    assert "Confirmed" in response.text and "Closed" in response.text
    response = pm.call("POST", f"{P}/defects/{ids['shared']}/move", {"to": "closed", "version": 1})
    assert response.status == 422 and "resolution" in response.text
    response = pm.call("POST", f"{P}/defects/{ids['shared']}/move", {"to": "bogus", "version": 1})
    assert response.status == 422 and "to" in response.text
    response = pm.call("POST", f"{P}/defects/{ids['shared']}/move", {"to": "confirmed", "version": 7})
    assert response.status == 409
    response = pm.call("PATCH", f"{P}/defects/{ids['shared']}", {"version": 1, "requirement_id": 999_999})
    assert response.status == 422 and "requirement_id" in response.text
    client = Caller(world, "client_pm")
    response = client.call("PATCH", f"{P}/defects/{ids['shared']}", {"version": 1, "internal_note": "x"})
    assert response.status == 422 and "internal_note" in response.text
    assert Defect.objects.get(pk=ids["shared"]).status == DefectStatus.NEW


def test_the_list_reads_a_fixed_number_of_queries(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, _ids = api_world
    pm = Caller(world, "pm")

    def add(n: int) -> None:
        for i in range(n):
            defect = do_file_defect(world.project, actor=world.pm, data={"title": f"Bulk {i}"})
            do_update_defect(defect, actor=world.pm, version=1, assignee_id=world.member.pk)

    add(1)  # 3 rows + this one
    with CaptureQueriesContext(connection) as few:
        assert pm.get(f"{P}/defects").status == 200
    add(26)  # 30 rows
    with CaptureQueriesContext(connection) as many:
        body = pm.get(f"{P}/defects?limit=50").json
    assert body["count"] == 30
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as coverage:
        assert pm.get(f"{P}/quality/coverage").status == 200
    assert len(coverage) <= len(few) + 4


def test_the_metrics_of_a_client_count_shared_records(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, _ids = api_world
    team = Caller(world, "pm").get(f"{P}/quality/metrics").json
    client = Caller(world, "client_pm").get(f"{P}/quality/metrics").json
    assert team["shared_only"] is False and client["shared_only"] is True
    assert sum(team["open_defects"].values()) == 3
    assert sum(client["open_defects"].values()) == 2
    coverage = Caller(world, "client_pm").get(f"{P}/quality/coverage").json
    assert [r["requirement"]["code"] for r in coverage["items"]] == ["REQ-001"]
    assert coverage["items"][0]["gaps"] == ["not_run"]
