"""The defect workflow after filing: editing a defect and moving it through ``DEFECT_TRANSITIONS``.

Who may do what (``quality.permissions``): the reporter edits what they filed while the defect is
``new``; the team's writers (``can_triage``) edit everything, the severity, priority, assignee and the
internal triage note included, confirm and fix; verifying, closing and reopening is for
``can_verify_defect`` (the team's writers, the reporter, the client PM). Each change is versioned and
audited; the triage note goes only to an internal audit record. The reporter and the assignee are told
of each move (in the app, and by e-mail as each prefers).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.communication import tasks as communication_tasks
from tandem.communication.models import Notification, NotificationVerb
from tandem.core import updates
from tandem.core.choices import Visibility
from tandem.projects.choices import TEAM_ROLES
from tandem.projects.models import Membership
from tandem.projects.permissions import is_team, role_of
from tandem.quality.choices import DEFECT_TRANSITIONS, DefectStatus
from tandem.quality.defects import FILED_FIELDS, TEXT_FIELDS, TRIAGE_FIELDS, defect_cleaners
from tandem.quality.models import Defect
from tandem.quality.permissions import can_triage, can_verify_defect, require

if TYPE_CHECKING:
    from tandem.accounts.models import User

#: Moves made by the team's triage; every other move (verify, close, reopen) by ``can_verify_defect``.
TRIAGE_MOVES = frozenset({DefectStatus.CONFIRMED, DefectStatus.FIXED})
#: The fields a move may set besides the status.
MOVE_FIELDS = ("status", "resolution", "task_id")
AUDITED = ("title", "severity", "priority", "status", "assignee_id", "visibility", "resolution", "task_id")


def editable_fields(actor: User, defect: Defect) -> tuple[str, ...]:
    """The fields ``actor`` may change on ``defect`` (empty: none).

    The team's writers: everything filed and the triage. The reporter, while the defect is new: what
    they filed; a client reporter not the visibility (a client's defect stays shared).
    """
    project = defect.project
    if can_triage(actor, project):
        return (*FILED_FIELDS, *TRIAGE_FIELDS)
    if (
        defect.reported_by_id != actor.pk
        or defect.status != DefectStatus.NEW
        or role_of(actor, project) is None
    ):
        return ()
    if is_team(actor, project):
        return FILED_FIELDS
    return tuple(f for f in FILED_FIELDS if f != "visibility")


def can_edit_defect(actor: User, defect: Defect) -> bool:
    """Whether ``actor`` may edit ``defect`` at all."""
    return bool(editable_fields(actor, defect))


@transaction.atomic
def do_update_defect(defect: Defect, *, actor: User, version: int | None, **values: Any) -> Defect:
    """Change a defect based on the version read: its reporter while it is new, the team's writers always.

    A field the actor may not set is a 422 naming it; the triage note is audited internally only.
    """
    fields = editable_fields(actor, defect)
    require(bool(fields), _("Only the team, or the reporter while the defect is new, may edit it."))
    return updates.update_versioned(
        defect,
        values,
        fields=fields,
        version=version,
        actor=actor,
        project=defect.project,
        audited=(*AUDITED, "internal_note"),
        text_fields=TEXT_FIELDS,
        clean=defect_cleaners(actor, defect.project),
        internal_fields=Defect.INTERNAL_FIELDS,
        conflict_message=_(
            "This defect was changed meanwhile (you read version %(yours)s, it is at %(theirs)s)."
        ),
        label=defect.code,
    ).instance


def allowed_moves(defect: Defect) -> list[str]:
    """The states ``defect`` may move to from its current one, in workflow order."""
    allowed = DEFECT_TRANSITIONS.get(defect.status, frozenset())
    return [s for s in DefectStatus.values if s in allowed]


def may_move(actor: User, defect: Defect, to: str) -> bool:
    """Whether ``actor`` may make the move to ``to`` (its rights, not whether the workflow allows it)."""
    if to in TRIAGE_MOVES:
        return can_triage(actor, defect.project)
    return can_verify_defect(actor, defect)


def moves_for(actor: User, defect: Defect) -> list[str]:
    """The moves ``actor`` may make on ``defect`` now (for the buttons of its page)."""
    return [to for to in allowed_moves(defect) if may_move(actor, defect, to)]


def _check_move(to: str) -> Any:
    def check(row: Defect) -> None:
        allowed = allowed_moves(row)
        if to not in allowed:
            names = ", ".join(str(DefectStatus(s).label) for s in allowed) or "—"
            raise ValidationError(
                {
                    "to": [
                        _("A %(from)s defect can move to: %(allowed)s.")
                        % {
                            "from": DefectStatus(row.status).label,
                            "allowed": names,
                        }
                    ]
                }
            )

    return check


def _prepare_move(before_status: str) -> Any:
    def prepare(row: Defect, before: Mapping[str, Any]) -> None:
        now = timezone.now()
        if (
            row.status == DefectStatus.CLOSED
            and before_status == DefectStatus.NEW
            and not row.resolution.strip()
        ):
            raise ValidationError(
                {"resolution": [_("Say why a new defect is closed (a duplicate, not a defect…).")]}
            )
        if row.status == DefectStatus.FIXED:
            row.fixed_at = now
        if row.status == DefectStatus.CLOSED:
            row.closed_at = now
        if row.status == DefectStatus.REOPENED:
            row.reopen_count += 1
            row.closed_at = None

    return prepare


@transaction.atomic
def do_move_defect(
    defect: Defect,
    *,
    actor: User,
    version: int | None,
    to: str,
    resolution: str | None = None,
    task_id: int | None = None,
) -> Defect:
    """Move ``defect`` to ``to`` following ``DEFECT_TRANSITIONS`` (422 naming ``to`` with the allowed moves).

    Confirming and fixing are the team's triage; verifying, closing and reopening are for
    ``can_verify_defect``. Closing a new defect needs a ``resolution``; a fix may name the ``task_id``
    that carried it. Reopening counts; fixing and closing stamp their time. The reporter and the
    assignee are told.
    """
    if to not in DefectStatus.values:
        raise ValidationError({"to": [_("Choose one of the defect states.")]})
    require(may_move(actor, defect, to), _("Your role in this project does not allow this move."))
    values: dict[str, Any] = {"status": to}
    if resolution is not None:
        values["resolution"] = resolution
    if task_id is not None:
        require(can_triage(actor, defect.project))
        values["task_id"] = task_id
    before_status = defect.status
    moved = updates.update_versioned(
        defect,
        values,
        fields=MOVE_FIELDS,
        version=version,
        actor=actor,
        project=defect.project,
        verb="moved",
        audited=AUDITED,
        text_fields=("resolution",),
        clean=defect_cleaners(actor, defect.project),
        check=_check_move(to),
        prepare=_prepare_move(before_status),
        conflict_message=_(
            "This defect was changed meanwhile (you read version %(yours)s, it is at %(theirs)s)."
        ),
        label=defect.code,
    ).instance
    _notify_move(moved, actor)
    return moved


def _notify_move(defect: Defect, actor: User) -> None:
    """Tell the reporter and the assignee (not the actor) that the defect moved, after the commit."""
    recipients: set[int] = {pk for pk in (defect.reported_by_id, defect.assignee_id) if pk and pk != actor.pk}
    if not recipients:
        return
    if defect.visibility != Visibility.SHARED:  # a client never hears of an internal defect
        recipients &= set(
            Membership.objects.filter(
                project=defect.project, user_id__in=recipients, role__in=TEAM_ROLES
            ).values_list("user_id", flat=True)
        )
    content_type = ContentType.objects.get_for_model(Defect)
    created = Notification.objects.bulk_create(
        Notification(
            recipient_id=pk,
            project=defect.project,
            verb=NotificationVerb.DEFECT_MOVED,
            actor=actor,
            target_type=content_type,
            target_id=defect.pk,
        )
        for pk in sorted(recipients)
    )
    ids = [n.pk for n in created if n.pk is not None]
    if len(ids) != len(created):
        ids = list(
            Notification.objects.filter(
                target_type=content_type, target_id=defect.pk, verb=NotificationVerb.DEFECT_MOVED
            ).values_list("pk", flat=True)
        )
    for notification_id in ids:
        transaction.on_commit(partial(communication_tasks.email_notification.enqueue, notification_id))
