"""The NinjaAPI instance: one router per domain, session or token auth, JSON errors."""

from __future__ import annotations

from tandem.api import errors
from tandem.api.openapi import TandemAPI
from tandem.api.parsers import JsonObjectParser
from tandem.api.routers import (
    acceptance,
    budget,
    certificates,
    changes,
    charter,
    communication,
    defects,
    evm,
    inbox,
    integrations,
    jobs,
    kpis,
    me,
    meetings,
    members,
    notes,
    planning,
    projects,
    pulses,
    quality_coverage,
    quality_standards,
    reports,
    requirements,
    resources,
    risks,
    test_cases,
    test_runs,
    timesheets,
    workload,
)

api = TandemAPI(
    title="Tandem API",
    version="1",
    urls_namespace="api",
    parser=JsonObjectParser(),
    description=(
        "The shared project space of a delivery team and its client. Authenticate with the browser "
        "session (send the CSRF token on writes) or a personal token: `Authorization: Bearer tdm_…`."
    ),
)
errors.install(api)
for module in (
    me,
    inbox,
    projects,
    members,
    charter,
    kpis,
    notes,
    planning,
    changes,
    requirements,
    risks,
    resources,
    workload,
    communication,
    reports,
    evm,
):
    api.add_router("", module.router)
api.add_router("", integrations.router)
api.add_router("", meetings.router)
api.add_router("", jobs.router)
api.add_router("", budget.router)
api.add_router("", timesheets.router)
api.add_router("", certificates.router)
api.add_router("", defects.router)
api.add_router("", quality_coverage.router)
api.add_router("", acceptance.router)
api.add_router("", test_runs.router)
api.add_router("", test_cases.router)
api.add_router("", quality_standards.router)
api.add_router("", pulses.router)
