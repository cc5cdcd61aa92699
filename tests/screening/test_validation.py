"""Validation of a save: each rule refuses with the field and the limit, all at once,
and nothing is written when anything is wrong."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from audit.models import AuditEvent
from screening.models import MedicationExposure, Observation
from screening.services import (
    MedicationInput,
    ObservationInput,
    ScreeningChanges,
    ScreeningValidationError,
)
from tests.helpers import save

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 20)


def weight(value: str, unit: str = "kg", **kwargs: Any) -> ObservationInput:
    return ObservationInput(
        code="weight", value=Decimal(value), unit=unit, observed_on=DAY, **kwargs
    )


def refusal(user: Any, screening: Any, changes: ScreeningChanges) -> dict[str, list[str]]:
    with pytest.raises(ScreeningValidationError) as caught:
        save(user, screening, changes)
    return caught.value.message_dict


def test_an_impossible_value_is_refused_naming_the_field_and_the_limit(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    errors = refusal(coordinator_a, hmsc_screening, ScreeningChanges(observations=[weight("700")]))
    assert errors == {
        "weight": ["Body weight: 700 kg is impossible; it must be between 0.5 and 650 kg."]
    }


def test_hard_limits_apply_after_converting_the_unit(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    errors = refusal(
        coordinator_a, hmsc_screening, ScreeningChanges(observations=[weight("1500", "lb")])
    )
    assert "1500 lb (= 680.4 kg) is impossible" in errors["weight"][0]


def test_a_unit_the_quantity_does_not_take_is_refused(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    errors = refusal(
        coordinator_a, hmsc_screening, ScreeningChanges(observations=[weight("60", "mmol/L")])
    )
    assert list(errors) == ["weight.unit"]
    assert "is not a unit of Body weight" in errors["weight.unit"][0]


def test_an_implausible_value_needs_a_confirmation_which_is_audited(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    with pytest.raises(ScreeningValidationError) as caught:
        save(coordinator_a, hmsc_screening, ScreeningChanges(observations=[weight("260")]))
    error = caught.value.error_dict["weight"][0]
    assert error.code == "implausible"
    assert "260 kg is implausible (expected between 30 and 250 kg)" in error.messages[0]
    confirmed = weight("260", implausible_confirmed=True)
    save(coordinator_a, hmsc_screening, ScreeningChanges(observations=[confirmed]))
    assert Observation.objects.get(code="weight").implausible_confirmed
    event = AuditEvent.objects.get(action="screening.observation.created")
    assert event.changes["weight confirmed"]["new"] is True
    assert (
        event.changes["weight confirmed"]["label"] == "Body weight confirmed although implausible"
    )


def test_dates_in_the_future_and_after_the_screening_date_are_refused(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    future = ObservationInput(
        code="alt", value=Decimal("22"), unit="U/L", observed_on=date(2026, 11, 25)
    )
    after = ObservationInput(
        code="ast", value=Decimal("25"), unit="U/L", observed_on=date(2026, 11, 21)
    )
    errors = refusal(coordinator_a, hmsc_screening, ScreeningChanges(observations=[future, after]))
    assert errors["alt.observed_on"] == [
        "ALT result date: 2026-11-25 is in the future (today is 2026-11-21)."
    ]
    assert errors["ast.observed_on"] == [
        "AST: the result date 2026-11-21 is after the screening date 2026-11-20."
    ]


def test_a_course_cannot_stop_before_it_starts_nor_stop_while_ongoing(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    backwards = MedicationInput(
        drug="denosumab", start=date(2025, 3, 1), stop=date(2024, 3, 1), route="subcutaneous"
    )
    ongoing = MedicationInput(drug="alendronic_acid", ongoing=True, stop=date(2025, 1, 1))
    errors = refusal(
        coordinator_a, hmsc_screening, ScreeningChanges(medications=[backwards, ongoing])
    )
    assert errors["medications.0.stop"] == ["Stop (2024-03-01) is before start (2025-03-01)."]
    assert errors["medications.1.stop"] == ["An ongoing course has no stop date."]


def test_an_unknown_drug_needs_its_atc_code(coordinator_a: Any, hmsc_screening: Any) -> None:
    errors = refusal(
        coordinator_a, hmsc_screening, ScreeningChanges(medications=[MedicationInput("tonic")])
    )
    assert "give its ATC code" in errors["medications.0.drug"][0]
    save(
        coordinator_a,
        hmsc_screening,
        ScreeningChanges(medications=[MedicationInput("amlodipine", atc="C08CA01")]),
    )
    assert MedicationExposure.objects.get().atc == "C08CA01"


def test_every_problem_is_reported_together_and_nothing_is_written(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    good = ObservationInput(code="height", value=Decimal("155"), unit="cm", observed_on=DAY)
    changes = ScreeningChanges(
        observations=[good, weight("700")],
        answers={"informed_consent": "perhaps"},
        medications=[MedicationInput("denosumab", start=date(2027, 1, 1))],
    )
    errors = refusal(coordinator_a, hmsc_screening, changes)
    assert set(errors) == {"weight", "informed_consent", "medications.0.start"}
    assert not Observation.objects.exists()
    assert not MedicationExposure.objects.exists()
    hmsc_screening.refresh_from_db()
    assert hmsc_screening.revision == 0


def test_a_coordinator_cannot_answer_investigator_judgments(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    changes = ScreeningChanges(judgments={"other_unsuitable": "no"})
    errors = refusal(coordinator_a, hmsc_screening, changes)
    assert errors == {
        "other_unsuitable": ["Only an investigator of this site answers investigator judgments."]
    }
    save(investigator_a, hmsc_screening, changes)
    assert Observation.objects.get(code="other_unsuitable").text_value == "no"


def test_derived_quantities_are_not_entered(coordinator_a: Any, hmsc_screening: Any) -> None:
    bmi = ObservationInput(code="bmi", value=Decimal("24"), unit="kg/m2", observed_on=DAY)
    errors = refusal(coordinator_a, hmsc_screening, ScreeningChanges(observations=[bmi]))
    assert "is calculated by Eligo" in errors["bmi"][0]


@pytest.mark.parametrize(
    "typed", ["NaN", "Infinity", "-Infinity", "1E+100000", "1e16", "58.400000001"]
)
def test_a_number_no_column_holds_is_refused_naming_the_field_and_the_limit(
    coordinator_a: Any, hmsc_screening: Any, typed: str
) -> None:
    errors = refusal(coordinator_a, hmsc_screening, ScreeningChanges(observations=[weight(typed)]))
    assert errors == {
        "weight": [
            "Body weight: enter a number with at most 16 digits before the decimal point "
            "and 8 after it."
        ]
    }


def test_report_range_limits_must_be_numbers_the_column_holds_and_possible_values(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    def report(lln: str | None, uln: str | None) -> ObservationInput:
        return ObservationInput(
            code="alt",
            value=Decimal("22"),
            unit="U/L",
            observed_on=DAY,
            range_from_report=True,
            lln=None if lln is None else Decimal(lln),
            uln=None if uln is None else Decimal(uln),
        )

    errors = refusal(
        coordinator_a, hmsc_screening, ScreeningChanges(observations=[report("NaN", "1E+100000")])
    )
    limit = "enter a number with at most 16 digits before the decimal point and 8 after it."
    assert errors["alt.reference_range"] == [
        f"ALT lower limit: {limit}",
        f"ALT upper limit: {limit}",
    ]
    errors = refusal(
        coordinator_a, hmsc_screening, ScreeningChanges(observations=[report("-5", "100000")])
    )
    assert errors["alt.reference_range"] == [
        "ALT: the lower limit -5 U/L is impossible; it must be between 0 and 50000 U/L.",
        "ALT: the upper limit 100000 U/L is impossible; it must be between 0 and 50000 U/L.",
    ]
    assert not Observation.objects.exists()


def test_a_daily_dose_and_dates_beyond_what_is_plausible_are_refused(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    course = MedicationInput(
        drug="denosumab",
        route="subcutaneous",
        start=date(1, 1, 1),
        stop=date(9999, 12, 31),
        daily_dose=Decimal("1E+20"),
        dose_unit="mg/day",
    )
    old = ObservationInput(
        code="alt", value=Decimal("22"), unit="U/L", observed_on=date(1899, 12, 31)
    )
    errors = refusal(
        coordinator_a, hmsc_screening, ScreeningChanges(observations=[old], medications=[course])
    )
    assert errors["medications.0.daily_dose"] == [
        "Daily dose: enter a number with at most 10 digits before the decimal point and 4 after it."
    ]
    assert errors["medications.0.start"] == [
        "Start: 0001-01-01 is not a plausible date; give one between 1900-01-01 and 2200-12-31."
    ]
    assert errors["medications.0.stop"] == [
        "Stop: 9999-12-31 is not a plausible date; give one between 1900-01-01 and 2200-12-31."
    ]
    assert errors["alt.observed_on"] == [
        "ALT result date: 1899-12-31 is not a plausible date; give one between 1900-01-01 and "
        "2200-12-31."
    ]
