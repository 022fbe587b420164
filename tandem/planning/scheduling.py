"""The adapter between the plan's rows and ``tandem_engine``.

``reschedule(project)`` reads the project's tasks, links and calendars as plain rows, builds the
engine's network, runs the critical path method and writes back the computed columns of the rows
they changed, with one keyed bulk write. Summary rows (tasks with children) are not scheduled
themselves: links on them apply to their leaf tasks, and their dates roll up from those leaves, as
in MS Project. A process keeps each plan's last reschedule (``PlanMemo``) and reuses what an edit
leaves alone; see ``docs/architecture.md``, "Writing a plan".

The engine works in naive local time; the rows hold aware datetimes. The project's time zone
converts between the two.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import secrets
import threading
import warnings
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import add, attrgetter, itemgetter, ne
from typing import Any, NamedTuple, TypeVar, cast
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Case, Value, When
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

import tandem_engine as engine
from tandem.accounts.choices import Language
from tandem.core.bulk import bulk_write_prepared, fetch_rows
from tandem.core.choices import Visibility
from tandem.core.compiled import Kept
from tandem.core.database import the_one
from tandem.planning.choices import CalendarBase, TaskKind
from tandem.planning.models import DEFAULT_HOURS, Calendar, CalendarException, Dependency, PlanStamp, Task
from tandem.planning.resourcing import plan_for
from tandem.projects.models import Project
from tandem_engine.calendar import compile_calendar
from tandem_engine.model import WorkingRanges

#: Fields ``reschedule`` writes.
COMPUTED_FIELDS = (
    "start",
    "finish",
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_float_minutes",
    "free_float_minutes",
    "critical",
    "is_summary",
    "wbs",
    "shared_wbs",
    "outline_key",
    "duration_minutes",
    "percent_complete",
    "work_minutes",
    "cost_cents",
)
PROJECT_CALENDAR_ID = "project"
WEEKDAYS = (0, 1, 2, 3, 4)


@dataclass
class Outcome:
    """What a reschedule found: the project's dates, impossible constraints and calendar warnings."""

    project_start: dt.datetime | None = None
    project_finish: dt.datetime | None = None
    critical_path: tuple[int, ...] = ()
    conflicts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- the rows


#: What ``reschedule`` reads of a task besides its computed fields.
INPUT_FIELDS = (
    "id",
    "parent_id",
    "position",
    "visibility",
    "kind",
    "name",
    "constraint_type",
    "constraint_date",
    "deadline",
    "actual_start",
    "actual_finish",
    "manual",
    "calendar_id",
    "held_until",
)


@dataclass(slots=True)
class PlanRow:
    """A task as the scheduler reads and computes it: the plain values of its row, no model instance.

    ``reschedule`` reads thousands of these per edit; building them costs a fraction of building
    ``Task`` instances. The helpers below take a ``PlanRow`` or a ``Task`` alike.
    """

    pk: int
    parent_id: int | None
    position: int
    visibility: str
    kind: str
    name: str
    constraint_type: str
    constraint_date: dt.datetime | None
    deadline: dt.datetime | None
    actual_start: dt.datetime | None
    actual_finish: dt.datetime | None
    manual: bool
    calendar_id: int | None
    held_until: dt.datetime | None
    #: The computed columns as the database returned them (``COMPUTED_FIELDS`` order, unconverted).
    stored: tuple[Any, ...] = ()
    start: dt.datetime | None = None
    finish: dt.datetime | None = None
    early_start: dt.datetime | None = None
    early_finish: dt.datetime | None = None
    late_start: dt.datetime | None = None
    late_finish: dt.datetime | None = None
    total_float_minutes: int | None = None
    free_float_minutes: int | None = None
    critical: bool = False
    is_summary: bool = False
    wbs: str = ""
    shared_wbs: str = ""
    outline_key: str = ""
    duration_minutes: int = 0
    percent_complete: int = 0


class LinkRow(NamedTuple):
    """A link as the scheduler reads it."""

    predecessor_id: int
    successor_id: int
    type: str
    lag_minutes: int
    elapsed: bool


Row = Task | PlanRow
R = TypeVar("R", Task, PlanRow)
T = TypeVar("T")


@dataclass(eq=False)
class PlanMemo:
    """What the last reschedule of a plan in this process read and computed, to reuse what an edit
    leaves alone.

    Nothing in it is trusted but what the database vouches for: every reschedule reads the plan's
    inputs (the rows' keys, links and calendars) and reuses a part only where what it was made from
    reads exactly the same; the rows' computed columns are taken from it only while the plan's
    ``PlanStamp`` is the one its reschedule wrote (no other reschedule has committed since). A row
    whose inputs are unchanged keeps its ``PlanRow`` (no conversion) and its engine activity; an
    unchanged tree keeps its numbering and leaves; unchanged links keep their expansion to leaf
    tasks; and when the network differs from the last one only in some durations, the engine
    reschedules incrementally from the last result (``ScheduleResult.with_durations``), which gives
    the same dates as a schedule from scratch. The writes compare the new values with what the rows
    store; a transaction rolled back after a reschedule takes its stamp with it, so the next
    reschedule reads the computed columns again.
    """

    zone: ZoneInfo
    #: The rows in id order, their ids and the keys they were read from (see ``_KEY_EXTRA``); and
    #: the rows by id.
    row_list: list[PlanRow] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    key_list: list[tuple[Any, ...]] = field(default_factory=list)
    rows: dict[int, PlanRow] = field(default_factory=dict)
    #: The ids and keys read by the reschedule in progress (become ``ids`` and ``key_list`` when it
    #: succeeds).
    fresh_ids: list[int] = field(default_factory=list)
    fresh_key_list: list[tuple[Any, ...]] = field(default_factory=list)
    #: (id, parent, position, visibility) of every row, in id order: what the numbering depends on.
    tree: list[tuple[Any, ...]] = field(default_factory=list)
    leaves: dict[int, list[int]] = field(default_factory=dict)
    links: list[LinkRow] = field(default_factory=list)
    calendars: Mapping[engine.CalendarId, engine.Calendar] = field(default_factory=dict)
    #: Per leaf task id: the row and hold its activity was made from, and the activity.
    activities: dict[int, tuple[PlanRow, dt.datetime | None, engine.Activity]] = field(default_factory=dict)
    network: engine.Network | None = None
    result: engine.ScheduleResult | None = None
    #: The ``PlanStamp`` under which the rows' ``stored`` values are what the database holds.
    stamp: int = 0
    #: The (predecessor, successor) pairs of ``network.links``, once links were appended to it.
    pairs: set[tuple[engine.ActivityId, engine.ActivityId]] | None = None


#: The memo of each plan's last successful reschedule in this process, by (database, project id);
#: the least recently used is dropped beyond ``_MEMOS_MAX``. A reschedule takes its plan's memo out
#: while it runs (a failure leaves none behind) and puts the new one back when it succeeds.
_MEMOS: OrderedDict[tuple[str, int], PlanMemo] = OrderedDict()
_MEMOS_MAX = 8
_MEMOS_LOCK = threading.Lock()


def _take_memo(key: tuple[str, int], zone: ZoneInfo) -> PlanMemo:
    with _MEMOS_LOCK:
        memo = _MEMOS.pop(key, None)
    return memo if memo is not None and memo.zone == zone else PlanMemo(zone=zone)


def _keep_memo(key: tuple[str, int], memo: PlanMemo) -> None:
    with _MEMOS_LOCK:
        _MEMOS[key] = memo
        while len(_MEMOS) > _MEMOS_MAX:
            _MEMOS.popitem(last=False)


def forget_memos() -> None:
    """Drop every plan's memo in this process (tests that compare a memo-less reschedule use it)."""
    with _MEMOS_LOCK:
        _MEMOS.clear()


#: Conversions between stored and Python values, per database and field kind, kept across calls:
#: a plan's dates and numbers repeat from one reschedule to the next. Bounded; cleared when full.
_CONVERSIONS: dict[tuple[str, str, str], _Remembered] = {}
_CONVERSIONS_MAX = 200_000


class _Remembered(dict[Any, Any]):
    """A conversion that keeps each distinct value's result (a lookup is a C-level dict access)."""

    def __init__(self, convert: Callable[[Any], Any]) -> None:
        super().__init__()
        self.convert = convert

    def __missing__(self, value: Any) -> Any:
        out = self[value] = self.convert(value)
        return out


def _memo(key: tuple[str, str, str], convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``convert`` remembering each distinct value's result under ``key``."""
    seen = _CONVERSIONS.get(key)
    if seen is None or len(seen) > _CONVERSIONS_MAX:
        seen = _CONVERSIONS[key] = _Remembered(convert)
    return seen.__getitem__


def _reader(field: models.Field[Any, Any], connection: BaseDatabaseWrapper) -> Callable[[Any], Any]:
    """The field's conversion from a raw database value to its Python value."""
    column = field.get_col(field.model._meta.db_table)
    steps = [*connection.ops.get_db_converters(column), *field.get_db_converters(connection)]

    def convert(value: Any) -> Any:
        for step in steps:
            value = step(value, column, connection)
        return value

    if not steps:
        return lambda value: value
    return _memo((connection.alias, "read", field.get_internal_type()), convert)


def _writer(field: models.Field[Any, Any], connection: BaseDatabaseWrapper) -> Callable[[Any], Any]:
    """The field's conversion from a Python value to what the database stores (as ``save()`` does).

    The computed dates are aware datetimes already, so they go straight to the backend's own
    adapter: the field's checks before it (parsing text, warning about naive values) have nothing
    to do, and skipping them halves the cost of a reschedule that moved thousands of rows.
    """
    if isinstance(field, models.DateTimeField):
        adapt = _epoch if _epoch_dates(connection) else connection.ops.adapt_datetimefield_value
        return _memo((connection.alias, "write", field.get_internal_type()), adapt)
    return _memo(
        (connection.alias, "write", field.get_internal_type()),
        lambda value: field.get_db_prep_save(value, connection),
    )


def _epoch_dates(connection: BaseDatabaseWrapper) -> bool:
    """Whether the computed dates travel as whole seconds since 1970 (PostgreSQL) rather than as the
    backend's own date values: an integer reads, compares, formats and writes in a fraction of the
    time of a ``datetime`` (the columns stay ``timestamptz``; SQL converts on the way in and out)."""
    return connection.vendor == "postgresql"


def _epoch(value: dt.datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def _from_epoch(value: int | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromtimestamp(value, dt.UTC)


class EpochSeconds(models.Func):
    """A timestamp column as whole seconds since 1970 (PostgreSQL)."""

    template = "CAST(EXTRACT(EPOCH FROM %(expressions)s) AS bigint)"
    output_field = models.BigIntegerField()


def _stored_reader(name: str, connection: BaseDatabaseWrapper) -> Callable[[Any], Any]:
    """How a computed column, as ``load_rows`` reads it, becomes its Python value."""
    field = _task_field(name)
    if isinstance(field, models.DateTimeField) and _epoch_dates(connection):
        return _memo((connection.alias, "read", "epoch"), _from_epoch)
    return _reader(field, connection)


def _task_field(name: str) -> models.Field[Any, Any]:
    found = Task._meta.get_field(name.removesuffix("_id"))
    assert isinstance(found, models.Field)
    return found


#: What identifies a row's inputs as ``load_rows`` reads them, after ``INPUT_FIELDS``: its duration
#: and progress, a manual row's start and finish (a computed date is an input only there), and
#: ``updated_at``, which every ``save()`` of the row changes (so a row saved with other computed
#: values than the schedule wrote is read again).
_KEY_EXTRA = ("duration_minutes", "percent_complete", "manual_start", "manual_finish", "updated_at")
_KEY_LENGTH = len(INPUT_FIELDS) + len(_KEY_EXTRA)
_DURATION, _PERCENT, _MANUAL_START, _MANUAL_FINISH = range(len(INPUT_FIELDS), len(INPUT_FIELDS) + 4)
_MANUAL = INPUT_FIELDS.index("manual")
#: Beyond this many rows whose inputs changed, their computed columns are read with the whole plan
#: rather than by id.
_REREAD_BY_ID_MAX = 500


def _stored_column(name: str, connection: BaseDatabaseWrapper) -> Any:
    """The select expression of a computed column as ``PlanRow.stored`` keeps it."""
    if isinstance(_task_field(name), models.DateTimeField):
        if _epoch_dates(connection):
            return EpochSeconds(name)
        if connection.vendor == "sqlite":
            return Cast(name, output_field=models.TextField())
    return name


def _key_columns(connection: BaseDatabaseWrapper) -> list[Any]:
    """The select expressions of a row's key (``INPUT_FIELDS`` then ``_KEY_EXTRA``)."""
    text_dates = connection.vendor == "sqlite"
    columns: list[Any] = [
        Cast(n, output_field=models.TextField())
        if text_dates and isinstance(_task_field(n), models.DateTimeField)
        else n
        for n in INPUT_FIELDS
    ]
    columns += ["duration_minutes", "percent_complete"]
    for name in ("start", "finish"):
        stored = _stored_column(name, connection)
        output = (
            models.TextField()
            if text_dates
            else models.BigIntegerField()
            if _epoch_dates(connection)
            else None
        )
        columns.append(Case(When(manual=True, then=stored), default=Value(None), output_field=output))
    columns.append(Cast("updated_at", output_field=models.TextField()) if text_dates else "updated_at")
    return columns


def load_rows(project: Project, memo: PlanMemo | None = None, *, trusted: bool = False) -> list[PlanRow]:
    """Every task of the project as a ``PlanRow``, in id order, with one query.

    The computed columns are kept as the database stores them (``PlanRow.stored``), unconverted: a
    reschedule compares them with the new values in the same form and writes only what differs. On
    SQLite dates are read as their stored text, which the driver would otherwise parse one by one.
    A computed date is converted only where it is an input: a manual task's start and finish.

    With the ``memo`` of the plan's last reschedule, a row whose key (its inputs, see
    ``_KEY_EXTRA``) reads exactly as it did then is that reschedule's ``PlanRow`` again; only the
    other rows are converted. ``trusted`` says the database's computed columns are those the memo's
    reschedule wrote (its ``PlanStamp`` is the one in the database): then only the keys are read,
    and the computed columns of the rows whose key changed, by id (a second query).
    """
    connection = connections[router.db_for_read(Task)]
    keys = _key_columns(connection)
    stored = [_stored_column(n, connection) for n in COMPUTED_FIELDS]
    base = Task.objects.filter(project=project).order_by("id")
    if memo is not None and memo.rows and trusted:
        raw = _fetch(connection, base.values_list(*keys))
        rows = _load_rows_again(raw, memo, connection, with_stored=False)
        missing = [row.pk for row in rows if row.stored is _UNREAD]
        if len(missing) > _REREAD_BY_ID_MAX:
            return load_rows(project, memo)
        if missing:
            found = {
                values[0]: values[1:]
                for values in _fetch(connection, base.filter(pk__in=missing).values_list("id", *stored))
            }
            for row in rows:
                if row.stored is _UNREAD:
                    row.stored = found[row.pk]
        return rows
    raw = _fetch(connection, base.values_list(*keys, *stored))
    if memo is not None:
        return _load_rows_again(raw, memo, connection, with_stored=True)
    # Column by column: each conversion is mapped over a whole column, not called row by row.
    readers = [_reader(_task_field(n), connection) for n in INPUT_FIELDS]
    raw_columns = list(zip(*raw, strict=True)) if raw else [() for _column in (*keys, *stored)]
    inputs = zip(
        *(map(read, column) for read, column in zip(readers, raw_columns, strict=False)), strict=True
    )
    read_date = _stored_reader("start", connection)
    out: list[PlanRow] = []
    for values, raw_row in zip(inputs, raw, strict=True):
        row = PlanRow(*values)
        row.stored = raw_row[_KEY_LENGTH:]
        row.duration_minutes = raw_row[_DURATION]
        row.percent_complete = raw_row[_PERCENT]
        if row.manual:
            row.start = read_date(raw_row[_MANUAL_START])
            row.finish = read_date(raw_row[_MANUAL_FINISH])
        out.append(row)
    return out


#: ``PlanRow.stored`` of a row whose computed columns are still to be read.
_UNREAD: tuple[Any, ...] = ("unread",)


def _fetch(connection: BaseDatabaseWrapper, query: models.QuerySet[Any, Any]) -> list[tuple[Any, ...]]:
    sql, params = query.query.get_compiler(connection=connection).as_sql()
    return fetch_rows(connection, sql, params)


def _load_rows_again(
    raw: Sequence[tuple[Any, ...]], memo: PlanMemo, connection: BaseDatabaseWrapper, *, with_stored: bool
) -> list[PlanRow]:
    """``load_rows`` with the memo of the last reschedule: rows whose key is unchanged are taken
    from it (with the computed columns just read, when ``with_stored``; else as the memo has them).

    When the plan's ids begin with the memo's (no row deleted; rows added at the end), the keys are
    compared position by position with C-level ``map``s, and only the changed and added rows are
    looked at in Python; otherwise row by row, by id.
    """
    keys = list(map(_KEY, raw)) if with_stored else list(raw)
    ids = list(map(_FIRST, keys))
    before = memo.key_list
    n = len(before)
    out: list[PlanRow | None]
    if n and len(keys) >= n and ids[:n] == memo.ids:
        out = [*memo.row_list, *([None] * (len(keys) - n))]
        for k in compress(range(n), map(ne, keys, before)):
            out[k] = None
    else:
        rows, known = memo.rows, dict(zip(memo.ids, before, strict=True))
        out = [
            row if row is not None and known.get(pk) == key else None
            for pk, key, row in zip(ids, keys, map(rows.get, ids), strict=True)
        ]
    readers = [_reader(_task_field(n), connection) for n in INPUT_FIELDS]
    read_date = _stored_reader("start", connection)
    for k in [k for k, row in enumerate(out) if row is None]:
        key = keys[k]
        row = PlanRow(*(read(value) for read, value in zip(readers, key, strict=False)))
        row.duration_minutes = key[_DURATION]
        row.percent_complete = key[_PERCENT]
        if row.manual:
            row.start = read_date(key[_MANUAL_START])
            row.finish = read_date(key[_MANUAL_FINISH])
        row.stored = _UNREAD
        out[k] = row
    made = cast("list[PlanRow]", out)
    if with_stored:
        for row, stored in zip(made, map(_STORED, raw), strict=True):
            row.stored = stored
    memo.fresh_key_list, memo.fresh_ids = keys, ids
    return made


_FIRST = itemgetter(0)
_KEY = itemgetter(slice(0, _KEY_LENGTH))
_STORED = itemgetter(slice(_KEY_LENGTH, None))


def load_links(project: Project, memo: PlanMemo | None = None) -> list[LinkRow]:
    """Every link of the project as a ``LinkRow``, in id order: one query, read as the driver returns it
    (the ids, type and lag need no conversion; ``elapsed`` is made a bool here).

    With the ``memo`` of the plan's last reschedule, the links that read as its first ones (a row
    compares equal to its ``LinkRow``) are its rows again; only the others are made.
    """
    connection = connections[router.db_for_read(Dependency)]
    query = (
        Dependency.objects.filter(project=project)
        .order_by("id")
        .values_list("predecessor_id", "successor_id", "type", "lag_minutes", "elapsed")
    )
    sql, params = query.query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        raw = cursor.fetchall()
    kept = memo.links if memo is not None else []
    if kept and len(raw) >= len(kept) and raw[: len(kept)] == kept:
        if len(raw) == len(kept):
            return kept
        raw = raw[len(kept) :]
    else:
        kept = []
    return [*kept, *(LinkRow(p, s, t, lag, bool(elapsed)) for p, s, t, lag, elapsed in raw)]


def latest_finish(rows: Sequence[PlanRow]) -> dt.datetime | None:
    """The latest stored finish of the rows (to know how many years of holidays the plan needs)."""
    connection = connections[router.db_for_read(Task)]
    finishes = [r.stored[COMPUTED_FIELDS.index("finish")] for r in rows]
    latest = max((f for f in finishes if f is not None), default=None)
    return _stored_reader("finish", connection)(latest) if latest is not None else None


# ---------------------------------------------------------------- time


def zone_of(project: Project) -> ZoneInfo:
    """The project's time zone (the server's when the project names an unknown one)."""
    return project.zone


def to_local(value: dt.datetime | None, zone: ZoneInfo) -> dt.datetime | None:
    """An aware datetime as naive local time of ``zone`` (what the engine reads)."""
    if value is None:
        return None
    if timezone.is_naive(value):
        return value
    return value.astimezone(zone).replace(tzinfo=None)


def to_aware(value: dt.datetime | None, zone: ZoneInfo) -> dt.datetime | None:
    """A naive local datetime of ``zone`` as an aware datetime (what the rows hold)."""
    if value is None:
        return None
    if timezone.is_aware(value):
        return value
    return value.replace(tzinfo=zone)


# ---------------------------------------------------------------- calendars


def default_calendar_base(project: Project) -> str:
    """A Chinese-language project works on the mainland China calendar; others on the standard week."""
    return CalendarBase.CHINA if project.language == Language.CHINESE else CalendarBase.STANDARD


#: The calendars (with their exceptions) read within ``plan_read_once``, by project id.
_calendar_reads: ContextVar[dict[int, list[Calendar]] | None] = ContextVar("tandem_calendars", default=None)
#: The plan revisions read within ``plan_read_once``, by project id.
_revision_reads: ContextVar[dict[int, int] | None] = ContextVar("tandem_plan_revisions", default=None)


@contextmanager
def plan_read_once() -> Iterator[None]:
    """Within the block, each project's calendars and plan revision are read once (a page whose
    panels each need them: the home's milestones, decision delays and budget). Only for reads: a
    plan changed inside the block would not be seen."""
    calendars, revisions = _calendar_reads.set({}), _revision_reads.set({})
    try:
        yield
    finally:
        _calendar_reads.reset(calendars)
        _revision_reads.reset(revisions)


def _calendar_rows(project: Project) -> list[Calendar]:
    """The project's calendars with their exceptions, the project calendar created if missing."""
    reads = _calendar_reads.get()
    if reads is not None and project.pk in reads:
        return reads[project.pk]
    rows = list(Calendar.objects.filter(project=project).prefetch_related("exceptions"))
    if not any(row.is_project_calendar for row in rows):
        ensure_project_calendar(project)
        rows = list(Calendar.objects.filter(project=project).prefetch_related("exceptions"))
    if reads is not None:
        reads[project.pk] = rows
    return rows


def ensure_project_calendar(project: Project) -> Calendar:
    """The project's calendar, created with the project's default base the first time it is needed."""
    calendar = Calendar.objects.filter(project=project, is_project_calendar=True).first()
    if calendar is None:
        base = default_calendar_base(project)
        name = _("Mainland China") if base == CalendarBase.CHINA else _("Standard")
        calendar = Calendar.objects.create(
            project=project,
            name=str(name),
            base=base,
            working_weekdays=list(WEEKDAYS),
            hours=DEFAULT_HOURS,
            is_project_calendar=True,
        )
    return calendar


def parse_hours(text: str, *, field_name: str = "hours") -> WorkingRanges:
    """``"08:00-12:00,13:00-17:00"`` as working ranges; a ``ValidationError`` naming the field otherwise."""
    try:
        return engine.parse_working_ranges(text or "")
    except ValueError:
        raise ValidationError(
            {field_name: [_("Write working hours as 08:00-12:00,13:00-17:00 (sorted, not overlapping).")]}
        ) from None


@functools.lru_cache(maxsize=64)
def _china_exceptions(
    years: tuple[int, ...], day: WorkingRanges
) -> tuple[tuple[engine.CalendarException, ...], tuple[str, ...]]:
    """China's holidays and make-up days over ``years`` (cached: the table is the same for every plan)."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", engine.UnpublishedHolidaysWarning)
        china = engine.china_calendar(years, day=day)
    notes = tuple(str(w.message) for w in seen if issubclass(w.category, engine.UnpublishedHolidaysWarning))
    return china.exceptions, notes


def build_calendar(
    row: Calendar,
    exceptions: Iterable[CalendarException],
    years: Sequence[int],
    caught: list[str],
    *,
    calendar_id: engine.CalendarId | None = None,
) -> engine.Calendar:
    """An engine calendar from a calendar row and its exceptions (China's holidays over ``years``)."""
    day = parse_hours(row.hours) or engine.STANDARD_DAY
    weekdays = set(row.working_weekdays or ())
    week = tuple(day if i in weekdays else () for i in range(7))
    base_exceptions: tuple[engine.CalendarException, ...] = ()
    if row.base == CalendarBase.CHINA:
        base_exceptions, notes = _china_exceptions(tuple(years), day)
        caught.extend(notes)
    own = tuple(
        engine.CalendarException(e.start, e.end, parse_hours(e.hours) or day if e.working else (), e.name)
        for e in exceptions
    )
    return engine.Calendar(
        id=row.pk if calendar_id is None else calendar_id,
        week=week,  # type: ignore[arg-type]
        exceptions=base_exceptions + own,
        name=row.name,
    )


def _years(
    project: Project, tasks: Sequence[Row], zone: ZoneInfo, until: dt.datetime | None = None
) -> list[int]:
    first = project.start_date.year if project.start_date else timezone.localdate().year
    last = max(first + 1, project.target_date.year if project.target_date else first)
    if until is not None:
        last = max(last, min(until.astimezone(zone).year + 1, first + 10))
    # ``until`` stands for the rows' finishes when given (the latest one the rows store).
    names = ("constraint_date", "deadline", "actual_finish", "held_until")
    for name in names if until is not None else ("finish", *names):
        latest = max((v for v in map(attrgetter(name), tasks) if v is not None), default=None)
        if latest is not None:
            last = max(last, min(latest.astimezone(zone).year + 1, first + 10))
    return list(range(first, last + 1))


def engine_calendars(
    project: Project,
    tasks: Sequence[Row] = (),
    caught: list[str] | None = None,
    *,
    until: dt.datetime | None = None,
) -> dict[engine.CalendarId, engine.Calendar]:
    """Every calendar of the project as engine calendars; the project calendar under ``"project"``.

    China's holidays cover the years from the project's start to the latest date of ``tasks`` (or
    ``until``), ten years at most.
    """
    zone = zone_of(project)
    years = _years(project, tasks, zone, until)
    rows = _calendar_rows(project)
    sink: list[str] = caught if caught is not None else []
    out: dict[engine.CalendarId, engine.Calendar] = {}
    for row in rows:
        key: engine.CalendarId = PROJECT_CALENDAR_ID if row.is_project_calendar else row.pk
        out[key] = build_calendar(row, row.exceptions.all(), years, sink, calendar_id=key)
    return out


def project_engine_calendar(project: Project) -> engine.Calendar:
    """The project calendar alone, for working-time arithmetic in reports."""
    zone = zone_of(project)
    if _calendar_reads.get() is not None:
        row = next(row for row in _calendar_rows(project) if row.is_project_calendar)
    else:
        row = ensure_project_calendar(project)
    return build_calendar(
        row, row.exceptions.all(), _years(project, (), zone), [], calendar_id=PROJECT_CALENDAR_ID
    )


def kept_project_calendar(project: Project) -> engine.Calendar:
    """``project_engine_calendar``, built once per plan revision (``derived_from_plan``): for pages
    that do working-time arithmetic on every view (the home's milestones)."""
    return derived_from_plan(project, "project calendar", functools.partial(project_engine_calendar, project))


# ---------------------------------------------------------------- the tree


def _children_map(tasks: Sequence[R]) -> dict[int | None, list[R]]:
    by_parent: dict[int | None, list[R]] = {}
    for task in sorted(tasks, key=lambda t: (t.position, t.pk)):
        by_parent.setdefault(task.parent_id, []).append(task)
    return by_parent


def number_outline(tasks: Sequence[R]) -> None:
    """Set ``wbs``, ``shared_wbs``, ``outline_key`` and ``is_summary`` from the tree (in memory)."""
    by_parent = _children_map(tasks)
    shared_counter: dict[str, int] = {}

    def walk(parent_id: int | None, prefix: str, key_prefix: str, shared_prefix: str | None) -> None:
        for rank, task in enumerate(by_parent.get(parent_id, []), start=1):
            task.wbs = f"{prefix}{rank}"
            task.outline_key = f"{key_prefix}{rank:05d}"
            task.is_summary = bool(by_parent.get(task.pk))
            child_shared_prefix: str | None
            if task.visibility == Visibility.SHARED:
                # A shared row under an internal one is numbered as a top-level row for the client.
                scope = shared_prefix if shared_prefix is not None else ""
                shared_counter[scope] = shared_counter.get(scope, 0) + 1
                task.shared_wbs = f"{scope}{shared_counter[scope]}"
                child_shared_prefix = f"{task.shared_wbs}."
            else:
                task.shared_wbs = ""
                child_shared_prefix = None
            walk(task.pk, f"{task.wbs}.", f"{task.outline_key}.", child_shared_prefix)

    walk(None, "", "", "")


def leaves_of(tasks: Sequence[R]) -> dict[int, list[int]]:
    """For every summary row, the ids of the leaf tasks below it."""
    by_parent = _children_map(tasks)
    out: dict[int, list[int]] = {}

    def collect(task_id: int) -> list[int]:
        if task_id in out:
            return out[task_id]
        found: list[int] = []
        for child in by_parent.get(task_id, []):
            found.extend(collect(child.pk) if by_parent.get(child.pk) else [child.pk])
        out[task_id] = found
        return found

    for task in tasks:
        if by_parent.get(task.pk):
            collect(task.pk)
    return out


# ---------------------------------------------------------------- the network


def activity_of(task: Row, zone: ZoneInfo, hold: dt.datetime | None = None) -> engine.Activity:
    """The engine's activity of a leaf row; ``hold`` (local time) is an extra "start no earlier than".

    A hold combines with the row's own constraint only for ASAP and SNET: the activity becomes SNET at
    the later of the two dates. Every other constraint (ALAP, SNLT, FNET, FNLT, MSO, MFO) is the
    planner's explicit choice and is left alone, as are manual rows and rows already started.
    """
    milestone = task.kind == TaskKind.MILESTONE
    constraint = engine.ConstraintType(task.constraint_type)
    constraint_date = (
        to_local(task.constraint_date, zone)
        if constraint not in (engine.ConstraintType.ASAP, engine.ConstraintType.ALAP)
        else None
    )
    if (
        hold is not None
        and not task.manual
        and task.actual_start is None
        and constraint in (engine.ConstraintType.ASAP, engine.ConstraintType.SNET)
    ):
        constraint = engine.ConstraintType.SNET
        constraint_date = max(hold, constraint_date) if constraint_date is not None else hold
    return engine.Activity(
        id=task.pk,
        duration=0 if milestone else task.duration_minutes,
        milestone=milestone,
        calendar_id=task.calendar_id,
        constraint=constraint,
        constraint_date=constraint_date,
        deadline=to_local(task.deadline, zone),
        actual_start=to_local(task.actual_start, zone),
        actual_finish=to_local(task.actual_finish, zone),
        percent_complete=float(task.percent_complete),
        manual=task.manual,
        manual_start=to_local(task.start, zone) if task.manual else None,
        manual_finish=to_local(task.finish, zone) if task.manual else None,
    )


def holds_of(tasks: Sequence[R], zone: ZoneInfo) -> dict[int, dt.datetime]:
    """Each row's effective hold in local time: the latest ``held_until`` of the row and its ancestors.

    A hold on a summary row holds every leaf under it.
    """
    if all(t.held_until is None for t in tasks):
        return {}
    by_id = {t.pk: t for t in tasks}
    out: dict[int, dt.datetime] = {}
    for task in tasks:
        latest: dt.datetime | None = None
        node: R | None = task
        seen: set[int] = set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            if node.held_until is not None:
                local = to_local(node.held_until, zone)
                if local is not None and (latest is None or local > latest):
                    latest = local
            node = by_id.get(node.parent_id) if node.parent_id is not None else None
        if latest is not None:
            out[task.pk] = latest
    return out


def project_start(project: Project, tasks: Sequence[Row], zone: ZoneInfo) -> dt.datetime:
    """Where the schedule starts: the project's start date, else its earliest actual start, else today."""
    if project.start_date is not None:
        return dt.datetime.combine(project.start_date, dt.time(0, 0))
    actuals = [to_local(t.actual_start, zone) for t in tasks if t.actual_start is not None]
    if actuals:
        return min(a for a in actuals if a is not None)
    return dt.datetime.combine(timezone.localdate(), dt.time(0, 0))


def build_network(
    project: Project,
    tasks: Sequence[R],
    links: Sequence[Dependency] | Sequence[LinkRow],
    calendars: Mapping[engine.CalendarId, engine.Calendar],
    *,
    leaves: Mapping[int, list[int]] | None = None,
    memo: PlanMemo | None = None,
    expanded_links: tuple[engine.Link, ...] | None = None,
) -> engine.Network:
    """The engine's network for the leaf tasks, with links on summary rows expanded to their leaves.

    ``leaves`` (from ``leaves_of``) and ``expanded_links`` (the links of an earlier network of the
    same tree and links) spare recomputing them; with a ``memo``, a leaf whose row and hold are
    those of the memo's activity keeps that activity, and the memo is given the new ones.
    """
    zone = zone_of(project)
    if leaves is None:
        leaves = leaves_of(tasks)
    holds = holds_of(tasks, zone)
    if memo is None:
        activities = tuple(activity_of(t, zone, holds.get(t.pk)) for t in tasks if t.pk not in leaves)
    else:
        activities = _activities_again(tasks, leaves, holds, zone, memo)  # type: ignore[arg-type]
    names: dict[engine.ActivityId, str] = {t.pk: t.name for t in tasks}
    return engine.Network(
        activities=activities,
        links=expanded_links if expanded_links is not None else _expand_links(links, leaves),
        calendars=calendars,
        calendar_id=PROJECT_CALENDAR_ID,
        start=project_start(project, tasks, zone),
        names=names,
    )


def _activities_again(
    tasks: Sequence[PlanRow],
    leaves: Mapping[int, list[int]],
    holds: Mapping[int, dt.datetime],
    zone: ZoneInfo,
    memo: PlanMemo,
) -> tuple[engine.Activity, ...]:
    """The leaf tasks' activities, reusing the memo's where the row and its hold are the same."""
    cached = memo.activities
    made: dict[int, tuple[PlanRow, dt.datetime | None, engine.Activity]] = {}
    out: list[engine.Activity] = []
    for task in tasks:
        if task.pk in leaves:
            continue
        hold = holds.get(task.pk)
        before = cached.get(task.pk)
        if before is not None and before[0] is task and before[1] == hold:
            activity = before[2]
        else:
            activity = activity_of(task, zone, hold)
        made[task.pk] = (task, hold, activity)
        out.append(activity)
    memo.activities = made
    return tuple(out)


def _appended_links(
    links: Sequence[LinkRow], leaves: Mapping[int, list[int]], memo: PlanMemo
) -> tuple[engine.Link, ...] | None:
    """The expanded links when ``links`` are the memo's with links appended (a link was added) and
    the memo's links expand as before: the memo's expansion, then the new links' (the engine's
    ``with_additions`` then sees its links kept as they were); None otherwise."""
    before = memo.links
    network = memo.network
    if (
        network is None
        or not before
        or len(links) <= len(before)
        or links[: len(before)] != before
        or not _same_expansion(before, leaves, memo.leaves)
    ):
        return None
    pairs = memo.pairs
    if pairs is None:
        pairs = memo.pairs = {(link.predecessor, link.successor) for link in network.links}
    return network.links + _expand_links(links[len(before) :], leaves, pairs)


def _expand_links(
    links: Sequence[Dependency] | Sequence[LinkRow],
    leaves: Mapping[int, list[int]],
    seen: set[tuple[engine.ActivityId, engine.ActivityId]] | None = None,
) -> tuple[engine.Link, ...]:
    """The engine's links: a link on a summary row applies to each of its leaf tasks, once per pair
    (``seen``: the pairs already expanded, which it adds to)."""
    out: list[engine.Link] = []
    seen = set() if seen is None else seen
    types = {t.value: t for t in engine.LinkType}
    elapsed, working = engine.LagUnit.ELAPSED, engine.LagUnit.WORKING
    for link in links:
        preds = leaves.get(link.predecessor_id) or (link.predecessor_id,)
        succs = leaves.get(link.successor_id) or (link.successor_id,)
        kind, lag, unit = types[link.type], float(link.lag_minutes), elapsed if link.elapsed else working
        for p in preds:
            for s in succs:
                if p != s and (p, s) not in seen:
                    seen.add((p, s))
                    out.append(engine.Link(p, s, kind, lag, unit))
    return tuple(out)


def _duration_changes(before: engine.Network, after: engine.Network) -> dict[engine.ActivityId, int] | None:
    """The durations that differ between two networks alike in everything else; None if more differs.

    Both networks share their links and calendars objects (the caller reused them); activities the
    caller reused are the same objects, so only the others are compared field by field.
    """
    if (
        before.links is not after.links
        or before.calendars is not after.calendars
        or before.start != after.start
        or before.calendar_id != after.calendar_id
        or len(before.activities) != len(after.activities)
    ):
        return None
    changes: dict[engine.ActivityId, int] = {}
    for old, new in zip(before.activities, after.activities, strict=True):
        if old is new:
            continue
        if old.id != new.id or dataclasses.replace(old, duration=new.duration) != new:
            return None
        if old.duration != new.duration:
            changes[new.id] = new.duration
    return changes


def cycle_message(cycle: Sequence[engine.ActivityId], names: Mapping[int, str]) -> str:
    """A readable description of a cycle of tasks."""
    path = " → ".join(f"“{names.get(int(i), i)}”" for i in cycle)
    return _("These links would form a loop: %(path)s. Remove one of them first.") % {"path": path}


def reschedule(project: Project) -> Outcome:
    """Schedule the project from its rows and store the computed dates (call inside a transaction).

    The cost follows the plan's size once and the change's size after that: the rows are read as
    plain tuples (``PlanRow``, not model instances), scheduled, and only the rows whose computed
    columns changed are written, with one keyed bulk write (``tandem.core.bulk``). Raises
    ``ValidationError`` when the links form a cycle (naming its tasks).
    """
    with engine.no_cyclic_gc():
        return _reschedule(project)


def _reschedule(project: Project) -> Outcome:
    """The body of ``reschedule``."""
    zone = zone_of(project)
    memo_key = (router.db_for_write(Task), project.pk)
    memo = _take_memo(memo_key, zone)
    stamp = _read_stamp(project)
    tasks = load_rows(project, memo, trusted=bool(memo.stamp) and stamp == memo.stamp)
    links = load_links(project, memo)
    outcome = Outcome()
    calendars: Mapping[engine.CalendarId, engine.Calendar] = engine_calendars(
        project, tasks, outcome.warnings, until=latest_finish(tasks)
    )
    if calendars == memo.calendars:
        calendars = memo.calendars  # the same objects: the engine's compiled tables and the memo's checks
    tree = [(t.pk, t.parent_id, t.position, t.visibility) for t in tasks]
    same_tree = bool(memo.tree) and tree == memo.tree
    if same_tree:
        leaves = memo.leaves
        _copy_outline(tasks, memo.rows)
    else:
        appended = _number_appended(tasks, tree, memo)
        if appended is not None:
            leaves = appended
        else:
            number_outline(tasks)
            leaves = leaves_of(tasks)
    if not tasks:
        _write_stamp(project)  # the plan's revision: an emptied plan is a new one too
        return outcome
    last = memo.network if links == memo.links and _same_expansion(links, leaves, memo.leaves) else None
    reused = last.links if last else _appended_links(links, leaves, memo)
    network = build_network(project, tasks, links, calendars, leaves=leaves, memo=memo, expanded_links=reused)
    names = {t.pk: t.name for t in tasks}
    resourcing = plan_for(project)
    try:
        if resourcing is not None:
            # Assignments shape the network (resource calendars, work-driven durations): scheduled
            # from scratch every time, and not kept for an incremental reschedule.
            result = engine.schedule(engine.apply_assignments(network, resourcing))
        else:
            changes = (
                _duration_changes(last, network) if last is not None and memo.result is not None else None
            )
            if changes is not None and memo.result is not None:
                result = memo.result.with_durations(changes) if changes else memo.result
            elif memo.result is not None:
                # Rows or links added at the end reschedule from the last result; any other change
                # is scheduled from scratch (``with_additions`` checks which it is).
                result = memo.result.with_additions(network)
            else:
                result = engine.schedule(network)
    except engine.NetworkCycleError as exc:
        raise ValidationError({"predecessor_id": [cycle_message(exc.cycle, names)]}) from None
    except (engine.NetworkError, engine.CalendarError) as exc:
        raise ValidationError(
            {"__all__": [_("The plan cannot be scheduled: %(error)s") % {"error": exc}]}
        ) from None
    outcome.project_start = to_aware(result.project_start, zone)
    outcome.project_finish = to_aware(result.project_finish, zone)
    outcome.critical_path = tuple(int(i) for i in result.critical_path)
    for conflict in result.conflicts:
        outcome.conflicts.append(
            _("“%(task)s”: %(constraint)s %(date)s cannot be met; its links require %(required)s.")
            % {
                "task": names.get(int(conflict.activity_id), conflict.activity_id),
                "constraint": conflict.constraint.value,
                "date": f"{conflict.constraint_date:%Y-%m-%d %H:%M}",
                "required": f"{conflict.required_date:%Y-%m-%d %H:%M}",
            }
        )
    by_id = {t.pk: t for t in tasks}
    work_cost = _work_and_cost(network, resourcing, result, leaves, tasks) if resourcing is not None else {}
    computed = _computed_values(tasks, by_id, result, leaves, calendars[PROJECT_CALENDAR_ID], zone, work_cost)
    # Write only the rows the schedule changed: an edit usually moves part of the plan, not all of it.
    store_changes(tasks, computed)
    # The computed columns now read as ``stored`` says, under a new stamp written in this
    # transaction: every reschedule draws one, written or not, so that the stamp is also the plan's
    # revision (``plan_revision``: its inputs changed, for whatever is derived from them).
    memo.stamp = _write_stamp(project)
    _keep_summary_keys(memo.fresh_key_list, tasks, leaves)
    memo.row_list, memo.ids, memo.key_list = list(tasks), memo.fresh_ids, memo.fresh_key_list
    memo.fresh_ids, memo.fresh_key_list = [], []
    memo.rows = by_id
    memo.tree, memo.leaves, memo.links, memo.calendars = tree, leaves, links, calendars
    if network.links is not reused:
        memo.pairs = None  # expanded anew: the pairs are gathered again when links are next added
    memo.network, memo.result = network, (result if resourcing is None else None)
    _keep_memo(memo_key, memo)
    return outcome


def plan_revision(project: Project) -> int:
    """The plan's revision: a number every reschedule draws anew, in the transaction of the change
    that needed it (every change of a plan's tasks, links or calendars reschedules, see
    ``planning.writing``); 0 for a plan never scheduled. Read once within ``plan_read_once``."""
    reads = _revision_reads.get()
    if reads is None:
        return _read_stamp(project)
    if project.pk not in reads:
        reads[project.pk] = _read_stamp(project)
    return reads[project.pk]


#: What ``derived_from_plan`` keeps: values computed from a plan, by plan revision. Small values
#: (a calendar, a tree of ids, a list of days: a few per project) apart from whole plans in memory
#: (tens of megabytes for 20,000 tasks), which are few.
_DERIVED: Kept[Any] = Kept(limit=512)
_DERIVED_PLANS: Kept[Any] = Kept(limit=_MEMOS_MAX)


def derived_from_plan(
    project: Project, name: Hashable, build: Callable[[], T], *, whole_plan: bool = False
) -> T:
    """``build()``, computed once per plan revision, project version and day in this process, and
    shared: the value must be derived from the plan's tasks, links and calendars (and the project's
    own columns) only, read by ``build`` itself, and never changed by its readers. ``whole_plan``:
    the value holds the plan itself (kept for fewer plans).

    The revision is read before ``build`` reads the plan: a change committed in between gives rows
    newer than the revision they are kept under, and that revision is never read again. Inside a
    write (a transaction), where the plan may have changed without being rescheduled yet, nothing is
    kept or reused: ``build()`` reads the plan as the transaction sees it.
    """
    if _in_write(router.db_for_read(Task)):
        return build()
    revision = plan_revision(project)
    if not revision:
        return build()
    key = (router.db_for_read(Task), project.pk, project.version, revision, timezone.localdate(), name)
    return (_DERIVED_PLANS if whole_plan else _DERIVED).get(key, build)  # type: ignore[no-any-return]


def _in_write(alias: str) -> bool:
    """Whether the connection is inside a transaction of the application's (the outer blocks a test
    case wraps around each test are not: Django marks them, and treats them alike for ``durable``)."""
    return any(not getattr(block, "_from_testcase", False) for block in connections[alias].atomic_blocks)


def forget_derived_from_plan() -> None:
    """Drop every value ``derived_from_plan`` keeps in this process (tests that compare with a
    computation from scratch)."""
    _DERIVED.clear()
    _DERIVED_PLANS.clear()


def _read_stamp(project: Project) -> int:
    """The plan's ``PlanStamp`` in the database (0 when it has none)."""
    found = the_one(PlanStamp.objects.filter(project=project).values_list("stamp", flat=True))
    return found or 0


def _write_stamp(project: Project) -> int:
    """Draw a new stamp for the plan and store it (one statement); return it."""
    stamp = secrets.randbits(62) + 1
    connection = connections[router.db_for_write(PlanStamp)]
    table = connection.ops.quote_name(PlanStamp._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (project_id, stamp) VALUES (%s, %s) "  # noqa: S608 - a model's quoted name
            "ON CONFLICT (project_id) DO UPDATE SET stamp = excluded.stamp",
            [project.pk, stamp],
        )
    return stamp


_STORED_DURATION = COMPUTED_FIELDS.index("duration_minutes")
_STORED_PERCENT = COMPUTED_FIELDS.index("percent_complete")


def _keep_summary_keys(
    keys: list[tuple[Any, ...]], tasks: Sequence[PlanRow], leaves: Mapping[int, list[int]]
) -> None:
    """Give the summary rows' keys (aligned with ``tasks``) the duration and progress just computed
    and stored for them (a leaf's are its own inputs), so that the next read finds them unchanged."""
    for k, task in enumerate(tasks):
        if task.pk not in leaves:
            continue
        key, stored = keys[k], task.stored
        now = (stored[_STORED_DURATION], stored[_STORED_PERCENT])
        if (key[_DURATION], key[_PERCENT]) != now:
            keys[k] = (*key[:_DURATION], *now, *key[_PERCENT + 1 :])


#: How many of ``COMPUTED_FIELDS`` the schedule's dates and floats are (the rest follow the tree).
_SCHEDULED = 9


def _computed_values(
    tasks: Sequence[PlanRow],
    by_id: Mapping[int, PlanRow],
    result: engine.ScheduleResult,
    leaves: Mapping[int, list[int]],
    project_calendar: engine.Calendar,
    zone: ZoneInfo,
    work_cost: Mapping[int, tuple[int, int]] | None = None,
) -> dict[int, tuple[Any, ...]]:
    """Every row's ``COMPUTED_FIELDS`` as the database stores them, from the engine's minutes.

    Dates go from the engine's minutes to the stored form in one remembered step per distinct
    minute (no ``datetime`` per row); summaries roll up their leaves' minutes. Summaries get their
    duration and progress set on the row too (they are inputs of nothing else).
    """
    work_cost = work_cost or {}
    connection = connections[router.db_for_write(Task)]
    out_date = _minute_writer(connection, zone)
    minutes = result.minute_columns()
    # The activities are the leaf rows (``build_network``), so their ids are the rows' ids.
    ids = cast("list[int]", minutes.ids)
    totals, frees, criticals = minutes.total_float, minutes.free_float, minutes.critical
    date_columns: Sequence[list[int]] = minutes[1:7]
    found = list(map(by_id.get, ids))
    if None in found:  # an activity without a row: left out
        kept = [k for k, row in enumerate(found) if row is not None]
        ids, totals, frees = ([column[k] for k in kept] for column in (ids, totals, frees))
        criticals = [criticals[k] for k in kept]
        date_columns = [[column[k] for k in kept] for column in date_columns]
    rows_in_order = [by_id[pk] for pk in ids] if None in found else cast("list[PlanRow]", found)
    index = {pk: k for k, pk in enumerate(ids)}
    # Every leaf's tuple is built by C-level loops (``zip``, ``map``), none by a Python loop per row:
    # its scheduled values, then what follows the tree and its inputs, then its work and cost.
    scheduled = zip(
        *(map(out_date, column) for column in date_columns), totals, frees, criticals, strict=True
    )
    own = map(_ROW_TAIL, rows_in_order)
    costs = map(work_cost.get, ids, repeat(_NO_WORK)) if work_cost else repeat(_NO_WORK)
    out: dict[int, tuple[Any, ...]] = dict(zip(ids, map(add, map(add, scheduled, own), costs), strict=False))
    starts, finishes, early_starts, early_finishes, late_starts, late_finishes = date_columns
    # A phase's leaves are read once per phase above them: each column is gathered with C-level
    # ``map``s, and each leaf's progress weight is worked out once.
    calendar = compile_calendar(project_calendar)
    weight: dict[int, int] = {}
    weighted: dict[int, int] = {}
    for leaf_ids in leaves.values():
        for i in leaf_ids:
            if i not in weight:
                w = weight[i] = by_id[i].duration_minutes or 1
                weighted[i] = w * by_id[i].percent_complete
    for summary_id, leaf_ids in leaves.items():
        summary = by_id[summary_id]
        rows = [index[i] for i in leaf_ids if i in index]
        if not rows:
            continue
        start, finish = min(map(starts.__getitem__, rows)), max(map(finishes.__getitem__, rows))
        summary.duration_minutes = max(0, calendar.between(start, finish))
        total = sum(map(weight.__getitem__, leaf_ids))
        progress = sum(map(weighted.__getitem__, leaf_ids))
        summary.percent_complete = round(progress / total) if total else 0
        out[summary_id] = (
            out_date(start),
            out_date(finish),
            out_date(min(map(early_starts.__getitem__, rows))),
            out_date(max(map(early_finishes.__getitem__, rows))),
            out_date(min(map(late_starts.__getitem__, rows))),
            out_date(max(map(late_finishes.__getitem__, rows))),
            min(map(totals.__getitem__, rows)),
            None,
            any(map(criticals.__getitem__, rows)),
            summary.is_summary,
            summary.wbs,
            summary.shared_wbs,
            summary.outline_key,
            summary.duration_minutes,
            summary.percent_complete,
            *work_cost.get(summary_id, _NO_WORK),
        )
    return out


_NO_WORK = (0, 0)
#: What of a row follows its place in the tree and its own inputs, in ``COMPUTED_FIELDS`` order.
_ROW_TAIL = attrgetter(
    "is_summary", "wbs", "shared_wbs", "outline_key", "duration_minutes", "percent_complete"
)


def _work_and_cost(
    network: engine.Network,
    resourcing: engine.ResourcePlan,
    result: engine.ScheduleResult,
    leaves: Mapping[int, list[int]],
    tasks: Sequence[PlanRow],
) -> dict[int, tuple[int, int]]:
    """Each task's (work in minutes, planned cost in hundredths) from its assignments, summaries
    rolled up from their leaves (``engine.cost_schedule`` and ``engine.rollup_work_cost``)."""
    costs = engine.cost_schedule(network, resourcing, result)
    depth = {t.pk: t.outline_key.count(".") for t in tasks}
    summaries: dict[engine.ActivityId, tuple[engine.ActivityId, ...]] = {
        pk: tuple(leaves[pk]) for pk in sorted(leaves, key=lambda pk: (depth.get(pk, 0), pk))
    }
    totals = {**costs, **engine.rollup_work_cost(costs, summaries, resourcing)}
    return {int(pk): (max(0, round(total.work)), round(total.cost * 100)) for pk, total in totals.items()}


def _minute_writer(connection: BaseDatabaseWrapper, zone: ZoneInfo) -> Callable[[int], Any]:
    """An engine minute (naive local time of ``zone``) as the database stores the moment."""
    adapt = _epoch if _epoch_dates(connection) else connection.ops.adapt_datetimefield_value

    def convert(minute: int) -> Any:
        # In UTC: a fixed offset formats and compares faster than the zone's rules (same instant).
        return adapt(engine.from_minutes(minute).replace(tzinfo=zone).astimezone(dt.UTC))

    return _memo((connection.alias, "minute", str(zone.key)), convert)


def store_changes(tasks: Sequence[PlanRow], computed: Mapping[int, tuple[Any, ...]]) -> int:
    """Write the computed columns of the rows whose new values differ from what they store.

    ``computed`` holds each row's ``COMPUTED_FIELDS`` in stored form; a row it lacks keeps what its
    ``PlanRow`` holds (converted here). A row whose numbering, duration and progress are unchanged
    gets only its dates and floats written (fewer columns, and the outline index is left alone).
    Returns how many rows were written.
    """
    connection = connections[router.db_for_write(Task)]
    writers = [_writer(_task_field(name), connection) for name in COMPUTED_FIELDS]
    dates_only: list[tuple[Any, ...]] = []
    everything: list[tuple[Any, ...]] = []
    for task in tasks:
        new = computed.get(task.pk)
        if new is None:
            new = tuple(
                write(getattr(task, name)) for write, name in zip(writers, COMPUTED_FIELDS, strict=True)
            )
        old = task.stored
        if new == old:
            continue
        task.stored = new  # what the row stores once written (a memo's row is trusted to say it)
        if new[_SCHEDULED:] == old[_SCHEDULED:]:
            dates_only.append((*new[:_SCHEDULED], task.pk))
        else:
            everything.append((*new, task.pk))
    epochs = [n for n in COMPUTED_FIELDS if isinstance(_task_field(n), models.DateTimeField)]
    epochs = epochs if _epoch_dates(connection) else []
    return bulk_write_prepared(
        Task, COMPUTED_FIELDS[:_SCHEDULED], dates_only, epoch_fields=epochs
    ) + bulk_write_prepared(Task, COMPUTED_FIELDS, everything, epoch_fields=epochs)


def _same_expansion(
    links: Sequence[LinkRow], leaves: Mapping[int, list[int]], before: Mapping[int, list[int]]
) -> bool:
    """Whether the links expand to the same leaf links under both trees: every summary a link
    touches, now or before, has the same leaves (a task added under a phase no link names changes
    nothing)."""
    if leaves is before:
        return True
    touched = {
        i for link in links for i in (link.predecessor_id, link.successor_id) if i in leaves or i in before
    }
    return all(leaves.get(i) == before.get(i) for i in touched)


def _number_appended(
    tasks: Sequence[PlanRow], tree: Sequence[tuple[Any, ...]], memo: PlanMemo
) -> dict[int, list[int]] | None:
    """Number the rows and give the leaves when the tree is the memo's with rows added as last
    children (a task added at the end of a phase or of the plan); None, numbering nothing, otherwise.

    Such rows leave every other row's numbers alone: the kept rows get their previous numbering, an
    added row the next number among its siblings, and the summaries above it the added leaf after
    their last one. Only rows under a summary row already there qualify (a row added under a leaf
    makes it a summary), and a shared row only at the top or under a shared row (under an internal
    row it takes the next client number of the whole plan, which is not simply the last).
    """
    kept = len(memo.tree)
    if not kept or len(tree) <= kept or tree[:kept] != memo.tree:
        return None
    before = memo.rows
    added = tasks[kept:]
    # Only the added rows' parents are looked at: their last child, children and shared children.
    wanted = {task.parent_id for task in added}
    children = {p: n for p, n in Counter(map(itemgetter(1), memo.tree)).items() if p in wanted}
    last: dict[int | None, tuple[int, int]] = {}
    shared_children: dict[int | None, int] = {}
    for parent_id in wanted:
        siblings = [(position, pk, v) for pk, p, position, v in memo.tree if p == parent_id]
        if siblings:
            last[parent_id] = max(siblings)[:2]
        if parent_id is not None:
            shared_children[parent_id] = sum(1 for *_key, v in siblings if v == Visibility.SHARED)
    if any(t.parent_id is None and t.visibility == Visibility.SHARED for t in added):
        # The plan-wide client numbers (top rows, and shared rows under internal ones) have no dot.
        numbers = (row.shared_wbs for row in before.values())
        shared_children[None] = sum(1 for number in numbers if number and "." not in number)
    for task in added:
        parent = before.get(task.parent_id) if task.parent_id is not None else None
        if task.parent_id is not None and (parent is None or not parent.is_summary):
            return None
        if (
            task.visibility == Visibility.SHARED
            and parent is not None
            and parent.visibility != Visibility.SHARED
        ):
            return None
        key = (task.position, task.pk)
        if task.parent_id in last and key <= last[task.parent_id]:
            return None
        last[task.parent_id] = key
    _copy_outline(tasks[:kept], before)
    leaves = dict(memo.leaves)
    for task in added:
        parent = before.get(task.parent_id) if task.parent_id is not None else None
        rank = children[task.parent_id] = children.get(task.parent_id, 0) + 1
        task.wbs = f"{parent.wbs}.{rank}" if parent is not None else f"{rank}"
        task.outline_key = f"{parent.outline_key}.{rank:05d}" if parent is not None else f"{rank:05d}"
        task.is_summary = False
        task.shared_wbs = ""
        if task.visibility == Visibility.SHARED:
            scope = task.parent_id if parent is not None else None
            count = shared_children[scope] = shared_children.get(scope, 0) + 1
            task.shared_wbs = f"{parent.shared_wbs}.{count}" if parent is not None else f"{count}"
        node = parent
        while node is not None:
            # The added leaf follows the parent's last leaf in every summary above it.
            below = leaves[node.pk]
            if node is parent:
                at = len(below)
            else:
                at = below.index(leaves[parent.pk][-2]) + 1 if parent is not None else len(below)
            leaves[node.pk] = [*below[:at], task.pk, *below[at:]]
            node = before.get(node.parent_id) if node.parent_id is not None else None
    return leaves


def _copy_outline(tasks: Sequence[PlanRow], before: Mapping[int, PlanRow]) -> None:
    """Give rows read anew the numbering of their previous selves (the tree has not changed)."""
    for task in tasks:
        old = before[task.pk]
        if old is not task:
            task.wbs, task.shared_wbs, task.outline_key, task.is_summary = (
                old.wbs,
                old.shared_wbs,
                old.outline_key,
                old.is_summary,
            )


def finish_after(
    project: Project, start: dt.datetime, minutes: int, calendar: engine.Calendar | None = None
) -> dt.datetime:
    """The moment ``minutes`` working minutes after ``start`` on the project calendar (aware datetimes)."""
    zone = zone_of(project)
    cal = calendar or project_engine_calendar(project)
    local = to_local(start, zone)
    assert local is not None
    result = to_aware(engine.add_working_minutes(cal, local, minutes), zone)
    assert result is not None
    return result


def working_minutes(calendar: engine.Calendar, project: Project, a: dt.datetime, b: dt.datetime) -> int:
    """Working minutes from ``a`` to ``b`` on ``calendar`` (negative when ``b`` is earlier)."""
    zone = zone_of(project)
    la, lb = to_local(a, zone), to_local(b, zone)
    assert la is not None and lb is not None
    return engine.working_minutes_between(calendar, la, lb)
