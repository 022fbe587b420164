"""The live KPI sources: pulses.csat, pulses.nps and pulses.average measure the recent answers."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from tandem.projects import kpis
from tandem.pulses import services
from tandem.pulses.choices import SurveyKind
from tandem.testing.personas import World

from .support import invitation_of, send


def test_the_sources_are_registered() -> None:
    assert {"pulses.csat", "pulses.nps", "pulses.average"} <= set(kpis.SOURCES)


def test_they_measure_the_answers_of_the_last_half_year(world: World) -> None:
    today = timezone.localdate()
    assert kpis.SOURCES["pulses.csat"].measure(world.project, today, True) is None
    pulse = send(world)
    services.do_record_score(invitation_of(pulse, world.sponsor), score=5)
    services.do_record_score(invitation_of(pulse, world.client_pm), score=3)
    services.settings_of(world.project)
    nps = world.project.surveys.get(kind=SurveyKind.NPS)
    services.do_record_score(invitation_of(send(world, "t2", survey=nps), world.sponsor), score=10)
    assert kpis.SOURCES["pulses.csat"].measure(world.project, today, True) == Decimal("50.0")
    assert kpis.SOURCES["pulses.average"].measure(world.project, today, False) == Decimal("4.0")
    assert kpis.SOURCES["pulses.nps"].measure(world.project, today, False) == Decimal("100.0")
