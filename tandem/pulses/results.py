"""Satisfaction figures, with the standard definitions:

- **CSAT** = the share (%) of CSAT answers of 4 or 5 (on the 1–5 scale);
- **NPS** = % promoters (9–10) − % detractors (0–6) of NPS answers (−100 to 100);
- **average** = the mean CSAT score, or the mean NPS score where no CSAT question was asked;
- **response rate** = answered invitations ÷ invitations sent.

Every read groups in the database: the queries do not grow with answers, pulses or projects.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q

from tandem.pulses.choices import QuestionKind
from tandem.pulses.models import Answer, Invitation

if TYPE_CHECKING:
    from tandem.projects.models import Project

ONE_PLACE = Decimal("0.1")


def _round(value: Decimal) -> Decimal:
    return value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figures:
    """The figures of a set of answers (a pulse, a project, a period)."""

    csat_scores: Counter[int] = field(default_factory=Counter)
    nps_scores: Counter[int] = field(default_factory=Counter)
    invited: int = 0
    responded: int = 0

    @property
    def csat_count(self) -> int:
        return sum(self.csat_scores.values())

    @property
    def nps_count(self) -> int:
        return sum(self.nps_scores.values())

    @property
    def csat(self) -> Decimal | None:
        """The share (%) of 4–5 answers; None without a CSAT answer."""
        total = self.csat_count
        if not total:
            return None
        satisfied = self.csat_scores[4] + self.csat_scores[5]
        return _round(Decimal(100 * satisfied) / total)

    @property
    def nps(self) -> Decimal | None:
        """% promoters − % detractors; None without an NPS answer."""
        total = self.nps_count
        if not total:
            return None
        promoters = self.nps_scores[9] + self.nps_scores[10]
        detractors = sum(n for score, n in self.nps_scores.items() if score <= 6)
        return _round(Decimal(100 * (promoters - detractors)) / total)

    @property
    def average(self) -> Decimal | None:
        scores = self.csat_scores if self.csat_count else self.nps_scores
        total = sum(scores.values())
        if not total:
            return None
        return _round(Decimal(sum(score * n for score, n in scores.items())) / total)

    @property
    def average_scale(self) -> str:
        return "1–5" if self.csat_count else "0–10"

    @property
    def response_rate(self) -> Decimal | None:
        """Answered invitations ÷ invitations (%); None before any invitation."""
        if not self.invited:
            return None
        return _round(Decimal(100 * self.responded) / self.invited)

    @property
    def answers(self) -> int:
        return self.csat_count + self.nps_count


def figures_of(
    csat: Iterable[int] = (), nps: Iterable[int] = (), *, invited: int = 0, responded: int = 0
) -> Figures:
    """The figures of plain scores (the definitions, without the database)."""
    return Figures(Counter(csat), Counter(nps), invited, responded)


def _grouped(key: str, rows: Iterable[Mapping[str, Any]]) -> dict[int, tuple[Counter[int], Counter[int]]]:
    found: dict[int, tuple[Counter[int], Counter[int]]] = defaultdict(lambda: (Counter(), Counter()))
    for row in rows:
        csat, nps = found[int(row[key])]
        target = csat if row["kind"] == QuestionKind.CSAT else nps
        target[int(row["score"])] += int(row["n"])
    return found


SCORE_KINDS = (QuestionKind.CSAT, QuestionKind.NPS)


def _invitation_counts(rows: Iterable[Mapping[str, Any]], key: str) -> dict[int, tuple[int, int]]:
    return {int(row[key]): (int(row["invited"]), int(row["responded"])) for row in rows}


def _combine(
    ids: list[int],
    scores: dict[int, tuple[Counter[int], Counter[int]]],
    counts: dict[int, tuple[int, int]],
) -> dict[int, Figures]:
    found = {}
    for pid in ids:
        csat, nps = scores.get(pid, (Counter(), Counter()))
        invited, responded = counts.get(pid, (0, 0))
        found[pid] = Figures(csat, nps, invited, responded)
    return found


def by_pulse(pulse_ids: Iterable[int]) -> dict[int, Figures]:
    """Each pulse's figures (two queries, whatever the number of pulses and answers)."""
    return _figures_by(list(pulse_ids), "pulse_id")


def by_project(project_ids: Iterable[int]) -> dict[int, Figures]:
    """Each project's figures over all its pulses (two queries)."""
    return _figures_by(list(project_ids), "pulse__project_id")


def _figures_by(ids: list[int], key: str) -> dict[int, Figures]:
    """Figures grouped by ``key``, the path from an invitation to the group (two queries)."""
    if not ids:
        return {}
    answer_key = f"response__{key}"
    scores = _grouped(
        answer_key,
        Answer.objects.filter(**{f"{answer_key}__in": ids}, kind__in=SCORE_KINDS, score__isnull=False)
        .values(answer_key, "kind", "score")
        .annotate(n=Count("id")),
    )
    counts = _invitation_counts(
        Invitation.objects.filter(**{f"{key}__in": ids})
        .values(key)
        .annotate(invited=Count("id"), responded=Count("id", filter=Q(answered_at__isnull=False))),
        key,
    )
    return _combine(ids, scores, counts)


def figures_between(project: Project, first: dt.date, last: dt.date) -> Figures:
    """The project's figures over the answers given from ``first`` to ``last`` (one query)."""
    rows = (
        Answer.objects.filter(
            response__pulse__project=project,
            response__submitted_at__date__gte=first,
            response__submitted_at__date__lte=last,
            kind__in=SCORE_KINDS,
            score__isnull=False,
        )
        .values("kind", "score")
        .annotate(n=Count("id"))
    )
    csat: Counter[int] = Counter()
    nps: Counter[int] = Counter()
    for row in rows:
        (csat if row["kind"] == QuestionKind.CSAT else nps)[int(row["score"] or 0)] += int(row["n"])
    return Figures(csat, nps)
