"""Background jobs on the pages: start one, watch its progress bar (HTMX polling), download its file."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from tandem.core import jobs
from tandem.web.views.base import ProjectScope, attempt, project_view, render_page

#: Form fields that are not parameters of the job.
NOT_PARAMETERS = frozenset({"csrfmiddlewaretoken", "kind"})


@project_view
def job_list(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The reader's own jobs on the project; a POST starts one (``kind`` and its parameters)."""
    error, status = "", 200
    if request.method == "POST":
        params = {k: v for k, v in request.POST.items() if k not in NOT_PARAMETERS}
        kind = request.POST.get("kind", "")
        job, error, status = attempt(lambda: jobs.do_start_job(scope.viewer, scope.project, kind, params))
        if status == 200:
            url = reverse("web:job_detail", args=[scope.project.code, job.pk])
            return redirect(url + scope.query_suffix)
    context = {
        "scope": scope,
        "project": scope.project,
        "jobs": list(jobs.jobs_of(scope.viewer, scope.project)[:50]),
        "labels": {name: kind.label for name, kind in jobs.kinds().items()},
        "error": error,
    }
    return render_page(request, "web/jobs/list.html", context, status=status)


@project_view
def job_detail(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """One job with its progress bar; HTMX polls the status fragment until the job has finished."""
    job = jobs.access_job(scope.viewer, scope.project, pk)
    kind = jobs.kinds().get(job.kind)
    context = {
        "scope": scope,
        "project": scope.project,
        "job": job,
        "label": kind.label if kind else job.kind,
    }
    return render_page(request, "web/jobs/detail.html", context, fragment="web/jobs/_status.html")


@project_view
def job_file(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """The finished job's file (404 until it is done)."""
    return jobs.file_response(jobs.access_job(scope.viewer, scope.project, pk))
