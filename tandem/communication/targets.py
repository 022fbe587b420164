"""The records that take comments, each named by a short type in URLs (``risk:12``)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _

from tandem.core.database import the_one
from tandem.core.scoping import Viewer

#: Short type → model label. Every model here has a ``project``, a ``visibility`` and a scoped manager.
COMMENTABLE: dict[str, str] = {
    "goal": "projects.Goal",
    "kpi": "projects.Kpi",
    "stakeholder": "projects.Stakeholder",
    "deliverable": "projects.Deliverable",
    "note": "projects.Note",
    "task": "planning.Task",
    "requirement": "requirements.Requirement",
    "change": "changes.ChangeRequest",
    "risk": "risks.Risk",
    "issue": "risks.Issue",
    "conflict": "risks.Conflict",
    "decision": "risks.ClientDecision",
    "report": "reports.StatusReport",
    "meeting": "meetings.Meeting",
    "defect": "quality.Defect",
}


#: Records that notifications name but that take no comments: short type → (model label, the name of
#: the project page that shows them, reversed with the project's code). Higher apps' models are named
#: by label, as above, so that this app imports none of them.
NOTIFIED: dict[str, tuple[str, str]] = {
    "budget_alert": ("costs.BudgetAlert", "web:budget"),
    "acceptance": ("quality.AcceptanceRequest", "web:acceptances"),
    "pulse_follow_up": ("pulses.FollowUp", "web:pulses"),
}


def model_of(kind: str) -> type[models.Model]:
    """The model behind a short type; ``ValidationError`` on ``target`` for any other."""
    label = COMMENTABLE.get(kind)
    if label is None:
        raise ValidationError({"target": [_("Comments cannot be added to this kind of record.")]})
    return apps.get_model(label)


def kind_of(instance_or_type: models.Model | ContentType) -> str:
    """The short type of a commentable record or content type ("" when not commentable)."""
    if isinstance(instance_or_type, ContentType):
        label = f"{instance_or_type.app_label}.{instance_or_type.model}"
    else:
        label = instance_or_type._meta.label_lower
    for kind, model_label in COMMENTABLE.items():
        if model_label.lower() == label:
            return kind
    for kind, (model_label, _page) in NOTIFIED.items():
        if model_label.lower() == label:
            return kind
    return ""


def notified_page(kind: str) -> str:
    """The URL name of the project page showing a notified record of ``kind`` ("" for a commentable one)."""
    found = NOTIFIED.get(kind)
    return found[1] if found else ""


def parse(spec: str) -> tuple[str, int]:
    """``"risk:12"`` → ``("risk", 12)``; ``ValidationError`` on ``target`` when malformed."""
    kind, _sep, raw = (spec or "").partition(":")
    model_of(kind)
    try:
        pk = int(raw)
    except ValueError:
        raise ValidationError({"target": [_("Name the record as type:id, for example risk:12.")]}) from None
    if pk <= 0:
        raise ValidationError({"target": [_("Name the record as type:id, for example risk:12.")]})
    return kind, pk


def access_target(user: Viewer, project: Any, spec: str) -> models.Model:
    """The commentable record named by ``spec`` in ``project`` if the user sees it; otherwise ``Http404``."""
    kind, pk = parse(spec)
    model: Any = model_of(kind)
    found = the_one(model.objects.visible_to(user).filter(project=project, pk=pk))
    if found is None:
        raise Http404(_("No such record."))
    return found  # type: ignore[no-any-return]


def is_commentable(target: models.Model) -> bool:
    """Whether comments may be added to this record."""
    return kind_of(target) in COMMENTABLE


def visible_targets(
    user: Viewer, prefix: str = "", *, only: Collection[int] | None = None, notified: bool = False
) -> models.Q:
    """A filter on ``<prefix>target_type``/``target_id``: records of any commentable kind the user sees.

    A record can turn internal after people commented on it; this keeps what was said about it from
    the client everywhere (lists, notifications), whatever the comment's own visibility says.
    ``only`` (content type ids) leaves out the kinds the caller knows its rows do not name: each kind
    costs a scoped subquery to build and to run. ``notified`` adds the records notifications name
    without taking comments (``NOTIFIED``).
    """
    condition = models.Q(pk__in=[])
    labels = list(COMMENTABLE.values())
    if notified:
        labels += [label for label, _page in NOTIFIED.values()]
    kinds: list[Any] = [apps.get_model(label) for label in labels]
    # One query for every kind's content type when the cache is cold, then none.
    content_types = ContentType.objects.get_for_models(*kinds)
    for model in kinds:
        content_type = content_types[model]
        if only is not None and content_type.pk not in only:
            continue
        condition |= models.Q(
            **{
                f"{prefix}target_type": content_type,
                f"{prefix}target_id__in": model.objects.visible_to(user).values("pk"),
            }
        )
    return condition
