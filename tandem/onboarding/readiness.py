"""The client PM readiness checklist: is the client ready to act as project manager?

Each check is computed from the project's data (never ticked by hand) and names the page where it is
put right (a key of the project navigation). It reads a fixed number of queries, however many
members, items or meetings the project has.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tandem.core.choices import Side, Visibility
from tandem.core.database import the_one
from tandem.meetings.choices import MeetingStatus
from tandem.meetings.models import CommunicationItem, Meeting
from tandem.onboarding.models import GuideVisit, TrainingCompletion, TrainingItem
from tandem.projects.choices import CLIENT_ROLES, DecisionKind, Role
from tandem.projects.models import CharterConfirmation, Membership, Project
from tandem.projects.permissions import decision_roles

#: The decisions the client must be able to take for the client to act as PM.
CLIENT_DECISIONS = (
    DecisionKind.CONFIRM_CHARTER,
    DecisionKind.CONFIRM_REQUIREMENT,
    DecisionKind.APPROVE_CHANGE,
    DecisionKind.ACCEPT_DELIVERABLE,
)


@dataclass(frozen=True)
class Check:
    """One line of the checklist."""

    key: str
    label: str | Promise
    done: bool
    #: What is missing, when the check is not done.
    hint: str | Promise
    #: The navigation page (key) where it is put right.
    page: str


@dataclass(frozen=True)
class Readiness:
    """The checklist and its score."""

    checks: list[Check]

    @property
    def score(self) -> int:
        return sum(1 for c in self.checks if c.done)

    @property
    def total(self) -> int:
        return len(self.checks)

    @property
    def complete(self) -> bool:
        return self.score == self.total


def readiness_of(project: Project) -> Readiness:
    """The client PM readiness of ``project`` (five queries, whatever its size).

    Only what the client can see counts: a shared communication plan entry, a shared meeting held.
    """
    # One query for the facts that are a yes or no: the client PM opened their guide, the charter's
    # current revision is confirmed, a shared meeting was held.
    facts = the_one(
        Project.objects.filter(pk=project.pk)
        .annotate(
            guide_read=Exists(
                GuideVisit.objects.filter(
                    membership__project=OuterRef("pk"),
                    membership__role=Role.CLIENT_PM,
                    membership__user__is_active=True,
                    seen_at__isnull=False,
                )
            ),
            confirmed=Exists(
                CharterConfirmation.objects.filter(
                    charter__project=OuterRef("pk"), revision=OuterRef("charter__revision")
                )
            ),
            met=Exists(
                Meeting.objects.filter(
                    project=OuterRef("pk"), status=MeetingStatus.HELD, visibility=Visibility.SHARED
                )
            ),
        )
        .values("guide_read", "confirmed", "met")
    ) or {"guide_read": False, "confirmed": False, "met": False}

    clients = list(
        Membership.objects.filter(project=project, side=Side.CLIENT, user__is_active=True)
        .order_by()
        .values_list("user_id", "role")
    )
    client_pms = [user_id for user_id, role in clients if role == Role.CLIENT_PM]
    client_roles = {role for _user, role in clients}
    guide_read = bool(facts["guide_read"])
    confirmed = bool(facts["confirmed"])
    met = bool(facts["met"])

    unheld = [kind for kind in CLIENT_DECISIONS if not set(decision_roles(project, kind)) & client_roles]

    # Sets and yes-or-no answers below: no statement here needs an order (nor its joins).
    audiences = (
        CommunicationItem.objects.filter(project=project, active=True, visibility=Visibility.SHARED)
        .order_by()
        .values_list("audience_roles", flat=True)
    )
    planned = any(set(roles or []) & CLIENT_ROLES for roles in audiences)

    pm_items = [
        pk
        for pk, roles in TrainingItem.objects.filter(project=project)
        .order_by()
        .values_list("pk", "audience_roles")
        if not roles or Role.CLIENT_PM in roles
    ]
    done_pairs = set(
        TrainingCompletion.objects.filter(item_id__in=pm_items, user_id__in=client_pms)
        .order_by()
        .values_list("user_id", "item_id")
    )
    trained = (
        bool(pm_items)
        and bool(client_pms)
        and all((user_id, item) in done_pairs for user_id in client_pms for item in pm_items)
    )

    no_pm = _("The project has no client project manager yet.")
    return Readiness(
        [
            Check(
                "guide",
                _("The client PM has read their guide"),
                guide_read,
                no_pm if not client_pms else _("Ask the client PM to open the guide."),
                "guide",
            ),
            Check(
                "charter",
                _("The charter is confirmed"),
                confirmed,
                _("The current charter revision waits for the client's confirmation."),
                "home",
            ),
            Check(
                "rights",
                _("The client holds its decisions"),
                not unheld,
                _("No client member holds: %(kinds)s.")
                % {"kinds": ", ".join(str(DecisionKind(k).label) for k in unheld)}
                if unheld
                else "",
                "decisions",
            ),
            Check(
                "communication",
                _("A communication plan reaches the client"),
                planned,
                _("Add a shared plan entry for the client's roles."),
                "communication_plan",
            ),
            Check(
                "training",
                _("The client PM completed the training"),
                trained,
                _("Add training for the client PM.")
                if not pm_items
                else no_pm
                if not client_pms
                else _("Some training items are not done yet."),
                "training",
            ),
            Check(
                "meeting",
                _("The first meeting with the client was held"),
                met,
                _("Hold the kickoff with the client and mark it held."),
                "meetings",
            ),
        ]
    )
