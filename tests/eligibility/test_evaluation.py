"""Each construct evaluated against small candidates: values, units, bounds, reasons."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from eligibility import ProtocolDefinition, evaluate, load_facts

Build = Callable[..., ProtocolDefinition]
ON = date(2026, 11, 20)


def check(definition: ProtocolDefinition, facts: dict[str, Any], on: date = ON) -> Any:
    return evaluate(definition, load_facts(facts), on).criteria[0]


def lab(code: str, value: str, unit: str, day: str = "2026-11-10", **ref: str) -> dict[str, Any]:
    item: dict[str, Any] = {"code": code, "value": value, "unit": unit, "date": day}
    if ref:
        item["reference_range"] = {**ref, "unit": unit}
    return item


def test_a_value_in_another_unit_converts_exactly_before_comparing(small: Build) -> None:
    definition = small("weight >= 40 kg")
    assert check(definition, {"measurements": [lab("weight", "88.2", "lb")]}).outcome == "met"
    # 88.1 lb = 39.96 kg, shown and compared as 40.0 kg
    assert check(definition, {"measurements": [lab("weight", "88.1", "lb")]}).outcome == "met"
    result = check(definition, {"measurements": [lab("weight", "88.0", "lb")]})
    assert result.outcome == "not_met"
    assert "Body weight 39.9 kg (entered as 88.0 lb)" in result.reasons[0]


def test_the_value_shown_is_the_value_compared_after_half_up_rounding(small: Build) -> None:
    definition = small("creatinine >= 1.5 mg/dL", "exclusion")
    # 132.2 µmol/L = 1.4951 mg/dL, shown and compared as 1.50
    result = check(definition, {"labs": [lab("creatinine", "132.2", "µmol/L")]})
    assert result.outcome == "not_met"
    assert result.reasons[0].startswith("Serum creatinine 1.50 mg/dL (entered as 132.2 µmol/L)")
    result = check(definition, {"labs": [lab("creatinine", "132.1", "µmol/L")]})
    assert result.outcome == "met"


def test_bmi_is_derived_and_explained_with_its_inputs(small: Build) -> None:
    result = check(
        small("bmi <= 30 kg/m2"),
        {"measurements": [lab("weight", "80", "kg"), lab("height", "160.1", "cm")]},
    )
    assert result.outcome == "not_met"
    assert result.reasons == ("BMI 31.2 kg/m² (from 80.0 kg, 160.1 cm) is above 30.0 kg/m²",)


def test_between_is_inclusive_and_exclusive_when_asked(small: Build) -> None:
    facts = {"measurements": [lab("weight", "60", "kg"), lab("height", "158.1", "cm")]}  # 24.0
    assert check(small("bmi between 18 and 24 kg/m2"), facts).outcome == "met"
    assert check(small("bmi between 18 and 24 kg/m2 exclusive"), facts).outcome == "not_met"


@pytest.mark.parametrize(
    ("value", "outcome"), [("99", "met"), ("100", "not_met"), ("101", "not_met")]
)
def test_times_uln_uses_the_candidates_own_range_inclusively(
    small: Build, value: str, outcome: str
) -> None:
    result = check(
        small("alt >= 2.5 x ULN", "exclusion"),
        {"labs": [lab("alt", value, "U/L", lln="7", uln="40")]},
    )
    assert result.outcome == outcome


def test_a_multiple_of_uln_explains_ratio_limit_and_threshold(small: Build) -> None:
    result = check(
        small("alt >= 2 x ULN", "exclusion"), {"labs": [lab("alt", "95", "U/L", uln="40")]}
    )
    assert result.summary == (
        "Excluded: ALT 95 U/L on 2026-11-10 = 2.375 × ULN (40 U/L); limit ≥ 2 × ULN (80 U/L)"
    )


def test_a_missing_reference_range_makes_times_uln_unknown_with_that_reason(
    small: Build,
) -> None:
    result = check(small("alt >= 2 x ULN", "exclusion"), {"labs": [lab("alt", "95", "U/L")]})
    assert result.outcome == "unknown"
    assert "no upper limit of normal given" in result.reasons[0]
    assert result.missing[0].kind == "reference_range"


def test_below_above_and_outside_the_reference_range(small: Build) -> None:
    low = {"labs": [lab("tsh", "0.30", "mIU/L", lln="0.45", uln="4.5")]}
    assert check(small("tsh below LLN"), low).outcome == "met"
    assert check(small("tsh above ULN"), low).outcome == "not_met"
    assert check(small("tsh outside reference range"), low).outcome == "met"
    assert check(small("tsh within reference range"), low).outcome == "not_met"
    only_upper = {"labs": [lab("tsh", "0.30", "mIU/L", uln="4.5")]}
    assert check(small("tsh outside reference range"), only_upper).outcome == "unknown"
    assert check(small("tsh above ULN"), only_upper).outcome == "not_met"


def test_sex_specific_thresholds_pick_the_candidates_limit(small: Build) -> None:
    definition = small("creatinine >= (male: 1.5 mg/dL, female: 1.4 mg/dL)", "exclusion")
    labs = {"labs": [lab("creatinine", "1.45", "mg/dL")]}
    assert check(definition, {**labs, "sex": "F"}).outcome == "not_met"
    assert check(definition, {**labs, "sex": "M"}).outcome == "met"
    unknown = check(definition, labs)
    assert unknown.outcome == "unknown"
    assert [m.code for m in unknown.missing] == ["sex"]


def test_min_is_decided_by_one_low_value_even_when_others_are_missing(small: Build) -> None:
    definition = small("min(t_score_lumbar_spine, t_score_total_hip) < -3.0")
    one_low = {"measurements": [lab("t_score_lumbar_spine", "-3.1", "")]}
    one_high = {"measurements": [lab("t_score_lumbar_spine", "-2.0", "")]}
    assert check(definition, one_low).outcome == "met"
    result = check(definition, one_high)
    assert result.outcome == "unknown"
    assert [m.code for m in result.missing] == ["t_score_total_hip"]


@pytest.mark.parametrize(("value", "outcome"), [("-3.0", "not_met"), ("-3.1", "met")])
def test_t_score_boundary_is_strict(small: Build, value: str, outcome: str) -> None:
    facts = {"measurements": [lab("t_score_lumbar_spine", value, "")]}
    assert check(small("t_score_lumbar_spine < -3.0"), facts).outcome == outcome


def test_t_score_from_bmd_uses_nhanes_iii_and_exact_decimals(small: Build) -> None:
    # (0.558 − 0.858) / 0.120 is −2.4999999999999996 in binary floating point
    facts = {"measurements": [lab("bmd_femoral_neck", "0.558", "g/cm2")]}
    assert check(small("t_score_femoral_neck_nhanes <= -2.5"), facts).outcome == "met"


def test_stale_and_future_labs_count_as_missing_and_say_why(small: Build) -> None:
    definition = small("alt < 100 U/L")
    stale = check(definition, {"labs": [lab("alt", "24", "U/L", "2026-08-01")]})
    assert stale.outcome == "unknown"
    assert stale.reasons[0].startswith(
        "ALT from 2026-08-01 is older than the 30-day validity window"
    )
    future = check(definition, {"labs": [lab("alt", "24", "U/L", "2026-12-01")]})
    assert "after the screening date (2026-11-20) and was not used" in future.reasons[0]
    exactly_30_days = check(definition, {"labs": [lab("alt", "24", "U/L", "2026-10-21")]})
    assert exactly_30_days.outcome == "met"


def test_the_latest_usable_result_is_used(small: Build) -> None:
    facts = {"labs": [lab("alt", "200", "U/L", "2026-11-01"), lab("alt", "30", "U/L")]}
    assert check(small("alt < 100 U/L"), facts).outcome == "met"


def test_an_impossible_value_is_refused(small: Build) -> None:
    result = check(small("weight >= 40 kg"), {"measurements": [lab("weight", "900", "kg")]})
    assert result.outcome == "unknown"
    assert "outside the possible range" in result.reasons[0]


def test_an_implausible_value_is_used_with_a_warning(small: Build) -> None:
    facts = load_facts({"measurements": [lab("weight", "260", "kg")]})
    result = evaluate(small("weight >= 40 kg"), facts, ON)
    assert result.status == "eligible"
    assert "outside the plausible range" in result.warnings[0]


def test_answers_and_judgments(small: Build) -> None:
    definition = small("informed_consent is yes")
    assert check(definition, {"answers": {"informed_consent": "yes"}}).outcome == "met"
    assert check(definition, {"answers": {"informed_consent": True}}).outcome == "met"
    assert check(definition, {"answers": {"informed_consent": "no"}}).outcome == "not_met"
    assert check(definition, {"answers": {"informed_consent": "unknown"}}).outcome == "unknown"
    extra = 'questions:\n  - {code: unsuitable, kind: judgment, text: "Unsuitable?"}'
    judged = small("unsuitable is yes", "exclusion", extra)
    assert check(judged, {}).outcome == "needs_review"
    assert check(judged, {"judgments": {"unsuitable": "no"}}).outcome == "met"


def test_a_computed_part_decides_a_compound_item_before_the_judgment(small: Build) -> None:
    extra = 'questions:\n  - {code: cirrhosis, kind: judgment, text: "Cirrhosis?"}'
    definition = small("alt >= 2 x ULN or cirrhosis is yes", "exclusion", extra)
    high = {"labs": [lab("alt", "90", "U/L", uln="40")]}
    normal = {"labs": [lab("alt", "30", "U/L", uln="40")]}
    assert check(definition, high).outcome == "not_met"
    assert check(definition, normal).outcome == "needs_review"
    assert check(definition, {}).outcome == "unknown"


def test_qualitative_results(small: Build) -> None:
    definition = small("hiv_antibody is positive", "exclusion")
    negative = {"labs": [{"code": "hiv_antibody", "result": "negative", "date": "2026-11-01"}]}
    unsure = {"labs": [{"code": "hiv_antibody", "result": "indeterminate", "date": "2026-11-01"}]}
    assert check(definition, negative).outcome == "met"
    assert check(definition, unsure).outcome == "unknown"


def test_history_windows_include_both_ends(small: Build) -> None:
    definition = small(
        "history of myocardial_infarction within 6 months before screening", "exclusion"
    )
    for day, outcome in [
        ("2026-05-20", "not_met"),
        ("2026-05-19", "met"),
        ("2026-11-20", "not_met"),
        ("2026-11-21", "met"),
    ]:
        facts = {"history": [{"code": "myocardial_infarction", "date": day}]}
        assert check(definition, facts).outcome == outcome, day
    assert check(definition, {"history": []}).outcome == "met"
    assert check(definition, {}).outcome == "unknown"


def test_event_details_and_undated_events(small: Build) -> None:
    definition = small("history of fracture where fragility is yes within 2 years before screening")
    undated = {"history": [{"code": "fracture", "details": {"fragility": "yes"}}]}
    no_detail = {"history": [{"code": "fracture", "date": "2026-01-01"}]}
    assert check(definition, undated).outcome == "unknown"
    assert check(definition, no_detail).outcome == "unknown"


def test_fractures_at_two_distinct_sites(small: Build) -> None:
    definition = small("count of fracture by distinct site >= 2")

    def fractures(*sites: str | None) -> dict[str, Any]:
        return {
            "history": [
                {"code": "fracture", "date": "2020-01-01", "details": {"site": s} if s else {}}
                for s in sites
            ]
        }

    assert check(definition, fractures("hip", "vertebral")).outcome == "met"
    assert check(definition, fractures("hip", "hip")).outcome == "not_met"
    assert check(definition, fractures("hip", None)).outcome == "unknown"


def dose(drug: str, start: str, stop: str | None = None, **more: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"drug": drug, "start": start, **more}
    if stop:
        item["stop"] = stop
    return item


def test_last_dose_window_counts_ongoing_use_and_respects_route(small: Build) -> None:
    definition = small(
        "last dose of oral bisphosphonate within 6 months before screening", "exclusion"
    )
    assert (
        check(
            definition, {"medications": [dose("alendronic_acid", "2025-01-01", ongoing=True)]}
        ).outcome
        == "not_met"
    )
    assert (
        check(
            definition, {"medications": [dose("zoledronic_acid", "2026-10-01", "2026-10-01")]}
        ).outcome
        == "met"
    )
    ibandronate = dose("ibandronic_acid", "2026-10-01", "2026-10-01")
    assert check(definition, {"medications": [ibandronate]}).outcome == "unknown"
    assert (
        check(definition, {"medications": [{**ibandronate, "route": "intravenous"}]}).outcome
        == "met"
    )
    assert check(definition, {"medications": []}).outcome == "met"
    assert check(definition, {}).outcome == "unknown"


def test_an_exposure_without_stop_or_ongoing_ended_at_an_unknown_date(small: Build) -> None:
    definition = small(
        "last dose of rankl_inhibitor within 12 months before screening", "exclusion"
    )
    old_start = {"medications": [dose("denosumab", "2020-01-01")]}
    recent_start = {"medications": [dose("denosumab", "2026-01-01")]}
    assert check(definition, old_start).outcome == "unknown"
    assert check(definition, recent_start).outcome == "not_met"


def test_classes_match_by_drug_class_or_atc_code(small: Build) -> None:
    definition = small(
        "last dose of glucose_metabolism_drug within 1 month before screening", "exclusion"
    )
    for exposure in (
        {"drug": "prednisolone"},
        {"class": "tricyclic_antidepressant"},
        {"atc": "C07AB07"},
    ):
        facts = {"medications": [{**exposure, "start": "2026-11-01", "ongoing": True}]}
        assert check(definition, facts).outcome == "not_met", exposure
    other = {"medications": [{"atc": "C08CA01", "start": "2026-11-01", "ongoing": True}]}
    assert check(definition, other).outcome == "met"


def test_cumulative_use_in_total_and_inside_a_window(small: Build) -> None:
    total = small("cumulative use of oral bisphosphonate >= 3 years", "exclusion")
    three_years = {"medications": [dose("alendronic_acid", "2021-01-01", "2023-12-31")]}
    short = {"medications": [dose("alendronic_acid", "2021-01-02", "2023-12-31")]}
    two_courses = {
        "medications": [
            dose("alendronic_acid", "2015-01-01", "2016-12-31"),
            dose("risedronic_acid", "2019-01-01", "2019-12-31"),
        ]
    }
    assert check(total, three_years).outcome == "not_met"
    assert check(total, short).outcome == "met"
    assert check(total, two_courses).outcome == "not_met"
    hrt = small(
        "cumulative use of hormone_replacement_therapy within 6 months before screening > 1 month",
        "exclusion",
    )
    recent = {"medications": [dose("estradiol", "2026-01-01", "2026-06-30")]}
    assert check(hrt, recent).outcome == "not_met"
    assert "in the 6 months before screening 42 days" in check(hrt, recent).reasons[0]


def test_a_sustained_dose_needs_the_level_for_the_whole_duration(small: Build) -> None:
    definition = small(
        "use of systemic_glucocorticoid at >= 7.5 mg/day prednisolone-equivalent"
        " for more than 3 months ongoing"
    )
    daily = {"unit": "mg/day"}
    high = dose("prednisolone", "2026-06-01", ongoing=True, daily_dose={"value": "10", **daily})
    dexa = dose(
        "dexamethasone", "2026-06-01", ongoing=True, daily_dose={"value": "1.5", **daily}
    )  # 10 mg prednisolone
    low = dose("prednisone", "2026-06-01", ongoing=True, daily_dose={"value": "5", **daily})
    recent = dose("prednisolone", "2026-09-01", ongoing=True, daily_dose={"value": "10", **daily})
    stopped = dose("prednisolone", "2026-01-01", "2026-10-01", daily_dose={"value": "10", **daily})
    no_dose = dose("prednisolone", "2026-01-01", ongoing=True)
    assert check(definition, {"medications": [high]}).outcome == "met"
    assert check(definition, {"medications": [dexa]}).outcome == "met"
    assert check(definition, {"medications": [low]}).outcome == "not_met"
    assert check(definition, {"medications": [recent]}).outcome == "not_met"
    assert check(definition, {"medications": [stopped]}).outcome == "not_met"
    assert check(definition, {"medications": [no_dose]}).outcome == "unknown"
    split = [
        dose("prednisolone", "2026-06-01", ongoing=True, daily_dose={"value": "5", **daily}),
        dose("hydrocortisone", "2026-06-01", ongoing=True, daily_dose={"value": "10", **daily}),
    ]  # 5 + 2.5 mg prednisolone
    assert check(definition, {"medications": split}).outcome == "met"


def test_derived_scores_and_calculators(small: Build) -> None:
    base = {
        "sex": "M",
        "date_of_birth": "1950-01-01",
        "measurements": [lab("weight", "95", "kg"), lab("height", "170", "cm")],
    }
    padua = small("padua_score >= 4", "exclusion")
    assert (
        check(padua, {**base, "score_items": {"padua": ["previous_vte"]}}).outcome == "not_met"
    )  # 3 + age ≥ 70 + BMI ≥ 30
    assert check(padua, {**base, "score_items": {"padua": []}}).outcome == "met"
    without_bmi = {**base, "measurements": [], "score_items": {"padua": ["previous_vte"]}}
    assert check(padua, without_bmi).outcome == "not_met"  # 3 + age already reach 4
    assert check(padua, {**base}).outcome == "unknown"
    caprini = small("caprini_score >= 5", "exclusion")
    assert (
        check(caprini, {**base, "score_items": {"caprini_2005": ["history_of_dvt_pe"]}}).outcome
        == "not_met"
    )  # 3 + age 76 → 3
    egfr = small("egfr < 60 mL/min/1.73m2", "exclusion")
    facts = {**base, "date_of_birth": "1956-01-01", "labs": [lab("creatinine", "0.8", "mg/dL")]}
    assert check(egfr, facts).reasons[0].startswith("eGFR (CKD-EPI 2021) 95 mL/min/1.73 m²")
    homa = small("homa_ir > 2.5", "exclusion")
    facts = {
        "labs": [lab("fasting_glucose", "5.0", "mmol/L"), lab("fasting_insulin", "12", "µU/mL")]
    }
    assert check(homa, facts).reasons[0].startswith("HOMA-IR 2.67")


def test_frax_glucocorticoid_adjustment_uses_the_current_prednisolone_dose(small: Build) -> None:
    definition = small("frax_mof_gc_adjusted > 30 %")
    facts = {
        "date_of_birth": "1956-01-01",
        "measurements": [lab("frax_mof", "27.0", "%")],
        "medications": [
            dose(
                "prednisolone",
                "2026-01-01",
                ongoing=True,
                daily_dose={"value": "10", "unit": "mg/day"},
            )
        ],
    }
    result = check(definition, facts)
    assert result.outcome == "met"  # 27 × 1.15 (age 70 column) = 31.1
    assert "31.1%" in result.reasons[0]
