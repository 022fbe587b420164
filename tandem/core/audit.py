"""Writing the audit trail. Services call these explicitly, inside their transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models

from tandem.core.choices import Visibility
from tandem.core.models import Activity

if TYPE_CHECKING:
    from tandem.accounts.models import User


def plain(value: Any) -> Any:
    """A JSON-friendly form of a field value, for the changes recorded in the audit trail."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def field_values(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of ``fields`` on ``instance``, in recorded form."""
    return {name: plain(getattr(instance, name)) for name in fields}


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value differs."""
    return {k: [before.get(k), after[k]] for k in after if before.get(k) != after[k]}


def entry(
    *,
    actor: User | None,
    verb: str,
    target: models.Model | None = None,
    target_type: str = "",
    project: Any = None,
    changes: Mapping[str, Any] | None = None,
    visibility: str = Visibility.SHARED,
    label: str = "",
) -> Activity:
    """One activity record, not yet written (``record`` writes one, ``record_many`` many at once).

    ``target_type`` defaults to the model's label (``projects.goal``); ``visibility`` should be
    the target's visibility so that a client never reads about an internal record.
    """
    if target is not None and not target_type:
        target_type = target._meta.label_lower
    return Activity(
        project=project,
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        target_type=target_type,
        target_id=str(target.pk) if target is not None and target.pk is not None else "",
        target_label=(label or (str(target) if target is not None else ""))[:300],
        changes=dict(changes or {}),
        visibility=visibility,
    )


def record(
    *,
    actor: User | None,
    verb: str,
    target: models.Model | None = None,
    target_type: str = "",
    project: Any = None,
    changes: Mapping[str, Any] | None = None,
    visibility: str = Visibility.SHARED,
    label: str = "",
) -> Activity:
    """Append one activity record (see ``entry``)."""
    activity = entry(
        actor=actor,
        verb=verb,
        target=target,
        target_type=target_type,
        project=project,
        changes=changes,
        visibility=visibility,
        label=label,
    )
    activity.save()
    return activity


def record_many(entries: Iterable[Activity]) -> None:
    """Append many activity records with one insert per 500 (a bulk request audits every row)."""
    Activity.objects.bulk_create(list(entries), batch_size=500)
