"""Earned value of a project: its figures at a date, per phase, with the S-curve and a verdict."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema

from tandem.api.auth import AUTH
from tandem.api.evm_schemas import EarnedValueOut
from tandem.api.routers.common import caller_and_project
from tandem.api.schemas import IsoDate
from tandem.costs import evm

router = Router(tags=["costs"], auth=AUTH)


class EarnedValueQuery(Schema):
    """The status date (today in the project's time zone when not given)."""

    as_of: IsoDate | None = None


@router.get("/projects/{code}/evm", response=EarnedValueOut, summary="A project's earned value")
def project_earned_value(request: HttpRequest, code: str, query: Query[EarnedValueQuery]) -> EarnedValueOut:
    """BAC, PV, EV, AC and what follows from them at ``as_of``, against the latest approved baseline
    (else the latest saved); nulls without a baseline. Every member reads it, the client too: money
    figures of the project and of its phases, never a rate or a task's cost."""
    user, project = caller_and_project(request, code)
    return EarnedValueOut.of_result(evm.earned_value(project, query.as_of, viewer=user))
