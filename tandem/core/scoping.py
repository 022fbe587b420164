"""The one visibility scope: every read of project data for a user goes through ``visible_to``.

A record belongs to a project (through ``project_path``). A user sees it when they are a member
of that project; a member on the client side sees it only when it is shared. The rule lives here
once and serves web pages, the API, exports and feeds alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.apps import apps
from django.db import models
from django.db.models import Q

from tandem.core.choices import Side, Visibility

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tandem.accounts.models import User


def _membership_model() -> Any:
    # Looked up by label so that core does not import the projects app that builds on it.
    return apps.get_model("projects", "Membership")


def project_ids_for(user: User | AnonymousUser, side: str | None = None) -> models.QuerySet[Any]:
    """Subquery of the ids of projects ``user`` belongs to (optionally on one side only)."""
    Membership = _membership_model()
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none().values("project_id")
    qs = Membership.objects.filter(user_id=user.pk)
    if side is not None:
        qs = qs.filter(side=side)
    return qs.values("project_id")


class ScopedQuerySet(models.QuerySet[Any]):
    """A queryset that knows how to restrict itself to what one user may see."""

    #: Lookup path from the model to its project ("" when the model is the project itself).
    project_path: str = "project"

    def _project_lookup(self) -> str:
        return f"{self.project_path}__in" if self.project_path else "pk__in"

    def visible_to(self, user: User | AnonymousUser) -> Self:
        """The records ``user`` may see: team members see all, client members shared only."""
        if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
            return self.none()
        lookup = self._project_lookup()
        has_visibility = any(f.name == "visibility" for f in self.model._meta.get_fields())
        if not has_visibility:
            return self.filter(**{lookup: project_ids_for(user)})
        if getattr(user, "sees_as_client", False):
            # A team member previewing the client's view reads with client-side semantics.
            return self.filter(Q(**{lookup: project_ids_for(user)}) & Q(visibility=Visibility.SHARED))
        team = Q(**{lookup: project_ids_for(user, Side.TEAM)})
        client = Q(**{lookup: project_ids_for(user, Side.CLIENT)}) & Q(visibility=Visibility.SHARED)
        return self.filter(team | client)


def scoped_queryset(project_path: str) -> type[ScopedQuerySet]:
    """A ``ScopedQuerySet`` subclass for models whose project sits at ``project_path``."""
    return type(f"ScopedQuerySet_{project_path or 'self'}", (ScopedQuerySet,), {"project_path": project_path})


class ClientLens:
    """A signed-in user looking through the client's eyes: the same memberships, shared records only.

    Pass it wherever a query takes a user (``visible_to``, ``queries.*_of``) to preview the client view.
    """

    sees_as_client = True

    def __init__(self, user: User) -> None:
        self.__dict__["_user"] = user

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["_user"], name)

    @property
    def user(self) -> User:
        """The real user behind the lens."""
        return self.__dict__["_user"]  # type: ignore[no-any-return]
