"""Eligo's clinical calculators.

Every calculator takes explicit inputs, returns a ``Decimal`` at full precision (40
significant digits; callers round half-up to the quantity's declared precision, and the
rounded value is the one displayed and compared) and refuses bad input with a
``ValueError`` naming the argument and its allowed range.

Numbers may be given as ``Decimal``, ``int`` or ``str``; a ``float`` is accepted only
through ``Decimal(str(x))``, so ``0.1`` means exactly 0.1. ``bool``, NaN and infinities
are refused.

This module holds the general calculators and re-exports the rest, so callers need one
import: dates from :mod:`eligibility.calc_dates`, bone from :mod:`eligibility.calc_bone`,
VTE scores from :mod:`eligibility.scores` and :func:`convert` from
:mod:`eligibility.units`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

from eligibility.calc_bone import (
    FRAX_GC_ADJUSTMENT_PCT,
    FRAX_GC_AGE_COLUMNS,
    NHANES_III_REFERENCE,
    PREDNISOLONE_EQUIVALENCE,
    YoungAdultReference,
    frax_age_column,
    frax_dose_band,
    frax_glucocorticoid_adjusted,
    prednisolone_equivalent,
    t_score,
)
from eligibility.calc_dates import add_months, add_years, age_on, months_between, years_since
from eligibility.calc_numbers import Number, as_decimal, exact_context, power, require_range
from eligibility.scores import (
    CAPRINI_2005_ITEMS,
    CAPRINI_2005_WOMEN_ONLY,
    CAPRINI_AGE_ITEMS,
    PADUA_HIGH_RISK_FROM,
    PADUA_ITEMS,
    caprini_2005,
    caprini_age_item,
    caprini_risk_category,
    padua,
    padua_items_from,
)
from eligibility.units import convert

__all__ = [
    "CAPRINI_2005_ITEMS",
    "CAPRINI_2005_WOMEN_ONLY",
    "CAPRINI_AGE_ITEMS",
    "FRAX_GC_ADJUSTMENT_PCT",
    "FRAX_GC_AGE_COLUMNS",
    "NHANES_III_REFERENCE",
    "PADUA_HIGH_RISK_FROM",
    "PADUA_ITEMS",
    "PREDNISOLONE_EQUIVALENCE",
    "Number",
    "YoungAdultReference",
    "add_months",
    "add_years",
    "age_on",
    "bmi",
    "caprini_2005",
    "caprini_age_item",
    "caprini_risk_category",
    "convert",
    "egfr_ckd_epi_2021",
    "frax_age_column",
    "frax_dose_band",
    "frax_glucocorticoid_adjusted",
    "homa_ir",
    "months_between",
    "padua",
    "padua_items_from",
    "prednisolone_equivalent",
    "t_score",
    "times_lln",
    "times_uln",
    "years_since",
]


def bmi(weight_kg: Number, height_cm: Number) -> Decimal:
    """Body-mass index, kg/m² = weight / (height in metres)².

    Source: WHO TRS 894 (2000). Plausible ranges: weight 1–500 kg, height 30–272 cm
    (272 cm is the tallest height recorded).
    """
    weight = require_range(as_decimal(weight_kg, "weight_kg"), "weight_kg", 1, 500, "kg")
    height = require_range(as_decimal(height_cm, "height_cm"), "height_cm", 30, 272, "cm")
    with exact_context():
        # weight / (h/100)² rearranged so that only one division is made.
        return weight * 10000 / (height * height)


_CKD_EPI_2021: Mapping[str, tuple[Decimal, Decimal, Decimal]] = MappingProxyType(
    {
        # sex: (kappa, alpha, sex factor)
        "F": (Decimal("0.7"), Decimal("-0.241"), Decimal("1.012")),
        "M": (Decimal("0.9"), Decimal("-0.302"), Decimal(1)),
    }
)


def _sex(sex: str) -> str:
    normalised = sex.strip().upper() if isinstance(sex, str) else ""
    if normalised not in ("F", "M"):
        raise ValueError(f"sex must be 'F' or 'M' (got {sex!r})")
    return normalised


def egfr_ckd_epi_2021(creatinine_mg_dl: Number, age_years: Number, sex: str) -> Decimal:
    """eGFR in mL/min/1.73 m² by the race-free CKD-EPI 2021 creatinine equation.

    eGFR = 142 × min(Scr/κ, 1)^α × max(Scr/κ, 1)^−1.200 × 0.9938^age × 1.012 [female],
    κ 0.7 (F) / 0.9 (M), α −0.241 (F) / −0.302 (M); Scr is IDMS-traceable creatinine in
    mg/dL (convert µmol/L first). Source: Inker LA et al., NEJM 2021;385:1737-49 (PMID
    34554658); NKF, kidney.org/ckd-epi-creatinine-equation-2021. For adults (NIDDK): age
    18–125 years; creatinine 0.1–40 mg/dL.

    The result is unrounded. 70 y M with Scr 2.29 gives 29.96: below 30, though 30.0 at
    one decimal; the caller's rounding convention decides a rule such as "eGFR < 30".
    """
    kappa, alpha, sex_factor = _CKD_EPI_2021[_sex(sex)]
    scr = require_range(
        as_decimal(creatinine_mg_dl, "creatinine_mg_dl"),
        "creatinine_mg_dl",
        Decimal("0.1"),
        40,
        "mg/dL",
    )
    age = as_decimal(age_years, "age_years")
    if age < 18:
        raise ValueError(
            f"age_years must be between 18 and 125 years inclusive (got {age}): "
            "CKD-EPI 2021 is an equation for adults"
        )
    require_range(age, "age_years", 18, 125, "years")
    with exact_context():
        ratio = scr / kappa
        return (
            142
            * power(min(ratio, Decimal(1)), alpha)
            * power(max(ratio, Decimal(1)), Decimal("-1.200"))
            * power(Decimal("0.9938"), age)
            * sex_factor
        )


def homa_ir(glucose_mmol_l: Number, insulin_uU_ml: Number) -> Decimal:
    """HOMA-IR = fasting glucose (mmol/L) × fasting insulin (µU/mL) / 22.5.

    Source: Matthews DR et al., Diabetologia 1985;28:412-9. Ranges: glucose 1–50 mmol/L,
    insulin 0–1000 µU/mL (= mU/L; convert pmol/L first, see units.convert). This is the
    original linear model, not the HOMA2 calculator.
    """
    glucose = require_range(
        as_decimal(glucose_mmol_l, "glucose_mmol_l"), "glucose_mmol_l", 1, 50, "mmol/L"
    )
    insulin = require_range(
        as_decimal(insulin_uU_ml, "insulin_uU_ml"), "insulin_uU_ml", 0, 1000, "µU/mL"
    )
    with exact_context():
        return glucose * insulin / Decimal("22.5")


def _multiple(value: Number, limit: Number, limit_name: str) -> Decimal:
    number = as_decimal(value, "value")
    bound = as_decimal(limit, limit_name)
    if bound <= 0:
        raise ValueError(f"{limit_name} must be greater than 0 (got {bound})")
    if number < 0:
        raise ValueError(f"value must be 0 or more (got {number})")
    with exact_context():
        return number / bound


def times_uln(value: Number, uln: Number) -> Decimal:
    """``value`` as a multiple of the upper limit of normal: ALT 120 with ULN 40 is exactly
    3 (so it does not meet "> 3 × ULN"). Use the protocol's or the lab's own ULN
    (clinical-reference §2, "ULN multiples")."""
    return _multiple(value, uln, "uln")


def times_lln(value: Number, lln: Number) -> Decimal:
    """``value`` as a multiple of the lower limit of normal (value / LLN), the mirror of
    :func:`times_uln` for limits such as "neutrophils ≥ 0.8 × LLN"."""
    return _multiple(value, lln, "lln")
