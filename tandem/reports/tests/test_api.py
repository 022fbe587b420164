"""The status report API, called as every kind of viewer: drafts never reach a client, sent ones do."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tandem.reports import services
from tandem.testing.api import MEMBERS_READ, TEAM_READS, Caller, Case, matrix_test, world_fixture
from tandem.testing.personas import World

from .conftest import EARLY, make_plan


def team_writers(ok: str) -> str:
    """A draft: the client may not know it exists; the team's writers (the PM here) act on it."""
    return f"401 404 404 404 404 404 403 {ok}"


def writers(ok: str) -> str:
    """Only the PM (of these viewers) writes reports; everyone else on the project is refused."""
    return f"401 404 404 403 403 403 403 {ok}"


P = "/projects/ERP"
V1 = {"version": 1}
CASES = [
    Case("reports.list", "GET", f"{P}/reports?status=&search=Status", MEMBERS_READ),
    Case(
        "reports.generate",
        "POST",
        f"{P}/reports",
        writers("201"),
        {"period_start": "2026-01-05", "period_end": "2026-01-09", "language": "zh-hans"},
    ),
    Case("reports.settings", "GET", f"{P}/report-settings", MEMBERS_READ),
    Case(
        "reports.settings-update",
        "PUT",
        f"{P}/report-settings",
        writers("200"),
        {"require_approval": True, "version": 0},
    ),
    Case("reports.detail-draft", "GET", f"{P}/reports/{{draft}}", TEAM_READS),
    Case("reports.detail-sent", "GET", f"{P}/reports/{{sent}}", MEMBERS_READ),
    Case(
        "reports.edit", "PATCH", f"{P}/reports/{{draft}}", team_writers("200"), {"version": 1, "summary": "x"}
    ),
    # A sent report refuses every change with a conflict, once the caller may write at all.
    Case(
        "reports.edit-sent", "PATCH", f"{P}/reports/{{sent}}", writers("409"), {"version": 2, "summary": "x"}
    ),
    Case("reports.submit", "POST", f"{P}/reports/{{draft}}/submit", team_writers("200"), V1),
    # Joint preset: the PM holds "approve status report".
    Case("reports.approve", "POST", f"{P}/reports/{{awaiting}}/approve", team_writers("200"), {"version": 2}),
    Case("reports.return", "POST", f"{P}/reports/{{awaiting}}/return", team_writers("200"), {"version": 2}),
    Case("reports.send", "POST", f"{P}/reports/{{draft}}/send", team_writers("200"), V1),
    Case("reports.pdf", "GET", f"{P}/reports/{{sent}}/pdf", MEMBERS_READ),
    Case("reports.markdown-draft", "GET", f"{P}/reports/{{draft}}/markdown", TEAM_READS),
    Case("reports.markdown-sent", "GET", f"{P}/reports/{{sent}}/markdown", MEMBERS_READ),
]


def seed(world: World) -> dict[str, Any]:
    """A slipping plan, a draft, a report awaiting approval and a sent one."""
    make_plan(world, slip_days=7)
    pm, project = world.pm, world.project

    def report() -> Any:
        return services.generate_report(
            project,
            period_start=dt.date(2026, 1, 5),
            period_end=dt.date(2026, 1, 9),
            actor=pm,
            now=EARLY,
        )

    draft = report()
    awaiting = services.do_submit_report(report(), actor=pm, version=1)
    sent = services.do_send_report(report(), actor=pm, version=1)
    return {"draft": draft.pk, "awaiting": awaiting.pk, "sent": sent.pk}


api_world = world_fixture(seed)


test_it_answers_each_viewer_as_the_matrix_says = matrix_test(CASES)


def test_a_client_lists_only_sent_reports(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, ids = api_world
    for viewer in ("client_viewer", "sponsor"):
        listed = Caller(world, viewer).get("/projects/ERP/reports").json
        assert [row["id"] for row in listed["items"]] == [ids["sent"]]
    team = Caller(world, "member").get("/projects/ERP/reports").json
    assert {row["id"] for row in team["items"]} == set(ids.values())


def test_bad_input_names_the_field(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, ids = api_world
    pm = Caller(world, "pm")
    backwards = pm.call(
        "POST", "/projects/ERP/reports", {"period_start": "2026-02-01", "period_end": "2026-01-01"}
    )
    assert backwards.status == 422 and "period_end" in backwards.text
    rosier = pm.call(
        "PATCH", f"/projects/ERP/reports/{ids['draft']}", {"version": 1, "rag_override": "green"}
    )
    assert rosier.status == 422 and "rag_override" in rosier.text
    stale = pm.call("PATCH", f"/projects/ERP/reports/{ids['draft']}", {"version": 9, "summary": "x"})
    assert stale.status == 409
    sent = pm.call("POST", f"/projects/ERP/reports/{ids['sent']}/send", {"version": 2})
    assert sent.status == 409 and "can no longer change" in sent.text
