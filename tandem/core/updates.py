"""One versioned, audited update for every stored record, and one rule for linking partly visible rows.

Every service that changes a row follows the same sequence: lock the row, check the version the
caller read (409 carrying the current one), snapshot the audited fields, assign only the fields the
caller may set, validate, bump the version, save the columns that changed, store the linked rows,
diff and write the audit record with the visibility the change deserves. ``update_versioned`` is
that sequence; a record type brings its field list and its own rules as hooks. ``create_audited``
(build from the allowed fields, validate, save, link, audit) and ``delete_versioned`` (lock, check
the version, audit, delete) are its counterparts for adding and removing a row, from the same pieces.

Linked rows follow one rule, "replace what you see, keep what you don't": a client who edits the
tasks a record names sees only shared tasks, so the internal tasks already linked stay linked.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from tandem.core import audit, versioning
from tandem.core.choices import Visibility
from tandem.core.validation import full_clean

if TYPE_CHECKING:
    from tandem.accounts.models import User

M = TypeVar("M", bound=models.Model)

#: A field's cleaner: the value the caller sent → the value stored (or a ValidationError).
Cleaner = Callable[[Any], Any]


@dataclass(frozen=True)
class Link:
    """A list-of-ids field: the many-to-many relation it sets and the rows the actor may name.

    ``visible`` is the queryset of rows the actor sees (already narrowed to the project): an id
    outside it is refused, and a linked row outside it is kept as it is.
    """

    relation: str
    visible: models.QuerySet[Any]
    message: str | Promise
    not_a_list: str | Promise | None = None


@dataclass
class Updated(Generic[M]):
    """What an update did: the saved row, the audited values before it, and ``{field: [old, new]}``.

    The hooks may add other entries to ``changes`` (a comment, the row an action created)."""

    instance: M
    before: dict[str, Any]
    changes: dict[str, Any] = field(default_factory=dict)


def replace_visible(relation: Any, ids: Iterable[int], visible: models.QuerySet[Any]) -> None:
    """Link exactly ``ids`` among the rows in ``visible``; linked rows outside ``visible`` stay linked."""
    hidden = relation.exclude(pk__in=visible.values("pk")).values_list("pk", flat=True)
    relation.set(sorted({*ids, *hidden}))


def link_ids(value: Any, name: str, link: Link) -> list[int]:
    """The distinct ids in ``value``, each one a row the actor sees, or a ValidationError on ``name``."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise ValidationError({name: [str(link.not_a_list or _("Give a list of ids."))]})
    try:
        ids = sorted({int(v) for v in value})
    except (TypeError, ValueError):
        raise ValidationError({name: [str(link.message)]}) from None
    if len(set(link.visible.filter(pk__in=ids).values_list("pk", flat=True))) != len(ids):
        raise ValidationError({name: [str(link.message)]})
    return ids


def assign(
    instance: models.Model,
    data: Mapping[str, Any],
    *,
    fields: Sequence[str],
    text_fields: Collection[str] = (),
    clean: Mapping[str, Cleaner] | None = None,
    links: Mapping[str, Link] | None = None,
) -> dict[str, list[int]]:
    """Set the allow-listed fields of ``data`` on ``instance``; return the ids of its link fields.

    A field outside ``fields`` is refused; ``clean`` turns a field's value into the stored one; a
    text field takes "" for None. Every field at fault is named in one ValidationError.
    """
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
    clean, links = clean or {}, links or {}
    chosen: dict[str, list[int]] = {}
    errors: dict[str, list[str]] = {}
    for name, value in data.items():
        try:
            if name in links:
                chosen[name] = link_ids(value, name, links[name])
                continue
            if name in clean:
                value = clean[name](value)
            elif value is None and name in text_fields:
                value = ""
            setattr(instance, name, value)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return chosen


def set_links(instance: models.Model, chosen: Mapping[str, list[int]], links: Mapping[str, Link]) -> None:
    """Store the ids ``assign`` returned: replace the linked rows the actor sees, keep the others."""
    for name, ids in chosen.items():
        link = links[name]
        replace_visible(getattr(instance, link.relation), ids, link.visible)


def shared_of(instance: Any) -> str:
    """The visibility of a record (a record without one is shared with its project)."""
    shared = getattr(instance, "visibility", Visibility.SHARED) == Visibility.SHARED
    return Visibility.SHARED if shared else Visibility.INTERNAL


def _relock(instance: M) -> M:
    """The row locked for the change, keeping the related objects the caller had already loaded."""
    current = versioning.locked(instance)
    for model_field in instance._meta.concrete_fields:
        if (
            model_field.is_relation
            and model_field.is_cached(instance)  # type: ignore[attr-defined]
            and getattr(current, model_field.attname) == getattr(instance, model_field.attname)
        ):
            model_field.set_cached_value(current, model_field.get_cached_value(instance))  # type: ignore[attr-defined]
    return current


def _columns(instance: models.Model) -> dict[str, Any]:
    """The value of every column, copied so that a list or dict changed in place counts as changed."""
    return {f.attname: copy.deepcopy(getattr(instance, f.attname)) for f in instance._meta.concrete_fields}


def _save_changed(instance: models.Model, columns: Mapping[str, Any]) -> None:
    """Save the columns that differ from ``columns`` (and the auto-updated timestamps): a new row whole."""
    if instance.pk is None or instance._state.adding:
        instance.save()
        return
    names = [
        f.name
        for f in instance._meta.concrete_fields
        if not f.primary_key
        and (getattr(f, "auto_now", False) or getattr(instance, f.attname) != columns[f.attname])
    ]
    instance.save(update_fields=names)


def _entry(row: models.Model, *, actor: User | None, verb: str, project: Any, label: str) -> dict[str, Any]:
    """The parts of an audit record every change of ``row`` shares (``project`` None: the row's own)."""
    where = getattr(row, "project", None) if project is None else project
    return {"actor": actor, "verb": verb, "target": row, "project": where, "label": label}


def _seen(row: M, visibility: str | Callable[[M], str] | None) -> str:
    """The visibility of a record about ``row``: the one given, computed from the row, or the row's own."""
    if isinstance(visibility, str):
        return visibility
    return (visibility or shared_of)(row)


def update_versioned(
    instance: M,
    changes: Mapping[str, Any],
    *,
    fields: Sequence[str],
    version: int | None,
    actor: User | None,
    project: Any = None,
    verb: str | Callable[[M, Mapping[str, Any]], str] = "updated",
    audited: Sequence[str] | None = None,
    text_fields: Collection[str] = (),
    clean: Mapping[str, Cleaner] | None = None,
    links: Mapping[str, Link] | None = None,
    refuse: Callable[[M], None] | None = None,
    check: Callable[[M], None] | None = None,
    prepare: Callable[[M, Mapping[str, Any]], None] | None = None,
    before_save: Callable[[M, dict[str, Any]], None] | None = None,
    validate: bool = True,
    exclude: list[str] | None = None,
    visibility: str | Callable[[M], str] | None = None,
    internal_fields: Collection[str] = (),
    conflict_message: str | Promise | None = None,
    lock: bool = True,
    record_unchanged: bool = False,
    skip_unchanged: bool = False,
    label: str = "",
) -> Updated[M]:
    """Change one row based on the version the caller read, validated and audited (caller's transaction).

    The steps, in order: lock the row (``lock=False`` when the caller holds it already, or for a row
    not stored yet, version 0); ``refuse`` (a state no version may change, before the version check);
    the version check (``ConflictError`` with the current version, ``conflict_message`` naming the
    record); ``check`` (a state this change needs); snapshot of ``audited`` (default: ``fields``
    without the link fields); assignment of the allow-listed ``changes`` (see ``assign``);
    ``prepare(row, before)`` for derived fields and rules between fields; validation (``full_clean``
    without ``exclude``); the diff; ``skip_unchanged`` returns here when nothing changed;
    ``before_save(row, changes)`` may add to the diff; version + 1; save of the changed columns;
    the links (``replace_visible``); the audit record in ``project`` (default: the row's own) unless
    nothing changed and not ``record_unchanged``, with the diff of ``internal_fields`` in a second,
    internal record.

    The record's visibility is ``visibility`` when it is a string; otherwise it is computed before
    and after the change (by the callable, default the row's own ``visibility``) and the record is
    shared only when the row was shared on both sides: a row going internal → shared would show the
    client its internal past, one going shared → internal its new internal content.
    """
    links = links or {}
    current = _relock(instance) if lock and instance.pk is not None else instance
    if refuse is not None:
        refuse(current)
    versioning.check_version(current, version, conflict_message)
    if check is not None:
        check(current)
    watched = tuple(audited if audited is not None else (f for f in fields if f not in links))
    before = audit.field_values(current, watched)
    shared = visibility if callable(visibility) else shared_of
    was_shared = shared(current) == Visibility.SHARED
    columns = _columns(current)
    chosen = assign(current, changes, fields=fields, text_fields=text_fields, clean=clean, links=links)
    if prepare is not None:
        prepare(current, before)
    if validate:
        full_clean(current, exclude=exclude)
    diff = audit.changed(before, audit.field_values(current, watched))
    result = Updated(instance=current, before=before, changes=diff)
    if skip_unchanged and not diff and not chosen:
        return result
    if before_save is not None:
        before_save(current, diff)
    current.version += 1  # type: ignore[attr-defined]
    _save_changed(current, columns)
    set_links(current, chosen, links)
    if isinstance(visibility, str):
        seen = visibility
    else:
        seen = (
            Visibility.SHARED if was_shared and shared(current) == Visibility.SHARED else Visibility.INTERNAL
        )
    outside = {k: v for k, v in diff.items() if k not in internal_fields}
    inside = {k: v for k, v in diff.items() if k in internal_fields}
    said = verb if isinstance(verb, str) else verb(current, diff)
    entry = _entry(current, actor=actor, verb=said, project=project, label=label)
    for part, seen_by in ((outside, seen), (inside, Visibility.INTERNAL)):
        if part or (part is outside and record_unchanged and not inside):
            audit.record(**entry, changes=part, visibility=seen_by)
    return result


def in_state(
    allowed: Collection[Any], message: str | Promise, *, field: str = "status"
) -> Callable[[Any], None]:
    """A ``check`` for ``update_versioned``: the row's ``field`` is one of ``allowed``, else ``message``."""

    def check(row: Any) -> None:
        """Refuse a row in another state, naming ``field``."""
        if getattr(row, field) not in allowed:
            raise ValidationError({field: [str(message)]})

    return check


def move(
    instance: M, to: Any, *, version: int | None, actor: User | None, field: str = "status", **how: Any
) -> M:
    """Move a row to another state (``field`` = ``to``), versioned and audited like any update.

    The state's own rules come as ``check`` (where it may move from) and ``prepare`` (what moving sets);
    the row is not validated again unless ``validate=True``.
    """
    how.setdefault("validate", False)
    return update_versioned(
        instance, {field: to}, fields=(field,), version=version, actor=actor, **how
    ).instance


def create_audited(
    model: type[M],
    values: Mapping[str, Any],
    *,
    fields: Sequence[str],
    actor: User | None,
    project: Any = None,
    verb: str = "added",
    initial: Mapping[str, Any] | None = None,
    text_fields: Collection[str] = (),
    clean: Mapping[str, Cleaner] | None = None,
    links: Mapping[str, Link] | None = None,
    prepare: Callable[[M, Mapping[str, Any]], None] | None = None,
    after_save: Callable[[M], None] | None = None,
    validate: bool = True,
    exclude: list[str] | None = None,
    visibility: str | Callable[[M], str] | None = None,
    audited: Sequence[str] = (),
    changes: Callable[[M], Mapping[str, Any]] | None = None,
    label: str = "",
) -> M:
    """Add one row from the fields the caller may set, validated and audited (caller's transaction).

    The counterpart of ``update_versioned``, from the same pieces: the row is built from ``initial``
    (what the service sets: the project, the author), the allow-listed ``values`` are assigned (see
    ``assign``, with ``text_fields``, ``clean`` and ``links``); ``prepare(row, values)`` sets derived
    fields and checks rules between fields; validation (``full_clean`` without ``exclude``); save;
    the links; ``after_save(row)`` for the rows that go with it; the audit record in ``project``
    (default: the row's own) with ``[None, value]`` for each of ``audited`` and the entries of
    ``changes(row)``. The record's visibility is ``visibility`` (a string, or computed from the saved
    row), by default the row's own.
    """
    links = links or {}
    row = model(**(initial or {}))
    chosen = assign(row, values, fields=fields, text_fields=text_fields, clean=clean, links=links)
    if prepare is not None:
        prepare(row, values)
    if validate:
        full_clean(row, exclude=exclude)
    _save_changed(row, {})
    set_links(row, chosen, links)
    if after_save is not None:
        after_save(row)
    noted: dict[str, Any] = {k: [None, v] for k, v in audit.field_values(row, audited).items()}
    if changes is not None:
        noted.update(changes(row))
    entry = _entry(row, actor=actor, verb=verb, project=project, label=label)
    audit.record(**entry, changes=noted, visibility=_seen(row, visibility))
    return row


def delete_versioned(
    instance: M,
    *,
    version: int | None,
    actor: User | None,
    verb: str = "removed",
    project: Any = None,
    audited: Sequence[str] = (),
    visibility: str | Callable[[M], str] | None = None,
    conflict_message: str | Promise | None = None,
    label: str = "",
) -> M:
    """Delete one row based on the version the caller read, audited (caller's transaction).

    The counterpart of ``update_versioned``: lock the row, check the version (``ConflictError`` with
    the current one), write the audit record in ``project`` (default: the row's own) with
    ``[value, None]`` for each of ``audited`` and the visibility ``visibility`` gives (default: the
    row's own), then delete it. Returns the row as it was read under the lock.
    """
    current = _relock(instance)
    versioning.check_version(current, version, conflict_message)
    noted = {k: [v, None] for k, v in audit.field_values(current, audited).items()}
    entry = _entry(current, actor=actor, verb=verb, project=project, label=label)
    audit.record(**entry, changes=noted, visibility=_seen(current, visibility))
    current.delete()
    return current
