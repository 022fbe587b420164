"""Acceptance certificates on the pages: the PDF of a signed acceptance, and the public verification."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.csrf import csrf_protect

from tandem.core.models import Job
from tandem.quality import certificates
from tandem.quality.choices import AcceptanceDecision
from tandem.web.views.base import ProjectScope, apply_errors, attempt, project_view, render_page


@project_view
def acceptance_certificate(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """The certificate PDF (``?language=``); when not issued yet, a page that starts the job issuing it."""
    signed = certificates.access_signed_request(scope.viewer, scope.project, pk)
    language = request.GET.get("language") or certificates.project_language(signed)
    if language not in certificates.LANGUAGES:
        return HttpResponse(
            _("Unknown language; choose one of: %(choices)s.")
            % {"choices": ", ".join(certificates.LANGUAGES)},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    certificate = certificates.issued(signed, language)
    if certificate is not None:
        return certificates.file_response(certificate, download=False)
    error, status = "", 200
    if request.method == "POST":
        job, error, status = attempt(
            lambda: certificates.certificate_or_job(scope.viewer, scope.project, signed, language)
        )
        if status == 200:
            if isinstance(job, Job):
                return redirect(
                    reverse("web:job_detail", args=[scope.project.code, job.pk]) + scope.query_suffix
                )
            return redirect(request.get_full_path())
    context = {
        "scope": scope,
        "project": scope.project,
        "acceptance": signed,
        "language": language,
        "language_label": dict(certificates.LANGUAGE_LABELS).get(language, language),
        "error": error,
    }
    return render_page(request, "web/quality/certificate_pending.html", context, status=status)


class VerifyForm(forms.Form):
    """A certificate's hash, or the certificate PDF itself."""

    sha256 = forms.CharField(
        label=pgettext_lazy("certificate", "SHA-256"),
        required=False,
        max_length=200,
        help_text=_("The SHA-256 printed on the certificate, or the SHA-256 of the PDF file."),
    )
    file = forms.FileField(label=_("Certificate PDF"), required=False, help_text=_("At most 20 MB."))


@csrf_protect
def verify_certificate(request: HttpRequest) -> HttpResponse:
    """Check a certificate without signing in: by its hash (GET ``?sha256=``) or its PDF (POST)."""
    form = (
        VerifyForm(request.POST or None, request.FILES or None)
        if request.method == "POST"
        else VerifyForm(request.GET or None)
    )
    result: certificates.Verification | None = None
    status = 200
    if form.is_bound and form.is_valid():
        result, status = _check(form)
    elif form.is_bound:
        status = 400
    context: dict[str, Any] = {
        "form": form,
        "result": result,
        "decision_label": (
            AcceptanceDecision(result.decision).label
            if result is not None and result.decision in AcceptanceDecision.values
            else ""
        ),
    }
    return render(request, "web/quality/verify.html", context, status=status)


def _check(form: VerifyForm) -> tuple[certificates.Verification | None, int]:
    upload = form.cleaned_data.get("file")
    digest = (form.cleaned_data.get("sha256") or "").strip()
    try:
        if upload is not None:
            return certificates.verify_file(upload, size=upload.size), 200
        if not digest:
            raise ValidationError({"sha256": _("Enter the SHA-256, or choose the certificate's PDF file.")})
        return certificates.verify(digest), 200
    except ValidationError as invalid:
        apply_errors(form, invalid)
        return None, 400
