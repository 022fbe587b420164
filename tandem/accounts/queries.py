"""The read side of accounts: one's own API tokens, and finding a person by email address."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from tandem.accounts.models import ApiToken, User


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """The user's own API tokens, newest first (revoked ones included, marked)."""
    return ApiToken.objects.filter(user_id=user.pk).order_by("-created_at", "-id")


def access_api_token(user: User, pk: Any) -> ApiToken:
    """One of the user's own tokens; anyone else's is ``Http404``."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404(_("No such token.")) from None
    token = tokens_of(user).filter(pk=pk).first()
    if token is None:
        raise Http404(_("No such token."))
    return token


def active_user_by_email(email: str) -> User | None:
    """The active account registered with ``email`` (case-insensitive), or None."""
    return User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
