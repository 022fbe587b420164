"""Background jobs with progress: long work (big PDFs, exports) done by the worker for one person.

A kind of job is a :class:`JobKind` registered with :func:`register` in an app's ``jobs.py``. It
says who may start it (``check``, the same ``access_*`` calls as the synchronous download, so a
client starts only what they may read), which parameters it takes (``clean``, errors named
``params.<name>``), when a project is big enough for the pages to use it (``is_big``) and how the
file is built (``build``, through the requester's scope, reporting progress).

``do_start_job`` stores a queued :class:`~tandem.core.models.Job` and enqueues ``core.tasks.run_job``
after commit; the worker runs :func:`run`, which checks again that the requester still belongs to
the project and may still read the output, records progress on the row in autocommit (never inside
a long transaction) and stores the file or a short error. Only the requester sees a job
(:func:`access_job`), and only while they belong to its project.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404, HttpResponse
from django.utils import timezone, translation
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_tasks import task

from tandem.core.choices import JobStatus
from tandem.core.models import Job
from tandem.core.scoping import ClientLens, Viewer, project_ids_for

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django_stubs_ext import StrPromise

    from tandem.accounts.models import User
    from tandem.projects.models import Project

logger = logging.getLogger(__name__)


class JobFailed(Exception):
    """A job cannot produce its file for a reason its requester may read (shown as the job's error)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class JobOutput:
    """The file a job produced."""

    content: bytes
    filename: str
    content_type: str


class Progress:
    """Records a running job's progress on its row, cheaply: a write per step, else at most twice a second.

    Each write is its own autocommit ``UPDATE`` of one row, so a page polling the job sees it at once
    and no long transaction holds the row.
    """

    interval = 0.5  # seconds between two writes within one step

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.step = ""
        self.done = 0
        self.total = 0
        self._written_at = 0.0

    def begin(self, step: str, total: int) -> None:
        """Start a step of ``total`` items (written at once); ``step`` is an English msgid (``gettext_noop``).

        The row keeps the msgid, and each reader sees it in their own language.
        """
        self.step, self.done, self.total = step[:200], 0, total
        self._write()

    def advance(self, items: int = 1) -> None:
        """Count ``items`` more as done (written when the last write is old enough or the step ends)."""
        self.done = min(self.total, self.done + items) if self.total else self.done + items
        if self.done >= self.total or time.monotonic() - self._written_at >= self.interval:
            self._write()

    def _write(self) -> None:
        self._written_at = time.monotonic()
        Job.objects.filter(pk=self.job_id).update(step=self.step, done=self.done, total=self.total)


#: The largest id a parameter may name (the databases' 32-bit integer columns).
MAX_ID = 2**31 - 1


def whole_number(value: Any) -> int:
    """A positive id given as a JSON number (or a form's text)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(value)
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise ValueError(value)
    return number


def one_of(*choices: str) -> Callable[[Any], str]:
    """A converter that accepts one of ``choices``."""

    def convert(value: Any) -> str:
        if value not in choices:
            raise ValueError(value)
        return str(value)

    convert.choices = choices  # type: ignore[attr-defined]
    return convert


class JobKind:
    """One kind of background job; subclasses set ``name``, ``label`` and ``parameters``, and ``build``."""

    name: str = ""
    label: StrPromise | str = ""
    #: Each parameter the job requires, with the converter that checks it (raising ``ValueError``).
    parameters: dict[str, Callable[[Any], Any]] = {}

    def clean(self, params: dict[str, Any]) -> dict[str, Any]:
        """The parameters the job keeps; a ``ValidationError`` names each bad one as ``params.<name>``."""
        errors: dict[str, str] = {}
        cleaned: dict[str, Any] = {}
        for name in sorted(set(params) - set(self.parameters)):
            errors[f"params.{name}"] = _("This job takes no such parameter.")
        for name, convert in self.parameters.items():
            if name not in params or params[name] in (None, ""):
                errors[f"params.{name}"] = _("This parameter is required.")
                continue
            try:
                cleaned[name] = convert(params[name])
            except (TypeError, ValueError):
                choices = getattr(convert, "choices", None)
                errors[f"params.{name}"] = (
                    _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)}
                    if choices
                    else _("Enter a valid value.")
                )
        if errors:
            raise ValidationError(errors)
        return cleaned

    def check(self, user: Viewer, project: Project, params: dict[str, Any]) -> None:
        """Refuse (``Http404``/``PermissionDenied``) a requester who may not read the output."""

    def is_big(self, user: Viewer, project: Project, params: dict[str, Any]) -> bool:
        """Whether the output is big enough that the pages build it in the background."""
        return True

    def build(self, user: Viewer, project: Project, params: dict[str, Any], progress: Progress) -> JobOutput:
        """The file, built through ``user``'s scope, with progress."""
        raise NotImplementedError


_registry: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    """Make ``kind`` available under its name (called in an app's ``jobs.py``)."""
    _registry[kind.name] = kind
    return kind


def kinds() -> dict[str, JobKind]:
    """Every kind of job, by name (after importing each installed app's ``jobs`` module)."""
    autodiscover_modules("jobs")
    return dict(sorted(_registry.items()))


def kind_of(name: str) -> JobKind:
    """The kind named ``name``; a ``ValidationError`` on ``kind`` when there is none."""
    kind = kinds().get(name)
    if kind is None:
        raise ValidationError(
            {"kind": _("Unknown kind of job; choose one of: %(kinds)s.") % {"kinds": ", ".join(kinds())}}
        )
    return kind


def _person(user: Viewer) -> User:
    return user.user if isinstance(user, ClientLens) else user  # type: ignore[return-value]


def do_start_job(user: Viewer, project: Project, kind_name: str, params: dict[str, Any] | None = None) -> Job:
    """Queue a job of ``kind_name`` for ``user`` on ``project`` (already accessed); it runs after commit."""
    if not isinstance(params, dict):
        raise ValidationError({"params": _("Give the parameters as an object.")})
    kind = kind_of(kind_name)
    cleaned = kind.clean(dict(params))
    kind.check(user, project, cleaned)
    with transaction.atomic():
        job = Job.objects.create(
            project=project,
            requested_by=_person(user),
            kind=kind.name,
            parameters=cleaned,
            as_client=isinstance(user, ClientLens),
            step=gettext_noop("Waiting for a worker"),
        )
        job_id = job.pk
        transaction.on_commit(lambda: _enqueue(job_id))
    return job


def _enqueue(job_id: int) -> None:
    run_job.enqueue(job_id)


def jobs_of(user: Viewer, project: Project) -> QuerySet[Job]:
    """The user's own unexpired jobs on ``project`` (a project the caller has already accessed)."""
    return Job.objects.filter(requested_by=_person(user).pk, project=project).exclude(
        expires_at__lt=timezone.now()
    )


def access_job(user: Viewer, project: Project, pk: Any) -> Job:
    """The user's own job ``pk`` on ``project``; 404 for anybody else's, an expired one or a bad id."""
    try:
        number = int(pk)
        if not 1 <= number <= 2**63 - 1:  # beyond a 64-bit id the databases refuse the query itself
            raise ValueError(pk)
        return jobs_of(user, project).get(pk=number)
    except (Job.DoesNotExist, TypeError, ValueError) as missing:
        raise Http404(_("No such job.")) from missing


def file_response(job: Job) -> HttpResponse:
    """The finished job's file as a download (404 until the job is done); for the API and the pages alike."""
    if job.status != JobStatus.DONE or not job.file:
        raise Http404(_("The file is not ready."))
    with job.file.open("rb") as stored:
        response = HttpResponse(stored.read(), content_type=job.content_type)
    response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    return response


@task()
def run_job(job_id: int) -> str:
    """The background task of every job (primitive argument only)."""
    return run(job_id)


def run(job_id: int) -> str:
    """Run a queued job (the worker's side): progress on the row, then its file or its error."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:  # gone, or taken by another worker
        return "skipped"
    job = Job.objects.select_related("project", "requested_by").get(pk=job_id)
    with translation.override(job.requested_by.language or None):
        return _run(job)


def _run(job: Job) -> str:
    job_id = job.pk
    try:
        output, progress = _build(job)
    except JobFailed as failure:
        return _fail(job, failure.message)
    except (Http404, PermissionDenied):
        return _fail(job, _("You may no longer read this output."))
    except ValidationError as invalid:
        return _fail(job, "; ".join(invalid.messages))
    except Exception:  # the trace stays in the log; the requester reads a short message
        logger.exception("Background job %s (%s) failed", job_id, job.kind)
        return _fail(job, _("The file could not be produced. Try again, or tell the project's manager."))
    job.file.save(f"{job.kind}-{job.pk}-{output.filename}", ContentFile(output.content), save=False)
    finished = timezone.now()
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.DONE,
        file=job.file.name,
        filename=output.filename,
        content_type=output.content_type,
        done=progress.total or 1,
        total=progress.total or 1,
        step=gettext_noop("Done"),
        finished_at=finished,
        expires_at=finished + timedelta(hours=settings.JOBS_KEEP_HOURS),
    )
    return "done"


def _build(job: Job) -> tuple[JobOutput, Progress]:
    user: User = job.requested_by
    if not user.is_active or not project_ids_for(user).filter(project_id=job.project_id).exists():
        raise PermissionDenied
    viewer: Viewer = ClientLens(user) if job.as_client else user
    kind = _registry.get(job.kind) or kinds().get(job.kind)
    if kind is None:
        raise JobFailed(_("This kind of job is no longer available."))
    kind.check(viewer, job.project, job.parameters)
    progress = Progress(job.pk)
    return kind.build(viewer, job.project, job.parameters, progress), progress


def _fail(job: Job, message: str) -> str:
    finished = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED,
        error=message[:500],
        finished_at=finished,
        expires_at=finished + timedelta(hours=settings.JOBS_KEEP_HOURS),
    )
    return "failed"


def fail_stalled(now: Any = None) -> int:
    """Mark as failed the jobs still queued or running ``JOBS_KEEP_HOURS`` after they were asked for.

    A worker that died in the middle of a job leaves it running; its requester then reads that it
    did not finish (and may start it again) instead of watching a bar that never moves.
    """
    moment = now or timezone.now()
    return Job.objects.filter(
        status__in=(JobStatus.QUEUED, JobStatus.RUNNING),
        created_at__lt=moment - timedelta(hours=settings.JOBS_KEEP_HOURS),
    ).update(
        status=JobStatus.FAILED,
        error=gettext_noop("The job did not finish. Start it again."),
        finished_at=moment,
        expires_at=moment + timedelta(hours=settings.JOBS_KEEP_HOURS),
    )


def delete_expired(now: Any = None) -> int:
    """Remove jobs past their expiry with their files; the number removed."""
    expired = list(Job.objects.filter(expires_at__lt=now or timezone.now()))
    for job in expired:
        if job.file:
            job.file.delete(save=False)
        job.delete()
    return len(expired)
