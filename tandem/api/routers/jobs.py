"""Background jobs: start one (a big PDF or export), follow its progress, download its file."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from tandem.api.auth import AUTH
from tandem.api.jobs_schemas import JobIn, JobOut
from tandem.api.routers.common import caller_and_project
from tandem.core import jobs
from tandem.core.models import Job

router = Router(tags=["jobs"], auth=AUTH)


@router.post("/projects/{code}/jobs", response={202: JobOut}, summary="Start a background job")
def start_job(request: HttpRequest, code: str, payload: JobIn) -> Status[Job]:
    """Queue a job for the caller; only jobs whose output the caller may read can be started."""
    user, project = caller_and_project(request, code)
    return Status(202, jobs.do_start_job(user, project, payload.kind, payload.params))


@router.get("/projects/{code}/jobs", response=list[JobOut], summary="My background jobs")
def list_jobs(request: HttpRequest, code: str) -> QuerySet[Job]:
    """The caller's own unexpired jobs on the project, newest first."""
    user, project = caller_and_project(request, code)
    return jobs.jobs_of(user, project).select_related("project")[:50]


@router.get("/projects/{code}/jobs/{job_id}", response=JobOut, summary="A background job")
def get_job(request: HttpRequest, code: str, job_id: int) -> Job:
    """Status and progress of one of the caller's jobs."""
    user, project = caller_and_project(request, code)
    return jobs.access_job(user, project, job_id)


@router.get(
    "/projects/{code}/jobs/{job_id}/file", url_name="job_file", response={200: None}, summary="A job's file"
)
def job_file(request: HttpRequest, code: str, job_id: int) -> HttpResponse:
    """The file a finished job produced (404 until it is done)."""
    user, project = caller_and_project(request, code)
    return jobs.file_response(jobs.access_job(user, project, job_id))
