"""State changes of accounts: users, organizations, API tokens."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import ApiToken, User, hash_token
from tandem.core import audit
from tandem.core.choices import Visibility
from tandem.core.database import the_one, waiting_briefly_for_locks
from tandem.core.errors import is_lock_timeout
from tandem.core.validation import full_clean

TOKEN_PREFIX = "tdm_"
#: How long recording a token's use may wait for a lock before it is skipped.
TOKEN_USE_LOCK_WAIT_MS = 100
logger = logging.getLogger(__name__)


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
    token = the_one(
        ApiToken.objects.select_related("user").filter(
            token_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True
        )
    )
    if token is None:
        return None
    if token.last_used_at is None or timezone.now() - token.last_used_at >= _token_use_interval():
        # After the request's transaction, if there is one: a read never waits on this write.
        transaction.on_commit(partial(note_token_use, token.pk))
    return token.user


def _token_use_interval() -> dt.timedelta:
    return dt.timedelta(seconds=settings.API_TOKEN_USE_INTERVAL)


def note_token_use(token_id: int, now: dt.datetime | None = None) -> int:
    """Record that a token was used, at most once per API_TOKEN_USE_INTERVAL; returns the rows written.

    One conditional UPDATE, so concurrent calls with the same token write once between them. It
    waits for a lock only briefly and never fails the call it serves: a busy database skips it.
    """
    now = now or timezone.now()
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - _token_use_interval())
    try:
        with waiting_briefly_for_locks(TOKEN_USE_LOCK_WAIT_MS):
            return ApiToken.objects.filter(stale, pk=token_id).update(last_used_at=now)
    except DatabaseError as exc:
        if not is_lock_timeout(exc):
            raise
        logger.warning("The use of API token %s was not recorded, the database is busy: %s", token_id, exc)
        return 0


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
