"""Comment counts of listed records: one query for several lists, each counted as its reader may see."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.communication import queries, services
from tandem.core.choices import Visibility
from tandem.testing.personas import World


def test_it_counts_several_lists_with_one_query(world: World) -> None:
    goal, kpi = world.records["goal_shared"], world.records["kpi_shared"]
    stakeholder = world.records["stakeholder_shared"]
    services.do_add_comment(goal, actor=world.pm, body="Agreed with the client.")
    services.do_add_comment(goal, actor=world.pm, body="Team only.", visibility=Visibility.INTERNAL)
    services.do_add_comment(kpi, actor=world.pm, body="Measured weekly.")
    with CaptureQueriesContext(connection) as captured:
        team = queries.comment_counts_of(world.pm, [goal], [kpi], [stakeholder], [])
    assert len(captured) == 1
    assert team == [{goal.pk: 2}, {kpi.pk: 1}, {}, {}]
    # A client counts the shared comments only; the one-list helper agrees.
    assert queries.comment_counts_of(world.sponsor, [goal], [kpi]) == [{goal.pk: 1}, {kpi.pk: 1}]
    assert queries.comment_counts(world.sponsor, [goal]) == {goal.pk: 1}


def test_it_reads_nothing_for_empty_lists(world: World) -> None:
    with CaptureQueriesContext(connection) as captured:
        assert queries.comment_counts_of(world.pm, [], []) == [{}, {}]
    assert len(captured) == 0
