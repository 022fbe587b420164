"""Template helpers of the inbox: what waits on the reader (read once per request), the header's
count (one query for every provider), a project's share of it, and who holds a decision right the
reader lacks."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import inbox
from tandem.projects.choices import Role
from tandem.projects.models import Project
from tandem.projects.permissions import holders, holds
from tandem.web.inbox import count_of, items_of

register = template.Library()

#: The most items a project home's panel lists.
HOME_PANEL_MAX = 5


@register.simple_tag(takes_context=True)
def inbox_count(context: template.Context) -> int:
    """How many items wait on the reader (0 when signed out): counted, not listed, unless the page
    lists them anyway."""
    request = context.get("request")
    if request is None or not getattr(request.user, "is_authenticated", False):
        return 0
    return count_of(request)


@register.simple_tag(takes_context=True)
def inbox_for_project(context: template.Context, project: Project) -> dict[str, Any]:
    """The reader's items of one project (the first ``HOME_PANEL_MAX``) and how many there are."""
    request = context.get("request")
    if request is None or not getattr(request.user, "is_authenticated", False):
        return {"items": [], "count": 0}
    mine = [i for i in items_of(request) if i.project_id == project.pk]
    return {"items": mine[:HOME_PANEL_MAX], "count": len(mine), "today": timezone.localdate()}


@register.filter
def overdue(item: inbox.Item) -> bool:
    """Whether the item is past its due date."""
    return item.overdue(timezone.localdate())


def _sentences() -> dict[str, str]:
    return {
        "confirm": _("Only %(names)s can confirm."),
        "approve": _("Only %(names)s can approve."),
        "sign": _("Only %(names)s can sign."),
        "decide": _("Only %(names)s can decide."),
        "approve_for_client": _("Then only %(names)s can approve for the client."),
    }


@register.simple_tag(takes_context=True)
def only_holders(context: template.Context, project: Project, kind: str, verb: str = "decide") -> str:
    """ "Only Liu Yang (sponsor) can confirm.": who holds decision right ``kind`` (one query), for a
    reader who does not hold it ("" for one who does, unless previewing the client's view); when nobody
    holds it, where that is set."""
    scope = context.get("scope")
    preview = bool(getattr(scope, "preview", False))
    user = context.get("user")
    if not preview and user is not None and holds(user, project, kind):
        return ""
    people = holders(project, kind)
    if not people:
        return _(
            "Nobody in this project holds this decision right yet; the decision rights page says who may."
        )
    names = _(", ").join(
        _("%(name)s (%(role)s)")
        % {"name": m.user.full_name or m.user.email, "role": str(Role(m.role).label).lower()}
        for m in people
    )
    sentences = _sentences()
    return sentences.get(verb, sentences["decide"]) % {"names": names}
