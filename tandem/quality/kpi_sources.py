"""The quality app's live KPI sources: pass rate, open critical and major defects, reopen rate, defect
density (defined in ``tandem.quality.metrics``).

Registered with ``tandem.projects.kpis`` when the quality app is ready. With ``shared_only`` (a shared
KPI) each figure counts shared cases, cycles, defects and requirements only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from tandem.projects.kpis import Source, register
from tandem.projects.models import Project
from tandem.quality import metrics
from tandem.quality.choices import DefectSeverity


def pass_rate(project: Project, day: dt.date, shared_only: bool) -> Decimal | None:
    """The pass rate (%) by each case's latest executed run up to ``day``; None before any run."""
    return metrics.pass_rate(project, shared_only=shared_only, day=day)


def open_critical_defects(project: Project, day: dt.date, shared_only: bool) -> Decimal | None:
    """Open critical and major defects (filed up to ``day``, in their present state)."""
    counts = metrics.open_defects_by_severity(project, shared_only=shared_only, day=day)
    return Decimal(counts[DefectSeverity.CRITICAL] + counts[DefectSeverity.MAJOR])


def reopen_rate(project: Project, day: dt.date, shared_only: bool) -> Decimal | None:
    """The share (%) of fixed defects reopened at least once; None before any fix."""
    return metrics.reopen_rate(project, shared_only=shared_only, day=day)


def defect_density(project: Project, day: dt.date, shared_only: bool) -> Decimal | None:
    """Defects per requirement covered by tests; None without a covered requirement."""
    return metrics.defect_density(project, shared_only=shared_only, day=day)


def register_sources() -> None:
    """Offer the quality sources to charter KPIs."""
    register(Source("quality.pass_rate", _("Test pass rate (latest result per case)"), "%", pass_rate))
    register(
        Source(
            "quality.open_critical_defects",
            _("Open critical and major defects"),
            "",
            open_critical_defects,
        )
    )
    register(Source("quality.reopen_rate", _("Defect reopen rate"), "%", reopen_rate))
    register(
        Source(
            "quality.defect_density", _("Defect density (defects per tested requirement)"), "", defect_density
        )
    )
