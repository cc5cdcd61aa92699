"""General calculators: BMI, eGFR (CKD-EPI 2021), HOMA-IR, multiples of ULN/LLN.

Dates, bone and VTE scores have their own files (test_calc_*.py).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eligibility import calculators
from eligibility.calculators import (
    bmi,
    convert,
    egfr_ckd_epi_2021,
    homa_ir,
    times_lln,
    times_uln,
)
from eligibility.units import convert as units_convert

D = Decimal


def at(value: Decimal, places: str) -> Decimal:
    """Round half-up as Eligo's callers do."""
    return value.quantize(D(places), rounding="ROUND_HALF_UP")


# --- BMI ------------------------------------------------------------------------------


def test_bmi_is_weight_over_height_in_metres_squared() -> None:
    assert bmi(D(80), D(200)) == D(20)
    assert at(bmi(70, 175), "0.01") == D("22.86")


def test_bmi_accepts_strings_and_floats_via_their_decimal_spelling() -> None:
    assert bmi("72.9", "180") == D("22.5")
    assert bmi(72.9, 180.0) == D("22.5")


def test_bmi_of_24_96_is_below_25_unrounded_but_25_0_at_one_decimal() -> None:
    value = bmi(D("24.96"), D(100))
    assert value < 25
    assert at(value, "0.1") == D("25.0")


@pytest.mark.parametrize(
    ("weight", "height", "message"),
    [
        (0, 170, r"weight_kg must be between 1 and 500 kg inclusive \(got 0 kg\)"),
        (501, 170, r"weight_kg must be between 1 and 500 kg"),
        (70, 0, r"height_cm must be between 30 and 272 cm inclusive \(got 0 cm\)"),
        (70, 273, r"height_cm must be between 30 and 272 cm"),
        (70, "tall", r"height_cm must be a number \(got 'tall'\)"),
        (True, 170, r"weight_kg must be a number, not bool"),
        ("NaN", 170, r"weight_kg must be a finite number"),
        (D("Infinity"), 170, r"weight_kg must be a finite number"),
    ],
)
def test_bmi_refuses_implausible_input_naming_the_argument_and_range(
    weight: object, height: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        bmi(weight, height)  # type: ignore[arg-type]


def test_it_refuses_a_height_of_zero() -> None:
    with pytest.raises(ValueError, match="height_cm"):
        bmi(70, 0)


def test_bmi_accepts_the_ends_of_its_plausible_ranges() -> None:
    assert bmi(1, 272) > 0
    assert at(bmi(500, 30), "0.01") == D("5555.56")


weights = st.decimals(min_value=1, max_value=500, places=2)
heights = st.decimals(min_value=30, max_value=272, places=1)


@given(weights, weights, heights)
def test_bmi_is_monotone_in_weight(w1: Decimal, w2: Decimal, height: Decimal) -> None:
    if w1 < w2:
        assert bmi(w1, height) < bmi(w2, height)


@given(weights, heights, heights)
def test_bmi_falls_as_height_rises(weight: Decimal, h1: Decimal, h2: Decimal) -> None:
    if h1 < h2:
        assert bmi(weight, h1) > bmi(weight, h2)


# --- eGFR, CKD-EPI 2021 ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("creatinine_mg_dl", "age", "sex", "expected"),
    [
        # R tabletools docs, checked against the kidney.org calculator: 95.2 and 79.2.
        ("0.8", 70, "M", "95.2063"),
        ("0.8", 70, "F", "79.2151"),
    ],
)
def test_egfr_reproduces_the_published_mg_dl_values(
    creatinine_mg_dl: str, age: int, sex: str, expected: str
) -> None:
    assert at(egfr_ckd_epi_2021(creatinine_mg_dl, age, sex), "0.0001") == D(expected)


@pytest.mark.parametrize(
    ("creatinine_umol_l", "sex", "expected", "published_integer"),
    [
        # ml4oncology unit test, answers from the kidney.org calculator.
        (200, "M", "30.40", 30),
        (200, "F", "22.76", 23),
        (100, "M", "69.85", 70),
        (100, "F", "52.28", 52),
    ],
)
def test_egfr_reproduces_the_published_umol_l_values(
    creatinine_umol_l: int, sex: str, expected: str, published_integer: int
) -> None:
    mg_dl = convert(D(creatinine_umol_l), "creatinine", "µmol/L", "mg/dL")
    egfr = egfr_ckd_epi_2021(mg_dl, 70, sex)
    assert at(egfr, "0.01") == D(expected)
    assert at(egfr, "1") == published_integer


def test_egfr_reproduces_the_published_value_for_a_50_year_old_man() -> None:
    egfr = egfr_ckd_epi_2021("1.1", 50, "M")
    assert at(egfr, "0.01") == D("81.78")
    assert at(egfr, "1") == 82


def test_egfr_rounding_hazard_29_96_is_below_30_unrounded_but_30_0_at_one_decimal() -> None:
    egfr = egfr_ckd_epi_2021("2.29", 70, "M")
    assert at(egfr, "0.01") == D("29.96")
    assert egfr < 30
    assert at(egfr, "0.1") == D("30.0")


def test_egfr_is_not_the_2009_equation() -> None:
    # The 2009 equation gives 28 for 70 y M with 200 µmol/L; 2021 gives 30.
    mg_dl = convert(D(200), "creatinine", "µmol/L", "mg/dL")
    assert at(egfr_ckd_epi_2021(mg_dl, 70, "M"), "1") != 28


def test_egfr_accepts_lower_case_sex() -> None:
    assert egfr_ckd_epi_2021("0.8", 70, "f") == egfr_ckd_epi_2021("0.8", 70, "F")


def test_egfr_at_creatinine_equal_to_kappa_has_no_creatinine_term() -> None:
    # Scr/κ = 1: both power terms are exactly 1, leaving 142 × 0.9938^age.
    assert at(egfr_ckd_epi_2021("0.9", 18, "M"), "0.0001") == at(142 * D("0.9938") ** 18, "0.0001")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"age_years": 17}, r"age_years must be between 18 and 125 .*CKD-EPI 2021 is .*adults"),
        ({"age_years": 126}, r"age_years must be between 18 and 125 years"),
        ({"creatinine_mg_dl": "0.09"}, r"creatinine_mg_dl must be between 0.1 and 40 mg/dL"),
        ({"creatinine_mg_dl": 41}, r"creatinine_mg_dl must be between 0.1 and 40 mg/dL"),
        ({"creatinine_mg_dl": 0}, r"creatinine_mg_dl must be between 0.1 and 40"),
        ({"sex": "X"}, r"sex must be 'F' or 'M' \(got 'X'\)"),
        ({"sex": ""}, r"sex must be 'F' or 'M'"),
    ],
)
def test_egfr_refuses_bad_input_naming_the_argument_and_range(
    kwargs: dict[str, object], message: str
) -> None:
    arguments: dict[str, object] = {"creatinine_mg_dl": "1.0", "age_years": 50, "sex": "M"}
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        egfr_ckd_epi_2021(**arguments)  # type: ignore[arg-type]


creatinines = st.decimals(min_value=D("0.1"), max_value=40, places=2)
ages = st.integers(min_value=18, max_value=125)
sexes = st.sampled_from(["F", "M"])


@given(creatinines, creatinines, ages, sexes)
def test_egfr_decreases_as_creatinine_rises(a: Decimal, b: Decimal, age: int, sex: str) -> None:
    if a < b:
        assert egfr_ckd_epi_2021(a, age, sex) > egfr_ckd_epi_2021(b, age, sex)


@given(creatinines, ages, ages, sexes)
def test_egfr_decreases_with_age(creatinine: Decimal, a: int, b: int, sex: str) -> None:
    if a < b:
        assert egfr_ckd_epi_2021(creatinine, a, sex) > egfr_ckd_epi_2021(creatinine, b, sex)


# --- HOMA-IR --------------------------------------------------------------------------


def test_homa_ir_is_glucose_times_insulin_over_22_5() -> None:
    assert homa_ir(D("4.5"), D(10)) == D(2)
    assert homa_ir(5, 9) == D(2)
    assert at(homa_ir("5.6", "12.3"), "0.01") == D("3.06")


def test_homa_ir_takes_insulin_in_pmol_l_after_conversion() -> None:
    insulin = convert(D(60), "insulin", "pmol/L", "µU/mL")
    assert homa_ir("4.5", insulin) == D(2)


@pytest.mark.parametrize(
    ("glucose", "insulin", "message"),
    [
        ("0.9", 10, r"glucose_mmol_l must be between 1 and 50 mmol/L"),
        (51, 10, r"glucose_mmol_l must be between 1 and 50 mmol/L"),
        (5, -1, r"insulin_uU_ml must be between 0 and 1000 µU/mL"),
        (5, 1001, r"insulin_uU_ml must be between 0 and 1000 µU/mL"),
    ],
)
def test_homa_ir_refuses_values_out_of_range(
    glucose: object, insulin: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        homa_ir(glucose, insulin)  # type: ignore[arg-type]


# --- multiples of ULN / LLN -----------------------------------------------------------


def test_alt_120_with_uln_40_is_exactly_three_times_uln() -> None:
    multiple = times_uln(120, 40)
    assert multiple == D("3.0")
    assert not multiple > 3  # so it does not meet "> 3 × ULN"
    assert multiple >= 3


def test_times_uln_is_exact_where_binary_floating_point_is_not() -> None:
    assert times_uln("0.3", "0.1") == 3
    assert 0.3 / 0.1 != 3  # the float hazard the Decimal result avoids


def test_times_lln_divides_by_the_lower_limit() -> None:
    assert times_lln(D(60), D(120)) == D("0.5")


@pytest.mark.parametrize(
    ("func", "limit_name"),
    [(times_uln, "uln"), (times_lln, "lln")],
)
@pytest.mark.parametrize("limit", [0, -40])
def test_a_limit_must_be_greater_than_zero(func: object, limit_name: str, limit: int) -> None:
    with pytest.raises(ValueError, match=rf"{limit_name} must be greater than 0 \(got {limit}\)"):
        func(95, limit)  # type: ignore[operator]


def test_a_multiple_refuses_a_negative_value() -> None:
    with pytest.raises(ValueError, match=r"value must be 0 or more"):
        times_uln(-1, 40)


# --- the module's surface -------------------------------------------------------------


def test_convert_is_re_exported_from_units() -> None:
    assert convert is units_convert


def test_every_name_in_all_exists() -> None:
    for name in calculators.__all__:
        assert hasattr(calculators, name), name


def test_results_do_not_depend_on_the_callers_decimal_context() -> None:
    import decimal

    expected = egfr_ckd_epi_2021("0.8", 70, "M")
    with decimal.localcontext(decimal.Context(prec=3)):
        assert egfr_ckd_epi_2021("0.8", 70, "M") == expected
