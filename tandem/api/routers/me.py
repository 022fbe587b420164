"""The signed-in user: profile and personal API tokens."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Status

from tandem.accounts import queries, services
from tandem.accounts.models import ApiToken, User
from tandem.api.auth import AUTH, actor
from tandem.api.pagination import paged
from tandem.api.schemas import MeOut, ProfileIn, TokenCreatedOut, TokenIn, TokenOut

router = Router(tags=["me"], auth=AUTH)


@router.get("/me", response=MeOut, summary="Who am I")
def get_me(request: HttpRequest) -> User:
    """The signed-in user's profile."""
    return actor(request)


@router.patch("/me", response=MeOut, summary="Change my profile")
def update_me(request: HttpRequest, payload: ProfileIn) -> User:
    """Change one's own name, title or language."""
    user = actor(request)
    data = payload.model_dump(exclude_unset=True)
    return services.do_update_profile(user, actor=user, **data)


@router.get("/me/tokens", response=list[TokenOut], summary="My API tokens")
@paged
def list_tokens(request: HttpRequest) -> QuerySet[ApiToken]:
    """One's own API tokens, newest first."""
    return queries.tokens_of(actor(request))


@router.post("/me/tokens", response={201: TokenCreatedOut}, summary="Create an API token")
def create_token(request: HttpRequest, payload: TokenIn) -> Status[TokenCreatedOut]:
    """Create a token; its secret is in this answer only."""
    user = actor(request)
    token, raw = services.do_create_api_token(user, name=payload.name, actor=user)
    return Status(201, TokenCreatedOut(**TokenOut.model_validate(token).model_dump(), token=raw))


@router.delete("/me/tokens/{token_id}", response=TokenOut, summary="Revoke an API token")
def revoke_token(request: HttpRequest, token_id: int) -> ApiToken:
    """Revoke one of one's own tokens."""
    user = actor(request)
    return services.do_revoke_api_token(queries.access_api_token(user, token_id), actor=user)
