"""Bone calculators: DXA T-score, FRAX glucocorticoid adjustment, prednisolone equivalents.

FRAX itself is not public (Allbritton-King et al., Bone 2022;159:116376), so Eligo never
computes it: it records the probabilities the official tool returns and applies the
published glucocorticoid dose adjustment here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from eligibility.calc_numbers import Number, as_decimal, exact_context, require_range


@dataclass(frozen=True)
class YoungAdultReference:
    """Young-adult mean and SD of BMD at one site, in g/cm²."""

    site: str
    mean: Decimal
    sd: Decimal
    source: str


_NHANES = (
    "NHANES III, non-Hispanic white women aged 20–29 (Looker et al., Osteoporos Int "
    "1998;8:468-89); the reference FRAX and NOGG prescribe for women and men alike"
)

NHANES_III_REFERENCE: Mapping[str, YoungAdultReference] = MappingProxyType(
    {
        "femoral_neck": YoungAdultReference(
            "femoral_neck", Decimal("0.858"), Decimal("0.120"), _NHANES
        ),
        "total_hip": YoungAdultReference("total_hip", Decimal("0.942"), Decimal("0.122"), _NHANES),
    }
)

_SPINE_SITES = frozenset({"lumbar_spine", "spine", "l1_l4", "l1-l4", "ap_spine"})


def t_score(bmd_g_cm2: Number, site: str) -> Decimal:
    """T-score = (BMD − young-adult mean) / young-adult SD, at the femoral neck or total hip.

    Reference: :data:`NHANES_III_REFERENCE`. Exact: BMD 0.558 at the femoral neck gives
    exactly −2.5 (binary floating point gives −2.4999999999999996 and would misclassify
    it as osteopenia). Spine T-scores are refused: they use the densitometer
    manufacturer's reference database, so they must be entered as reported.
    """
    key = site.strip().lower().replace(" ", "_")
    if key in _SPINE_SITES:
        raise ValueError(
            f"site {site!r}: spine T-scores use the densitometer manufacturer's reference "
            "database, not NHANES III; enter the T-score as reported"
        )
    reference = NHANES_III_REFERENCE.get(key)
    if reference is None:
        raise ValueError(f"site must be one of {', '.join(NHANES_III_REFERENCE)} (got {site!r})")
    bmd = require_range(as_decimal(bmd_g_cm2, "bmd_g_cm2"), "bmd_g_cm2", Decimal("0.1"), 3, "g/cm²")
    with exact_context():
        return (bmd - reference.mean) / reference.sd


# Kanis, Johansson, Oden, McCloskey, Osteoporos Int 2011;22:809-16 (PMID 21229233), as
# reproduced in Liu et al., AACI 2013, Table 7. Percentage change by dose band and age.
FRAX_GC_SOURCE = "Kanis JA et al., Osteoporos Int 2011;22:809-16 (PMID 21229233), table"
FRAX_GC_AGE_COLUMNS: tuple[int, ...] = (40, 50, 60, 70, 80, 90)
FRAX_GC_ADJUSTMENT_PCT: Mapping[tuple[str, str], tuple[tuple[int, ...], int]] = MappingProxyType(
    {
        # (outcome, dose band): (per age column 40…90, all ages)
        ("hip", "low"): ((-40, -40, -40, -40, -30, -30), -35),
        ("hip", "high"): ((25, 25, 25, 20, 10, 10), 20),
        ("mof", "low"): ((-20, -20, -15, -20, -20, -20), -20),
        ("mof", "high"): ((20, 20, 15, 15, 10, 10), 15),
    }
)
FRAX_GC_LOW_BELOW = Decimal("2.5")
FRAX_GC_HIGH_FROM = Decimal("7.5")


def frax_dose_band(prednisolone_mg_per_day: Number) -> str:
    """``"low"`` (< 2.5 mg/d), ``"medium"`` (2.5 to < 7.5) or ``"high"`` (≥ 7.5).

    Exactly 7.5 mg/d is high: Kanis 2011's table writes "≥7.5" (its abstract says ">7.5");
    Eligo follows the table.
    """
    return _band(_dose(prednisolone_mg_per_day))


def _band(dose: Decimal) -> str:
    if dose < FRAX_GC_LOW_BELOW:
        return "low"
    return "high" if dose >= FRAX_GC_HIGH_FROM else "medium"


def _dose(value: Number) -> Decimal:
    name = "prednisolone_mg_per_day"
    return require_range(as_decimal(value, name), name, 0, 1000, "mg/day")


def frax_age_column(age_years: Number) -> int:
    """The age column of Kanis' table used for ``age_years``: the nearest lower decade,
    clamped to 40 and 90 (FRAX itself computes ages outside 40–90 at 40 or 90). So 65 uses
    the 60 column, 39 the 40 column and 95 the 90 column."""
    age = require_range(as_decimal(age_years, "age_years"), "age_years", 0, 130, "years")
    return max(40, min(90, int(age // 10) * 10))


def frax_glucocorticoid_adjusted(
    probability_pct: Number,
    outcome: str,
    prednisolone_mg_per_day: Number,
    age_years: Number | None = None,
) -> Decimal:
    """FRAX 10-year probability adjusted for the glucocorticoid dose (Kanis 2011).

    ``probability_pct`` is what the FRAX tool returned with glucocorticoids answered "yes";
    ``outcome`` is ``"mof"`` (major osteoporotic fracture) or ``"hip"``. The current
    prednisolone-equivalent dose picks the band (see :func:`frax_dose_band`); medium dose
    leaves the probability unchanged. With ``age_years`` the age-specific column applies
    (see :func:`frax_age_column`), without it the "all ages" column. A dose of 0 means no
    current glucocorticoid: Kanis' adjustment is for current users, so the probability is
    returned as reported. The result is capped at 100 %.
    """
    probability = require_range(
        as_decimal(probability_pct, "probability_pct"), "probability_pct", 0, 100, "%"
    )
    key = outcome.strip().lower()
    if key not in ("mof", "hip"):
        raise ValueError(f"outcome must be 'mof' or 'hip' (got {outcome!r})")
    dose = _dose(prednisolone_mg_per_day)
    band = _band(dose)
    column = frax_age_column(age_years) if age_years is not None else None
    if band == "medium" or dose == 0:
        return probability
    by_age, all_ages = FRAX_GC_ADJUSTMENT_PCT[(key, band)]
    pct = all_ages if column is None else by_age[FRAX_GC_AGE_COLUMNS.index(column)]
    with exact_context():
        adjusted = probability * (100 + pct) / 100
    return min(adjusted, Decimal(100))


# BNF chapter 6 table (via NHS formularies): the dose of each drug equivalent to 5 mg of
# prednisolone. Factors are 5 / dose, applied as dose × 5 / equivalent so that fractions
# such as dexamethasone's 5/0.75 stay exact for ordinary doses (1.5 mg → 10 mg exactly).
_EQUIVALENT_TO_5_MG: Mapping[str, Decimal] = MappingProxyType(
    {
        "prednisolone": Decimal(5),
        "prednisone": Decimal(5),
        "methylprednisolone": Decimal(4),
        "triamcinolone": Decimal(4),
        "hydrocortisone": Decimal(20),
        "cortisone": Decimal(25),
        "cortisone acetate": Decimal(25),
        "dexamethasone": Decimal("0.75"),
        "betamethasone": Decimal("0.75"),
        "deflazacort": Decimal(6),
    }
)


def _factor(equivalent: Decimal) -> Decimal:
    with exact_context():
        return Decimal(5) / equivalent


PREDNISOLONE_EQUIVALENCE: Mapping[str, Decimal] = MappingProxyType(
    {drug: _factor(equivalent) for drug, equivalent in _EQUIVALENT_TO_5_MG.items()}
)
"""mg of prednisolone per mg of each drug (BNF): dexamethasone 6.67, hydrocortisone 0.25…"""


def prednisolone_equivalent(drug: str, dose_mg: Number) -> Decimal:
    """The prednisolone-equivalent dose of ``dose_mg`` of a systemic glucocorticoid.

    Source: BNF chapter 6 equivalence table (anti-inflammatory potency only; it ignores
    mineralocorticoid effects; some US tables give betamethasone 0.6 mg). Drug names are
    case-insensitive; "cortisone" and "cortisone acetate" are the same entry.
    """
    name = " ".join(drug.strip().lower().split())
    equivalent = _EQUIVALENT_TO_5_MG.get(name)
    if equivalent is None:
        known = ", ".join(_EQUIVALENT_TO_5_MG)
        raise ValueError(f"drug {drug!r} has no prednisolone equivalence; known drugs: {known}")
    dose = require_range(as_decimal(dose_mg, "dose_mg"), "dose_mg", 0, 1000, "mg")
    with exact_context():
        return dose * 5 / equivalent
