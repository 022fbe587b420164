"""Reading requirements: scoping, search and order, diffs, the traceability matrix, query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from tandem.core.choices import Visibility
from tandem.core.scoping import ClientLens
from tandem.requirements import queries, services
from tandem.requirements.markup import render_markdown
from tandem.requirements.models import RequirementConfirmation, RequirementVersion, TraceLink

from .conftest import Backlog


def test_a_client_never_sees_internal_requirements_their_versions_or_links(backlog: Backlog) -> None:
    world = backlog.world
    services.do_link_task(backlog.login, actor=world.pm, task_id=backlog.build.pk)
    services.do_link_task(backlog.login, actor=world.pm, task_id=backlog.secret.pk)
    services.do_link_task(backlog.margin, actor=world.pm, task_id=backlog.build.pk)
    for who in ("client_viewer", "sponsor", "client_pm"):
        user = world.people[who]
        codes = [r.code for r in queries.requirements_of(user, world.project)]
        assert codes == ["REQ-001", "REQ-002"]
        with pytest.raises(Http404):
            queries.access_requirement(user, world.project, backlog.margin.pk)
        with pytest.raises(Http404):
            queries.access_requirement(user, world.project, "REQ-003")
        assert not RequirementVersion.objects.visible_to(user).filter(requirement=backlog.margin).exists()
        assert [t.name for t in queries.linked_tasks(user, backlog.login)] == ["Build SSO"]
        assert TraceLink.objects.visible_to(user).count() == 1
        row = queries.requirements_of(user, world.project).get(code="REQ-001")
        assert row.task_count == 1
    lens = ClientLens(world.pm)
    assert [r.code for r in queries.requirements_of(lens, world.project)] == ["REQ-001", "REQ-002"]
    assert queries.requirements_of(world.member, world.project).get(code="REQ-001").task_count == 2
    for who in ("other_client", "outsider"):
        assert not queries.requirements_of(world.people[who], world.project).exists()
        with pytest.raises(Http404):
            queries.access_requirement(world.people[who], world.project, "REQ-001")


def test_access_by_code_or_id_and_bad_references(backlog: Backlog) -> None:
    pm, project = backlog.world.pm, backlog.world.project
    assert queries.access_requirement(pm, project, "req-002") == backlog.report
    assert queries.access_requirement(pm, project, str(backlog.report.pk)) == backlog.report
    for bad in ("REQ-999", "abc", "", None, 10**30):
        with pytest.raises(Http404):
            queries.access_requirement(pm, project, bad)


def test_search_filter_and_sort(backlog: Backlog) -> None:
    pm, project = backlog.world.pm, backlog.world.project
    assert [r.code for r in queries.requirements_of(pm, project, search="sales")] == ["REQ-002"]
    assert [r.code for r in queries.requirements_of(pm, project, search="sign in")] == ["REQ-001"]
    assert [r.code for r in queries.requirements_of(pm, project, priority="must")] == ["REQ-001"]
    assert next(r.code for r in queries.requirements_of(pm, project, ordering="-updated")) == "REQ-003"
    by_priority = [r.priority for r in queries.requirements_of(pm, project, ordering="priority")]
    assert by_priority == ["must", "should", "should"]
    assert len(queries.requirements_of(pm, project, ordering="nonsense")) == 3


def test_diff_of_two_versions_is_readable(backlog: Backlog) -> None:
    pm = backlog.world.pm
    services.do_revise_requirement(
        backlog.login,
        actor=pm,
        version=1,
        priority="should",
        acceptance_criteria=["Login with AD works", "Login by SMS code works", "Logout ends the session"],
    )
    diff = queries.diff_versions(pm, backlog.login, 1, 2)
    by_name = {d.name: d for d in diff}
    assert set(by_name) == {"priority", "acceptance_criteria"}
    assert ("+", "2. Login by SMS code works") in by_name["acceptance_criteria"].lines
    assert ("-", "2. Logout ends the session") in by_name["acceptance_criteria"].lines
    assert by_name["priority"].old == "Must have"
    assert queries.diff_versions(pm, backlog.login, 2, 2) == []
    for a, b in ((1, 9), ("x", 1)):
        with pytest.raises(Http404):
            queries.diff_versions(pm, backlog.login, a, b)


def test_traceability_shows_gaps_on_both_sides_per_viewer(backlog: Backlog) -> None:
    world = backlog.world
    services.do_confirm_requirement(backlog.login, actor=world.client_pm, version_number=1)
    services.do_confirm_requirement(backlog.report, actor=world.client_pm, version_number=1)
    services.do_link_task(backlog.report, actor=world.pm, task_id=backlog.secret.pk)
    team = queries.traceability(world.pm, world.project)
    assert [r.code for r in team.gaps] == ["REQ-001"]
    assert [t.name for t in team.untraced_tasks] == ["Build SSO"]  # milestones are not work
    client = queries.traceability(world.client_viewer, world.project)
    # The client does not see the internal task, so for them REQ-002 is not covered either.
    assert [r.code for r in client.gaps] == ["REQ-001", "REQ-002"]
    assert [t.name for t in client.untraced_tasks] == ["Build SSO"]
    assert "Margin dashboard" not in [r.requirement.title for r in client.rows]
    assert (team.confirmed, team.covered) == (2, 1)


def _make(backlog: Backlog, n: int) -> None:
    world = backlog.world
    for i in range(n):
        req = services.do_create_requirement(
            world.project,
            actor=world.pm,
            title=f"R{i}",
            visibility=Visibility.SHARED if i % 2 else Visibility.INTERNAL,
        )
        services.do_link_task(req, actor=world.pm, task_id=backlog.build.pk)
        services.do_confirm_requirement(req, actor=world.client_pm, version_number=1)


@pytest.mark.parametrize("who", ["pm", "client_pm"])
def test_lists_take_the_same_queries_for_3_and_30_rows(backlog: Backlog, who: str) -> None:
    from tandem.requirements.exports import specification

    world = backlog.world
    user = world.people[who]
    counts = []
    for n in (3, 27):
        _make(backlog, n)
        with CaptureQueriesContext(connection) as ctx:
            rows = list(queries.requirements_of(user, world.project))
            [(r.owner, r.requester, r.task_count) for r in rows]
            matrix = queries.traceability(user, world.project)
            [row.tasks for row in matrix.rows]
            spec = specification(user, world.project)
            [(e.confirmations, e.task_names) for e in spec]
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    assert RequirementConfirmation.objects.count() == 30


def test_markdown_is_sanitised() -> None:
    html = render_markdown(
        "**bold** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n[ok](https://a.b)"
    )
    assert "<strong>bold</strong>" in html
    # Raw HTML and script links are shown as text, never as markup.
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html
    assert 'href="https://a.b"' in html
