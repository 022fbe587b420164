"""The write side of test cases: ``do_*`` functions, each one transaction with its audit record.

A case's content (title, preconditions, steps, expected result) is versioned: revision 1 is stored
when the case is written, and every change of that content adds one (``TestCaseRevision``), so a run
can say which content it tested. A case that has been run is retired, never deleted. The client PM
writes shared cases only (a client's own acceptance tests).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tandem.core import updates
from tandem.core.choices import Visibility
from tandem.core.validation import illegal_character
from tandem.quality.models import TestCase, TestCaseRevision, TestRun
from tandem.quality.numbering import next_codes
from tandem.quality.permissions import can_write_cases, require, writes_internal_cases
from tandem.requirements.models import Requirement

if TYPE_CHECKING:
    from tandem.accounts.models import User
    from tandem.core.scoping import Viewer
    from tandem.projects.models import Project

#: What a caller may set on a test case.
CASE_FIELDS = (
    "title",
    "preconditions",
    "steps",
    "expected_result",
    "priority",
    "visibility",
    "requirements",
)
#: The content a revision keeps; a change of any of them makes a new revision.
CONTENT_FIELDS = ("title", "preconditions", "steps", "expected_result")
TEXT_FIELDS = ("title", "preconditions", "expected_result")
AUDITED = ("title", "preconditions", "steps", "expected_result", "priority", "visibility")
#: The most steps a case has, and the longest text of a step's action or expected result.
MAX_STEPS = 100
MAX_STEP_TEXT = 2000
#: Separators of a step written as text: ``action => expected`` or ``action | expected``.
_STEP_SEPARATORS = ("=>", "|")
_NUMBERING = re.compile(r"^\s*\d+\s*[.)、．]\s*")


def _steps_error(message: str) -> ValidationError:
    return ValidationError({"steps": [message]})


def clean_steps(value: Any) -> list[dict[str, str]]:
    """The steps as stored: a list of ``{"action", "expected"}`` with every action given; else an error
    on ``steps``."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return parse_steps(value)
    if not isinstance(value, list | tuple):
        raise _steps_error(_("Give the steps as a list of actions with their expected results."))
    if len(value) > MAX_STEPS:
        raise _steps_error(_("A test case has at most %(n)s steps.") % {"n": MAX_STEPS})
    steps: list[dict[str, str]] = []
    for number, step in enumerate(value, start=1):
        if not isinstance(step, Mapping) or set(step) - {"action", "expected"}:
            raise _steps_error(
                _("Step %(n)s: give an action and, if you like, its expected result.") % {"n": number}
            )
        action, expected = step.get("action"), step.get("expected", "")
        if not isinstance(action, str) or not isinstance(expected, str | None):
            raise _steps_error(_("Step %(n)s: the action and the expected result are text.") % {"n": number})
        action, expected = action.strip(), (expected or "").strip()
        if not action:
            raise _steps_error(_("Step %(n)s: the action is empty.") % {"n": number})
        if len(action) > MAX_STEP_TEXT or len(expected) > MAX_STEP_TEXT:
            raise _steps_error(
                _("Step %(n)s: at most %(max)s characters each.") % {"n": number, "max": MAX_STEP_TEXT}
            )
        if illegal_character(action) or illegal_character(expected):
            raise _steps_error(_("Step %(n)s contains a control character.") % {"n": number})
        steps.append({"action": action, "expected": expected})
    return steps


def parse_steps(text: str) -> list[dict[str, str]]:
    """Steps written one per line, ``action => expected`` (or ``action | expected``), optionally numbered."""
    steps = []
    for line in text.splitlines():
        line = _NUMBERING.sub("", line).strip()
        if not line:
            continue
        action, expected = line, ""
        for separator in _STEP_SEPARATORS:
            if separator in line:
                action, expected = (part.strip() for part in line.split(separator, 1))
                break
        steps.append({"action": action, "expected": expected})
    return clean_steps(steps)


def steps_text(steps: list[dict[str, str]]) -> str:
    """Steps as the text ``parse_steps`` reads: one numbered line each, ``action => expected``."""
    lines = []
    for number, step in enumerate(steps or [], start=1):
        expected = step.get("expected", "")
        lines.append(f"{number}. {step.get('action', '')}" + (f" => {expected}" if expected else ""))
    return "\n".join(lines)


def content_of(case: TestCase) -> dict[str, Any]:
    """The content of ``case`` a revision keeps."""
    return {name: getattr(case, name) for name in CONTENT_FIELDS}


def requirements_link(actor: Viewer, project: Project) -> updates.Link:
    """The requirements a case may name: those of the project the actor sees."""
    return updates.Link(
        relation="requirements",
        visible=Requirement.objects.visible_to(actor).filter(project=project),
        message=_("Name requirements of this project."),
    )


def _rules(actor: Viewer, project: Project) -> dict[str, Any]:
    return {
        "clean": {"steps": clean_steps},
        "links": {"requirements": requirements_link(actor, project)},
        "text_fields": TEXT_FIELDS,
    }


def _values_for(actor: Viewer, project: Project, data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` with a client's case kept shared."""
    values = dict(data)
    if not writes_internal_cases(actor, project) and "visibility" in values:
        values["visibility"] = Visibility.SHARED
    return values


@transaction.atomic
def do_create_case(project: Project, *, actor: User, **data: Any) -> TestCase:
    """Write a test case (the team's writers; the client PM, always shared) and its revision 1."""
    require(can_write_cases(actor, project))
    values = _values_for(actor, project, data)
    initial: dict[str, Any] = {
        "project": project,
        "created_by": actor,
        "code": next_codes(TestCase, project)[0],
    }
    if not writes_internal_cases(actor, project):
        initial["visibility"] = Visibility.SHARED

    def first_revision(case: TestCase) -> None:
        TestCaseRevision.objects.create(case=case, number=1, content=content_of(case), created_by=actor)

    return updates.create_audited(
        TestCase,
        values,
        fields=CASE_FIELDS,
        actor=actor,
        initial=initial,
        after_save=first_revision,
        audited=AUDITED,
        **_rules(actor, project),
    )


@transaction.atomic
def do_update_case(case: TestCase, *, actor: User, version: int | None, **data: Any) -> TestCase:
    """Change a test case based on the version read; a change of its content makes a new revision."""
    project = case.project
    require(can_write_cases(actor, project))
    values = _values_for(actor, project, data)

    def new_revision(row: TestCase, diff: dict[str, Any]) -> None:
        if any(name in diff for name in CONTENT_FIELDS):
            diff["revision"] = [row.revision, row.revision + 1]
            row.revision += 1
            TestCaseRevision.objects.create(
                case=row, number=row.revision, content=content_of(row), created_by=actor
            )

    return updates.update_versioned(
        case,
        values,
        fields=CASE_FIELDS,
        version=version,
        actor=actor,
        audited=AUDITED,
        before_save=new_revision,
        conflict_message=_("Someone changed this test case since you opened it."),
        **_rules(actor, project),
    ).instance


def _set_active(case: TestCase, active: bool, *, actor: User, version: int | None, verb: str) -> TestCase:
    require(can_write_cases(actor, case.project))
    return updates.move(case, active, version=version, actor=actor, field="is_active", verb=verb)


@transaction.atomic
def do_retire_case(case: TestCase, *, actor: User, version: int | None) -> TestCase:
    """Retire a case: it stays in past cycles and is not added to new ones."""
    return _set_active(case, False, actor=actor, version=version, verb="retired")


@transaction.atomic
def do_reactivate_case(case: TestCase, *, actor: User, version: int | None) -> TestCase:
    """Put a retired case back among those new cycles take."""
    return _set_active(case, True, actor=actor, version=version, verb="reactivated")


@transaction.atomic
def do_delete_case(case: TestCase, *, actor: User, version: int | None) -> None:
    """Remove a case that was never put into a cycle (one that was is retired instead)."""
    require(can_write_cases(actor, case.project))
    if TestRun.objects.filter(case=case).exists():
        raise ValidationError(
            {"is_active": [_("This test case is part of a test cycle: retire it instead.")]}
        )
    updates.delete_versioned(case, version=version, actor=actor, audited=("code", "title"))
