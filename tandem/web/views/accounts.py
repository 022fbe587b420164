"""Signing in and out, password reset, invitations, one's profile, API tokens and language."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from tandem.accounts import services as account_services
from tandem.accounts.choices import Language
from tandem.accounts.models import ApiToken, User
from tandem.projects import services
from tandem.web import tasks
from tandem.web.forms import (
    AcceptInvitationForm,
    NewPasswordForm,
    ProfileForm,
    ResetRequestForm,
    SignInForm,
    TokenForm,
)
from tandem.web.views.base import apply_errors


class SignInView(auth_views.LoginView):
    """Sign in with email and password (throttled by django-axes)."""

    template_name = "web/auth/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """Sign out (POST only)."""

    template_name = "web/auth/logged_out.html"


class ResetRequestView(auth_views.PasswordResetView):
    """Ask for a password-reset email."""

    template_name = "web/auth/password_reset.html"
    form_class = ResetRequestForm
    # The form queues the mail; the task renders these templates.
    email_template_name = tasks.RESET_TEXT
    html_email_template_name = tasks.RESET_HTML
    subject_template_name = tasks.RESET_SUBJECT
    success_url = reverse_lazy("web:password_reset_done")


class ResetDoneView(auth_views.PasswordResetDoneView):
    """The reset email is on its way."""

    template_name = "web/auth/password_reset_done.html"


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password from the emailed link."""

    template_name = "web/auth/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("web:password_reset_complete")


class ResetCompleteView(auth_views.PasswordResetCompleteView):
    """The password was changed."""

    template_name = "web/auth/password_reset_complete.html"


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Accept an invitation: as the signed-in user, or by creating an account."""
    invitation = services.find_invitation(token)
    if invitation is None:
        return render(request, "web/auth/invitation_invalid.html", status=404)
    user: User | None = request.user if request.user.is_authenticated else None
    existing_account = user is None and User.objects.filter(email__iexact=invitation.email).exists()
    form = AcceptInvitationForm(request.POST or None) if user is None and not existing_account else None
    status = 200
    if request.method == "POST":
        try:
            if user is not None:
                membership = services.do_accept_invitation(token, user=user)
            elif form is not None and form.is_valid():
                membership = services.do_accept_invitation(
                    token, full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password"]
                )
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                membership = None
        except ValidationError as exc:
            membership = None
            if form is not None:
                apply_errors(form, exc)
            else:
                for message in exc.messages:
                    messages.error(request, message)
        if membership is not None:
            messages.success(request, _("Welcome to %(project)s.") % {"project": membership.project.name})
            return redirect("web:project_home", code=membership.project.code)
        status = 400
    return render(
        request,
        "web/auth/invitation.html",
        {
            "invitation": invitation,
            "form": form,
            "existing_account": existing_account,
            "email_matches": user is not None and user.email.lower() == invitation.email,
        },
        status=status,
    )


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """One's name, title and language, and personal API tokens."""
    user: User = request.user  # type: ignore[assignment]
    form = ProfileForm(
        request.POST or None,
        initial={"full_name": user.full_name, "title": user.title, "language": user.language},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                account_services.do_update_profile(user, actor=user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Your profile was saved."))
                return redirect("web:profile")
        status = 400
    return _profile_page(request, form=form, token_form=TokenForm(), status=status)


def _profile_page(
    request: HttpRequest,
    *,
    form: ProfileForm,
    token_form: TokenForm,
    status: int = 200,
    secret: str = "",
    new_token: ApiToken | None = None,
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]  # the callers require sign-in
    tokens = ApiToken.objects.filter(user=user).order_by("-created_at")
    return render(
        request,
        "web/account/profile.html",
        {
            "form": form,
            "token_form": token_form,
            "tokens": tokens,
            "secret": secret,
            "new_token": new_token,
        },
        status=status,
    )


@login_required
@require_POST
def create_token(request: HttpRequest) -> HttpResponse:
    """Create a personal API token; its secret is shown on this response only."""
    user: User = request.user  # type: ignore[assignment]
    token_form = TokenForm(request.POST)
    profile_form = ProfileForm(
        initial={"full_name": user.full_name, "title": user.title, "language": user.language}
    )
    if token_form.is_valid():
        try:
            token, secret = account_services.do_create_api_token(
                user, name=token_form.cleaned_data["name"], actor=user
            )
        except ValidationError as exc:
            apply_errors(token_form, exc)
        else:
            response = _profile_page(
                request, form=profile_form, token_form=TokenForm(), secret=secret, new_token=token
            )
            response["Cache-Control"] = "no-store"
            return response
    return _profile_page(request, form=profile_form, token_form=token_form, status=400)


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of one's own API tokens."""
    user: User = request.user  # type: ignore[assignment]
    token = ApiToken.objects.filter(pk=pk, user=user).first()
    if token is None:
        raise Http404(_("No such token."))
    account_services.do_revoke_api_token(token, actor=user)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("web:profile")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language: saved on the profile when signed in, in a cookie otherwise."""
    language = request.POST.get("language", "")
    if language not in Language.values:
        return HttpResponseRedirect(_safe_next(request, reverse("web:project_list")))
    if not request.user.is_authenticated:
        return django_set_language(request)
    user: User = request.user
    account_services.do_update_profile(user, actor=user, language=language)
    response = HttpResponseRedirect(_safe_next(request, reverse("web:project_list")))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE
    )
    return response
