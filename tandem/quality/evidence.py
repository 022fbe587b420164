"""Evidence of a test run: a screenshot, a log or a document (PDF, PNG, JPEG, plain text; up to 10 MB,
told by its content, not its name), uploaded by whoever records the run's result, removed by its
uploader or the team's writers, served only through a view that reads the run through the scope."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from tandem.core import audit, uploads
from tandem.quality import permissions
from tandem.quality.models import TestEvidence
from tandem.quality.runs import can_remove_evidence, refuse_finished, run_visibility

if TYPE_CHECKING:
    from tandem.accounts.models import User
    from tandem.quality.models import TestRun

#: The largest evidence file accepted, in bytes.
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
#: Accepted content types → the extension a stored file gets.
EVIDENCE_TYPES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    uploads.PLAIN_TEXT: ".txt",
}
#: The most files one run keeps.
MAX_FILES_PER_RUN = 50


def check_evidence(upload: UploadedFile[Any]) -> str:
    """The extension to store accepted evidence under; a ValidationError on ``file`` otherwise."""
    return uploads.check_upload(
        upload,
        accepted=EVIDENCE_TYPES,
        max_bytes=MAX_EVIDENCE_BYTES,
        too_large=_("Evidence may be at most %(size)s."),
        wrong_type=_("Evidence is a PDF, a PNG or JPEG image, or a plain text file (a log)."),
    )


def shown_name(name: str | None, extension: str) -> str:
    """The uploader's file name without folders or control characters, ending in ``extension``."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = re.sub(r"[\x00-\x1f\x7f\"]", "", base).strip() or "evidence"
    stem, ext = os.path.splitext(base)
    if ext.lower() not in (extension, ".jpeg" if extension == ".jpg" else extension, ".log"):
        base = f"{stem}{extension}"
    return base[-200:]


@transaction.atomic
def do_add_evidence(run: TestRun, *, actor: User, upload: UploadedFile[Any] | None) -> TestEvidence:
    """Attach a file to a run (whoever may record its result), not in a finished cycle."""
    permissions.require_record_result(actor, run)
    refuse_finished(run.cycle)
    if upload is None:
        raise ValidationError({"file": [_("Choose a file.")]})
    extension = check_evidence(upload)
    if TestEvidence.objects.filter(run=run).count() >= MAX_FILES_PER_RUN:
        raise ValidationError({"file": [_("A run keeps at most 50 files.")]})
    declared = uploads.declared_type(upload)
    evidence = TestEvidence(
        run=run,
        filename=shown_name(upload.name, extension),
        content_type=declared,
        size=upload.size or 0,
        uploaded_by=actor,
    )
    evidence.file.save(f"run-{run.pk}{extension}", upload, save=False)
    evidence.save()
    audit.record(
        actor=actor,
        verb="added",
        target=run,
        project=run.cycle.project,
        label=f"{run.case.code} {evidence.filename}",
        changes={"file": [None, evidence.filename]},
        visibility=run_visibility(run),
    )
    return evidence


@transaction.atomic
def do_remove_evidence(evidence: TestEvidence, *, actor: User) -> None:
    """Remove a file (its uploader or the team's writers), not in a finished cycle."""
    run = evidence.run
    permissions.require(can_remove_evidence(actor, evidence.uploaded_by_id, run))
    refuse_finished(run.cycle)
    name, storage = evidence.file.name, evidence.file.storage
    audit.record(
        actor=actor,
        verb="removed",
        target=run,
        project=run.cycle.project,
        label=f"{run.case.code} {evidence.filename}",
        changes={"file": [evidence.filename, None]},
        visibility=run_visibility(run),
    )
    evidence.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def evidence_response(evidence: TestEvidence) -> HttpResponse:
    """The file as a download with its content type told again from its bytes; never a media address."""
    try:
        with evidence.file.open("rb") as stored:
            data = stored.read()
    except (FileNotFoundError, ValueError):
        raise Http404(_("This file is no longer stored.")) from None
    content_type = uploads.sniff(data[:16]) or (
        "text/plain; charset=utf-8" if uploads.looks_like_text(data[: uploads.TEXT_PROBE_BYTES]) else ""
    )
    response = HttpResponse(data, content_type=content_type or "application/octet-stream")
    ascii_name = evidence.filename.encode("ascii", "ignore").decode() or f"evidence-{evidence.pk}"
    response["Content-Disposition"] = f'attachment; filename="{ascii_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
