"""The read side of pulses: who sees which results, a project's results, results across projects.

The team of a project sees everything: pulses, figures, comments and follow-ups. A client member
sees the aggregate figures of their own project only when its manager shares them, never the
answers or comments of a person, never another project.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Max, Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.core.choices import Side
from tandem.projects.models import Membership, Project
from tandem.projects.permissions import is_team
from tandem.pulses import results
from tandem.pulses.choices import FollowUpStatus, QuestionKind
from tandem.pulses.models import Answer, FollowUp, Invitation, Pulse, PulseSettings, Response

#: Pulses shown on a project's results page (and drawn on its trend).
RECENT_PULSES = 24
COMMENTS_SHOWN = 50


def shares_results(project: Project) -> bool:
    # Kept on the project instance: the page's navigation and the home's panel both ask.
    cached: bool | None = project.__dict__.get("_pulses_share_results")
    if cached is None:
        cached = PulseSettings.objects.filter(project=project, share_results=True).exists()
        project.__dict__["_pulses_share_results"] = cached
    return cached


def can_see_results(user: User, project: Project) -> bool:
    """The team always; a client member when the PM shares the results."""
    if is_team(user, project):
        return True
    return shares_results(project)


def require_results(user: User, project: Project) -> None:
    if not can_see_results(user, project):
        raise PermissionDenied(_("The project manager has not shared the satisfaction results."))


@dataclass
class ProjectResults:
    """What a project's results page shows."""

    overall: results.Figures
    latest: tuple[Pulse, results.Figures] | None
    #: Oldest first, with each pulse's figures.
    trend: list[tuple[Pulse, results.Figures]]
    team: bool
    comments: list[Response] = field(default_factory=list)
    texts: list[Answer] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)

    @property
    def trend_values(self) -> list[Decimal]:
        """The average of each pulse with answers, oldest first (for the sparkline)."""
        return [f.average for _p, f in self.trend if f.average is not None]

    @property
    def open_follow_ups(self) -> int:
        return sum(1 for f in self.follow_ups if f.status == FollowUpStatus.OPEN)


def project_results(user: User, project: Project) -> ProjectResults:
    """The project's results for ``user`` (aggregates for a client; everything for the team).

    A fixed number of queries, whatever the number of pulses, answers or comments.
    """
    require_results(user, project)
    team = is_team(user, project)
    pulses = list(
        Pulse.objects.filter(project=project)
        .select_related("survey", "sent_by")
        .order_by("-sent_at", "-id")[:RECENT_PULSES]
    )
    figures = results.by_pulse(p.pk for p in pulses)
    overall = results.by_project([project.pk])[project.pk]
    trend = [(p, figures[p.pk]) for p in reversed(pulses)]
    answered = [(p, f) for p, f in trend if f.answers]
    outcome = ProjectResults(
        overall=overall, latest=answered[-1] if answered else None, trend=trend, team=team
    )
    if team:
        outcome.comments = list(
            Response.objects.filter(pulse__project=project)
            .exclude(comment="")
            .select_related("invitation__user", "pulse")
            .order_by("-submitted_at")[:COMMENTS_SHOWN]
        )
        outcome.texts = list(
            Answer.objects.filter(response__pulse__project=project, kind=QuestionKind.TEXT)
            .exclude(text="")
            .select_related("response__invitation__user", "question", "response__pulse")
            .order_by("-response__submitted_at")[:COMMENTS_SHOWN]
        )
        outcome.follow_ups = list(
            FollowUp.objects.filter(project=project)
            .select_related("owner", "closed_by", "response__invitation__user", "response__pulse")
            .order_by("status", "-created_at")
        )
    return outcome


def access_pulse(user: User, project: Project, pk: int) -> Pulse:
    """A pulse of the project, for its team (404 for anybody else or another project's pulse)."""
    if not is_team(user, project):
        raise Http404
    pulse = (
        Pulse.objects.filter(project=project, pk=pk)
        .select_related("survey", "sent_by")
        .prefetch_related(
            Prefetch(
                "invitations",
                queryset=Invitation.objects.select_related("user", "response").order_by("id"),
            ),
            Prefetch("survey__questions"),
        )
        .first()
    )
    if pulse is None:
        raise Http404
    return pulse


def answers_of(pulse: Pulse) -> list[Answer]:
    return list(
        Answer.objects.filter(response__pulse=pulse)
        .select_related("question", "response__invitation__user")
        .order_by("response__invitation__user__full_name", "question__position")
    )


def access_follow_up(user: User, project: Project, pk: int) -> FollowUp:
    if not is_team(user, project):
        raise Http404
    found = FollowUp.objects.filter(project=project, pk=pk).select_related("project").first()
    if found is None:
        raise Http404
    return found


def access_invitation(user: User, pk: int) -> Invitation:
    """The signed-in user's own invitation (404 for anybody else's), with what answering it needs."""
    found = (
        Invitation.objects.filter(pk=pk, user=user, pulse__project__memberships__user=user)
        .select_related("pulse__project", "pulse__survey", "user")
        .first()
    )
    if found is None:
        raise Http404
    return found


def waiting_for(user: User, project: Project) -> Invitation | None:
    """The user's oldest unanswered invitation of ``project``."""
    return (
        Invitation.objects.filter(
            user=user, pulse__project=project, answered_at__isnull=True, expires_at__gt=timezone.now()
        )
        .order_by("expires_at", "id")
        .first()
    )


@dataclass(frozen=True)
class PortfolioRow:
    project: Project
    figures: results.Figures
    last_sent: object


def portfolio(user: User) -> list[PortfolioRow]:
    """The figures of every project ``user`` is on the team of (four queries, whatever the number)."""
    ids = list(Membership.objects.filter(user=user, side=Side.TEAM).values_list("project_id", flat=True))
    projects = list(Project.objects.filter(pk__in=ids).order_by("code"))
    figures = results.by_project(ids)
    last = dict(
        Pulse.objects.filter(project_id__in=ids).values_list("project_id").annotate(last=Max("sent_at"))
    )
    return [PortfolioRow(p, figures[p.pk], last.get(p.pk)) for p in projects]


def is_vendor_side(user: User) -> bool:
    """Whether ``user`` is on the team of any project (the cross-project results are theirs)."""
    return Membership.objects.filter(user=user, side=Side.TEAM).exists()
