"""A history event's details are checked against the values its event type declares when
saved: any case is stored in the declared spelling, anything else is refused on its field."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from screening.services import HistoryInput, ScreeningChanges, ScreeningValidationError
from tests.helpers import save

pytestmark = pytest.mark.django_db


def fracture(**details: str) -> HistoryInput:
    return HistoryInput(code="fracture", occurred_on=date(2025, 9, 3), details=details)


def test_a_detail_in_another_case_is_stored_in_the_declared_spelling(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    outcome = save(
        coordinator_a,
        hmsc_screening,
        ScreeningChanges(history=[fracture(site="Vertebral", fragility="YES")]),
    )
    assert outcome.saved
    assert dict(hmsc_screening.history.get().details) == {"site": "vertebral", "fragility": "yes"}


def test_an_undeclared_detail_value_is_refused_on_its_field_and_nothing_is_saved(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    with pytest.raises(ScreeningValidationError) as caught:
        save(coordinator_a, hmsc_screening, ScreeningChanges(history=[fracture(fragility="maybe")]))
    assert caught.value.message_dict == {
        "history.0.details.fragility": [
            "Fragility (low-trauma) fracture: maybe is not one of its values; "
            "choose one of yes, no."
        ]
    }
    assert not hmsc_screening.history.exists()
