"""A trial that reads vital signs gets a "Vital signs" section on the entry form, after
anthropometry, with each sign's accepted units; a value in another unit is converted."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.helpers import rendered

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(coordinator_a: Any) -> Client:
    client = Client()
    client.force_login(coordinator_a)
    return client


def test_the_entry_form_shows_vital_signs_between_anthropometry_and_scores(
    coordinator: Client, vitals_screening: Any
) -> None:
    html = coordinator.get(reverse("screening:entry", kwargs={"pk": vitals_screening.pk}))
    page = html.content.decode()
    order = [
        page.index(f'id="section-{code}"') for code in ("anthropometry", "vital_signs", "labs")
    ]
    assert order == sorted(order)
    assert ">Vital signs</h2>" in page
    for code in ("systolic_bp", "diastolic_bp", "heart_rate", "respiratory_rate", "spo2"):
        start = page.index('id="section-vital_signs"')
        assert start < page.index(f'id="item-{code}"') < page.index('id="section-labs"')
    assert page.index('id="section-scores"') < page.index('id="item-ecog_performance_status"')


def test_the_unit_lists_offer_each_signs_accepted_units(
    coordinator: Client, vitals_screening: Any
) -> None:
    page = coordinator.get(reverse("screening:entry", kwargs={"pk": vitals_screening.pk}))
    html = page.content.decode()
    temperature = html[html.index('name="temperature__unit"') :]
    temperature = temperature[: temperature.index("</select>")]
    assert '"°C"' in temperature
    assert '"°F"' in temperature
    heart = html[html.index('name="heart_rate__unit"') :]
    assert '"/min"' in heart[: heart.index("</select>")]


def test_a_fahrenheit_temperature_is_saved_as_entered_and_in_celsius(
    coordinator: Client, vitals_screening: Any
) -> None:
    data = rendered(coordinator, vitals_screening)
    data.update(
        {
            "temperature__value": "100.4",
            "temperature__unit": "°F",
            "temperature__date": "2026-11-20",
            "systolic_bp__value": "150",
            "systolic_bp__date": "2026-11-20",
        }
    )
    response = coordinator.post(
        reverse("screening:entry", kwargs={"pk": vitals_screening.pk}), data
    )
    assert response.status_code == 302
    saved = vitals_screening.observations.get(code="temperature")
    assert (saved.value, saved.unit, saved.value_entered, saved.unit_entered) == (
        Decimal("38.0"),
        "°C",
        "100.4",
        "°F",
    )
    assert vitals_screening.observations.get(code="systolic_bp").unit == "mmHg"
