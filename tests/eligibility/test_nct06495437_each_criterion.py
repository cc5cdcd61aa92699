"""NCT06495437: starting from the clearly eligible candidate, one small realistic change at
a time makes exactly one criterion block, and its reason names the value that failed.

Screening is on 2026-11-20. Every criterion of the definition has a case here; a
criterion added to the protocol without one fails ``test_every_criterion_has_a_case``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from eligibility import ProtocolDefinition

from .helpers import Case, Facts, answer, judgment, reading, run


def event(code: str, when: str, **details: str) -> Callable[[Facts], object]:
    item: dict[str, object] = {"code": code, "date": when}
    if details:
        item["details"] = details
    return lambda facts: facts["history"].append(item)


def born(when: str) -> Callable[[Facts], object]:
    return lambda facts: facts.update({"date_of_birth": when})


def started_metformin(facts: Facts) -> None:
    facts["medications"].append(
        {
            "drug": "metformin",
            "route": "oral",
            "start": "2026-06-01",
            "ongoing": True,
            "daily_dose": {"value": "1000", "unit": "mg/day"},
        }
    )


def high_caprini_score(facts: Facts) -> None:
    """Varicose veins (1), a malignancy (2), BMI over 25 (1) and age 41–60 (1): 5."""
    facts["score_items"]["caprini_2005"] = ["varicose_veins", "malignancy", "obesity_bmi_over_25"]


CASES = [
    # Born ten years earlier: 71 on screening day. Caprini's age item rises (1 → 2 points,
    # total 3) and Padua's age item applies (1 point), both well below their limits.
    Case("I1", born("1955-06-15"), ("Age 71 years", "between 35 years and 65 years")),
    Case(
        "I2",
        reading("weight", value="92.0"),
        ("BMI 31.1 kg/m² (from 92.0 kg, 172.0 cm)", "not between 20.0 kg/m² and 30.0 kg/m²"),
    ),
    Case(
        "I3",
        reading("glucose_2h_postprandial", value="6.9"),
        ("2-hour postprandial plasma glucose 6.9 mmol/L", "not between 7.8 mmol/L and 11.0"),
    ),
    Case("I4", answer("informed_consent", "no"), ("informed consent?”: no",)),
    Case("E1", answer("cell_culture_allergy", "yes"), ("cell culture", ": yes")),
    Case(
        "E2",
        started_metformin,
        ("metformin (drug affecting glucose metabolism) is ongoing within 1 month before",),
    ),
    Case(
        "E3", answer("uncontrolled_chronic_disease", "yes"), ("not effectively controlled", ": yes")
    ),
    Case(
        "E4",
        event("myocardial_infarction", "2026-08-31"),
        ("Myocardial infarction on 2026-08-31", "within 6 months"),
    ),
    Case(
        "E5",
        reading("creatinine", value="1.62"),
        ("Serum creatinine 1.62 mg/dL", "at least 1.50 mg/dL (limit for men)"),
    ),
    Case("E6", reading("hbsag", result="positive"), ("Hepatitis B surface antigen positive",)),
    Case(
        "E7",
        judgment("serious_systemic_disease"),
        ("Investigator judgment", "serious systemic disease", ": yes"),
    ),
    Case(
        "E8",
        reading("alcohol_drinks_per_week", value="21"),
        ("21.0 drinks/week", "above 14.0 drinks/week"),
    ),
    Case("E9", answer("pregnancy_plan_2_years", "yes"), ("Pregnancy planned", ": yes")),
    Case(
        "E10", answer("intracranial_lesion_or_lung_tumour", "yes"), ("Intracranial lesion", ": yes")
    ),
    Case(
        "E11",
        event("trial_participation", "2026-10-01", product="drug"),
        ("Clinical-trial participation on 2026-10-01 (product: drug)", "within 3 months"),
    ),
    Case("E12", high_caprini_score, ("Caprini score (2005) 5", "at least 5")),
    Case(
        "E13",
        event("major_surgery", "2026-09-15"),
        ("Major surgery on 2026-09-15", "within 6 months"),
    ),
    Case(
        "E14", judgment("other_inappropriate"), ("Investigator judgment", "inappropriate", ": yes")
    ),
]


def test_every_criterion_has_a_case(nct: ProtocolDefinition) -> None:
    assert [case.criterion for case in CASES] == [c.id for c in nct.criteria]


def test_the_unchanged_candidate_is_eligible(nct: ProtocolDefinition, nct_facts: Facts) -> None:
    assert run(nct, nct_facts).status == "eligible"


@pytest.mark.parametrize("case", CASES, ids=[case.criterion for case in CASES])
def test_one_change_makes_exactly_that_criterion_block(
    nct: ProtocolDefinition, nct_facts: Facts, case: Case
) -> None:
    case.change(nct_facts)
    result = run(nct, nct_facts)
    failing = result.criterion(case.criterion)
    assert result.status == "ineligible"
    assert [c.id for c in result.criteria if c.blocks] == [case.criterion]
    assert failing.outcome == "not_met"
    for words in case.names:
        assert words in failing.summary
