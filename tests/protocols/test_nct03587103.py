"""NCT03587103 (essential hypertension in primary care): the adjudicated examples, the
office blood-pressure band, and the criteria that apply only when a value exists (eGFR
"if serum creatinine available", home readings). Screening is on 2026-11-20."""

from __future__ import annotations

import pytest

from eligibility import ProtocolDefinition

from .helpers import Adjudication, check, definition, example, run

EXPECTED = {
    # A man of 58, office 152/94 mmHg on amlodipine alone, creatinine 1.00 mg/dL, no home
    # readings.
    "eligible": Adjudication("eligible"),
    # Office SBP 186 mmHg; on bisoprolol (a beta blocker); eGFR 38; home average 128/80.
    "ineligible": Adjudication(
        "ineligible",
        {"I3": "not_met", "I4": "not_met", "E2": "not_met", "E10": "not_met"},
        says={"I3": ("186 mmHg",), "E10": ("128 mmHg", "80 mmHg")},
    ),
    # No office pressure yet, no medication list, pregnancy not asked; no creatinine and
    # no home readings, which leave E2 and E10 decided.
    "incomplete": Adjudication(
        "incomplete",
        {"I3": "unknown", "I4": "unknown", "E9": "unknown"},
        missing=("systolic_bp", "medications", "pregnant"),
    ),
}


@pytest.fixture(scope="module")
def proto() -> ProtocolDefinition:
    return definition("nct03587103")


@pytest.mark.parametrize("name", EXPECTED)
def test_each_adjudicated_example_gives_its_result(proto: ProtocolDefinition, name: str) -> None:
    check(proto, run(proto, example(f"nct03587103-{name}")), EXPECTED[name])


@pytest.mark.parametrize(
    ("sbp", "outcome"), [("139", "not_met"), ("140", "met"), ("179", "met"), ("180", "not_met")]
)
def test_office_systolic_pressure_from_140_to_below_180(
    proto: ProtocolDefinition, sbp: str, outcome: str
) -> None:
    facts = example("nct03587103-eligible")
    facts["measurements"][0]["value"] = sbp
    assert run(proto, facts).criterion("I3").outcome == outcome


def test_egfr_counts_only_when_a_creatinine_is_recorded(proto: ProtocolDefinition) -> None:
    facts = example("nct03587103-ineligible")  # creatinine 1.50 mg/dL: eGFR 38
    assert run(proto, facts).criterion("E2").outcome == "not_met"
    facts["labs"] = []
    assert run(proto, facts).criterion("E2").outcome == "met"


@pytest.mark.parametrize(
    ("systolic", "diastolic", "outcome"),
    [("134", "84", "not_met"), ("135", "84", "met"), ("134", "85", "met")],
)
def test_home_pressure_below_135_85_excludes_only_those_who_measure_at_home(
    proto: ProtocolDefinition, systolic: str, diastolic: str, outcome: str
) -> None:
    facts = example("nct03587103-eligible")
    assert run(proto, facts).criterion("E10").outcome == "met"
    facts["measurements"] += [
        {"code": "home_systolic_bp", "value": systolic, "unit": "mmHg", "date": "2026-11-10"},
        {"code": "home_diastolic_bp", "value": diastolic, "unit": "mmHg", "date": "2026-11-10"},
    ]
    assert run(proto, facts).criterion("E10").outcome == outcome
