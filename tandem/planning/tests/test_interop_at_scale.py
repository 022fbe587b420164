"""MS Project import and plan exports at scale: queries that do not grow with the plan, and files
whose content is the plan, row for row (generated plans from ``benchmarks/plangen.py``)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import tandem_engine as engine
from benchmarks.plangen import write_mspdi
from tandem.core.choices import Visibility
from tandem.planning import interop
from tandem.planning.choices import TaskKind
from tandem.planning.models import Dependency, Task
from tandem.projects import services as project_services
from tandem.projects.choices import Role
from tandem.projects.models import Project
from tandem.testing.personas import World

from .conftest import Plan

# Both sizes fit one INSERT of tasks on SQLite (999 values a statement, about 24 task rows), so any
# query made per task or per link shows as a difference between them.
SMALL, LARGER = 8, 22


def _import(world: World, tmp_path: Path, rows: int) -> tuple[Project, int]:
    """Import a generated plan of ``rows`` tasks as a new project; returns it and the queries it took."""
    path = tmp_path / f"plan{rows}.xml"
    write_mspdi(path, rows)
    with CaptureQueriesContext(connection) as queries:
        project = interop.import_plan(
            path, actor=world.pm, code=f"GEN{rows}", client=world.project.client, name=f"Generated {rows}"
        )
    return project, len(queries.captured_queries)


def test_an_import_takes_the_same_queries_whatever_the_number_of_tasks(world: World, tmp_path: Path) -> None:
    small, small_queries = _import(world, tmp_path, SMALL)
    larger, larger_queries = _import(world, tmp_path, LARGER)
    assert Task.objects.filter(project=small).count() == SMALL
    assert Task.objects.filter(project=larger).count() == LARGER
    assert (
        Dependency.objects.filter(project=larger).count() > Dependency.objects.filter(project=small).count()
    )
    assert larger_queries == small_queries
    # Creating the project (its charter, decision rights, membership and first charter revision: about
    # 30), the calendar and its holidays, the rows one outline level at a time, the links, the schedule
    # (reading the plan, writing its dates) and the audit row: a fixed number, not one per task.
    assert small_queries < 60


@pytest.mark.parametrize("export", [interop.export_mspdi, interop.export_csv, interop.export_xlsx])
@pytest.mark.parametrize("viewer", ["pm", "client_viewer"])
def test_an_export_takes_the_same_queries_whatever_the_number_of_tasks(
    world: World, tmp_path: Path, export: object, viewer: str
) -> None:
    counts = []
    for rows in (SMALL, LARGER):
        project, _queries = _import(world, tmp_path, rows)
        # One internal row, so the client's export leaves something out.
        first = Task.objects.filter(project=project, kind=TaskKind.TASK).order_by("id").first()
        assert first is not None
        Task.objects.filter(pk=first.pk).update(visibility=Visibility.INTERNAL)
        project_services.do_add_member(
            project, user=world.client_viewer, role=Role.CLIENT_VIEWER, actor=world.pm
        )
        user = world.people[viewer]
        with CaptureQueriesContext(connection) as queries:
            data = export(user, project)  # type: ignore[operator]
        assert data
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_the_mspdi_export_is_the_imported_plan(world: World, tmp_path: Path) -> None:
    """Import a generated plan, export it, read both files with the engine: the same tasks, outline,
    durations, milestones and links (type and lag)."""
    path = tmp_path / "plan.xml"
    write_mspdi(path, 120)
    project = interop.import_plan(path, actor=world.pm, code="GEN", client=world.project.client)
    source = interop.parse_mspdi(path.read_bytes())
    back = interop.parse_mspdi(interop.export_mspdi(world.pm, project))

    def described(parsed: engine.MspdiProject) -> tuple[object, ...]:
        names = {uid: name for uid, name in parsed.names.items() if parsed.levels[uid] > 0}
        acts = {names[a.id]: (a.duration, a.milestone) for a in parsed.network.activities}
        links = sorted(
            (names[lk.predecessor], names[lk.successor], lk.type.value, lk.lag) for lk in parsed.network.links
        )
        outline = [(name, parsed.levels[uid], uid in parsed.summaries) for uid, name in names.items()]
        return acts, links, outline

    assert described(back) == described(source)
    assert len(back.network.links) == Dependency.objects.filter(project=project).count() > 120


@pytest.mark.parametrize("viewer", ["pm", "client_viewer"])
def test_the_mspdi_export_is_what_elementtree_writes(plan: Plan, viewer: str) -> None:
    """The export is written as text; ElementTree reading and writing it again gives the same bytes:
    declaration, namespace, escaping and empty elements as an XML library writes them."""
    world = plan.world
    Task.objects.filter(pk=plan.design.pk).update(name='Design & <review> "A\'s" \x11 ünïcode 设计')
    Task.objects.filter(pk=plan.build.pk).update(name="")
    data = interop.export_mspdi(world.people[viewer], world.project)
    ET.register_namespace("", interop.NS)
    again = io.BytesIO()
    ET.ElementTree(ET.fromstring(data)).write(again, encoding="UTF-8", xml_declaration=True)
    assert again.getvalue() == data
    names = [e.text for e in ET.fromstring(data).iter(f"{{{interop.NS}}}Name")]
    assert 'Design & <review> "A\'s" \ufffd ünïcode 设计' in names


def test_the_csv_and_excel_exports_hold_the_same_rows(world: World, tmp_path: Path) -> None:
    path = tmp_path / "plan.xml"
    write_mspdi(path, 60)
    project = interop.import_plan(path, actor=world.pm, code="GEN", client=world.project.client)
    rows = list(csv.reader(io.StringIO(interop.export_csv(world.pm, project))))
    sheet = openpyxl.load_workbook(io.BytesIO(interop.export_xlsx(world.pm, project))).active
    assert sheet is not None
    cells = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert cells == rows
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b and int(sheet.column_dimensions["B"].width) == 48
    tasks = list(Task.objects.filter(project=project).order_by("outline_key", "id"))
    assert [r[0] for r in rows[1:]] == [t.wbs for t in tasks]
    wbs = {t.pk: t.wbs for t in tasks}
    predecessors = {t.wbs: set() for t in tasks}
    for link in Dependency.objects.filter(project=project):
        lag = f"{link.lag_minutes:+d}m" if link.lag_minutes else ""
        predecessors[wbs[link.successor_id]].add(f"{wbs[link.predecessor_id]}{link.type}{lag}")
    assert {r[0]: set(filter(None, r[16].split(";"))) for r in rows[1:]} == predecessors
