"""NCT00275132 (advanced NSCLC, not suitable for first-line chemotherapy): the adjudicated
examples, the window counted back from the planned randomisation, and the ECOG rule.
Screening is on 2026-11-20; randomisation is planned for 2026-11-27."""

from __future__ import annotations

import pytest

from eligibility import ProtocolDefinition

from .helpers import Adjudication, check, definition, example, run

EXPECTED = {
    # A man of 78, ECOG 2, stage IV on histology diagnosed 2026-10-20, normal labs.
    "eligible": Adjudication("eligible"),
    # Diagnosed 118 days before randomisation; ECOG 1 with a creatinine clearance of
    # 75 mL/min; a myocardial infarction 19 days ago; ALT 95 U/L (2.4 × ULN, no liver
    # metastases).
    "ineligible": Adjudication(
        "ineligible",
        {"I3": "not_met", "I4": "not_met", "I12": "not_met", "I16": "not_met"},
        says={
            "I12": ("Myocardial infarction on 2026-11-01",),
            "I16": ("ALT 95 U/L",),
        },
    ),
    # No randomisation date yet, ECOG 0 without a creatinine clearance, and the
    # investigator has not estimated the life expectancy.
    "incomplete": Adjudication(
        "incomplete",
        {"I3": "unknown", "I4": "unknown", "I6": "needs_review"},
        missing=("creatinine_clearance", "randomisation"),
    ),
}


@pytest.fixture(scope="module")
def proto() -> ProtocolDefinition:
    return definition("nct00275132")


@pytest.mark.parametrize("name", EXPECTED)
def test_each_adjudicated_example_gives_its_result(proto: ProtocolDefinition, name: str) -> None:
    check(proto, run(proto, example(f"nct00275132-{name}")), EXPECTED[name])


@pytest.mark.parametrize(
    ("diagnosed", "outcome"), [("2026-09-26", "met"), ("2026-09-25", "not_met")]
)
def test_the_diagnosis_window_counts_back_62_days_from_randomisation(
    proto: ProtocolDefinition, diagnosed: str, outcome: str
) -> None:
    facts = example("nct00275132-eligible")
    facts["history"][0]["date"] = diagnosed
    assert run(proto, facts).criterion("I3").outcome == outcome


def test_a_later_randomisation_date_moves_the_window_not_the_screening_date(
    proto: ProtocolDefinition,
) -> None:
    facts = example("nct00275132-eligible")
    facts["reference_dates"]["randomisation"] = "2026-12-22"  # 63 days after diagnosis
    result = run(proto, facts)
    assert result.criterion("I3").outcome == "not_met"
    assert result.status == "ineligible"


@pytest.mark.parametrize(
    ("ecog", "clearance", "outcome"),
    [
        ("3", None, "met"),
        ("4", None, "not_met"),
        ("1", "59", "met"),
        ("0", "60", "not_met"),
        ("1", None, "unknown"),
    ],
)
def test_unsuitable_for_chemotherapy_by_performance_status_or_renal_function(
    proto: ProtocolDefinition, ecog: str, clearance: str | None, outcome: str
) -> None:
    facts = example("nct00275132-eligible")
    facts["measurements"] = [
        {"code": "ecog_performance_status", "value": ecog, "date": "2026-11-20"}
    ]
    if clearance is not None:
        facts["measurements"].append(
            {
                "code": "creatinine_clearance",
                "value": clearance,
                "unit": "mL/min",
                "date": "2026-11-17",
            }
        )
    assert run(proto, facts).criterion("I4").outcome == outcome


def test_liver_metastases_raise_the_transaminase_limit_to_five_times_uln(
    proto: ProtocolDefinition,
) -> None:
    facts = example("nct00275132-ineligible")  # ALT 95 U/L, ULN 40
    assert run(proto, facts).criterion("I16").outcome == "not_met"
    facts["answers"]["liver_metastases"] = "yes"
    assert run(proto, facts).criterion("I16").outcome == "met"
