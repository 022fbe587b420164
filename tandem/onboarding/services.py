"""The write side of onboarding: the first-visit guide's state, training material and its completion.

Every change is one transaction; training changes are audited (the client reads them: training is
shared by nature), a person's own guide state is not (it changes nothing of the project).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import audit, updates, versioning
from tandem.core.choices import Visibility
from tandem.core.validation import full_clean
from tandem.onboarding import permissions, training
from tandem.onboarding.models import GuideVisit, TrainingCompletion, TrainingItem, TrainingKind
from tandem.projects.choices import CLIENT_ROLES
from tandem.projects.permissions import membership_of

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from tandem.accounts.models import User
    from tandem.projects.models import Project

#: The fields of a training item its manager edits.
ITEM_FIELDS = ("kind", "title", "body", "url", "audience_roles", "position")


def _visit(project: Project, actor: User) -> GuideVisit:
    membership = membership_of(actor, project)
    if membership is None:
        raise PermissionDenied(_("You are not a member of this project."))
    visit, _created = GuideVisit.objects.select_for_update().get_or_create(membership=membership)
    return visit


@transaction.atomic
def do_record_guide_opened(project: Project, *, actor: User) -> GuideVisit:
    """Remember the first time the member opened their guide (later openings change nothing)."""
    visit = _visit(project, actor)
    if visit.seen_at is None:
        visit.seen_at = timezone.now()
        visit.save(update_fields=["seen_at", "updated_at"])
    return visit


@transaction.atomic
def do_dismiss_guide_prompt(project: Project, *, actor: User) -> GuideVisit:
    """Put away the first-visit prompt on the project home for good (dismissing twice is harmless)."""
    visit = _visit(project, actor)
    if visit.dismissed_at is None:
        visit.dismissed_at = timezone.now()
        visit.save(update_fields=["dismissed_at", "updated_at"])
    return visit


def _clean_audience(value: Any) -> list[str]:
    roles = [str(r) for r in (value or [])]
    unknown = [r for r in roles if r not in CLIENT_ROLES]
    if unknown:
        raise ValidationError({"audience_roles": [_("Choose roles of the client.")]})
    return sorted(set(roles))


def _check_content(item: TrainingItem) -> None:
    """A document has a file, a link its address, a short guide its text."""
    if item.kind == TrainingKind.DOCUMENT and not item.file:
        raise ValidationError({"file": [_("Upload the document.")]})
    if item.kind == TrainingKind.LINK and not item.url:
        raise ValidationError({"url": [_("Give the link's address.")]})
    if item.kind == TrainingKind.GUIDE and not item.body.strip():
        raise ValidationError({"body": [_("Write the guide's text.")]})


def _attach(item: TrainingItem, upload: UploadedFile[Any] | None) -> None:
    if upload is None:
        return
    extension = training.check_document(upload)
    name = os.path.basename(upload.name or "")[:200] or f"document{extension}"
    item.filename = name
    item.file.save(f"training-{item.project_id}{extension}", upload, save=False)


@transaction.atomic
def do_add_training_item(
    project: Project, *, actor: User, data: Mapping[str, Any], upload: UploadedFile[Any] | None = None
) -> TrainingItem:
    """Add a document, link or short guide to the project's training material (its PM)."""
    permissions.require_manage_training(actor, project)
    item = TrainingItem(project=project, created_by=actor)
    updates.assign(
        item, data, fields=ITEM_FIELDS, text_fields=("body", "url"), clean={"audience_roles": _clean_audience}
    )
    if "position" not in data or data.get("position") is None:
        item.position = (
            TrainingItem.objects.filter(project=project).aggregate(m=models.Max("position"))["m"] or 0
        ) + 1
    _attach(item, upload)
    _check_content(item)
    full_clean(item)
    item.save()
    audit.record(
        actor=actor,
        verb="created",
        target=item,
        project=project,
        visibility=Visibility.SHARED,
        changes={"title": [None, item.title], "kind": [None, item.kind]},
    )
    return item


@transaction.atomic
def do_update_training_item(
    item: TrainingItem,
    *,
    actor: User,
    version: int | None,
    data: Mapping[str, Any],
    upload: UploadedFile[Any] | None = None,
) -> TrainingItem:
    """Change a training item based on the version read (a new document replaces the old one)."""
    permissions.require_manage_training(actor, item.project)

    def prepare(row: TrainingItem, before: Mapping[str, Any]) -> None:
        _attach(row, upload)
        _check_content(row)

    done = updates.update_versioned(
        item,
        data,
        fields=ITEM_FIELDS,
        version=version,
        actor=actor,
        project=item.project,
        text_fields=("body", "url"),
        clean={"audience_roles": _clean_audience},
        prepare=prepare,
        visibility=Visibility.SHARED,
        record_unchanged=upload is not None,
    )
    return done.instance


@transaction.atomic
def do_delete_training_item(item: TrainingItem, *, actor: User, version: int | None) -> None:
    """Remove a training item and its completion records."""
    permissions.require_manage_training(actor, item.project)
    current = TrainingItem.objects.select_for_update().get(pk=item.pk)
    versioning.check_version(current, version)
    audit.record(
        actor=actor,
        verb="deleted",
        target=current,
        project=current.project,
        visibility=Visibility.SHARED,
        changes={"title": [current.title, None]},
    )
    stored = current.file.name if current.file else ""
    current.delete()
    if stored:
        storage = current.file.storage
        transaction.on_commit(lambda: storage.delete(stored))


@transaction.atomic
def do_mark_training_done(item: TrainingItem, *, actor: User, done: bool = True) -> bool:
    """Record (or, with ``done=False``, withdraw) a client member's completion of an item meant for them.

    Returns whether the item is done now; marking twice records once.
    """
    project = item.project
    permissions.require_complete_training(actor, project)
    membership = membership_of(actor, project)
    if membership is None or not item.is_for(membership.role):
        raise PermissionDenied(_("This training item is not meant for your role."))
    existing = TrainingCompletion.objects.filter(item=item, user=actor)
    if done and not existing.exists():
        TrainingCompletion.objects.create(item=item, user=actor)
        audit.record(
            actor=actor, verb="completed", target=item, project=project, visibility=Visibility.SHARED
        )
    elif not done and existing.exists():
        existing.delete()
        audit.record(actor=actor, verb="reopened", target=item, project=project, visibility=Visibility.SHARED)
    return done
