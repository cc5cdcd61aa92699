"""Unit normalisation and exact conversion (eligibility.units)."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pint
import pytest
from hypothesis import given
from hypothesis import strategies as st

import eligibility.units
from eligibility.units import (
    CONVERSIONS,
    Conversion,
    UnitError,
    can_convert,
    convert,
    normalise_unit,
    units_for,
)

UREG: pint.UnitRegistry[float] = pint.UnitRegistry()
D = Decimal


# --- normalise_unit -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("umol/L", "µmol/L"),
        ("µmol/L", "µmol/L"),  # U+00B5 MICRO SIGN
        ("\u03bcmol/L", "µmol/L"),  # U+03BC GREEK SMALL LETTER MU
        ("UMOL/L", "µmol/L"),
        ("MG/DL", "mg/dL"),
        ("mg/dl", "mg/dL"),
        (" mg / dL ", "mg/dL"),
        ("mmol/l", "mmol/L"),
        ("u/l", "U/L"),
        ("iu/l", "IU/L"),
        ("KG", "kg"),
        ("lbs", "lb"),
        ("inches", "in"),
        ("kg/m²", "kg/m2"),
        ("kg/m^2", "kg/m2"),
        ("g/cm²", "g/cm2"),
        ("percent", "%"),
        ("yrs", "years"),
        ("miu/l", "mIU/L"),
        ("uIU/mL", "µIU/mL"),
        ("uU/ml", "µU/mL"),
        ("mu/l", "mU/L"),
        ("mcg/dL", "µg/dL"),
        ("mg/d", "mg/day"),
        ("Copies/ml", "copies/mL"),
        ("ml/min/1.73 m²", "mL/min/1.73m2"),
        ("pts", "points"),
        ("score", "score"),
        ("drinks per day", "drinks/day"),
        ("x10^9/L", "10^9/L"),
        ("×10⁹/L", "10^9/L"),
        ("g/dl", "g/dL"),
        ("mmol/mol", "mmol/mol"),
    ],
)
def test_it_normalises_common_spellings(typed: str, canonical: str) -> None:
    assert normalise_unit(typed) == canonical


def test_it_refuses_an_unknown_unit_and_names_it() -> None:
    with pytest.raises(UnitError, match=r"unknown unit 'furlongs'"):
        normalise_unit("furlongs")


def test_a_unit_error_is_a_value_error() -> None:
    assert issubclass(UnitError, ValueError)


def test_it_does_not_read_a_plain_clearance_as_an_indexed_egfr_unit() -> None:
    with pytest.raises(UnitError):
        normalise_unit("mL/min")


@given(st.sampled_from(sorted({c.from_unit for c in CONVERSIONS} | {"10^9/L", "years"})))
def test_normalising_is_idempotent(unit: str) -> None:
    assert normalise_unit(normalise_unit(unit)) == normalise_unit(unit)


# --- the table ------------------------------------------------------------------------


def test_every_table_row_cites_a_source_and_uses_canonical_units() -> None:
    for row in CONVERSIONS:
        assert isinstance(row, Conversion)
        assert row.source.strip()
        assert normalise_unit(row.from_unit) == row.from_unit
        assert normalise_unit(row.to_unit) == row.to_unit
        assert row.factor > 0


def test_conversion_rows_are_frozen() -> None:
    with pytest.raises(AttributeError):
        CONVERSIONS[0].factor = D(2)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("analyte", "value", "src", "dst", "expected"),
    [
        ("creatinine", "1", "mg/dL", "µmol/L", "88.42"),
        ("creatinine", "88.42", "µmol/L", "mg/dL", "1"),
        ("glucose", "7", "mmol/L", "mg/dL", "126.112"),
        ("glucose", "18.016", "mg/dL", "mmol/L", "1"),
        ("bilirubin", "1", "mg/dL", "µmol/L", "17.1"),
        ("calcium", "2.5", "mmol/L", "mg/dL", "10.02"),
        ("alt", "95", "U/L", "IU/L", "95"),
        ("AST", "40", "IU/L", "U/L", "40"),
        ("alp", "120", "U/L", "IU/L", "120"),
        ("ggt", "60", "IU/L", "U/L", "60"),
        ("tsh", "2.5", "mIU/L", "µIU/mL", "2.5"),
        ("insulin", "10", "µU/mL", "mU/L", "10"),
        ("insulin", "10", "µU/mL", "pmol/L", "60"),
        ("insulin", "10", "mU/L", "pmol/L", "60"),
        ("insulin", "60", "pmol/L", "µU/mL", "10"),
        ("free_t4", "1", "ng/dL", "pmol/L", "12.87"),
        ("total_t4", "1", "µg/dL", "nmol/L", "12.87"),
        ("haemoglobin", "13.5", "g/dL", "g/L", "135"),
        ("hemoglobin", "135", "g/L", "g/dL", "13.5"),
        ("hba1c", "2.15", "%", "mmol/mol", "0"),
        ("hba1c", "6.5", "%", "mmol/mol", "47.54115"),
        ("HbA1c", "0", "mmol/mol", "%", "2.15"),
    ],
)
def test_it_converts_with_the_table_factor(
    analyte: str, value: str, src: str, dst: str, expected: str
) -> None:
    assert convert(D(value), analyte, src, dst) == D(expected)


def test_hba1c_is_converted_by_the_affine_master_equation_not_a_plain_factor() -> None:
    # 7 % → (7 − 2.15) × 10.929 = 53.00565; a pure factor would give 76.5.
    assert convert(D(7), "hba1c", "%", "mmol/mol") == D("53.00565")
    assert convert(D("53.00565"), "hba1c", "mmol/mol", "%") == D(7)


def test_identical_units_return_the_value_untouched() -> None:
    value = D("1.23456789012345678901234567890123456789012345")
    assert convert(value, "creatinine", "mg/dl", "MG/DL") is value


@pytest.mark.parametrize(
    ("value", "src", "dst", "expected"),
    [
        ("70", "kg", "g", "70000"),
        ("154", "lb", "kg", "69.85322498"),
        ("1", "lb", "g", "453.59237"),
        ("1.75", "m", "cm", "175"),
        ("69", "in", "cm", "175.26"),
        ("500", "mg", "g", "0.5"),
        ("12", "score", "points", "12"),
    ],
)
def test_generic_units_convert_whatever_the_analyte(
    value: str, src: str, dst: str, expected: str
) -> None:
    assert convert(D(value), None, src, dst) == D(expected)
    assert convert(D(value), "weight", src, dst) == D(expected)


def test_it_refuses_time_units_and_says_why() -> None:
    with pytest.raises(UnitError, match=r"years and months are not converted.*fixed length"):
        convert(D(1), None, "years", "months")


def test_it_refuses_to_convert_alcohol_drinks() -> None:
    with pytest.raises(UnitError, match=r"alcohol.*not converted.*country"):
        convert(D(3), "alcohol", "drinks/day", "drinks/week")


def test_it_refuses_hbv_dna_copies_because_the_factor_depends_on_the_assay() -> None:
    with pytest.raises(UnitError, match=r"hbv_dna: .*depends on the assay.*protocol must supply"):
        convert(D(2000), "hbv_dna", "IU/mL", "copies/mL")


def test_it_converts_hbv_dna_with_the_protocols_factor_in_both_directions() -> None:
    factors = {("IU/mL", "copies/mL"): D("5.82")}
    assert convert(D(2000), "hbv_dna", "iu/ml", "copies/ml", factors=factors) == D("11640")
    assert convert(D("11640"), "hbv_dna", "copies/mL", "IU/mL", factors=factors) == D(2000)


def test_a_protocol_factor_takes_precedence_over_the_table() -> None:
    factors = {("mg/dL", "µmol/L"): D("88.4")}
    assert convert(D(1), "creatinine", "mg/dL", "µmol/L", factors=factors) == D("88.4")


@pytest.mark.parametrize("bad", [D(0), D(-5), D("NaN")])
def test_it_refuses_a_protocol_factor_that_is_not_positive(bad: Decimal) -> None:
    with pytest.raises(UnitError, match=r"IU/mL → copies/mL must be a positive Decimal"):
        convert(D(1), "hbv_dna", "IU/mL", "copies/mL", factors={("IU/mL", "copies/mL"): bad})


def test_it_refuses_units_of_another_dimension_and_lists_the_analytes_units() -> None:
    with pytest.raises(UnitError, match=r"creatinine: no conversion from mg/dL to mmol/L.*µmol/L"):
        convert(D(1), "creatinine", "mg/dL", "mmol/L")


def test_it_does_not_apply_one_analytes_factor_to_another() -> None:
    with pytest.raises(UnitError, match=r"bilirubin: no conversion"):
        convert(D(1), "bilirubin", "mmol/L", "mg/dL")
    with pytest.raises(UnitError):
        convert(D(1), None, "mg/dL", "µmol/L")


def test_it_refuses_an_unknown_unit_when_converting() -> None:
    with pytest.raises(UnitError, match=r"unknown unit 'mg/furlong'"):
        convert(D(1), "creatinine", "mg/furlong", "µmol/L")


# --- units_for, can_convert -----------------------------------------------------------


def test_units_for_lists_the_table_units_of_an_analyte() -> None:
    assert units_for("creatinine") == frozenset({"mg/dL", "µmol/L"})
    assert units_for("insulin") == frozenset({"µU/mL", "mU/L", "pmol/L"})
    assert units_for("hbv_dna") == frozenset({"IU/mL", "copies/mL"})


def test_units_for_lists_generic_units_for_body_measurements() -> None:
    assert units_for("weight") == frozenset({"kg", "g", "lb"})
    assert units_for("height") == frozenset({"cm", "m", "in"})


def test_units_for_refuses_an_unknown_analyte_and_names_it() -> None:
    with pytest.raises(UnitError, match=r"no units known for analyte 'unobtainium'"):
        units_for("unobtainium")


@pytest.mark.parametrize(
    ("analyte", "src", "dst", "expected"),
    [
        ("creatinine", "mg/dL", "umol/L", True),
        ("glucose", "mg/dL", "mmol/L", True),
        (None, "lb", "g", True),
        ("hbv_dna", "IU/mL", "copies/mL", False),
        (None, "years", "months", False),
        ("creatinine", "mg/dL", "mmol/L", False),
        ("creatinine", "mg/dL", "not-a-unit", False),
        ("alcohol", "drinks/day", "drinks/day", True),
    ],
)
def test_can_convert_answers_whether_convert_would_succeed(
    analyte: str | None, src: str, dst: str, expected: bool
) -> None:
    assert can_convert(analyte, src, dst) is expected


def test_every_analyte_unit_pair_can_convert_both_ways() -> None:
    for analyte in {c.analyte for c in CONVERSIONS if c.analyte}:
        for src in units_for(analyte):
            for dst in units_for(analyte):
                assert can_convert(analyte, src, dst)
                assert can_convert(analyte, dst, src)


# --- properties -----------------------------------------------------------------------

values = st.decimals(
    min_value=D("0.001"), max_value=D("100000"), places=3, allow_nan=False, allow_infinity=False
)
pairs = st.sampled_from(
    [(c.analyte, c.from_unit, c.to_unit) for c in CONVERSIONS]
    + [(None, "lb", "mg"), ("insulin", "mU/L", "pmol/L"), (None, "in", "m")]
)


@given(values, pairs)
def test_a_conversion_there_and_back_returns_the_original(
    value: Decimal, pair: tuple[str | None, str, str]
) -> None:
    analyte, src, dst = pair
    back = convert(convert(value, analyte, src, dst), analyte, dst, src)
    assert abs(back - value) <= max(value, D(1)) * D("1e-30")


@given(values, values, pairs)
def test_conversion_preserves_order(
    a: Decimal, b: Decimal, pair: tuple[str | None, str, str]
) -> None:
    analyte, src, dst = pair
    if a < b:
        assert convert(a, analyte, src, dst) < convert(b, analyte, src, dst)


# --- pint as an independent oracle ----------------------------------------------------


@given(values, st.sampled_from([("kg", "g"), ("lb", "kg"), ("lb", "g"), ("mg", "lb")]))
def test_mass_conversions_agree_with_pint(value: Decimal, pair: tuple[str, str]) -> None:
    src, dst = pair
    expected = UREG.Quantity(float(value), src).to(dst).magnitude
    assert float(convert(value, None, src, dst)) == pytest.approx(expected, rel=1e-9)


@given(values, st.sampled_from([("m", "cm"), ("in", "cm"), ("in", "m")]))
def test_length_conversions_agree_with_pint(value: Decimal, pair: tuple[str, str]) -> None:
    src, dst = pair
    expected = UREG.Quantity(float(value), src).to(dst).magnitude
    assert float(convert(value, None, src, dst)) == pytest.approx(expected, rel=1e-9)


def test_creatinine_agrees_with_pint_from_its_molar_mass_within_a_tenth_of_a_percent() -> None:
    molar_mass = UREG.Quantity(113.12, "g/mol")
    for mg_dl in ("0.5", "1", "2.26", "10"):
        oracle = (UREG.Quantity(float(mg_dl), "mg/dL") / molar_mass).to("umol/L").magnitude
        ours = float(convert(D(mg_dl), "creatinine", "mg/dL", "µmol/L"))
        assert ours == pytest.approx(oracle, rel=1e-3)


def test_glucose_agrees_with_pint_from_its_molar_mass_within_a_tenth_of_a_percent() -> None:
    molar_mass = UREG.Quantity(180.16, "g/mol")
    for mmol_l in ("3.9", "5.6", "7", "11.1"):
        oracle = (UREG.Quantity(float(mmol_l), "mmol/L") * molar_mass).to("mg/dL").magnitude
        ours = float(convert(D(mmol_l), "glucose", "mmol/L", "mg/dL"))
        assert ours == pytest.approx(oracle, rel=1e-3)


def test_glucose_cut_offs_are_not_exact_equivalents_across_units() -> None:
    # clinical-reference §2: 140 mg/dL is 7.77 mmol/L, 200 mg/dL is 11.10 mmol/L.
    q = D("0.01")
    assert convert(D(140), "glucose", "mg/dL", "mmol/L").quantize(q) == D("7.77")
    assert convert(D(200), "glucose", "mg/dL", "mmol/L").quantize(q) == D("11.10")


# --- purity ---------------------------------------------------------------------------


def test_importing_the_units_module_does_not_import_django() -> None:
    code = "import sys, eligibility.units, eligibility.calculators; print('django' in sys.modules)"
    root = Path(eligibility.units.__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert result.stdout.strip() == "False"


# --- documentation --------------------------------------------------------------------


def test_the_documented_conversion_table_lists_every_row_with_its_factor() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "calculators.md").read_text()
    table_rows = [line for line in docs.splitlines() if line.startswith("| ")]
    for row in CONVERSIONS:
        analyte = row.analyte or "any"
        cells = f"| {row.from_unit} | {row.to_unit} | {row.factor} | {row.offset} | {row.shift} |"
        assert any(analyte in line and cells in line for line in table_rows), row
