"""The facts adapter: stored data (and unsaved values) as the engine's facts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from screening.engine_bridge import definitions, evaluate_screening, facts_document
from screening.services import MedicationInput, ObservationInput, ScreeningChanges
from tests.helpers import save

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 10)


def test_a_lab_takes_the_sites_range_unless_the_report_gives_one(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    alt = ObservationInput(code="alt", value=Decimal("22"), unit="U/L", observed_on=DAY)
    ast = ObservationInput(
        code="ast",
        value=Decimal("25"),
        unit="U/L",
        observed_on=DAY,
        range_from_report=True,
        lln=Decimal("13"),
        uln=Decimal("35"),
    )
    save(coordinator_a, hmsc_screening, ScreeningChanges(observations=[alt, ast]))
    labs = {lab["code"]: lab for lab in facts_document(hmsc_screening)["labs"]}
    assert labs["alt"]["reference_range"] == {
        "lln": "7",
        "uln": "40",
        "unit": "U/L",
        "source": "site A01: Demo values (typical adult ranges), not for clinical use",
    }
    assert labs["ast"]["reference_range"] == {
        "lln": "13",
        "uln": "35",
        "unit": "U/L",
        "source": "report",
    }


def test_sex_and_age_come_from_the_candidate_and_identity(
    hmsc_screening: Any,
) -> None:
    # Born 2 April 1956, screened 20 November 2026: 70. The facts (stored with every
    # evaluation) carry the age the engine reads, never the date of birth, so an
    # erased identity leaves no date of birth behind in evaluations.
    document = facts_document(hmsc_screening)
    assert (document["sex"], document["age"], document["screening_date"]) == (
        "F",
        70,
        "2026-11-20",
    )
    assert "date_of_birth" not in document


def test_medications_stay_unknown_until_the_history_is_taken(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    course = MedicationInput("denosumab", route="subcutaneous", start=date(2025, 1, 1))
    save(coordinator_a, hmsc_screening, ScreeningChanges(medications=[course]))
    assert "medications" not in facts_document(hmsc_screening)
    save(coordinator_a, hmsc_screening, ScreeningChanges(medications_complete=True))
    [exposure] = facts_document(hmsc_screening)["medications"]
    assert exposure["drug"] == "denosumab"


def test_pending_values_are_evaluated_without_being_saved(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    high = ObservationInput(code="alt", value=Decimal("95"), unit="U/L", observed_on=DAY)
    result = evaluate_screening(hmsc_screening, pending=ScreeningChanges(observations=[high]))
    assert result.status == "ineligible"
    assert not hmsc_screening.observations.exists()
    assert evaluate_screening(hmsc_screening).status == "incomplete"


@pytest.fixture
def loads(hmsc_screening: Any, monkeypatch: Any) -> list[int]:
    """The protocol versions loaded from the database from now on (the cache starts empty)."""
    import screening.engine_bridge as facts

    calls: list[int] = []
    real = facts.load_version

    def counting(version: Any) -> Any:
        calls.append(version.pk)
        return real(version)

    definitions.clear()
    monkeypatch.setattr(facts, "load_version", counting)
    return calls


def test_the_definition_is_loaded_once_per_version(hmsc_screening: Any, loads: list[int]) -> None:
    evaluate_screening(hmsc_screening)
    evaluate_screening(hmsc_screening)
    assert loads == [hmsc_screening.protocol_version_id]


def test_a_catalogue_edit_reloads_the_definition_at_the_next_evaluation(
    hmsc_screening: Any, loads: list[int]
) -> None:
    """Another process's edit is seen too: the cache keys on the revision in the database."""
    from trials.catalogue import catalogue_revision
    from trials.models import Quantity

    evaluate_screening(hmsc_screening)
    before = catalogue_revision()
    quantity = Quantity.objects.get(code="weight")
    quantity.label = "Body weight"
    quantity.save()
    assert catalogue_revision() == before + 1
    evaluate_screening(hmsc_screening)
    evaluate_screening(hmsc_screening)
    assert len(loads) == 2
    assert definitions.get(hmsc_screening.protocol_version).catalogue.quantities[
        "weight"
    ].label == ("Body weight")
