"""Background jobs on the pages: a big specification starts a job, its progress polls, the file downloads."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from tandem.core.choices import JobStatus, Visibility
from tandem.core.models import Job
from tandem.reports import services as report_services
from tandem.testing.jobs import finished_plan_export
from tandem.testing.personas import VIEWERS, World
from tandem.testing.plans import build_small_plan
from tandem.testing.requirements import add_requirements

MEMBERS = ("client_viewer", "client_pm", "sponsor", "member", "pm")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def signed_in(world: World, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(world.people[persona])
    return client


def test_only_the_requester_sees_a_job_and_its_file(world: World) -> None:
    job = finished_plan_export(world.project, world.pm)
    pages = {
        "list": reverse("web:jobs", args=["ERP"]),
        "detail": reverse("web:job_detail", args=["ERP", job.pk]),
        "file": reverse("web:job_file", args=["ERP", job.pk]),
    }
    seen = {
        name: {v: signed_in(world, v).get(url).status_code for v in VIEWERS} for name, url in pages.items()
    }
    outside = {"anonymous": 302, "outsider": 404, "other_client": 404}
    assert seen["list"] == {**outside, **dict.fromkeys(MEMBERS, 200)}
    only_pm = {**outside, **dict.fromkeys(MEMBERS, 404), "pm": 200}
    assert seen["detail"] == only_pm
    assert seen["file"] == only_pm
    listing = signed_in(world, "client_pm").get(pages["list"]).content.decode()
    assert "ERP-plan.csv" not in listing
    assert "ERP-plan.csv" in signed_in(world, "pm").get(pages["list"]).content.decode()


def test_a_small_specification_is_a_link_and_a_big_one_starts_a_job(world: World, settings: Any) -> None:
    settings.JOBS_SPEC_PDF_OVER = 3
    page = reverse("web:requirements", args=["ERP"])
    pdf_link = reverse("web:requirements_pdf", args=["ERP"])
    client = signed_in(world, "client_pm")
    assert f'href="{pdf_link}"' in client.get(page).content.decode()
    add_requirements(world.project, 4)
    body = client.get(page).content.decode()
    assert f'href="{pdf_link}"' not in body
    assert 'data-background-job="requirements_pdf"' in body
    assert f'action="{reverse("web:jobs", args=["ERP"])}"' in body


def test_the_page_starts_the_job_shows_progress_and_offers_the_file(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    add_requirements(world.project, 6, visibility=Visibility.SHARED)
    hidden = add_requirements(world.project, 1, visibility=Visibility.INTERNAL)[0]
    client = signed_in(world, "sponsor")
    with django_capture_on_commit_callbacks() as callbacks:
        started = client.post(reverse("web:jobs", args=["ERP"]), {"kind": "requirements_pdf"})
    job = Job.objects.get(requested_by=world.sponsor)
    detail = reverse("web:job_detail", args=["ERP", job.pk])
    assert started.status_code == 302 and started["Location"] == detail
    # Queued: the page shows an empty progress bar and the fragment polls itself.
    fragment = client.get(detail, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="job-status"')
    assert 'hx-trigger="every 1s"' in fragment
    assert 'role="alert"' not in fragment and 'aria-valuenow="0"' in fragment
    for callback in callbacks:
        callback()
    page = client.get(detail).content.decode()
    assert "<progress" in page and 'aria-valuenow="100"' in page and 'aria-valuemax="100"' in page
    assert 'hx-trigger="every 1s"' not in page  # finished: the polling stops
    download = client.get(reverse("web:job_file", args=["ERP", job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert 'filename="ERP-requirements.pdf"' in download["Content-Disposition"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(download.content)).pages)
    assert "Bulk requirement 6" in text and hidden.title not in text


def test_a_bad_request_is_a_form_error_not_a_job(world: World) -> None:
    client = signed_in(world, "pm")
    refused = client.post(reverse("web:jobs", args=["ERP"]), {"kind": "plan_export", "format": "pdf"})
    assert refused.status_code == 400
    assert (
        'role="alert"' in refused.content.decode()
        and "Choose one of: mspdi, xlsx, csv." in refused.content.decode()
    )
    assert not Job.objects.exists()


def test_a_failed_job_shows_its_error(world: World) -> None:
    job = Job.objects.create(
        project=world.project,
        requested_by=world.pm,
        kind="report_pdf",
        status=JobStatus.FAILED,
        error="No such report.",
    )
    page = signed_in(world, "pm").get(reverse("web:job_detail", args=["ERP", job.pk])).content.decode()
    assert '<p class="error" role="alert">No such report.</p>' in page
    assert "hx-trigger" not in page


def test_the_progress_is_shown_in_chinese(world: World) -> None:
    world.pm.language = "zh-hans"
    world.pm.save()
    job = Job.objects.create(
        project=world.project,
        requested_by=world.pm,
        kind="requirements_pdf",
        status=JobStatus.RUNNING,
        step="Laying out pages",
        total=10,
        done=4,
    )
    page = signed_in(world, "pm").get(reverse("web:job_detail", args=["ERP", job.pk])).content.decode()
    assert "正在排版页面" in page and "需求规格说明书（PDF）" in page and 'aria-valuenow="40"' in page


def test_a_report_on_a_big_plan_offers_its_pdf_as_a_job(world: World, settings: Any) -> None:
    build_small_plan(world)
    report = report_services.generate_report(
        world.project, period_start=dt.date(2026, 1, 5), period_end=dt.date(2026, 1, 9), actor=world.pm
    )
    page = reverse("web:report_detail", args=["ERP", report.pk])
    client = signed_in(world, "pm")
    assert reverse("web:report_pdf", args=["ERP", report.pk]) in client.get(page).content.decode()
    settings.JOBS_REPORT_PDF_OVER = 0
    body = client.get(page).content.decode()
    assert 'data-background-job="report_pdf"' in body
    assert f'<input type="hidden" name="report" value="{report.pk}">' in body


def test_the_downloads_page_exports_the_plan_in_the_background(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    build_small_plan(world, secret_milestone=True)
    client = signed_in(world, "client_viewer")
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("web:jobs", args=["ERP"]), {"kind": "plan_export", "format": "csv"})
    job = Job.objects.get(requested_by=world.client_viewer)
    assert started["Location"] == reverse("web:job_detail", args=["ERP", job.pk])
    download = client.get(reverse("web:job_file", args=["ERP", job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="ERP-plan.csv"' in download["Content-Disposition"]
    text = download.content.decode("utf-8-sig")
    assert "Go-live" in text and "Subcontractor payout" not in text  # the client's scope
