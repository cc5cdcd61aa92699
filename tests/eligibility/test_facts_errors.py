"""Facts documents are read field by field: a malformed field is refused with its path and
reason, and the forms that are accepted mean what the facts format says."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from eligibility import FactsError, load_facts
from eligibility.catalogue import Catalogue

ALT = {"code": "alt", "value": "22", "unit": "U/L", "date": "2026-11-10"}
DENOSUMAB = {"drug": "denosumab", "start": "2025-03-15", "stop": "2026-03-15"}
FRACTURE = {"code": "fracture", "date": "2025-09-03"}


@pytest.mark.parametrize(
    ("facts", "path", "reason"),
    [
        pytest.param(
            {"labs": ["alt 22 U/L"]},
            "labs[0]",
            "must be a mapping, not text 'alt 22 U/L'",
            id="reading as text",
        ),
        pytest.param(
            {"labs": [None]}, "labs[0]", "must be a mapping, not nothing", id="empty reading"
        ),
        pytest.param(
            {"measurements": [True]},
            "measurements[0]",
            "must be a mapping, not true/false",
            id="reading as true/false",
        ),
        pytest.param(
            {"labs": [{"code": "alt", "unit": "U/L"}]},
            "labs[0]",
            "needs a value (with its unit) or a qualitative result",
            id="reading without a value",
        ),
        pytest.param(
            {"labs": [{"value": "22", "unit": "U/L"}]},
            "labs[0].code",
            "is required",
            id="reading without a code",
        ),
        pytest.param(
            {"labs": [{**ALT, "value": [22]}]},
            "labs[0].value",
            "must be a number, not a list",
            id="value as a list",
        ),
        pytest.param(
            {"labs": [{**ALT, "value": "NaN"}]},
            "labs[0].value",
            "must be a finite number (got 'NaN')",
            id="value not a number",
        ),
        pytest.param(
            {"labs": [{**ALT, "value": "Infinity"}]},
            "labs[0].value",
            "must be a finite number (got 'Infinity')",
            id="infinite value",
        ),
        pytest.param(
            {"labs": [{**ALT, "reference_range": "7-40"}]},
            "labs[0].reference_range",
            "must be a mapping, not text '7-40'",
            id="reference range as text",
        ),
        pytest.param(
            {"labs": [{**ALT, "date": 20261110}]},
            "labs[0].date",
            "must be a date written YYYY-MM-DD (got 20261110)",
            id="date as a number",
        ),
        pytest.param(
            {"medications": ["denosumab"]},
            "medications[0]",
            "must be a mapping, not text 'denosumab'",
            id="exposure as text",
        ),
        pytest.param(
            {"medications": [{**DENOSUMAB, "ongoing": "yes"}]},
            "medications[0].ongoing",
            "must be true or false (got 'yes')",
            id="ongoing as text",
        ),
        pytest.param(
            {"medications": [{**DENOSUMAB, "daily_dose": 60}]},
            "medications[0].daily_dose",
            "must be a mapping, not int 60",
            id="dose without its unit",
        ),
        pytest.param(
            {"medications": [{**DENOSUMAB, "daily_dose": {"unit": "mg/day"}}]},
            "medications[0].daily_dose.value",
            "is required",
            id="dose without value",
        ),
        pytest.param(
            {"medications": [{**DENOSUMAB, "daily_dose": {"value": "-5", "unit": "mg/day"}}]},
            "medications[0].daily_dose.value",
            "must not be negative",
            id="negative dose",
        ),
        pytest.param(
            {"history": ["fracture"]},
            "history[0]",
            "must be a mapping, not text 'fracture'",
            id="event as text",
        ),
        pytest.param(
            {"history": [{**FRACTURE, "details": {"site": ["hip", "radius"]}}]},
            "history[0].details.site",
            "must be text, not ['hip', 'radius']",
            id="detail as a list",
        ),
        pytest.param(
            {"score_items": {"padua": "active_cancer"}},
            "score_items.padua",
            "must be a list, not text 'active_cancer'",
            id="score items as text",
        ),
        pytest.param(
            {"score_items": {"padua": [3]}},
            "score_items.padua[0]",
            "must be text, not int 3",
            id="score item as a number",
        ),
        pytest.param(
            {"sex": {"code": "F"}}, "sex", "must be text, not a mapping", id="sex as a mapping"
        ),
    ],
)
def test_a_malformed_field_is_refused_with_its_path(
    facts: dict[str, Any], path: str, reason: str
) -> None:
    with pytest.raises(FactsError) as caught:
        load_facts(facts, source="candidate.json")
    assert (caught.value.path, caught.value.message) == (path, reason)


def test_a_document_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(FactsError) as caught:
        load_facts("[1, 2]", source="candidate.json")
    assert str(caught.value) == "candidate.json: (top level): must be a JSON object"


def test_yes_no_details_may_be_written_as_true_or_false() -> None:
    facts = load_facts({"history": [{**FRACTURE, "details": {"fragility": True, "site": 3}}]})
    assert facts.history is not None
    assert dict(facts.history[0].details) == {"fragility": "yes", "site": "3"}


def test_a_mapping_may_carry_dates_as_date_objects() -> None:
    facts = load_facts({"date_of_birth": date(1956, 4, 2), "labs": [{**ALT, "value": 22}]})
    assert facts.date_of_birth == date(1956, 4, 2)
    assert facts.readings[0].value == Decimal(22)


def test_event_details_are_matched_to_their_declared_spelling_in_any_case(
    catalogue: Catalogue,
) -> None:
    event = {**FRACTURE, "details": {"fragility": "Yes", "site": "HIP", "note_free": "x"}}
    facts = load_facts({"history": [event]}, catalogue=catalogue)
    assert facts.history is not None
    # Undeclared detail fields are left as entered; declared ones take the declared spelling.
    assert dict(facts.history[0].details) == {"fragility": "yes", "site": "hip", "note_free": "x"}


def test_an_undeclared_event_detail_value_is_refused_naming_the_event_and_allowed_values(
    catalogue: Catalogue,
) -> None:
    event = {**FRACTURE, "details": {"fragility": "probably"}}
    with pytest.raises(FactsError) as caught:
        load_facts({"history": [event]}, source="candidate.json", catalogue=catalogue)
    assert (caught.value.path, caught.value.message) == (
        "history[0].details.fragility",
        "'probably' is not a declared value of fragility for event 'fracture'; allowed: yes, no",
    )


def test_without_the_catalogue_event_details_are_kept_as_entered() -> None:
    facts = load_facts({"history": [{**FRACTURE, "details": {"fragility": "probably"}}]})
    assert facts.history is not None
    assert dict(facts.history[0].details) == {"fragility": "probably"}
