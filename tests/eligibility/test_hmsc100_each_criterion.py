"""hMSC100: starting from the clearly eligible candidate, one small realistic change at a
time makes exactly one criterion block, and its reason names the value that failed.

Screening is on 2026-11-20. Every criterion of the definition has a case here; a
criterion added to the protocol without one fails ``test_every_criterion_has_a_case``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from eligibility import ProtocolDefinition

from .helpers import Case, Facts, answer, judgment, reading, run, set_reading


def medication(**exposure: object) -> Callable[[Facts], object]:
    return lambda facts: facts["medications"].append(exposure)


def event(code: str, when: str, **details: str) -> Callable[[Facts], object]:
    item: dict[str, object] = {"code": code, "date": when}
    if details:
        item["details"] = details
    return lambda facts: facts["history"].append(item)


def older_by_forty_years(facts: Facts) -> None:
    """Born 1940 (86 on screening day), final menstrual period at 50."""
    facts["date_of_birth"] = "1940-04-02"
    facts["history"][0]["date"] = "1990-05-01"


def no_qualifying_osteoporosis(facts: Facts) -> None:
    """The vertebral fracture dates from 2023, outside the 2-year window, and the lowest
    T-score is −2.9: osteoporotic, but not at the trial's high-risk threshold."""
    set_reading(facts, "t_score_lumbar_spine", value="-2.8")
    facts["history"][1]["date"] = "2023-09-03"


CASES = [
    Case("I1", answer("informed_consent", "no"), ("informed consent?”: no",)),
    Case("I2", older_by_forty_years, ("Age 86 years", "between 45 years and 85 years")),
    Case(
        "I3",
        reading("weight", value="38.5"),
        ("Body weight 38.5 kg", "below 40.0 kg", "BMI 16.0 kg/m²"),
    ),
    Case(
        "I4",
        no_qualifying_osteoporosis,
        ("Fracture on 2023-09-03", "lowest -2.9", "is not below -3.0"),
    ),
    Case(
        "E1",
        reading("calcium", value="2.71"),
        ("Serum calcium 2.71 mmol/L", "above the reference range"),
    ),
    Case("E2", answer("secondary_osteoporosis", "yes"), ("Secondary osteoporosis", ": yes")),
    Case("E3", answer("malignancy_or_disability", "yes"), ("Current malignancy", ": yes")),
    Case("E4", answer("severe_systemic_disease", "yes"), ("Severe infection", ": yes")),
    Case("E5", answer("allergic_constitution", "yes"), ("Allergic constitution", ": yes")),
    Case("E6", answer("transplant_or_radiation", "yes"), ("transplantation", ": yes")),
    Case("E7", event("cell_therapy", "2019-05-01"), ("Cell therapy on 2019-05-01",)),
    Case(
        "E8a",
        medication(
            drug="teriparatide", route="subcutaneous", start="2024-09-01", stop="2026-08-31"
        ),
        ("Last teriparatide (PTH analogue) dose 2026-08-31", "within 6 months"),
    ),
    Case(
        "E8b",
        medication(drug="denosumab", route="subcutaneous", start="2024-03-15", stop="2026-03-15"),
        ("Last denosumab (RANKL inhibitor) dose 2026-03-15", "within 12 months"),
    ),
    Case(
        "E8c",
        medication(
            drug="zoledronic_acid", route="intravenous", start="2025-06-01", stop="2025-06-01"
        ),
        ("Last zoledronic acid (intravenous bisphosphonate) dose 2025-06-01", "within 24 months"),
    ),
    Case(
        "E9",
        reading("dxa_measurable_vertebrae", value=1),
        ("measurable by DXA 1 on 2026-10-15", "below 2"),
    ),
    Case("E10", reading("hiv_antibody", result="positive"), ("HIV antibody positive",)),
    Case("E11", answer("malabsorption", "yes"), ("Malabsorption syndrome", ": yes")),
    Case("E12", answer("neuro_psychiatric_history", "yes"), ("neurological", ": yes")),
    Case(
        "E13",
        reading("tsh", value="12.0"),
        ("TSH 12.00 mIU/L (entered as 12.0 µIU/mL)", "above 10.00 mIU/L"),
    ),
    Case(
        "E14",
        reading("alt", value="95"),
        ("ALT 95 U/L", "2.375 × ULN (40 U/L)", "limit ≥ 2 × ULN (80 U/L)"),
    ),
    Case(
        "E15",
        judgment("substance_abuse_12_months"),
        ("Investigator judgment", "alcohol or drug abuse", ": yes"),
    ),
    Case(
        "E16",
        event("trial_participation", "2026-08-01"),
        ("Clinical-trial participation on 2026-08-01", "within 6 months"),
    ),
    Case("E17", judgment("other_unsuitable"), ("Investigator judgment", "unsuitable", ": yes")),
]


def test_every_criterion_has_a_case(hmsc100: ProtocolDefinition) -> None:
    assert [case.criterion for case in CASES] == [c.id for c in hmsc100.criteria]


def test_the_unchanged_candidate_is_eligible(
    hmsc100: ProtocolDefinition, hmsc_facts: Facts
) -> None:
    assert run(hmsc100, hmsc_facts).status == "eligible"


@pytest.mark.parametrize("case", CASES, ids=[case.criterion for case in CASES])
def test_one_change_makes_exactly_that_criterion_block(
    hmsc100: ProtocolDefinition, hmsc_facts: Facts, case: Case
) -> None:
    case.change(hmsc_facts)
    result = run(hmsc100, hmsc_facts)
    failing = result.criterion(case.criterion)
    assert result.status == "ineligible"
    assert [c.id for c in result.criteria if c.blocks] == [case.criterion]
    assert failing.outcome == "not_met"
    for words in case.names:
        assert words in failing.summary
