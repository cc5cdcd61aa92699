"""The NCT06495437 protocol on realistic candidates (screening on 2026-11-20)."""

from __future__ import annotations

from datetime import date

import pytest

from eligibility import ProtocolDefinition

from .helpers import Facts, drop_reading, run, set_reading


def test_the_inline_numbered_exclusion_list_is_split_into_its_fourteen_items(
    nct: ProtocolDefinition,
) -> None:
    exclusions = [c for c in nct.criteria if c.kind == "exclusion"]
    assert [c.id for c in exclusions] == [f"E{n}" for n in range(1, 15)]
    assert nct.criterion("E6").text.startswith("the subject's HIV antibody")
    assert nct.criterion("E8").text.startswith("Drug or alcohol abuse")
    assert nct.criterion("E14").text.startswith("There are other conditions")


def test_a_clearly_eligible_candidate_is_eligible(
    nct: ProtocolDefinition, nct_facts: Facts
) -> None:
    result = run(nct, nct_facts)
    assert result.status == "eligible", [c.summary for c in result.criteria if c.outcome != "met"]


@pytest.mark.parametrize(
    ("sex", "creatinine", "outcome"),
    [
        ("M", "1.49", "met"),
        ("M", "1.50", "not_met"),
        ("F", "1.39", "met"),
        ("F", "1.40", "not_met"),
        ("F", "1.45", "not_met"),
        ("M", "1.45", "met"),
    ],
)
def test_creatinine_limit_depends_on_sex(
    nct: ProtocolDefinition, nct_facts: Facts, sex: str, creatinine: str, outcome: str
) -> None:
    nct_facts["sex"] = sex
    facts = set_reading(nct_facts, "creatinine", value=creatinine)
    assert run(nct, facts).criterion("E5").outcome == outcome


def test_creatinine_in_micromoles_uses_the_same_rounded_value(
    nct: ProtocolDefinition, nct_facts: Facts
) -> None:
    facts = set_reading(nct_facts, "creatinine", value="132.2", unit="µmol/L")  # 1.50 mg/dL
    assert run(nct, facts).criterion("E5").outcome == "not_met"


@pytest.mark.parametrize(("alt", "outcome"), [("124", "met"), ("125", "not_met")])
def test_alt_exactly_two_and_a_half_times_uln_excludes(
    nct: ProtocolDefinition, nct_facts: Facts, alt: str, outcome: str
) -> None:
    result = run(nct, set_reading(nct_facts, "alt", value=alt)).criterion("E5")
    assert result.outcome == outcome
    if outcome == "not_met":
        assert (
            "ALT 125 U/L on 2026-11-12 = 2.5 × ULN (50 U/L); limit ≥ 2.5 × ULN (125 U/L)"
            in result.summary
        )


@pytest.mark.parametrize(
    ("value", "unit", "outcome"),
    [
        ("7.8", "mmol/L", "met"),
        ("7.7", "mmol/L", "not_met"),
        ("11.0", "mmol/L", "met"),
        ("11.04", "mmol/L", "met"),
        ("11.05", "mmol/L", "not_met"),
        ("140", "mg/dL", "met"),
        ("200", "mg/dL", "not_met"),
    ],
)
def test_two_hour_glucose_band(
    nct: ProtocolDefinition, nct_facts: Facts, value: str, unit: str, outcome: str
) -> None:
    facts = set_reading(nct_facts, "glucose_2h_postprandial", value=value, unit=unit)
    assert run(nct, facts).criterion("I3").outcome == outcome


@pytest.mark.parametrize(("weight", "outcome"), [("88.7", "met"), ("88.9", "not_met")])
def test_bmi_upper_bound_is_inclusive_at_one_decimal(
    nct: ProtocolDefinition, nct_facts: Facts, weight: str, outcome: str
) -> None:
    # 88.7 kg / 1.72 m² = 29.98 → 30.0 (in); 88.9 kg → 30.05 → 30.1 (out)
    facts = set_reading(nct_facts, "weight", value=weight)
    assert run(nct, facts).criterion("I2").outcome == outcome


def test_glucose_affecting_drug_within_a_month_is_a_washout(
    nct: ProtocolDefinition, nct_facts: Facts
) -> None:
    nct_facts["medications"] = [
        {"drug": "prednisolone", "route": "oral", "start": "2026-10-01", "stop": "2026-11-05"}
    ]
    result = run(nct, nct_facts)
    assert result.status == "ineligible"
    assert result.criterion("E2").eligible_from == date(2026, 12, 6)
    assert result.eligible_from == date(2026, 12, 6)
    assert run(nct, nct_facts, on=date(2026, 12, 6)).status == "eligible"
    assert run(nct, nct_facts, on=date(2026, 12, 5)).criterion("E2").outcome == "not_met"


def test_a_tricyclic_antidepressant_counts_as_a_glucose_affecting_drug(
    nct: ProtocolDefinition, nct_facts: Facts
) -> None:
    nct_facts["medications"] = [{"drug": "amitriptyline", "start": "2025-01-01", "ongoing": True}]
    result = run(nct, nct_facts)
    assert result.criterion("E2").outcome == "not_met"
    assert result.eligible_from is None


def test_a_recent_myocardial_infarction_excludes_until_six_months_have_passed(
    nct: ProtocolDefinition, nct_facts: Facts
) -> None:
    nct_facts["history"] = [{"code": "myocardial_infarction", "date": "2026-08-31"}]
    result = run(nct, nct_facts)
    assert result.criterion("E4").outcome == "not_met"
    assert result.criterion("E4").eligible_from == date(2027, 3, 1)


def test_heart_failure_counts_only_at_nyha_iii_or_iv(
    nct: ProtocolDefinition, nct_facts: Facts
) -> None:
    nct_facts["history"] = [
        {
            "code": "decompensated_heart_failure",
            "date": "2026-09-01",
            "details": {"nyha_class": "II"},
        }
    ]
    assert run(nct, nct_facts).criterion("E4").outcome == "met"
    nct_facts["history"][0]["details"]["nyha_class"] = "III"
    assert run(nct, nct_facts).criterion("E4").outcome == "not_met"


def test_pregnancy_is_asked_of_women_only(nct: ProtocolDefinition, nct_facts: Facts) -> None:
    assert run(nct, nct_facts).criterion("E9").outcome == "met"  # a man: not asked
    nct_facts["sex"] = "F"
    assert run(nct, nct_facts).criterion("E9").outcome == "unknown"
    nct_facts["answers"].update({"pregnant": "no", "lactating": "yes"})
    assert run(nct, nct_facts).criterion("E9").outcome == "not_met"


def test_alcohol_limits(nct: ProtocolDefinition, nct_facts: Facts) -> None:
    set_reading(nct_facts, "alcohol_drinks_per_week", value="15")
    assert run(nct, nct_facts).criterion("E8").outcome == "not_met"
    set_reading(nct_facts, "alcohol_drinks_per_week", value="14")
    assert run(nct, nct_facts).criterion("E8").outcome == "met"


def test_padua_or_caprini_high_risk_excludes(nct: ProtocolDefinition, nct_facts: Facts) -> None:
    nct_facts["score_items"]["caprini_2005"] = [
        "varicose_veins",
        "malignancy",
        "obesity_bmi_over_25",
    ]
    result = run(nct, nct_facts).criterion("E12")  # 1 + 2 + 1 + age 41–60 (1) = 5
    assert result.outcome == "not_met"
    assert "Caprini score (2005) 5" in result.summary


def test_a_trial_of_a_device_does_not_exclude_but_a_drug_trial_does(
    nct: ProtocolDefinition, nct_facts: Facts
) -> None:
    nct_facts["history"] = [
        {"code": "trial_participation", "date": "2026-10-01", "details": {"product": "device"}}
    ]
    assert run(nct, nct_facts).criterion("E11").outcome == "met"
    nct_facts["history"][0]["details"]["product"] = "drug"
    result = run(nct, nct_facts).criterion("E11")
    assert result.outcome == "not_met"
    assert result.eligible_from == date(2027, 1, 2)


def test_missing_labs_make_the_candidate_incomplete(
    nct: ProtocolDefinition, nct_facts: Facts
) -> None:
    result = run(nct, drop_reading(nct_facts, "glucose_2h_postprandial"))
    assert result.status == "incomplete"
    assert [(m.code, m.reason) for m in result.missing] == [
        ("glucose_2h_postprandial", "2-hour postprandial plasma glucose not recorded")
    ]


def test_a_pending_judgment_needs_review(nct: ProtocolDefinition, nct_facts: Facts) -> None:
    nct_facts["judgments"] = {}
    result = run(nct, nct_facts)
    assert result.status == "needs_review"
    assert {c.id for c in result.criteria if c.outcome == "needs_review"} == {"E7", "E14"}
