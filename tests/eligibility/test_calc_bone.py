"""DXA T-score, FRAX glucocorticoid adjustment and prednisolone equivalents."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eligibility.calculators import (
    FRAX_GC_ADJUSTMENT_PCT,
    NHANES_III_REFERENCE,
    PREDNISOLONE_EQUIVALENCE,
    frax_age_column,
    frax_dose_band,
    frax_glucocorticoid_adjusted,
    prednisolone_equivalent,
    t_score,
)

D = Decimal

# --- T-score --------------------------------------------------------------------------


def test_a_femoral_neck_bmd_of_0_558_is_exactly_minus_2_5() -> None:
    assert t_score(D("0.558"), "femoral_neck") == D("-2.5")
    assert t_score("0.558", "femoral_neck") <= D("-2.5")  # osteoporosis, not osteopenia


def test_the_float_hazard_the_decimal_t_score_avoids_is_real() -> None:
    assert (0.558 - 0.858) / 0.120 != -2.5


def test_a_femoral_neck_bmd_of_0_559_is_osteopenia_unrounded() -> None:
    value = t_score("0.559", "femoral_neck")
    assert value > D("-2.5")
    assert value.quantize(D("0.0001")) == D("-2.4917")
    assert value.quantize(D("0.1"), rounding="ROUND_HALF_UP") == D("-2.5")


def test_the_teaching_example_gives_minus_2_73() -> None:
    assert t_score("0.53", "femoral_neck").quantize(D("0.01")) == D("-2.73")


def test_total_hip_uses_its_own_nhanes_mean_and_sd() -> None:
    assert t_score("0.942", "total_hip") == 0
    assert t_score("0.820", "total_hip") == D(-1)


def test_nhanes_reference_values_are_the_published_ones() -> None:
    assert NHANES_III_REFERENCE["femoral_neck"].mean == D("0.858")
    assert NHANES_III_REFERENCE["femoral_neck"].sd == D("0.120")
    assert NHANES_III_REFERENCE["total_hip"].mean == D("0.942")
    assert NHANES_III_REFERENCE["total_hip"].sd == D("0.122")
    assert all("NHANES III" in r.source for r in NHANES_III_REFERENCE.values())


@pytest.mark.parametrize("site", ["lumbar_spine", "spine", "Lumbar Spine"])
def test_it_refuses_to_compute_a_spine_t_score(site: str) -> None:
    with pytest.raises(ValueError, match=r"manufacturer's reference database.*as reported"):
        t_score("0.9", site)


def test_it_refuses_an_unknown_site_listing_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"site must be one of femoral_neck, total_hip"):
        t_score("0.9", "radius")


def test_it_refuses_an_implausible_bmd() -> None:
    with pytest.raises(ValueError, match=r"bmd_g_cm2 must be between 0.1 and 3 g/cm²"):
        t_score("0", "femoral_neck")


@given(
    st.decimals(min_value=D("0.1"), max_value=3, places=3),
    st.decimals(min_value=D("0.1"), max_value=3, places=3),
)
def test_t_score_rises_with_bmd(a: Decimal, b: Decimal) -> None:
    if a < b:
        assert t_score(a, "femoral_neck") < t_score(b, "femoral_neck")


# --- FRAX glucocorticoid adjustment ---------------------------------------------------


@pytest.mark.parametrize(
    ("dose", "band"),
    [
        ("0.1", "low"),
        ("2.49", "low"),
        ("2.5", "medium"),
        ("5", "medium"),
        ("7.49", "medium"),
        ("7.5", "high"),  # Kanis 2011's table: ≥7.5
        ("40", "high"),
    ],
)
def test_dose_bands_follow_kanis_2011(dose: str, band: str) -> None:
    assert frax_dose_band(dose) == band


def test_exactly_7_5_mg_a_day_is_high_dose() -> None:
    assert frax_glucocorticoid_adjusted("20", "mof", "7.5") == D(23)
    assert frax_glucocorticoid_adjusted("3", "hip", "7.5") == D("3.6")


def test_the_rule_of_thumb_without_age_uses_the_all_ages_column() -> None:
    assert frax_glucocorticoid_adjusted(20, "mof", 1) == D(16)  # −20 %
    assert frax_glucocorticoid_adjusted(20, "hip", 1) == D(13)  # −35 %
    assert frax_glucocorticoid_adjusted(20, "mof", 10) == D(23)  # +15 %
    assert frax_glucocorticoid_adjusted(20, "hip", 10) == D(24)  # +20 %


def test_a_medium_dose_leaves_the_probability_unchanged() -> None:
    assert frax_glucocorticoid_adjusted("18.3", "mof", "5", 65) == D("18.3")


def test_no_current_dose_leaves_the_probability_as_reported() -> None:
    assert frax_glucocorticoid_adjusted("18.3", "mof", 0) == D("18.3")


@pytest.mark.parametrize(
    ("age", "column"),
    [(30, 40), (40, 40), (49, 40), (50, 50), (65, 60), (79, 70), (80, 80), (90, 90), (97, 90)],
)
def test_ages_map_to_the_nearest_lower_decade_clamped_to_40_and_90(age: int, column: int) -> None:
    assert frax_age_column(age) == column


@pytest.mark.parametrize(
    ("outcome", "dose", "age", "expected"),
    [
        ("hip", 1, 40, "6.0"),  # −40 %
        ("hip", 1, 85, "7.0"),  # −30 % (80 column)
        ("hip", 10, 55, "12.5"),  # +25 %
        ("hip", 10, 70, "12.0"),  # +20 %
        ("hip", 10, 95, "11.0"),  # +10 % (clamped to the 90 column)
        ("mof", 1, 60, "8.5"),  # −15 %, the one 60-column exception
        ("mof", 1, 75, "8.0"),  # −20 %
        ("mof", 10, 45, "12.0"),  # +20 %
        ("mof", 10, 65, "11.5"),  # +15 %
        ("mof", 10, 88, "11.0"),  # +10 %
    ],
)
def test_the_age_specific_table_applies_when_age_is_given(
    outcome: str, dose: int, age: int, expected: str
) -> None:
    assert frax_glucocorticoid_adjusted(10, outcome, dose, age) == D(expected)


def test_the_adjustment_table_matches_the_published_rows() -> None:
    assert FRAX_GC_ADJUSTMENT_PCT[("hip", "low")] == ((-40, -40, -40, -40, -30, -30), -35)
    assert FRAX_GC_ADJUSTMENT_PCT[("hip", "high")] == ((25, 25, 25, 20, 10, 10), 20)
    assert FRAX_GC_ADJUSTMENT_PCT[("mof", "low")] == ((-20, -20, -15, -20, -20, -20), -20)
    assert FRAX_GC_ADJUSTMENT_PCT[("mof", "high")] == ((20, 20, 15, 15, 10, 10), 15)


def test_an_adjusted_probability_is_capped_at_100_percent() -> None:
    assert frax_glucocorticoid_adjusted(95, "hip", 20, 45) == D(100)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((101, "mof", 10), r"probability_pct must be between 0 and 100 %"),
        ((-1, "mof", 10), r"probability_pct must be between 0 and 100 %"),
        ((20, "spine", 10), r"outcome must be 'mof' or 'hip' \(got 'spine'\)"),
        ((20, "mof", -1), r"prednisolone_mg_per_day must be between 0 and 1000 mg/day"),
        ((20, "mof", 1001), r"prednisolone_mg_per_day must be between 0 and 1000 mg/day"),
        ((20, "mof", 10, -1), r"age_years must be between 0 and 130 years"),
    ],
)
def test_frax_adjustment_refuses_bad_input(args: tuple[object, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        frax_glucocorticoid_adjusted(*args)  # type: ignore[arg-type]


probabilities = st.decimals(min_value=0, max_value=100, places=1)
doses = st.decimals(min_value=0, max_value=1000, places=2)


@given(probabilities, st.sampled_from(["mof", "hip"]), doses, st.integers(0, 130))
def test_an_adjusted_probability_stays_between_0_and_100(
    probability: Decimal, outcome: str, dose: Decimal, age: int
) -> None:
    assert 0 <= frax_glucocorticoid_adjusted(probability, outcome, dose, age) <= 100


# --- prednisolone equivalents ---------------------------------------------------------


@pytest.mark.parametrize(
    ("drug", "dose", "expected"),
    [
        ("prednisolone", "5", "5"),
        ("prednisone", "5", "5"),
        ("methylprednisolone", "4", "5"),
        ("triamcinolone", "4", "5"),
        ("hydrocortisone", "20", "5"),
        ("cortisone acetate", "25", "5"),
        ("cortisone", "25", "5"),
        ("dexamethasone", "0.75", "5"),
        ("betamethasone", "0.75", "5"),
        ("deflazacort", "6", "5"),
        ("dexamethasone", "1.5", "10"),
        ("dexamethasone", "4", "26.66666666666666666666666666666666666667"),
        ("hydrocortisone", "30", "7.5"),
        ("methylprednisolone", "6", "7.5"),
    ],
)
def test_prednisolone_equivalents_follow_the_bnf_table(drug: str, dose: str, expected: str) -> None:
    assert prednisolone_equivalent(drug, dose) == D(expected)


def test_a_bnf_equivalent_dose_is_exactly_5_mg_where_the_factor_is_a_repeating_decimal() -> None:
    # 0.75 mg dexamethasone × 6.666… would give 4.999…; the table works in fractions.
    assert prednisolone_equivalent("dexamethasone", "0.75") == 5
    assert prednisolone_equivalent("deflazacort", "6") == 5


def test_drug_names_are_case_insensitive() -> None:
    assert prednisolone_equivalent("  Cortisone   Acetate ", 25) == 5
    assert prednisolone_equivalent("DEXAMETHASONE", "0.75") == 5


def test_the_equivalence_factors_are_the_bnf_ones() -> None:
    assert PREDNISOLONE_EQUIVALENCE["prednisolone"] == 1
    assert PREDNISOLONE_EQUIVALENCE["methylprednisolone"] == D("1.25")
    assert PREDNISOLONE_EQUIVALENCE["hydrocortisone"] == D("0.25")
    assert PREDNISOLONE_EQUIVALENCE["cortisone acetate"] == D("0.2")
    assert PREDNISOLONE_EQUIVALENCE["dexamethasone"].quantize(D("0.01")) == D("6.67")
    assert PREDNISOLONE_EQUIVALENCE["deflazacort"].quantize(D("0.001")) == D("0.833")


def test_an_unknown_drug_is_refused_with_the_known_ones_listed() -> None:
    with pytest.raises(ValueError, match=r"drug 'fludrocortisone'.*known drugs: prednisolone, "):
        prednisolone_equivalent("fludrocortisone", 1)


def test_a_dose_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match=r"dose_mg must be between 0 and 1000 mg"):
        prednisolone_equivalent("prednisolone", -5)
