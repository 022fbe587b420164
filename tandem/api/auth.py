"""Who is calling: a browser session (with CSRF on writes) or a personal bearer token."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from tandem.accounts.services import authenticate_token

if TYPE_CHECKING:
    from tandem.accounts.models import User


class TokenAuth(HttpBearer):
    """``Authorization: Bearer tdm_…`` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        """The active owner of an active token, or None."""
        return authenticate_token(token)


class SessionAuth(APIKeyCookie):
    """The browser's signed-in session; unsafe methods must carry the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        """The session's user; a write without a valid CSRF token is refused (403)."""
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        # Checked only once a session is known, so an anonymous call is answered 401, not 403.
        if check_csrf(request) is not None:
            raise HttpError(403, _("The CSRF check failed: reload the page and try again."))
        return user  # type: ignore[no-any-return]


def anonymous(request: HttpRequest) -> Any:
    """Let an unauthenticated caller through (for the few endpoints open to anyone)."""
    return AnonymousUser()


#: Every endpoint accepts either kind of caller.
AUTH = [TokenAuth(), SessionAuth()]
#: Endpoints open to anyone, still knowing a signed-in caller when there is one.
OPTIONAL_AUTH = [TokenAuth(), SessionAuth(), anonymous]


def actor(request: HttpRequest) -> User:
    """The authenticated user making the request."""
    return request.auth  # type: ignore[attr-defined,no-any-return]
