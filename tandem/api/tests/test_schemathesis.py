"""Schemathesis walks the whole OpenAPI document against the demo project, as its PM and as a client.

Every operation gets a few generated requests the document allows and a few it forbids, sent
in-process through Django's WSGI application with a bearer token. The API keeps its contract when
no answer is a 5xx, every answer is documented (status, content type, schema) and every forbidden
request is refused. The examples are derandomized, so a run is the same every time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.apps import apps
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection, transaction
from django.test.utils import override_settings
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.result import Ok

from tandem.accounts import services as account_services
from tandem.accounts.models import User
from tandem.changes.demo import load_demo_changes
from tandem.core.choices import Visibility
from tandem.meetings.demo import load_demo_meetings
from tandem.planning.demo import load_demo_plan
from tandem.projects.choices import Role
from tandem.projects.demo import DEMO_CODE, PEOPLE, load_demo
from tandem.projects.models import CharterRevision, Membership, Project
from tandem.reports.demo import load_demo_reports
from tandem.requirements.demo import load_demo_requirements
from tandem.risks.demo import load_demo_risks
from tandem.testing.api import API, FAST_PASSWORDS

#: Generated requests per operation and generation mode: enough to cross every branch of the
#: input schemas over the run, few enough for a run of a couple of minutes on a small machine.
MAX_EXAMPLES = 3
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """Django's WSGI application, keeping the test's database transaction open between requests."""
    # A real request closes the connection when it ends, which would end the test's transaction;
    # Django's own test client disconnects the same handlers.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def demo_project(django_db_setup: None, django_db_blocker: Any) -> Iterator[Project]:
    """The demo project with all it loads (plan, requirements, changes, risks, meetings, reports).

    Loaded once for the module and rolled back at its end; each test runs in a savepoint inside,
    so what one persona's requests delete or change is back for the next.
    """
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORDS), django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            project = load_demo()
            for load in (
                load_demo_plan,
                load_demo_requirements,
                load_demo_changes,
                load_demo_risks,
                load_demo_meetings,
                load_demo_reports,
            ):
                load(project)
            yield project
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            connection.close()


#: ``segment=app.Model@parent``: the record a path segment names (``risks/{risk_id}``) and, for rows
#: that belong to the project through another row, that row's field.
RECORDS = (
    "members=projects.Membership invitations=projects.Invitation goals=projects.Goal kpis=projects.Kpi "
    "stakeholders=projects.Stakeholder deliverables=projects.Deliverable notes=projects.Note "
    "tasks=planning.Task dependencies=planning.Dependency baselines=planning.Baseline "
    "changes=changes.ChangeRequest edits=changes.SandboxEdit@request requirements=requirements.Requirement "
    "risks=risks.Risk risk-actions=risks.RiskAction@risk issues=risks.Issue conflicts=risks.Conflict "
    "decisions=risks.ClientDecision comments=communication.Comment reports=reports.StatusReport "
    "webhooks=communication.WebhookEndpoint "
    "deliveries=communication.WebhookDelivery@endpoint communication-plan=meetings.CommunicationItem "
    "meetings=meetings.Meeting agenda=meetings.AgendaItem@meeting attendees=meetings.Attendee@meeting "
    "meeting-actions=meetings.ActionItem@meeting"
)


def _path_ids(project: Project, caller: User) -> dict[str, Any]:
    """A real record for each path segment that names one (``risks`` → a risk's id), shared ones first.

    Generated ids would almost always answer 404 and leave the records' answers untested.
    """
    ids: dict[str, Any] = {}
    for spec in RECORDS.split():
        segment, _eq, target = spec.partition("=")
        model_name, _at, parent = target.partition("@")
        model = apps.get_model(model_name)
        rows = model.objects.filter(**{f"{parent}__project" if parent else "project": project})
        if any(field.name == "visibility" for field in model._meta.fields):
            rows = rows.filter(visibility=Visibility.SHARED)  # a client reads these too
        if model is Membership:  # the run must not remove its own caller or the project's manager
            rows = rows.exclude(user=caller).exclude(role=Role.PROJECT_MANAGER)
        ids[segment] = rows.order_by("pk").values_list("pk", flat=True).first()
    revision = CharterRevision.objects.filter(charter__project=project).order_by("number").first()
    ids["revisions"] = revision.number if revision else None
    # A token of the caller's other than the one the run uses, so deleting it leaves the run signed in.
    spare, _raw = account_services.do_create_api_token(caller, name="spare", actor=caller)
    ids["tokens"] = spare.pk
    return {segment: pk for segment, pk in ids.items() if pk is not None}


def _fixed_path(path: str, ids: dict[str, Any]) -> dict[str, Any]:
    """The path parameters of ``path`` given a real record: ``{risk_id}`` after ``risks/``."""
    fixed = {"code": DEMO_CODE}
    for segment, name in re.findall(r"([\w-]+)/{(\w+)}", path):
        if segment in ids:
            fixed[name] = ids[segment]
    return {name: value for name, value in fixed.items() if f"{{{name}}}" in path}


def _exercise(
    operation: Any, mode: GenerationMode, call: Callable[[Any], None], path_parameters: dict[str, Any]
) -> str | None:
    """Send the operation's generated requests of one mode; the first broken contract, or None."""

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters or None))
    def run(case: Any) -> None:
        call(case)

    try:
        run()
    except Unsatisfiable:
        return None  # nothing of this operation can be made invalid once its path is fixed
    except (Exception, BaseExceptionGroup) as exc:  # every broken contract is reported at the end
        return f"{operation.label} [{mode.value}]: {_short(exc)}"
    return None


def _short(exc: BaseException) -> str:
    """Schemathesis's report of a failure without its (long) curl line, cut to a readable length."""
    lines = [line for line in str(exc).splitlines() if line.strip() and "curl " not in line]
    return "\n    ".join(lines)[:1200]


@pytest.mark.parametrize("persona", ["pm", "client_pm"])
def test_the_api_keeps_its_documented_contract(
    persona: str, demo_project: Project, wsgi_app: WSGIHandler, db: None
) -> None:
    """No 5xx, documented answers only, forbidden input refused: for every operation of the document."""
    project = demo_project
    email = next(p.email for p in PEOPLE if p.key == persona)
    user = project.memberships.get(user__email=email).user
    _token, raw = account_services.do_create_api_token(user, name="schemathesis", actor=user)
    headers = {"Authorization": f"Bearer {raw}"}
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", wsgi_app)
    ids = _path_ids(project, user)

    def call(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    failures = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result.err()
        operation = result.ok()
        fixed = _fixed_path(operation.path, ids)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failure = _exercise(operation, mode, call, fixed)
            if failure:
                failures.append(failure)
    assert not failures, f"{len(failures)} broken contracts:\n\n" + "\n\n".join(failures)
