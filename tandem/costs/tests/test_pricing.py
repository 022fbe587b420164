import datetime as dt
from decimal import Decimal

import pytest

from tandem.costs.pricing import Pricer
from tandem.resources.models import Rate, Resource

pytestmark = pytest.mark.django_db


def test_the_rate_in_force_prices_the_minutes(world):
    vendor_org = world.vendor
    person = Resource.objects.create(organization=vendor_org, name="Li Lei")
    Rate.objects.create(resource=person, effective_from=dt.date(2026, 1, 1), standard_rate=Decimal("120.00"))
    Rate.objects.create(resource=person, effective_from=dt.date(2026, 7, 1), standard_rate=Decimal("150.00"))
    pricer = Pricer([person.pk, None])
    assert pricer.cost_cents(person.pk, dt.date(2026, 6, 30), 90) == 18000
    assert pricer.cost_cents(person.pk, dt.date(2026, 7, 1), 90) == 22500
    # Before the first entry the first rate applies, as in the engine's rate tables.
    assert pricer.cost_cents(person.pk, dt.date(2025, 12, 1), 60) == 12000
    # Rounded half up per entry: 1 minute at 150/h is 2.5 hundredths.
    assert pricer.cost_cents(person.pk, dt.date(2026, 8, 1), 1) == 250
    assert pricer.cost_cents(None, dt.date(2026, 8, 1), 60) == 0


def test_a_resource_without_rates_costs_nothing(world):
    vendor_org = world.vendor
    person = Resource.objects.create(organization=vendor_org, name="Han Meimei")
    assert Pricer([person.pk]).cost_cents(person.pk, dt.date(2026, 8, 1), 480) == 0
