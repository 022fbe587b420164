"""The background job API, called as every kind of viewer: a job and its file are its requester's only."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.test.utils import override_settings
from pypdf import PdfReader

from tandem.core.choices import Visibility
from tandem.core.models import Job
from tandem.reports import services as report_services
from tandem.reports.models import StatusReport
from tandem.testing.api import Caller, Case, matrix_test, world_fixture
from tandem.testing.jobs import finished_plan_export
from tandem.testing.personas import World
from tandem.testing.requirements import add_requirements

P = "/projects/ERP"
MEMBERS_START = "401 404 404 202 202 202 202 202"
ONLY_PM_S = "401 404 404 404 404 404 404 200"  # the PM's own job: nobody else may know it exists
ONLY_CLIENT_PM_S = "401 404 404 404 200 404 404 404"

CASES = [
    Case("jobs.start-spec", "POST", f"{P}/jobs", MEMBERS_START, {"kind": "requirements_pdf"}),
    Case(
        "jobs.start-plan-export",
        "POST",
        f"{P}/jobs",
        MEMBERS_START,
        {"kind": "plan_export", "params": {"format": "csv"}},
    ),
    Case(
        "jobs.start-draft-report",
        "POST",
        f"{P}/jobs",
        "401 404 404 404 404 404 202 202",
        {"kind": "report_pdf", "params": {"report": "{draft}"}},
    ),
    Case("jobs.list", "GET", f"{P}/jobs", "401 404 404 200 200 200 200 200"),
    Case("jobs.detail-pm's", "GET", f"{P}/jobs/{{pm_job}}", ONLY_PM_S),
    Case("jobs.detail-client-pm's", "GET", f"{P}/jobs/{{client_pm_job}}", ONLY_CLIENT_PM_S),
    Case("jobs.file-pm's", "GET", f"{P}/jobs/{{pm_job}}/file", ONLY_PM_S),
    Case(
        "jobs.detail-in-other-project",
        "GET",
        "/projects/OTHER/jobs/{pm_job}",
        "401 404 404 404 404 404 404 404",
    ),
]


@pytest.fixture(scope="module", autouse=True)
def _media(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


def seed(world: World) -> dict[str, Any]:
    """A draft report, a finished job of the PM's (with its file) and a queued one of the client PM's."""
    draft = report_services.generate_report(
        world.project, period_start=dt.date(2026, 1, 5), period_end=dt.date(2026, 1, 9), actor=world.pm
    )
    pm_job = finished_plan_export(world.project, world.pm)
    client_pm_job = Job.objects.create(
        project=world.project, requested_by=world.client_pm, kind="requirements_pdf"
    )
    return {"draft": draft.pk, "pm_job": pm_job.pk, "client_pm_job": client_pm_job.pk}


api_world = world_fixture(seed)

test_it_answers_each_viewer_as_the_matrix_says = matrix_test(CASES)


def test_the_specification_pdf_is_built_in_the_background_and_downloaded(
    api_world: tuple[World, dict[str, Any]], db: None, django_capture_on_commit_callbacks: Any
) -> None:
    world, _ids = api_world
    add_requirements(world.project, 5, visibility=Visibility.SHARED)
    internal = add_requirements(world.project, 1, visibility=Visibility.INTERNAL)[0]
    client = Caller(world, "client_pm")
    with django_capture_on_commit_callbacks(execute=True):
        started = client.call("POST", f"{P}/jobs", {"kind": "requirements_pdf", "params": {}})
    assert started.status == 202, started.text
    assert started.json["status"] == "queued" and started.json["file_url"] is None
    job = client.get(f"{P}/jobs/{started.json['id']}")
    assert job.status == 200
    assert job.json["status"] == "done" and job.json["percent"] == 100, job.json
    assert job.json["total"] > 0 and job.json["step"] == "Done"
    assert job.json["filename"] == "ERP-requirements.pdf"
    download = client.get(job.json["file_url"].removeprefix("/api/v1"))
    assert download.status == 200 and download.content.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(download.content)).pages)
    assert "Bulk requirement 1" in text and "Bulk requirement 5" in text
    assert internal.title not in text  # built through the client's scope
    assert client.get(f"{P}/jobs").json[0]["id"] == started.json["id"]


def test_a_job_whose_report_disappeared_shows_its_error(
    api_world: tuple[World, dict[str, Any]], db: None, django_capture_on_commit_callbacks: Any
) -> None:
    world, ids = api_world
    pm = Caller(world, "pm")
    with django_capture_on_commit_callbacks() as callbacks:
        started = pm.call("POST", f"{P}/jobs", {"kind": "report_pdf", "params": {"report": ids["draft"]}})
    assert started.status == 202
    StatusReport.objects.filter(pk=ids["draft"]).delete()
    for callback in callbacks:
        callback()
    job = pm.get(f"{P}/jobs/{started.json['id']}")
    assert job.json["status"] == "failed"
    assert job.json["error"] == "You may no longer read this output."
    assert pm.get(f"{P}/jobs/{started.json['id']}/file").status == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "everything_pdf"}, "kind"),
        ({}, "kind"),
        ({"kind": "report_pdf"}, "params.report"),
        ({"kind": "report_pdf", "params": {"report": True}}, "params.report"),
        ({"kind": "plan_export", "params": {"format": "pdf"}}, "params.format"),
        ({"kind": "plan_export", "params": ["csv"]}, "params"),
        ({"kind": "requirements_pdf", "params": {"colour": "red"}}, "params.colour"),
    ],
)
def test_bad_input_names_the_field(
    api_world: tuple[World, dict[str, Any]], db: None, body: dict[str, Any], field: str
) -> None:
    world, _ids = api_world
    refused = Caller(world, "pm").call("POST", f"{P}/jobs", body)
    assert refused.status == 422, refused.text
    assert field in refused.text


def test_a_report_the_client_may_not_read_is_not_found(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    refused = Caller(world, "client_pm").call(
        "POST", f"{P}/jobs", {"kind": "report_pdf", "params": {"report": ids["draft"]}}
    )
    assert refused.status == 404
    assert not Job.objects.filter(requested_by=world.client_pm, kind="report_pdf").exists()


def test_ids_out_of_range_are_refused_not_a_server_error(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, _ids = api_world
    pm = Caller(world, "pm")
    huge = pm.call("POST", f"{P}/jobs", {"kind": "report_pdf", "params": {"report": 2**70}})
    assert huge.status == 422 and "params.report" in huge.text
    assert pm.get(f"{P}/jobs/{2**70}").status in (404, 422)
    assert pm.get(f"{P}/jobs/{2**62}/file").status == 404
