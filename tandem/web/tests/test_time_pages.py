"""The time pages: the weekly grid, the header timer, the approvals, the cost settings and the export."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.costs import timesheets as services
from tandem.costs.choices import SheetStatus
from tandem.costs.models import CostSettings, RunningTimer, TimeEntry, Timesheet
from tandem.costs.timesheets import cell_key
from tandem.planning import services as planning
from tandem.projects import services as projects
from tandem.projects.choices import Role
from tandem.resources.models import Rate, Resource
from tandem.testing.personas import World, make_user
from tandem.testing.plans import Plan, build_small_plan
from tandem.web.timesheets_forms import format_hours, parse_hours

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 3, 2)
DAYS = [MONDAY + dt.timedelta(days=n) for n in range(7)]


@pytest.fixture
def plan(world: World) -> Plan:
    return build_small_plan(world)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def grid_url(week: dt.date = MONDAY) -> str:
    return f"{reverse('web:timesheet', args=['ERP'])}?week={week.isoformat()}"


def grid_post(tasks, values: dict) -> dict:
    data = {"rows": ",".join(str(t.pk) for t in tasks), "week": MONDAY.isoformat()}
    for task in tasks:
        data[f"billable_{task.pk}"] = "on"
        for day in DAYS:
            data[cell_key(task.pk, day)] = values.get((task.pk, day), "")
    return data


@pytest.mark.parametrize(
    ("text", "minutes"), [("", 0), ("2", 120), ("1.5", 90), ("1,25", 75), ("1:30", 90), ("0:05", 5)]
)
def test_hours_are_read_as_decimals_or_hours_and_minutes(text, minutes):
    assert parse_hours(text) == minutes
    assert parse_hours(format_hours(minutes)) == minutes


@pytest.mark.parametrize("text", ["abc", "-1", "1:75", "nan"])
def test_other_text_is_not_hours(text):
    with pytest.raises(ValueError):
        parse_hours(text)


def test_the_grid_saves_the_week_and_shows_its_totals(world, plan):
    member = signed_in(world.member)
    page = member.get(grid_url() + f"&add={plan.design.pk}&add={plan.build.pk}")
    assert page.status_code == 200 and "Design" in page.content.decode()
    data = grid_post(
        [plan.design, plan.build], {(plan.design.pk, DAYS[0]): "1:30", (plan.build.pk, DAYS[1]): "2.5"}
    )
    data[f"note_{plan.design.pk}"] = "Workshop"
    response = member.post(grid_url(), data)
    assert response.status_code == 302
    assert sorted(TimeEntry.objects.values_list("task_id", "day", "minutes", "note")) == sorted(
        [(plan.design.pk, DAYS[0], 90, "Workshop"), (plan.build.pk, DAYS[1], 150, "")]
    )
    body = member.get(grid_url()).content.decode()
    assert "data-week-total>4</strong>" in body


def test_a_grid_with_one_bad_cell_saves_nothing_and_marks_the_cell(world, plan):
    member = signed_in(world.member)
    data = grid_post(
        [plan.design, plan.build], {(plan.design.pk, DAYS[0]): "2", (plan.build.pk, DAYS[1]): "soon"}
    )
    response = member.post(grid_url(), data)
    assert response.status_code == 400
    assert not TimeEntry.objects.exists()
    body = response.content.decode()
    assert "Type hours as 1.5 or 1:30." in body and 'class="num has-error"' in body
    # Over 24 hours on a day is the service's refusal, on each cell of that day.
    data = grid_post(
        [plan.design, plan.build], {(plan.design.pk, DAYS[0]): "20", (plan.build.pk, DAYS[0]): "5"}
    )
    response = member.post(grid_url(), data)
    assert response.status_code == 400 and response.content.decode().count('class="num has-error"') == 2
    assert not TimeEntry.objects.exists()


def test_the_member_submits_the_week_and_the_pm_approves_it(world, plan):
    member = signed_in(world.member)
    member.post(grid_url(), grid_post([plan.design], {(plan.design.pk, DAYS[0]): "3"}))
    response = member.post(reverse("web:timesheet_submit", args=["ERP"]), {"week": MONDAY.isoformat()})
    assert response.status_code == 302
    sheet = Timesheet.objects.get()
    assert sheet.status == SheetStatus.SUBMITTED
    assert "disabled" in member.get(grid_url()).content.decode()
    pm = signed_in(world.pm)
    approvals = pm.get(reverse("web:time_approvals", args=["ERP"])).content.decode()
    assert "Bob Member" in approvals and "Design: 3 h" in approvals
    pm.post(reverse("web:timesheet_approve", args=["ERP", sheet.pk]), {"version": sheet.version})
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.APPROVED
    assert plan.fresh(plan.design).actual_work_minutes == 180


def test_a_rejection_without_a_reason_is_refused(world, plan):
    services.do_log_time(world.project, actor=world.member, task_id=plan.design.pk, day=MONDAY, minutes=60)
    sheet = services.do_submit_week(world.project, actor=world.member, week=MONDAY)
    pm = signed_in(world.pm)
    url = reverse("web:timesheet_reject", args=["ERP", sheet.pk])
    pm.post(url, {"version": sheet.version, "reason": ""})
    assert Timesheet.objects.get().status == SheetStatus.SUBMITTED
    pm.post(url, {"version": sheet.version, "reason": "Wrong task"})
    assert Timesheet.objects.get().status == SheetStatus.REJECTED
    assert "Wrong task" in signed_in(world.member).get(grid_url()).content.decode()


def test_the_header_timer_starts_runs_on_every_page_and_stops(world, plan):
    member = signed_in(world.member)
    start = reverse("web:timer_start", args=["ERP"])
    response = member.post(start, {"timer-task": plan.design.pk, "timer-note": "Call", "next": "/"})
    assert response.status_code == 302 and RunningTimer.objects.filter(user=world.member).exists()
    RunningTimer.objects.update(started_at=timezone.now() - dt.timedelta(minutes=42))
    for page in (reverse("web:project_list"), reverse("web:notes", args=["ERP"])):
        body = member.get(page).content.decode()
        assert "data-timer-start" in body and "ERP · Design" in body and "web/timer.js" in body
    member.post(start, {"timer-task": plan.build.pk})  # already running: refused, said on the page
    assert RunningTimer.objects.get().task_id == plan.design.pk
    member.post(reverse("web:timer_stop"), {"next": "/"})
    entry = TimeEntry.objects.get()
    assert (entry.task_id, entry.note) == (plan.design.pk, "Call") and 42 <= entry.minutes <= 43
    assert not RunningTimer.objects.exists()
    member.post(start, {"timer-task": plan.build.pk})
    assert 'aria-label="Discard the timer"' in member.get(reverse("web:project_list")).content.decode()
    member.post(reverse("web:timer_discard"), {"next": "/"})
    assert not RunningTimer.objects.exists() and TimeEntry.objects.count() == 1


def test_the_pm_locks_a_period_in_the_cost_settings(world, plan):
    pm = signed_in(world.pm)
    url = reverse("web:cost_settings", args=["ERP"])
    assert pm.get(url).status_code == 200
    response = pm.post(url, {"locked_until": "2026-03-03", "actuals_from_time": "on"})
    assert response.status_code == 302
    assert CostSettings.objects.get().locked_until == dt.date(2026, 3, 3)
    assert pm.post(url, {"locked_until": "not a date"}).status_code == 400


def test_a_client_never_reads_a_cost_on_a_page_or_in_an_export(world, plan):
    CostSettings.objects.create(project=world.project, client_approves_time=True)
    person = Resource.objects.create(organization=world.vendor, name="Bob", user=world.member)
    Rate.objects.create(resource=person, effective_from=dt.date(2026, 1, 1), standard_rate=Decimal("987.65"))
    services.do_log_time(world.project, actor=world.member, task_id=plan.design.pk, day=MONDAY, minutes=60)
    sheet = services.do_submit_week(world.project, actor=world.member, week=MONDAY)
    services.do_approve_timesheet(sheet, version=sheet.version, actor=world.pm)
    client = signed_in(world.client_pm)
    approvals = client.get(reverse("web:time_approvals", args=["ERP"]))
    assert approvals.status_code == 200 and "Design: 1 h" in approvals.content.decode()
    export = client.get(reverse("web:time_export", args=["ERP"]) + "?format=csv")
    assert export.status_code == 200
    # The page's own content (the project's tabs name the Cost section, which holds no figure).
    page = approvals.content.decode().split('<main id="main"', 1)[1]
    for body in (page, export.content.decode("utf-8-sig")):
        assert "987.65" not in body and "98765" not in body and "Cost" not in body
    pm_export = signed_in(world.pm).get(reverse("web:time_export", args=["ERP"]) + "?format=csv")
    assert "Cost" in pm_export.content.decode("utf-8-sig").splitlines()[0]
    # Previewing the client's view, the PM reads no time page at all.
    preview = signed_in(world.pm).get(reverse("web:time_export", args=["ERP"]) + "?format=csv&view=client")
    assert preview.status_code == 403


def count(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_grid_and_the_approvals_read_the_same_queries_for_few_or_many_rows(world, plan):
    extra = [planning.do_add_task(world.project, actor=world.pm, name=f"Extra {i}") for i in range(8)]
    member, pm = signed_in(world.member), signed_in(world.pm)
    approvals = reverse("web:time_approvals", args=["ERP"])
    people = [world.member]

    def fill(tasks, weeks):
        for week in weeks:
            for person in people:
                for task in tasks:
                    services.do_log_time(world.project, actor=person, task_id=task.pk, day=week, minutes=30)
                services.do_submit_week(world.project, actor=person, week=week)

    fill([plan.design, plan.build], [MONDAY])
    few = (count(member, grid_url()), count(pm, approvals))
    people += [make_user(f"dev{i}@acme.test", f"Dev {i}", world.vendor) for i in range(3)]
    for person in people[1:]:
        projects.do_add_member(world.project, user=person, role=Role.MEMBER, actor=world.pm)
    later = [MONDAY + dt.timedelta(days=7 * n) for n in range(1, 4)]
    fill([plan.design, plan.build, *extra], later)
    assert (count(member, grid_url(later[0])), count(pm, approvals)) == few
