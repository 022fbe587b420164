"""Codes of test cases (TC-001), defects (DEF-001) and acceptance requests (ACC-001), per project."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import IntegerField, Max
from django.db.models.functions import Cast, Substr

if TYPE_CHECKING:
    from django.db.models import Model

    from tandem.projects.models import Project

PREFIXES = {"TestCase": "TC-", "Defect": "DEF-", "AcceptanceRequest": "ACC-"}


def next_codes(model: type[Model], project: Project, count: int = 1) -> list[str]:
    """The next ``count`` free codes of ``model`` in ``project`` (one query, whatever the number of rows).

    Two writers racing for the same code meet the unique constraint on (project, code); the services
    create the row inside ``transaction.atomic`` so the loser's request fails whole and can be retried.
    """
    prefix = PREFIXES[model.__name__]
    manager: Any = model._default_manager
    last = (
        manager.filter(project=project, code__startswith=prefix)
        .annotate(number=Cast(Substr("code", len(prefix) + 1), IntegerField()))
        .aggregate(m=Max("number"))["m"]
    )
    start = (last or 0) + 1
    return [f"{prefix}{n:03d}" for n in range(start, start + count)]
