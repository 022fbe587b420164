"""The demo reports: three weekly reports sent on the last three Fridays, loaded once."""

from __future__ import annotations

import datetime as dt

from tandem.reports.choices import ReportStatus
from tandem.reports.demo import last_fridays, load_demo_reports
from tandem.reports.models import StatusReport
from tandem.testing.personas import World

from .conftest import make_plan


def test_the_last_three_fridays_before_today() -> None:
    assert last_fridays(dt.date(2026, 3, 11)) == [
        dt.date(2026, 2, 20),
        dt.date(2026, 2, 27),
        dt.date(2026, 3, 6),
    ]
    assert last_fridays(dt.date(2026, 3, 6))[-1] == dt.date(2026, 2, 27)


def test_it_sends_three_reports_once_in_the_projects_language(world: World) -> None:
    make_plan(world, slip_days=7)
    world.project.language = "zh-hans"
    world.project.save(update_fields=["language"])
    assert load_demo_reports(world.project, today=dt.date(2026, 1, 28)) == 3
    assert load_demo_reports(world.project, today=dt.date(2026, 1, 28)) == 3
    reports = list(StatusReport.objects.filter(project=world.project).order_by("period_end"))
    assert [r.period_end for r in reports] == [
        dt.date(2026, 1, 9),
        dt.date(2026, 1, 16),
        dt.date(2026, 1, 23),
    ]
    assert all(r.status == ReportStatus.SENT and r.language == "zh-hans" for r in reports)
    assert all(r.sent_at and r.sent_at.date() == r.period_end for r in reports)
    assert "集成测试已开始" in reports[-1].sent_html
    assert "Go-live" in reports[-1].sent_markdown
