"""Test cycles and their runs: planning a cycle, putting cases into it, assigning testers, recording
results (one run or a whole cycle at once) and raising a defect from a failed step.

- A cycle is planned by the team's PMs and leads (a UAT cycle by the client PM too, and a client PM's
  cycle is always shared); it moves planned → active → finished. A finished cycle takes no more
  results, runs, testers or changes.
- Cases go into a cycle as the planner sees them: active cases only, a requirement brings its active
  cases, a case already in the cycle is skipped. An internal case may go into a shared cycle: the
  testers' scope (``quality.scope``) shows a client only the runs whose cycle *and* case are shared,
  so the client never learns of it, and the team's run of it keeps the cycle's figures complete.
- A tester is a member of the project; a client member only on a run a client can see (shared cycle,
  shared case); the team's viewers do not test.
- A run's audit record is shared only when the run is (its cycle and its case shared).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tandem.core import audit, updates
from tandem.core.choices import Visibility
from tandem.projects.choices import Role
from tandem.projects.models import Deliverable, Membership
from tandem.projects.permissions import is_team, role_of
from tandem.quality import permissions
from tandem.quality.choices import CycleStatus, RunResult
from tandem.quality.cleaners import row_id
from tandem.quality.defects import do_file_defect
from tandem.quality.models import Defect, TestCase, TestCaseRevision, TestCycle, TestRun
from tandem.quality.scope import cases_of, runs_of
from tandem.requirements.models import Requirement

if TYPE_CHECKING:
    from tandem.accounts.models import User
    from tandem.projects.models import Project

#: What a planner sets on a cycle.
CYCLE_FIELDS = (
    "name",
    "kind",
    "build",
    "description",
    "deliverable_id",
    "starts_on",
    "ends_on",
    "visibility",
)
CYCLE_AUDITED = ("name", "kind", "status", "build", "starts_on", "ends_on", "visibility")
#: The longest note of a run or of one of its steps.
MAX_NOTE = 4000
#: The most rows one bulk request records.
MAX_BULK_ROWS = 1000
FAILING = frozenset({RunResult.FAILED, RunResult.BLOCKED})


# ---------------------------------------------------------------- rules shared by the services


def run_visibility(run: TestRun) -> str:
    """A run is shared when its cycle and its case are (the scope's rule, for its audit records)."""
    shared = run.cycle.visibility == Visibility.SHARED and run.case.visibility == Visibility.SHARED
    return Visibility.SHARED if shared else Visibility.INTERNAL


def refuse_finished(cycle: TestCycle, field: str = "cycle") -> None:
    """A finished cycle takes no more results, runs or changes: a 422 naming the rule."""
    if cycle.status == CycleStatus.FINISHED:
        raise ValidationError(
            {field: [_("This test cycle is finished: it takes no more results or changes.")]}
        )


def require_plan(actor: User, cycle: TestCycle) -> None:
    """Refuse (403) a planner's change to ``cycle`` by someone who may not plan its kind."""
    permissions.require(permissions.can_plan_cycle(actor, cycle.project, cycle.kind))


def can_remove_evidence(user: User, uploaded_by_id: int | None, run: TestRun) -> bool:
    """Whether the user removes a piece of evidence: its uploader or the team's writers."""
    project = run.cycle.project
    if uploaded_by_id is not None and uploaded_by_id == user.pk and permissions.can_record_result(user, run):
        return True
    return is_team(user, project) and role_of(user, project) in permissions.TEAM_WRITERS


def _deliverable_cleaner(actor: User, project: Project) -> updates.Cleaner:
    return row_id("deliverable_id", Deliverable.objects.visible_to(actor).filter(project=project))


def _cycle_rules(actor: User, project: Project) -> dict[str, Any]:
    return {
        "clean": {"deliverable_id": _deliverable_cleaner(actor, project)},
        "text_fields": ("name", "build", "description"),
    }


def _dates_in_order(row: TestCycle, _values: Mapping[str, Any]) -> None:
    if row.starts_on and row.ends_on and row.ends_on < row.starts_on:
        raise ValidationError({"ends_on": [_("A cycle ends on or after the day it starts.")]})


# ---------------------------------------------------------------- cycles


@transaction.atomic
def do_create_cycle(project: Project, *, actor: User, **data: Any) -> TestCycle:
    """Plan a test cycle (team PMs and leads; a UAT cycle, the client PM too — shared, as the client's)."""
    kind = data.get("kind") or TestCycle._meta.get_field("kind").default
    permissions.require(permissions.can_plan_cycle(actor, project, kind))
    values = dict(data)
    if not is_team(actor, project):
        values["visibility"] = Visibility.SHARED

    def prepare(row: TestCycle, given: Mapping[str, Any]) -> None:
        permissions.require(permissions.can_plan_cycle(actor, project, row.kind))
        _dates_in_order(row, given)

    return updates.create_audited(
        TestCycle,
        values,
        fields=CYCLE_FIELDS,
        actor=actor,
        initial={"project": project, "created_by": actor, "status": CycleStatus.PLANNED},
        prepare=prepare,
        audited=CYCLE_AUDITED,
        **_cycle_rules(actor, project),
    )


@transaction.atomic
def do_update_cycle(cycle: TestCycle, *, actor: User, version: int | None, **data: Any) -> TestCycle:
    """Change a cycle that is not finished, based on the version read (a planner of its kind)."""
    require_plan(actor, cycle)
    project = cycle.project
    values = dict(data)
    if not is_team(actor, project):
        values.pop("visibility", None)

    def prepare(row: TestCycle, before: Mapping[str, Any]) -> None:
        permissions.require(permissions.can_plan_cycle(actor, project, row.kind))
        _dates_in_order(row, before)

    return updates.update_versioned(
        cycle,
        values,
        fields=CYCLE_FIELDS,
        version=version,
        actor=actor,
        refuse=lambda row: refuse_finished(row, "status"),
        prepare=prepare,
        audited=CYCLE_AUDITED,
        **_cycle_rules(actor, project),
    ).instance


@transaction.atomic
def do_delete_cycle(cycle: TestCycle, *, actor: User, version: int | None) -> None:
    """Remove a planned cycle in which nothing was run yet (its runs go with it)."""
    require_plan(actor, cycle)
    if cycle.status != CycleStatus.PLANNED:
        raise ValidationError({"status": [_("Only a planned cycle can be removed.")]})
    if cycle.runs.exclude(result=RunResult.NOT_RUN).exists():
        raise ValidationError({"status": [_("A cycle with results cannot be removed.")]})
    updates.delete_versioned(cycle, version=version, actor=actor, audited=("name", "kind"))


@transaction.atomic
def do_start_cycle(cycle: TestCycle, *, actor: User, version: int | None) -> TestCycle:
    """Start a planned cycle (planned → active)."""
    require_plan(actor, cycle)
    return updates.move(
        cycle,
        CycleStatus.ACTIVE,
        version=version,
        actor=actor,
        verb="status_changed",
        check=updates.in_state({CycleStatus.PLANNED}, _("Only a planned cycle can be started.")),
    )


@transaction.atomic
def do_finish_cycle(cycle: TestCycle, *, actor: User, version: int | None) -> TestCycle:
    """Finish an active cycle (active → finished): from now on it takes no results or changes."""
    require_plan(actor, cycle)

    def finished(row: TestCycle, _before: Mapping[str, Any]) -> None:
        row.finished_at = timezone.now()

    return updates.move(
        cycle,
        CycleStatus.FINISHED,
        version=version,
        actor=actor,
        verb="status_changed",
        check=updates.in_state({CycleStatus.ACTIVE}, _("Only a cycle in progress can be finished.")),
        prepare=finished,
    )


# ---------------------------------------------------------------- runs


def _ids(values: Iterable[Any] | None, field: str) -> list[int]:
    """A list of ids as given, or a 422 naming ``field``."""
    if values is None:
        return []
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise ValidationError({field: [_("Give a list of ids.")]})
    out = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValidationError({field: [_("Give a list of ids.")]})
        try:
            out.append(int(value))
        except ValueError:
            raise ValidationError({field: [_("Give a list of ids.")]}) from None
    return out


@transaction.atomic
def do_add_cases(
    cycle: TestCycle,
    *,
    actor: User,
    case_ids: Iterable[Any] | None = None,
    requirement_ids: Iterable[Any] | None = None,
) -> list[TestRun]:
    """Put cases into a cycle: the active ones the planner sees, named or through their requirements.

    A case already in the cycle is skipped; each run records the case's revision. An id the planner
    does not see (or a retired case) is a 422 naming ``cases`` or ``requirements``.
    """
    require_plan(actor, cycle)
    refuse_finished(cycle)
    project = cycle.project
    named, by_requirement = _ids(case_ids, "cases"), _ids(requirement_ids, "requirements")
    if not named and not by_requirement:
        raise ValidationError({"cases": [_("Choose test cases or requirements.")]})
    active = cases_of(actor, project).filter(is_active=True)
    found = {c.pk: c for c in active.filter(pk__in=named)}
    missing = [pk for pk in named if pk not in found]
    if missing:
        raise ValidationError(
            {"cases": [_("No such active test case in this project: %(ids)s.") % {"ids": missing}]}
        )
    if by_requirement:
        seen = set(
            Requirement.objects.visible_to(actor)
            .filter(project=project, pk__in=by_requirement)
            .values_list("pk", flat=True)
        )
        unknown = [pk for pk in by_requirement if pk not in seen]
        if unknown:
            raise ValidationError(
                {"requirements": [_("No such requirement in this project: %(ids)s.") % {"ids": unknown}]}
            )
        for case in active.filter(requirements__in=by_requirement).distinct():
            found.setdefault(case.pk, case)
    present = set(cycle.runs.values_list("case_id", flat=True))
    position = cycle.runs.aggregate(m=Max("position"))["m"] or 0
    new = []
    for case in sorted(found.values(), key=lambda c: c.code):
        if case.pk in present:
            continue
        position += 1
        new.append(TestRun(cycle=cycle, case=case, case_revision=case.revision, position=position))
    created = TestRun.objects.bulk_create(new)
    audit.record_many(
        audit.entry(
            actor=actor,
            verb="added",
            target=run,
            project=project,
            label=f"{run.case.code} {run.case.title}",
            changes={"cycle": [None, cycle.name]},
            visibility=run_visibility(run),
        )
        for run in created
    )
    return created


@transaction.atomic
def do_remove_run(run: TestRun, *, actor: User, version: int | None) -> None:
    """Take a case that has not been run out of its cycle."""
    cycle = run.cycle
    require_plan(actor, cycle)
    refuse_finished(cycle)
    if run.result != RunResult.NOT_RUN or run.executed_at is not None:
        raise ValidationError({"result": [_("A case that has been run stays in its cycle.")]})
    updates.delete_versioned(
        run,
        version=version,
        actor=actor,
        project=cycle.project,
        visibility=run_visibility,
        label=f"{run.case.code} {run.case.title}",
    )


def _tester_cleaner(run: TestRun) -> updates.Cleaner:
    """``assignee_id`` → a tester of the project who may run ``run`` (or None)."""
    project = run.cycle.project

    def clean(value: Any) -> int | None:
        if value in (None, ""):
            return None
        refused = ValidationError({"assignee_id": [_("Choose a member of the project who tests.")]})
        try:
            pk = int(value)
        except (TypeError, ValueError, OverflowError):
            raise refused from None
        membership = Membership.objects.filter(project=project, user_id=pk, user__is_active=True).first()
        if membership is None or membership.role == Role.TEAM_VIEWER:
            raise refused
        if membership.role not in permissions.TEAM_WRITERS and run_visibility(run) != Visibility.SHARED:
            raise ValidationError(
                {"assignee_id": [_("A client tests only a shared case in a shared cycle.")]}
            )
        return pk

    return clean


@transaction.atomic
def do_assign(run: TestRun, *, actor: User, version: int | None, assignee_id: Any) -> TestRun:
    """Name (or clear) the tester of a run, based on the version read (a planner of the cycle)."""
    require_plan(actor, run.cycle)
    return updates.update_versioned(
        run,
        {"assignee_id": assignee_id},
        fields=("assignee_id",),
        version=version,
        actor=actor,
        project=run.cycle.project,
        verb="updated",
        refuse=lambda row: refuse_finished(run.cycle),
        clean={"assignee_id": _tester_cleaner(run)},
        visibility=run_visibility,
        label=f"{run.case.code} {run.case.title}",
    ).instance


# ---------------------------------------------------------------- results


def steps_at_revision(case: TestCase, number: int) -> list[dict[str, Any]]:
    """The steps of ``case`` as they were at revision ``number`` (the current ones when unchanged)."""
    if number == case.revision:
        return list(case.steps or [])
    stored = TestCaseRevision.objects.filter(case=case, number=number).first()
    if stored is None or not isinstance(stored.content, dict):
        return list(case.steps or [])
    return list(stored.content.get("steps") or [])


def _result(value: Any, field: str) -> str:
    if value not in RunResult.values:
        raise ValidationError(
            {field: [_("Choose one of: %(choices)s.") % {"choices": ", ".join(RunResult.values)}]}
        )
    return str(value)


def _note(value: Any, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: [_("A note is text.")]})
    if len(value) > MAX_NOTE:
        raise ValidationError({field: [_("Keep a note under %(n)s characters.") % {"n": MAX_NOTE}]})
    return value.strip()


def clean_steps(value: Any, steps: int, field: str = "step_results") -> list[dict[str, str]]:
    """One ``{"result", "note"}`` per step, at most ``steps`` of them; else a 422 naming ``field``."""
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        raise ValidationError({field: [_("Give one result per step.")]})
    if len(value) > steps:
        raise ValidationError(
            {field: [_("The case has %(n)s steps: give at most one result for each.") % {"n": steps}]}
        )
    out = []
    for item in value:
        if not isinstance(item, Mapping) or set(item) - {"result", "note"}:
            raise ValidationError({field: [_('Each step\'s result is {"result", "note"}.')]})
        out.append({"result": _result(item.get("result"), field), "note": _note(item.get("note"), field)})
    return out


@dataclass(frozen=True)
class Outcome:
    """A result as recorded: the run's, each step's and the tester's note."""

    result: str
    step_results: list[dict[str, str]]
    note: str


def check_outcome(case: TestCase, result: Any, step_results: Any, note: Any, prefix: str = "") -> Outcome:
    """The validated result of one run of ``case`` (field names after ``prefix``)."""
    chosen = _result(result, f"{prefix}result")
    steps = clean_steps(step_results, len(case.steps or []), f"{prefix}step_results")
    if chosen == RunResult.PASSED and any(s["result"] in FAILING for s in steps):
        raise ValidationError(
            {f"{prefix}result": [_("A case with a failed or blocked step has not passed.")]}
        )
    return Outcome(chosen, steps, _note(note, f"{prefix}note"))


def _apply(run: TestRun, outcome: Outcome, actor: User, now: Any) -> None:
    run.result = outcome.result
    run.step_results = outcome.step_results
    run.note = outcome.note
    run.case_revision = run.case.revision
    executed = outcome.result != RunResult.NOT_RUN
    run.executed_by = actor if executed else None
    run.executed_at = now if executed else None


@transaction.atomic
def do_record_result(
    run: TestRun,
    *,
    actor: User,
    version: int | None,
    result: Any,
    step_results: Any = None,
    note: Any = "",
) -> TestRun:
    """Record a run's result with each step's (the run's tester, the team's writers, the client PM in
    UAT), based on the version read. "Not run" clears it."""
    permissions.require_record_result(actor, run)
    cycle = run.cycle
    outcome = check_outcome(run.case, result, step_results, note)

    def prepare(row: TestRun, _before: Mapping[str, Any]) -> None:
        _apply(row, outcome, actor, timezone.now())

    return updates.update_versioned(
        run,
        {},
        fields=(),
        version=version,
        actor=actor,
        project=cycle.project,
        verb="updated",
        refuse=lambda row: refuse_finished(cycle),
        prepare=prepare,
        audited=("result", "note", "case_revision"),
        visibility=run_visibility,
        record_unchanged=True,
        label=f"{run.case.code} {run.case.title}",
    ).instance


@transaction.atomic
def do_record_results(cycle: TestCycle, *, actor: User, rows: Sequence[Mapping[str, Any]]) -> list[TestRun]:
    """Record the results of many runs of one cycle: each row names its ``case``; all or nothing.

    The same queries whatever the number of rows: the named cases' runs the actor reads, locked at
    once, one bulk update of what differs run by run and one update each for the executed and the
    cleared runs, one insert of the audit records. A case that is not in the cycle (or not one the
    actor reads) is a 422 naming ``results[i].case``.
    """
    refuse_finished(cycle)
    if not isinstance(rows, list | tuple) or not rows:
        raise ValidationError({"results": [_("Give at least one result.")]})
    if len(rows) > MAX_BULK_ROWS:
        raise ValidationError(
            {"results": [_("Record at most %(n)s results at once.") % {"n": MAX_BULK_ROWS}]}
        )
    project = cycle.project
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise ValidationError({f"results[{i}]": [_("Each result is an object naming its case.")]})
    named = [_case_id(row) for row in rows]
    # Only the named cases' runs are read (and locked), not the whole cycle's.
    runs = {
        run.case_id: run
        for run in runs_of(actor, project)
        .filter(cycle=cycle, case_id__in={c for c in named if c})
        .select_related("case")
        .select_for_update(of=("self",))
    }
    chosen: dict[int, tuple[TestRun, Outcome]] = {}
    for i, row in enumerate(rows):
        prefix = f"results[{i}]."
        case_id = named[i]
        run = runs.get(case_id)
        if run is None or isinstance(row.get("case"), bool):
            raise ValidationError({f"{prefix}case": [_("This test case is not in the cycle.")]})
        if case_id in chosen:
            raise ValidationError({f"{prefix}case": [_("This test case has a result earlier in the list.")]})
        run.cycle = cycle
        if not permissions.can_record_result(actor, run):
            raise PermissionDenied(
                _("Only the run's tester or the project's test leads may record this result.")
            )
        chosen[case_id] = (
            run,
            check_outcome(run.case, row.get("result"), row.get("step_results"), row.get("note"), prefix),
        )
    now = timezone.now()
    entries = []
    for run, outcome in chosen.values():
        before = audit.field_values(run, ("result", "note"))
        _apply(run, outcome, actor, now)
        run.version += 1
        run.updated_at = now
        entries.append(
            audit.entry(
                actor=actor,
                verb="updated",
                target=run,
                project=project,
                label=f"{run.case.code} {run.case.title}",
                changes=audit.changed(before, audit.field_values(run, ("result", "note"))),
                visibility=run_visibility(run),
            )
        )
    done = [run for run, _outcome in chosen.values()]
    # The fields that differ run by run in one bulk update; those every executed (or every cleared) run
    # shares in one plain update each: the bulk update's CASE expressions cost per field and row.
    TestRun.objects.bulk_update(done, ["result", "step_results", "note", "case_revision"])
    for executed in (True, False):
        ids = [run.pk for run in done if (run.executed_at is not None) is executed]
        if ids:
            TestRun.objects.filter(pk__in=ids).update(
                executed_by=actor if executed else None,
                executed_at=now if executed else None,
                version=F("version") + 1,
                updated_at=now,
            )
    audit.record_many(entries)
    return done


def _case_id(row: Mapping[str, Any]) -> int:
    """The case a bulk result names (0 when it names none)."""
    value = row.get("case")
    if isinstance(value, bool):
        return 0
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return 0


# ---------------------------------------------------------------- a defect from a failed step


def _step_number(value: Any, steps: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        number = 0
    if isinstance(value, bool) or not 1 <= number <= steps:
        raise ValidationError({"step_number": [_("The case has steps 1 to %(n)s.") % {"n": steps}]})
    return number


def defect_text(run: TestRun, steps: list[dict[str, Any]], number: int, language: str) -> dict[str, str]:
    """The title, steps to reproduce and description of a defect raised from step ``number`` of ``run``."""
    case = run.case
    step = steps[number - 1]
    noted = run.step_results[number - 1].get("note", "") if len(run.step_results) >= number else ""
    with translation.override(language):
        lines = []
        if case.preconditions.strip():
            lines += [_("Preconditions:"), case.preconditions.strip(), ""]
        lines += [f"{i}. {s.get('action', '')}" for i, s in enumerate(steps[:number], start=1)]
        description = [
            _("Found in %(cycle)s (%(build)s), step %(n)s of %(case)s.")
            % {"cycle": run.cycle.name, "build": run.cycle.build or "—", "n": number, "case": case.code},
            "",
            _("Expected: %(text)s") % {"text": step.get("expected", "") or "—"},
            _("Observed: %(text)s") % {"text": noted or run.note or "—"},
        ]
    return {
        "title": f"{case.code} · {step.get('action', '')}".strip()[:200],
        "steps_to_reproduce": "\n".join(lines),
        "description": "\n".join(description),
    }


@transaction.atomic
def do_raise_defect(
    run: TestRun, *, actor: User, step_number: Any, version: int | None = None, **overrides: Any
) -> Defect:
    """File a defect from a failed step in one action: the step (and the run) are marked failed if
    they are not yet, then the defect is filed through ``do_file_defect`` with its text and links.

    ``version``: the run's version the caller read (default: as passed in). ``overrides`` are filed
    fields (severity, priority, title…) that replace the ones made from the run.
    """
    permissions.require(permissions.can_file_defect(actor, run.cycle.project))
    cycle, case = run.cycle, run.case
    project = cycle.project
    steps = steps_at_revision(case, run.case_revision)
    number = _step_number(step_number, len(steps))
    results = [dict(s) for s in (run.step_results or [])]
    if (
        len(results) < number
        or results[number - 1].get("result") != RunResult.FAILED
        or run.result != RunResult.FAILED
    ):
        permissions.require_record_result(actor, run)
        refuse_finished(cycle)
        while len(results) < number:
            results.append({"result": RunResult.NOT_RUN, "note": ""})
        results[number - 1]["result"] = RunResult.FAILED

        def prepare(row: TestRun, _before: Mapping[str, Any]) -> None:
            row.step_results = results
            row.result = RunResult.FAILED
            row.executed_by = actor
            row.executed_at = timezone.now()

        run = updates.update_versioned(
            run,
            {},
            fields=(),
            version=run.version if version is None else version,
            actor=actor,
            project=project,
            verb="updated",
            prepare=prepare,
            audited=("result",),
            visibility=run_visibility,
            label=f"{case.code} {case.title}",
        ).instance
    data: dict[str, Any] = {
        **defect_text(run, steps, number, project.language),
        "test_case_id": case.pk,
        "test_run_id": run.pk,
        "step_number": number,
    }
    requirement = (
        case.requirements.filter(pk__in=Requirement.objects.visible_to(actor).filter(project=project))
        .order_by("code", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    if requirement is not None:
        data["requirement_id"] = requirement
    if (
        cycle.deliverable_id
        and Deliverable.objects.visible_to(actor).filter(pk=cycle.deliverable_id).exists()
    ):
        data["deliverable_id"] = cycle.deliverable_id
    if run_visibility(run) == Visibility.INTERNAL:
        data["visibility"] = Visibility.INTERNAL
    data.update({k: v for k, v in overrides.items() if k in _OVERRIDABLE})
    unknown = sorted(set(overrides) - set(_OVERRIDABLE))
    if unknown:
        raise ValidationError({unknown[0]: [_("This field cannot be set here.")]})
    return do_file_defect(project, actor=actor, data=data)


#: What the tester may set on a defect raised from a step (the links come from the run).
_OVERRIDABLE = ("title", "description", "steps_to_reproduce", "severity", "priority", "visibility", "task_id")
