"""The inbox: everything that waits on the signed-in user, across their projects, most urgent first."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tandem.core.inbox import Item
from tandem.web.inbox import items_of


@dataclass(frozen=True)
class Choice:
    """One option of a filter: its value, label and how many items it holds."""

    value: str
    label: str
    count: int


def _choices(items: list[Item]) -> tuple[list[Choice], list[Choice]]:
    projects: dict[str, Choice] = {}
    kinds: dict[str, Choice] = {}
    for item in items:
        found = projects.get(item.project_code)
        projects[item.project_code] = Choice(
            item.project_code, f"{item.project_code} {item.project_name}", (found.count if found else 0) + 1
        )
        kind = kinds.get(item.kind)
        kinds[item.kind] = Choice(item.kind, str(item.kind_label), (kind.count if kind else 0) + 1)
    return sorted(projects.values(), key=lambda c: c.value), sorted(kinds.values(), key=lambda c: c.label)


@login_required
def inbox_page(request: HttpRequest) -> HttpResponse:
    """What waits on me: each item with its project, due date, waiting time, cost of delay and the
    action in place; filtered by project and kind (``?project=ERP&kind=change_request``)."""
    everything = items_of(request)
    project = request.GET.get("project", "").strip()
    kind = request.GET.get("kind", "").strip()
    items = [
        item
        for item in everything
        if (not project or item.project_code == project) and (not kind or item.kind == kind)
    ]
    projects, kinds = _choices(everything)
    today = timezone.localdate()
    return render(
        request,
        "web/inbox/page.html",
        {
            "items": items,
            "total": len(everything),
            "overdue_count": sum(1 for item in items if item.overdue(today)),
            "projects": projects,
            "kinds": kinds,
            "project": project,
            "kind": kind,
            "filtered": bool(project or kind),
            "today": today,
        },
    )
