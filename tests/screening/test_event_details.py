"""A history event's details are checked against the values its event type declares when
saved: any case is stored in the declared spelling, anything else is refused on its field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from screening.engine_bridge import FactsRefused, evaluate_screening
from screening.services import (
    HistoryInput,
    ObservationInput,
    ScreeningChanges,
    ScreeningValidationError,
)
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


# -- The engine reads details with the protocol's catalogue ---------------------------
DAY = date(2026, 11, 10)


def fragile_fracture_outcome(screening: Any, value: str) -> str:
    changes = ScreeningChanges(history=[fracture(fragility=value)], history_complete=True)
    result = evaluate_screening(screening, pending=changes)
    return next(c.outcome for c in result.criteria if c.id == "I4")


def test_a_typed_detail_in_another_case_counts_as_the_declared_value(
    hmsc_screening: Any,
) -> None:
    assert fragile_fracture_outcome(hmsc_screening, "YES") == "met"
    assert fragile_fracture_outcome(hmsc_screening, "yes") == "met"


def test_a_typed_detail_the_protocol_does_not_declare_is_a_clear_error(
    hmsc_screening: Any,
) -> None:
    with pytest.raises(FactsRefused) as caught:
        fragile_fracture_outcome(hmsc_screening, "maybe")
    assert str(caught.value) == (
        "history[0].details.fragility: 'maybe' is not a declared value of fragility for "
        "event 'fracture'; allowed: yes, no"
    )


def test_a_stored_value_the_protocol_does_not_declare_refuses_the_save_whole(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    """A value stored before saving checked details (the check cannot be bypassed now)."""
    save(coordinator_a, hmsc_screening, ScreeningChanges(history=[fracture(fragility="yes")]))
    hmsc_screening.history.update(details={"fragility": "maybe"})
    weight = ObservationInput(code="weight", value=Decimal("60"), unit="kg", observed_on=DAY)
    with pytest.raises(ScreeningValidationError) as caught:
        save(
            coordinator_a,
            hmsc_screening,
            ScreeningChanges(observations=[weight], history_complete=True),
        )
    assert caught.value.message_dict == {
        "history": [
            "'maybe' is not a declared value of fragility for event 'fracture'; "
            "allowed: yes, no; correct it and save again."
        ]
    }
    assert not hmsc_screening.observations.exists()
