"""Venous thromboembolism risk scores: Padua (2010) and Caprini (2005 form).

Items are stable codes (``previous_vte``), each with its points and the label printed on
the form. A score is the sum of the points of the distinct items present; an item given
twice counts once. Unknown codes are refused rather than ignored, so a misspelt item can
never lower a score silently.

Items derived from numbers (age, BMI) have helpers; a missing number derives nothing, so
the caller must itself treat a missing fact as unknown rather than as "no".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType

from eligibility.calc_numbers import as_decimal, require_range

PADUA_SOURCE = "Barbar S et al., J Thromb Haemost 2010;8:2450-7"
PADUA_HIGH_RISK_FROM = 4
"""A Padua score of 4 or more means high VTE risk (Barbar 2010)."""

PADUA_ITEMS: Mapping[str, tuple[int, str]] = MappingProxyType(
    {
        "active_cancer": (
            3,
            "Active cancer (local or distant metastases and/or chemo- or radiotherapy "
            "in the previous 6 months)",
        ),
        "previous_vte": (3, "Previous VTE (excluding superficial vein thrombosis)"),
        "reduced_mobility": (3, "Reduced mobility (bed rest with bathroom privileges ≥3 days)"),
        "thrombophilia": (
            3,
            "Already known thrombophilic condition (antithrombin, protein C or S defects, "
            "factor V Leiden, prothrombin G20210A, antiphospholipid syndrome)",
        ),
        "recent_trauma_or_surgery": (2, "Recent (≤1 month) trauma and/or surgery"),
        "age_70_or_over": (1, "Elderly age (≥70 years)"),
        "heart_or_respiratory_failure": (1, "Heart and/or respiratory failure"),
        "acute_mi_or_ischaemic_stroke": (1, "Acute myocardial infarction and/or ischaemic stroke"),
        "acute_infection_or_rheumatologic": (1, "Acute infection and/or rheumatologic disorder"),
        "obesity_bmi_30": (1, "Obesity (BMI ≥30)"),
        "hormonal_treatment": (1, "Ongoing hormonal treatment"),
    }
)


def _distinct_known(
    items: Iterable[str], table: Mapping[str, tuple[int, str]], score: str
) -> set[str]:
    if isinstance(items, str):
        # A bare string would be read letter by letter.
        raise ValueError(f"items must be a collection of {score} item codes, not one string")
    codes = set(items)
    unknown = sorted(code for code in codes if code not in table)
    if unknown:
        raise ValueError(
            f"unknown {score} item {', '.join(map(repr, unknown))}; known items: {', '.join(table)}"
        )
    return codes


def padua(items: Iterable[str]) -> int:
    """Padua Prediction Score: the sum of the points of the items present (0–20).

    Source: Barbar 2010 (:data:`PADUA_SOURCE`); item codes in :data:`PADUA_ITEMS`.
    """
    return sum(PADUA_ITEMS[code][0] for code in _distinct_known(items, PADUA_ITEMS, "Padua"))


def padua_items_from(age_years: int | None, bmi: Decimal | None) -> set[str]:
    """The Padua items that age and BMI establish: ``age_70_or_over`` (age ≥ 70, as in
    Barbar 2010; one reproduction prints ">70") and ``obesity_bmi_30`` (BMI ≥ 30).

    ``None`` derives nothing; the caller reports that fact as unknown.
    """
    items: set[str] = set()
    if age_years is not None:
        age = require_range(as_decimal(age_years, "age_years"), "age_years", 0, 130, "years")
        if age >= 70:
            items.add("age_70_or_over")
    if bmi is not None:
        value = require_range(as_decimal(bmi, "bmi"), "bmi", 5, 250, "kg/m²")
        if value >= 30:
            items.add("obesity_bmi_30")
    return items


CAPRINI_SOURCE = (
    "Caprini JA, Dis Mon 2005;51:70-8, 2005 Thrombosis Risk Factor Assessment form "
    "(as reproduced in Head & Neck Cancers 2016, s41199-016-0014-9)"
)

_CAPRINI: tuple[tuple[int, tuple[tuple[str, str], ...]], ...] = (
    (
        1,
        (
            ("age_41_60", "Age 41–60 years"),
            ("minor_surgery_planned", "Minor surgery planned"),
            ("prior_major_surgery", "History of prior major surgery (<1 month)"),
            ("varicose_veins", "Varicose veins"),
            ("inflammatory_bowel_disease", "History of inflammatory bowel disease"),
            ("swollen_legs", "Swollen legs (current)"),
            ("obesity_bmi_over_25", "Obesity (BMI >25)"),
            ("acute_mi", "Acute myocardial infarction"),
            ("chf", "Congestive heart failure (<1 month)"),
            ("sepsis", "Sepsis (<1 month)"),
            ("serious_lung_disease", "Serious lung disease incl. pneumonia (<1 month)"),
            ("abnormal_pulmonary_function", "Abnormal pulmonary function (COPD)"),
            ("medical_patient_at_bed_rest", "Medical patient currently at bed rest"),
            ("other_risk_factors", "Other risk factors"),
            ("oral_contraceptives_or_hrt", "Oral contraceptives or hormone replacement therapy"),
            ("pregnancy_or_postpartum", "Pregnancy or postpartum (<1 month)"),
            (
                "adverse_obstetric_history",
                "History of unexplained stillborn infant, recurrent spontaneous abortion (≥3), "
                "premature birth with toxaemia or growth-restricted infant",
            ),
        ),
    ),
    (
        2,
        (
            ("age_61_74", "Age 61–74 years"),
            ("arthroscopic_surgery", "Arthroscopic surgery"),
            ("malignancy", "Malignancy (present or previous)"),
            ("major_surgery", "Major surgery (>45 minutes)"),
            ("laparoscopic_surgery", "Laparoscopic surgery (>45 minutes)"),
            ("confined_to_bed", "Patient confined to bed (>72 hours)"),
            ("immobilizing_plaster_cast", "Immobilizing plaster cast (<1 month)"),
            ("central_venous_access", "Central venous access"),
        ),
    ),
    (
        3,
        (
            ("age_75_or_over", "Age 75 years or over"),
            ("history_of_dvt_pe", "History of DVT/PE"),
            ("family_history_of_thrombosis", "Family history of thrombosis"),
            ("factor_v_leiden", "Positive factor V Leiden"),
            ("prothrombin_20210a", "Positive prothrombin 20210A"),
            ("elevated_homocysteine", "Elevated serum homocysteine"),
            ("lupus_anticoagulant", "Positive lupus anticoagulant"),
            ("elevated_anticardiolipin", "Elevated anticardiolipin antibodies"),
            ("hit", "Heparin-induced thrombocytopenia (HIT)"),
            ("other_thrombophilia", "Other congenital or acquired thrombophilia"),
        ),
    ),
    (
        5,
        (
            (
                "elective_lower_extremity_arthroplasty",
                "Elective major lower extremity arthroplasty",
            ),
            ("hip_pelvis_or_leg_fracture", "Hip, pelvis or leg fracture (<1 month)"),
            ("stroke", "Stroke (<1 month)"),
            ("multiple_trauma", "Multiple trauma (<1 month)"),
            ("acute_spinal_cord_injury", "Acute spinal cord injury (paralysis) (<1 month)"),
        ),
    ),
)

CAPRINI_2005_ITEMS: Mapping[str, tuple[int, str]] = MappingProxyType(
    {code: (points, label) for points, group in _CAPRINI for code, label in group}
)

CAPRINI_2005_WOMEN_ONLY: frozenset[str] = frozenset(
    {"oral_contraceptives_or_hrt", "pregnancy_or_postpartum", "adverse_obstetric_history"}
)

CAPRINI_AGE_ITEMS: tuple[str, ...] = ("age_41_60", "age_61_74", "age_75_or_over")


def caprini_age_item(age_years: int) -> str | None:
    """The Caprini age item for ``age_years``: 41–60, 61–74, 75 or over; ``None`` to 40.

    The printed 2005 form says "Age 60-74", overlapping "41-60" at 60; Eligo follows the
    reproductions that use 61–74. "Age 75 years" on the form means 75 or over.
    """
    age = require_range(as_decimal(age_years, "age_years"), "age_years", 0, 130, "years")
    if age >= 75:
        return "age_75_or_over"
    if age >= 61:
        return "age_61_74"
    if age >= 41:
        return "age_41_60"
    return None


def caprini_2005(items: Iterable[str], *, sex: str | None = None) -> int:
    """Caprini score, 2005 form: the sum of the points of the items present.

    At most one age item may be given. Women-only items with ``sex="M"`` are refused;
    with ``sex`` ``None`` they are accepted as given. Source: :data:`CAPRINI_SOURCE`.
    """
    codes = _distinct_known(items, CAPRINI_2005_ITEMS, "Caprini")
    ages = sorted(codes.intersection(CAPRINI_AGE_ITEMS))
    if len(ages) > 1:
        raise ValueError(f"only one Caprini age item may be given (got {', '.join(ages)})")
    if sex is not None:
        normalised = sex.strip().upper()
        if normalised not in ("F", "M"):
            raise ValueError(f"sex must be 'F' or 'M' (got {sex!r})")
        women_only = sorted(codes & CAPRINI_2005_WOMEN_ONLY)
        if normalised == "M" and women_only:
            raise ValueError(f"Caprini items {', '.join(women_only)} apply to women only")
    return sum(CAPRINI_2005_ITEMS[code][0] for code in codes)


def caprini_risk_category(score: int) -> str:
    """2005 categories: 0–1 ``"low"``, 2 ``"moderate"``, 3–4 ``"high"``, ≥5 ``"highest"``."""
    if isinstance(score, bool) or not isinstance(score, int) or score < 0:
        raise ValueError(f"score must be a whole number of points, 0 or more (got {score!r})")
    if score >= 5:
        return "highest"
    if score >= 3:
        return "high"
    return "moderate" if score == 2 else "low"
