"""MS Project files in and out: the dry-run contract, imports, hostile files, MSPDI export read back."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import defusedxml.ElementTree as SafeET
import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

import tandem_engine as engine
from tandem.accounts.models import Organization
from tandem.planning import interop, mpxj_bridge, services
from tandem.planning.models import Dependency, Task
from tandem.projects.models import Project
from tandem.testing.personas import World

from .conftest import DAY, Plan

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "msproject"
LINKS_FILE = DATA / "mpxj" / "task-links-project2019-mspdi.xml"
needs_data = pytest.mark.skipif(not LINKS_FILE.exists(), reason=f"reference files not present at {DATA}")
needs_java = pytest.mark.skipif(not mpxj_bridge.java_available(), reason="Java or the mpxj package is absent")
KEYS = [
    "uid",
    "name",
    "start",
    "finish",
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_slack_minutes",
    "critical",
    "work_minutes",
    "cost",
]


def _dry_run_json(path: Path) -> dict[str, object]:
    out = io.StringIO()
    call_command("plan", "import", str(path), "--dry-run", "--json", stdout=out)
    return json.loads(out.getvalue() or "{}")


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    call_command("plan", *args)
    return capsys.readouterr().out


@needs_data
@pytest.mark.parametrize("name", ["mspdirelations.xml", "caltest.xml"])
def test_the_dry_run_prints_ms_projects_dates_and_writes_nothing(
    db: None, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    result = json.loads(_run(capsys, "import", str(DATA / "mpxj" / name), "--dry-run", "--json"))
    assert list(result) == ["tasks"]
    tasks = {t["uid"]: t for t in result["tasks"]}
    assert all(list(t) == KEYS for t in result["tasks"])
    with (DATA / "expected" / f"mpxj__{name}.tasks.csv").open(encoding="utf-8") as handle:
        expected = [
            r for r in csv.DictReader(handle) if r["summary"] == "0" and r["task_mode"] == "AUTO_SCHEDULED"
        ]
    assert expected
    for row in expected:
        got = tasks[int(row["uid"])]
        for field in ("start", "finish", "early_start", "early_finish", "late_start", "late_finish"):
            assert got[field] == row[field] + ":00", (row["uid"], field)
        assert isinstance(got["total_slack_minutes"], int) and isinstance(got["critical"], bool)
    assert Task.objects.count() == 0 and Project.objects.count() == 0


@needs_data
def test_the_dry_run_prints_work_and_cost_computed_from_the_assignments(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    result = json.loads(_run(capsys, "import", str(DATA / "mpxj" / "sample.xml"), "--dry-run", "--json"))
    tasks = {t["uid"]: t for t in result["tasks"]}
    # 'Second Task': 200 h at 50 % of a 10.00/h resource (30.00 per use) and 300 h at 75 % of a
    # 5.00/h one (15.00 per use) on its night-shift calendar; 'First Task' is its summary.
    assert (tasks[2]["work_minutes"], tasks[2]["cost"]) == (30000.0, 2015.0 + 1511.25)
    assert (tasks[1]["work_minutes"], tasks[1]["cost"]) == (30000.0, 3526.25)
    assert (tasks[9]["work_minutes"], tasks[9]["cost"]) == (0.0, 0.0)
    assert tasks[2]["finish"] == "2003-03-18T08:00:00"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b'<Project xmlns="http://schemas.microsoft.com/project"><Name>&b;</Name></Project>',
            "refused",
        ),
        (b'<?xml version="1.0"?><!DOCTYPE p SYSTEM "file:///etc/passwd"><Project/>', "refused"),
        (b"<Project xmlns='http://schemas.microsoft.com/project'><Tasks>", "not well-formed"),
        (b"<html><body>hello</body></html>", "not an MS Project XML"),
        (b"PK\x03\x04 not a spreadsheet either", "not well-formed"),
    ],
)
def test_hostile_or_malformed_files_are_refused_clearly(
    db: None, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "plan.xml"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("plan", "import", str(path), "--dry-run", "--json")


def test_a_huge_file_is_refused_before_parsing(db: None, tmp_path: Path) -> None:
    path = tmp_path / "huge.xml"
    with path.open("wb") as handle:
        handle.seek(interop.MAX_IMPORT_BYTES + 1)
        handle.write(b"\0")
    with pytest.raises(CommandError, match="above the limit"):
        call_command("plan", "import", str(path), "--dry-run", "--json")


def test_an_mpp_without_java_says_so(db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mpxj_bridge, "java_available", lambda: False)
    path = tmp_path / "plan.mpp"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    with pytest.raises(CommandError, match="needs Java"):
        call_command("plan", "import", str(path), "--dry-run", "--json")


@needs_data
@needs_java
def test_an_mpp_file_is_read_through_mpxj(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    result = json.loads(
        _run(capsys, "import", str(DATA / "mpxj" / "task-links-project2019-mpp14.mpp"), "--dry-run", "--json")
    )
    assert len(result["tasks"]) > 5


@needs_data
def test_an_import_creates_a_project_in_one_go(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    dry = {
        t["uid"]: t
        for t in json.loads(_run(capsys, "import", str(LINKS_FILE), "--dry-run", "--json"))["tasks"]
    }
    _run(
        capsys,
        "import",
        str(LINKS_FILE),
        "--code",
        "LINKS",
        "--client",
        "Northwind Retail",
        "--as",
        world.pm.email,
    )
    project = Project.objects.get(code="LINKS")
    tasks = {t.external_uid: t for t in Task.objects.filter(project=project)}
    assert set(tasks) == {uid for uid in dry if uid != 0}
    assert Dependency.objects.filter(project=project).exists()
    for uid, task in tasks.items():
        assert task.start is not None
        local = task.start.astimezone(dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None)
        assert local.isoformat() == dry[uid]["start"], uid


def _looping_file(tmp_path: Path) -> Path:
    """An MSPDI file whose two tasks depend on each other (the import refuses the loop)."""
    path = tmp_path / "loop.xml"
    path.write_bytes(
        b"<Project xmlns='http://schemas.microsoft.com/project'><StartDate>2026-01-05T08:00:00</StartDate>"
        b"<CalendarUID>1</CalendarUID><Calendars><Calendar><UID>1</UID><Name>Standard</Name></Calendar></Calendars>"
        b"<Tasks>"
        b"<Task><UID>1</UID><Name>A</Name><OutlineLevel>1</OutlineLevel><Duration>PT8H0M0S</Duration>"
        b"<PredecessorLink><PredecessorUID>2</PredecessorUID><Type>1</Type></PredecessorLink></Task>"
        b"<Task><UID>2</UID><Name>B</Name><OutlineLevel>1</OutlineLevel><Duration>PT8H0M0S</Duration>"
        b"<PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type></PredecessorLink></Task>"
        b"</Tasks></Project>"
    )
    return path


@pytest.mark.parametrize("client", ["Northwind Retail", "Fabrikam Foods"])
def test_an_import_is_all_or_nothing(world: World, tmp_path: Path, client: str) -> None:
    """A refused file leaves no project behind, nor the new client organization named for it."""
    path = _looping_file(tmp_path)
    organizations = Organization.objects.count()
    with pytest.raises(CommandError, match="loop"):
        call_command(
            "plan", "import", str(path), "--code", "LOOP", "--client", client, "--as", world.pm.email
        )
    assert not Project.objects.filter(code="LOOP").exists()
    assert Organization.objects.count() == organizations
    with pytest.raises(CommandError, match="loop"):
        call_command("plan", "import", str(path), "--dry-run", "--json")


def _plan_with_everything(plan: Plan) -> None:
    pm, project = plan.world.pm, plan.world.project
    services.do_update_task(
        plan.build,
        version=plan.build.version,
        actor=pm,
        constraint_type="SNET",
        constraint_date=dt.datetime(2026, 1, 8, 8),
    )
    services.do_set_calendar(
        project,
        actor=pm,
        exceptions=[{"name": "Founders' day", "start": dt.date(2026, 1, 6), "end": dt.date(2026, 1, 6)}],
    )
    link = Dependency.objects.get(predecessor=plan.build, successor=plan.golive)
    services.do_update_dependency(link, actor=pm, type="SS", lag_minutes=DAY)


def test_the_mspdi_export_reads_back_with_the_same_plan(plan: Plan) -> None:
    _plan_with_everything(plan)
    world = plan.world
    data = interop.export_mspdi(world.pm, world.project)
    back = interop.parse_mspdi(data)
    acts = {a.id: a for a in back.network.activities}
    assert back.names[plan.design.pk] == "Design" and plan.phase.pk in back.summaries
    assert acts[plan.build.pk].constraint.value == "SNET"
    assert acts[plan.build.pk].constraint_date == dt.datetime(2026, 1, 8, 8)
    links = {(lk.predecessor, lk.successor): lk for lk in back.network.links}
    assert (
        links[(plan.build.pk, plan.golive.pk)].type.value == "SS"
        and links[(plan.build.pk, plan.golive.pk)].lag == DAY
    )
    calendar = back.network.calendars[back.network.calendar_id]
    assert any(e.start == dt.date(2026, 1, 6) and not e.working_times for e in calendar.exceptions)
    client_copy = interop.export_mspdi(world.client_viewer, world.project)
    assert b"Margin review" not in client_copy and b"Margin review" in data


@needs_java
def test_mpxj_reads_the_export_back(plan: Plan, tmp_path: Path) -> None:
    _plan_with_everything(plan)
    path = tmp_path / "plan.xml"
    path.write_bytes(interop.export_mspdi(plan.world.pm, plan.world.project))
    read = json.loads(mpxj_bridge.run("describe", str(path)))
    tasks = {t["uid"]: t for t in read["tasks"]}
    ours = list(Task.objects.filter(project=plan.world.project))
    assert {t.pk: t.name for t in ours} == {uid: t["name"] for uid, t in tasks.items()}
    build = tasks[plan.build.pk]
    assert build["constraint_type"] == "START_NO_EARLIER_THAN" and build["constraint_date"].startswith(
        "2026-01-08T08:00"
    )
    assert tasks[plan.design.pk]["duration_minutes"] == 2 * DAY and tasks[plan.golive.pk]["milestone"]
    assert tasks[plan.phase.pk]["summary"]
    preds = {
        (p["uid"], uid, p["type"], p["lag_minutes"]) for uid, t in tasks.items() for p in t["predecessors"]
    }
    assert preds == {
        (plan.design.pk, plan.build.pk, "FS", 0),
        (plan.design.pk, plan.secret.pk, "FS", 0),
        (plan.build.pk, plan.golive.pk, "SS", DAY),
    }
    [calendar] = [c for c in read["calendars"] if c["name"] == read["default_calendar"]]
    assert calendar["working_days"] == ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]
    assert any(e["from"].startswith("2026-01-06") and not e["working"] for e in calendar["exceptions"])


def test_the_csv_export_defuses_formulas(plan: Plan) -> None:
    services.do_update_task(plan.design, version=1, actor=plan.world.pm, name='=HYPERLINK("http://x")')
    rows = list(csv.reader(io.StringIO(interop.export_csv(plan.world.client_viewer, plan.world.project))))
    assert rows[0][:2] == ["wbs", "name"]
    assert rows[2][1].startswith("'=") and len(rows) == 5


def test_a_control_character_is_refused_in_a_task_name(plan: Plan) -> None:
    with pytest.raises(ValidationError) as err:
        services.do_update_task(plan.design, version=1, actor=plan.world.pm, name="Design\x11")
    assert "name" in err.value.message_dict and "U+0011" in err.value.message_dict["name"][0]
    services.do_update_task(plan.design, version=1, actor=plan.world.pm, name="Design\tphase")


def test_every_plan_file_survives_a_control_character_stored_earlier(plan: Plan) -> None:
    world = plan.world
    # A row stored before control characters were refused: written straight through the ORM.
    Task.objects.filter(pk=plan.design.pk).update(name="Design\x11 review\x0b")
    root = SafeET.fromstring(interop.export_mspdi(world.pm, world.project))
    names = [e.text for e in root.iter(f"{{{interop.NS}}}Name")]
    assert "Design\ufffd review\ufffd" in names
    sheet = openpyxl.load_workbook(io.BytesIO(interop.export_xlsx(world.pm, world.project))).active
    assert sheet is not None and sheet["B3"].value == "Design\ufffd review\ufffd"
    assert "Design\ufffd review\ufffd" in interop.export_csv(world.pm, world.project)


def test_the_excel_export_quotes_formulas_as_the_csv_does(plan: Plan) -> None:
    services.do_update_task(plan.design, version=1, actor=plan.world.pm, name="@SUM(A1:A2)")
    sheet = openpyxl.load_workbook(io.BytesIO(interop.export_xlsx(plan.world.pm, plan.world.project))).active
    assert sheet is not None and sheet["B3"].value == "'@SUM(A1:A2)" and sheet["F3"].value == 960


@needs_java
def test_a_percent_lag_keeps_its_size_through_mpxj(tmp_path: Path) -> None:
    # .mpp files reach the engine as the MSPDI that MPXJ writes: a 50 % lag must stay 50 %.
    source = tmp_path / "lag.xml"
    source.write_bytes(
        b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
      <Project xmlns="http://schemas.microsoft.com/project"><Name>lag</Name>
      <StartDate>2026-11-23T08:00:00</StartDate><CalendarUID>1</CalendarUID>
      <Calendars><Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar></Calendar></Calendars>
      <Tasks>
        <Task><UID>1</UID><ID>1</ID><Name>Design</Name><OutlineLevel>1</OutlineLevel><Duration>PT80H0M0S</Duration></Task>
        <Task><UID>2</UID><ID>2</ID><Name>Build</Name><OutlineLevel>1</OutlineLevel><Duration>PT8H0M0S</Duration>
          <PredecessorLink><PredecessorUID>1</PredecessorUID><Type>3</Type><LinkLag>50</LinkLag>
          <LagFormat>19</LagFormat></PredecessorLink></Task>
      </Tasks></Project>"""
    )
    converted = tmp_path / "converted.xml"
    mpxj_bridge.run("convert", str(source), str(converted))
    (link,) = interop.parse_mspdi(converted.read_bytes()).network.links
    assert (link.lag, link.lag_unit) == (50.0, engine.LagUnit.PERCENT)


@needs_java
def test_a_split_task_keeps_its_gap_through_mpxj(tmp_path: Path) -> None:
    # An .mpp file keeps a split only in its assignments' timephased work; the MSPDI that MPXJ
    # writes for the engine must carry it. Three days of work, Thursday off, two more days.
    days = [("23", 8), ("24", 8), ("25", 8), ("26", 0), ("27", 8), ("30", 8)]
    periods = "".join(
        f"<TimephasedData><Type>1</Type><UID>1</UID><Start>2026-11-{d}T08:00:00</Start>"
        f"<Finish>2026-11-{d}T17:00:00</Finish><Unit>2</Unit><Value>PT{h}H0M0S</Value></TimephasedData>"
        for d, h in days
    )
    source = tmp_path / "split.xml"
    source.write_text(
        f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
      <Project xmlns="http://schemas.microsoft.com/project"><Name>split</Name>
      <StartDate>2026-11-23T08:00:00</StartDate><CalendarUID>1</CalendarUID>
      <Calendars><Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar></Calendar></Calendars>
      <Tasks><Task><UID>1</UID><ID>1</ID><Name>Pour</Name><OutlineLevel>1</OutlineLevel>
        <Start>2026-11-23T08:00:00</Start><Finish>2026-11-30T17:00:00</Finish><Duration>PT40H0M0S</Duration></Task></Tasks>
      <Resources><Resource><UID>1</UID><ID>1</ID><Name>Ann</Name><Type>1</Type></Resource></Resources>
      <Assignments><Assignment><UID>1</UID><TaskUID>1</TaskUID><ResourceUID>1</ResourceUID><Units>1</Units>
        <Start>2026-11-23T08:00:00</Start><Finish>2026-11-30T17:00:00</Finish><Work>PT40H0M0S</Work>
        {periods}</Assignment></Assignments></Project>""",
        encoding="utf-8",
    )
    converted = tmp_path / "converted.xml"
    mpxj_bridge.run("convert", str(source), str(converted))
    project = interop.parse_mspdi(converted.read_bytes())
    assert project.resourcing.task(1).split_minutes == 480
    assert engine.schedule(project.network)[1].finish == dt.datetime(2026, 11, 30, 17, 0)
