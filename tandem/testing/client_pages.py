"""Every page a client member can open on a project: what the accessibility and phone checks visit.

``client_pages(project, user)`` lists, for a member on the client side (sponsor, client PM, reviewer,
viewer):

- every page of the project navigation (``tandem.web.navigation``) shown to that member, so a page a
  section gains is checked the day it is added;
- the schedule's views a client can switch to, beside the milestone timeline the plan tab opens;
- one detail page of each kind the client reads and decides on (a requirement, a change request, a
  risk, a client decision, a meeting, a status report, a test cycle, a defect, an acceptance, a KPI),
  choosing the record that still waits for a decision where there is one, because its page carries
  the decision forms;
- the pages outside a project (project list, profile, notifications and their settings);
- pages named by URL name that may not exist yet (the inbox, glossary, guide, handbook, training
  and pulse results): each is tried without arguments, then with the project's code, and left out
  while its name does not reverse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Model, QuerySet, Value, When
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from tandem.accounts.models import User
from tandem.changes.models import ChangeRequest
from tandem.meetings.models import Meeting
from tandem.projects.models import Kpi, Project
from tandem.quality.models import AcceptanceRequest, Defect, TestCycle
from tandem.reports import queries as report_queries
from tandem.requirements.models import Requirement
from tandem.risks.choices import DecisionStatus
from tandem.risks.models import ClientDecision, Risk
from tandem.web import navigation
from tandem.web.views.base import ProjectScope

#: Schedule views beside the one the plan tab opens (the client lands on the milestone timeline).
SCHEDULE_VIEWS = ("plan_gantt", "plan_list", "plan_board")

#: Pages outside any project (the notification settings are a form on the profile).
ACCOUNT_PAGES = ("project_list", "profile", "notifications")

#: Client pages outside the project navigation, by URL name (the guide, handbook, training and
#: satisfaction pages are navigation pages: the sections list them for whoever may open them).
UPCOMING_PAGES = ("inbox", "glossary")


@dataclass(frozen=True)
class ClientPage:
    """One page to visit: a readable name (its URL name, and the record for a detail) and its path."""

    name: str
    path: str


def _preferring(qs: QuerySet[Any], field: str, order: Iterable[str]) -> Model | None:
    """The first row of ``qs`` whose ``field`` comes earliest in ``order`` (others last), by id."""
    ranks = [When(**{field: value}, then=Value(i)) for i, value in enumerate(order)]
    ranked = qs.annotate(_rank=Case(*ranks, default=Value(len(ranks)), output_field=IntegerField()))
    return ranked.order_by("_rank", "pk").first()  # type: ignore[no-any-return]


def _decision_for(decisions: QuerySet[Any], user: User) -> Model | None:
    """An open client decision ``user`` takes (named for them, else left to the right's holders), or any."""
    waiting = decisions.filter(status=DecisionStatus.OPEN).order_by("pk")
    return (
        waiting.filter(decider=user).first()
        or waiting.filter(decider__isnull=True).first()
        or decisions.order_by("pk").first()
    )


def _detail_pages(project: Project, user: User) -> list[ClientPage]:
    def visible(model: type[Model]) -> QuerySet[Any]:
        return model.objects.visible_to(user).filter(project=project)  # type: ignore[attr-defined,no-any-return]

    # (URL name, the record, its URL argument)
    details: list[tuple[str, Model | None, Callable[[Any], object]]] = [
        (
            "requirement_detail",
            _preferring(visible(Requirement), "status", ("in_review", "draft")),
            lambda r: r.code,
        ),
        (
            "change_detail",
            _preferring(visible(ChangeRequest), "status", ("awaiting", "submitted")),
            lambda c: c.code,
        ),
        ("risk_detail", _preferring(visible(Risk), "status", ("occurred", "open")), lambda r: r.pk),
        ("decision_detail", _decision_for(visible(ClientDecision), user), lambda d: d.pk),
        ("meeting", _preferring(visible(Meeting), "status", ("held",)), lambda m: m.pk),
        ("report_detail", report_queries.reports_of(user, project).order_by("-pk").first(), lambda r: r.pk),
        ("test_cycle_detail", _preferring(visible(TestCycle), "status", ("active",)), lambda c: c.pk),
        ("defect_detail", _preferring(visible(Defect), "status", ("new",)), lambda d: d.pk),
        (
            "acceptance_detail",
            _preferring(visible(AcceptanceRequest), "status", ("in_review", "requested")),
            lambda a: a.pk,
        ),
        ("kpi_detail", visible(Kpi).order_by("pk").first(), lambda k: k.pk),
    ]
    pages = []
    for url_name, record, argument in details:
        if record is None:
            continue
        value = argument(record)
        path = reverse(f"web:{url_name}", args=[project.code, value])
        pages.append(ClientPage(f"{url_name} {value}", path))
    return pages


def _reversed(url_name: str, project: Project) -> str | None:
    """The path of ``url_name``, without arguments or with the project's code; None if neither fits."""
    for args in ((), (project.code,)):
        try:
            return reverse(f"web:{url_name}", args=args)
        except NoReverseMatch:
            continue
    return None


def scope_of(project: Project, user: User) -> ProjectScope:
    """The project as ``user`` reads it, as a request of theirs would build it."""
    request = RequestFactory().get("/")
    request.user = user
    return ProjectScope.build(request, project)


def navigation_pages(project: Project, user: User) -> list[ClientPage]:
    """Every page of the project navigation shown to ``user``."""
    scope = scope_of(project, user)
    pages = []
    for section in navigation.SECTIONS:
        for page in section.pages:
            if not page.shown_to(scope):
                continue
            try:
                path = reverse(f"web:{page.url_name}", args=[project.code])
            except NoReverseMatch:  # a page whose view is not installed
                continue
            pages.append(ClientPage(page.url_name, path))
    return pages


def client_pages(project: Project, user: User) -> list[ClientPage]:
    """Every page ``user`` (a client member of ``project``) can open, each once, in a stable order."""
    pages = navigation_pages(project, user)
    pages += [ClientPage(name, reverse(f"web:{name}", args=[project.code])) for name in SCHEDULE_VIEWS]
    pages += _detail_pages(project, user)
    pages += [ClientPage(name, reverse(f"web:{name}")) for name in ACCOUNT_PAGES]
    for name in UPCOMING_PAGES:
        path = _reversed(name, project)
        if path is not None:
            pages.append(ClientPage(name, path))
    seen: set[str] = set()
    unique = []
    for page in pages:
        if page.path not in seen:
            seen.add(page.path)
            unique.append(page)
    return unique
