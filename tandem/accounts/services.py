"""State changes of accounts: users, organizations, API tokens."""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import ApiToken, User, hash_token
from tandem.core import audit
from tandem.core.choices import Visibility
from tandem.core.validation import full_clean

TOKEN_PREFIX = "tdm_"


@transaction.atomic
def do_create_api_token(user: User, *, name: str, actor: User) -> tuple[ApiToken, str]:
    """Create a personal API token; returns the record and the secret, shown to the user once."""
    if actor.pk != user.pk:
        raise PermissionDenied(_("You can only create tokens for yourself."))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the token a name.")]})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, prefix=raw[:12], token_hash=hash_token(raw))
    full_clean(token)
    token.save()
    audit.record(actor=actor, verb="created", target=token, visibility=Visibility.INTERNAL)
    return token, raw


@transaction.atomic
def do_revoke_api_token(token: ApiToken, *, actor: User) -> ApiToken:
    """Revoke a token so it no longer authenticates."""
    if actor.pk != token.user_id:
        raise PermissionDenied(_("You can only revoke your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit.record(actor=actor, verb="revoked", target=token, visibility=Visibility.INTERNAL)
    return token


def authenticate_token(raw: str) -> User | None:
    """The active user owning the active token ``raw``, or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Write the last-use time at most once a minute, so busy scripts don't write on every call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def do_update_profile(
    user: User,
    *,
    actor: User,
    full_name: str | None = None,
    language: str | None = None,
    title: str | None = None,
) -> User:
    """Change one's own name, title or language."""
    if actor.pk != user.pk:
        raise PermissionDenied(_("You can only change your own profile."))
    before = audit.field_values(user, ["full_name", "language", "title"])
    if full_name is not None:
        if not full_name.strip():
            raise ValidationError({"full_name": [_("Enter your name.")]})
        user.full_name = full_name.strip()
    if language is not None:
        user.language = language
    if title is not None:
        user.title = title.strip()
    full_clean(user, exclude=["password"])
    user.save()
    changes = audit.changed(before, audit.field_values(user, ["full_name", "language", "title"]))
    if changes:
        audit.record(
            actor=actor, verb="updated", target=user, changes=changes, visibility=Visibility.INTERNAL
        )
    return user
