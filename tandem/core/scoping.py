"""The one visibility scope: every read of project data for a user goes through ``visible_to``.

A record belongs to a project (through ``project_path``). A user sees it when they are a member
of that project; a member on the client side sees it only when it is shared — and, for a record
whose sharing depends on a parent (a link between tasks, a meeting's agenda item), only when every
record named by its ``scope_visibility_paths`` is shared. The rule lives here once and serves web
pages, the API, exports and feeds alike.

Within a web or API request (``remembering_memberships``, entered by a middleware) each user's
memberships are read once, with one small query, and every scope of that request names the project
ids as literals (``project_id IN (3, 7)``) instead of repeating the membership subquery: a page runs
a dozen scoped queries, and building and compiling the subquery was a large share of its CPU. Any
change to a membership during the request forgets what was read. Outside a request (jobs, commands,
tests calling queries directly) nothing is remembered and the scope stays a subquery.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Generic, Self, TypeAlias, TypeVar

from django.apps import apps
from django.db import models
from django.db.models import Q

from tandem.core.choices import Side, Visibility

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tandem.accounts.models import User

#: Whoever reads: a user, the anonymous visitor, or a user looking through the client's eyes.
Viewer: TypeAlias = "User | AnonymousUser | ClientLens"

_M = TypeVar("_M", bound=models.Model)


def _membership_model() -> Any:
    # Looked up by label so that core does not import the projects app that builds on it.
    return apps.get_model("projects", "Membership")


def sees_as_client(user: Viewer) -> bool:
    """Whether ``user`` reads with client-side semantics although on the team (the client preview)."""
    return bool(getattr(user, "sees_as_client", False))


def visibility_paths_of(model: type[models.Model]) -> tuple[str, ...]:
    """The ``visibility`` lookups that must all be shared for a client to see a row of ``model``.

    A model names them with ``scope_visibility_paths`` (e.g. ``("visibility", "meeting__visibility")``
    for a part of a meeting, ``("predecessor__visibility", "successor__visibility")`` for a link);
    by default a model with its own ``visibility`` field depends on it alone, and a model without one
    is seen by every member of its project.
    """
    paths: tuple[str, ...] | None = getattr(model, "scope_visibility_paths", None)
    if paths is not None:
        return paths
    return ("visibility",) if any(f.name == "visibility" for f in model._meta.get_fields()) else ()


def shared_q(model: type[models.Model], prefix: str = "") -> Q:
    """The condition under which a client may read a row of ``model`` (reached through ``prefix``).

    A model whose rule is not "all of these are shared" gives its own condition as the classmethod
    ``scope_shared_q(prefix)`` (a baseline row: its task is shared, or its task was deleted and the
    row was shared when the baseline was saved).
    """
    custom = getattr(model, "scope_shared_q", None)
    if custom is not None:
        return custom(prefix)  # type: ignore[no-any-return]
    condition = Q()
    for path in visibility_paths_of(model):
        condition &= Q(**{f"{prefix}{path}": Visibility.SHARED})
    return condition


#: The memberships read in the current request, by user id (None outside a request).
_remembered: ContextVar[dict[int, dict[int, Any]] | None] = ContextVar("tandem_memberships", default=None)

#: Above this many projects a user's scope stays a subquery rather than a long literal list.
LITERAL_IDS_MAX = 500


#: Other reads the current request remembers, by name (None outside a request): e.g. the decision
#: rights of each project, which the scope, the inbox and the home's panels all need.
_memos: ContextVar[dict[str, dict[Any, Any]] | None] = ContextVar("tandem_request_memos", default=None)


@contextmanager
def remembering_memberships() -> Iterator[None]:
    """Within the block (one request), read each user's memberships once and reuse them (and what
    else is remembered with ``request_memo``)."""
    token = _remembered.set({})
    memos = _memos.set({})
    try:
        yield
    finally:
        _memos.reset(memos)
        _remembered.reset(token)


def forget_memberships() -> None:
    """Drop the memberships remembered in this request (a membership was added, changed or removed)."""
    remembered = _remembered.get()
    if remembered is not None:
        remembered.clear()


def request_memo(name: str) -> dict[Any, Any] | None:
    """The current request's memo called ``name`` (a dict to read and fill); None outside a request."""
    memos = _memos.get()
    if memos is None:
        return None
    return memos.setdefault(name, {})


def forget_request_memo(name: str) -> None:
    """Empty the current request's memo ``name`` (what it remembers was changed)."""
    memos = _memos.get()
    if memos is not None:
        memos.pop(name, None)


def remembered_memberships(user: Viewer) -> dict[int, Any] | None:
    """The user's memberships by project id, read once per request; None outside a request."""
    remembered = _remembered.get()
    if remembered is None or not getattr(user, "is_authenticated", False) or user.pk is None:
        return None
    found = remembered.get(user.pk)
    if found is None:
        rows = _membership_model()._default_manager.filter(user_id=user.pk).order_by()
        found = remembered[user.pk] = {m.project_id: m for m in rows}
    return found


def _scope_ids(user: Viewer, side: str | None = None) -> list[int] | models.QuerySet[Any, dict[str, Any]]:
    """The ids of the user's projects (on one side): literals within a request, else a subquery."""
    memberships = remembered_memberships(user)
    if memberships is None or len(memberships) > LITERAL_IDS_MAX:
        return project_ids_for(user, side)
    return sorted(pk for pk, m in memberships.items() if side is None or m.side == side)


def project_ids_for(user: Viewer, side: str | None = None) -> models.QuerySet[Any, dict[str, Any]]:
    """Subquery of the ids of projects ``user`` belongs to (optionally on one side only)."""
    memberships: models.QuerySet[Any] = _membership_model()._default_manager.all()
    if not getattr(user, "is_authenticated", False):
        return memberships.none().values("project_id")
    memberships = memberships.filter(user_id=user.pk)
    if side is not None:
        memberships = memberships.filter(side=side)
    return memberships.values("project_id")


class ScopedQuerySet(models.QuerySet[_M, _M]):
    """A queryset that knows how to restrict itself to what one user may see."""

    #: Lookup path from the model to its project ("" when the model is the project itself). When
    #: None, the model's own ``scope_project_path`` attribute says it (default: ``project``).
    project_path: str | None = None

    def _project_lookup(self) -> str:
        path = self.project_path
        if path is None:
            path = getattr(self.model, "scope_project_path", "project")
        return f"{path}__in" if path else "pk__in"

    def visible_to(self, user: Viewer) -> Self:
        """The records ``user`` may see: team members see all, client members shared only."""
        if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
            return self.none()
        lookup = self._project_lookup()
        shared = shared_q(self.model)
        if not shared:
            return self.filter(**{lookup: _scope_ids(user)})
        if sees_as_client(user):
            # A team member previewing the client's view reads with client-side semantics.
            return self.filter(Q(**{lookup: _scope_ids(user)}) & shared)
        team_ids, client_ids = _scope_ids(user, Side.TEAM), _scope_ids(user, Side.CLIENT)
        team = Q(**{lookup: team_ids})
        client = Q(**{lookup: client_ids}) & shared
        if isinstance(team_ids, list) and isinstance(client_ids, list):
            # Known ids: leave out a side the user has no project on (an empty IN matches nothing).
            if not client_ids:
                return self.filter(team)
            if not team_ids:
                return self.filter(client)
        return self.filter(team | client)

    def shared(self) -> Self:
        """The rows a client of their project may read (the same rule as ``visible_to``, any project)."""
        return self.filter(shared_q(self.model))


class ScopedManager(models.Manager[_M], Generic[_M]):
    """The default manager of a project record: ``Model.objects.visible_to(user)``.

    The model says where its project is with ``scope_project_path`` ("" for the project itself) and,
    when its sharing depends on a parent, which records must be shared with ``scope_visibility_paths``.
    """

    def get_queryset(self) -> ScopedQuerySet[_M]:
        """All rows, as a queryset that can scope itself."""
        return ScopedQuerySet(self.model, using=self._db)

    def visible_to(self, user: Viewer) -> ScopedQuerySet[_M]:
        """The rows ``user`` may see."""
        return self.get_queryset().visible_to(user)

    def shared(self) -> ScopedQuerySet[_M]:
        """The rows a client of their project may read."""
        return self.get_queryset().shared()


def scoped_queryset(project_path: str) -> type[ScopedQuerySet[Any]]:
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
