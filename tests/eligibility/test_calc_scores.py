"""Padua Prediction Score and Caprini (2005) score."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eligibility.calculators import (
    CAPRINI_2005_ITEMS,
    CAPRINI_2005_WOMEN_ONLY,
    PADUA_HIGH_RISK_FROM,
    PADUA_ITEMS,
    caprini_2005,
    caprini_age_item,
    caprini_risk_category,
    padua,
    padua_items_from,
)

# --- Padua ----------------------------------------------------------------------------


def test_padua_items_carry_the_published_points() -> None:
    points = {code: item[0] for code, item in PADUA_ITEMS.items()}
    assert points == {
        "active_cancer": 3,
        "previous_vte": 3,
        "reduced_mobility": 3,
        "thrombophilia": 3,
        "recent_trauma_or_surgery": 2,
        "age_70_or_over": 1,
        "heart_or_respiratory_failure": 1,
        "acute_mi_or_ischaemic_stroke": 1,
        "acute_infection_or_rheumatologic": 1,
        "obesity_bmi_30": 1,
        "hormonal_treatment": 1,
    }


def test_padua_with_every_item_is_20() -> None:
    assert padua(PADUA_ITEMS) == 20


def test_padua_with_no_items_is_0() -> None:
    assert padua([]) == 0


def test_padua_sums_the_items_present() -> None:
    assert padua(["active_cancer", "age_70_or_over"]) == PADUA_HIGH_RISK_FROM


def test_padua_counts_a_duplicated_item_once() -> None:
    assert padua(["previous_vte", "previous_vte"]) == 3


def test_padua_refuses_an_unknown_item_naming_it() -> None:
    with pytest.raises(ValueError, match=r"unknown Padua item 'cancer'"):
        padua(["cancer", "previous_vte"])


def test_padua_refuses_a_bare_string() -> None:
    with pytest.raises(ValueError, match=r"not one string"):
        padua("previous_vte")


@pytest.mark.parametrize(
    ("age", "bmi", "items"),
    [
        (69, Decimal("29.99"), set()),
        (70, Decimal(30), {"age_70_or_over", "obesity_bmi_30"}),  # both thresholds are ≥
        (85, None, {"age_70_or_over"}),
        (None, Decimal("31.2"), {"obesity_bmi_30"}),
        (None, None, set()),
    ],
)
def test_padua_items_derived_from_age_and_bmi(
    age: int | None, bmi: Decimal | None, items: set[str]
) -> None:
    assert padua_items_from(age, bmi) == items


def test_padua_derivation_refuses_an_impossible_age() -> None:
    with pytest.raises(ValueError, match=r"age_years must be between 0 and 130 years"):
        padua_items_from(-1, None)


@given(st.sets(st.sampled_from(sorted(PADUA_ITEMS))))
def test_padua_stays_between_0_and_20(items: set[str]) -> None:
    assert 0 <= padua(items) <= 20


@given(st.sets(st.sampled_from(sorted(PADUA_ITEMS))), st.sampled_from(sorted(PADUA_ITEMS)))
def test_adding_a_padua_item_never_lowers_the_score(items: set[str], extra: str) -> None:
    assert padua(items | {extra}) >= padua(items)


# --- Caprini 2005 ---------------------------------------------------------------------


def test_caprini_has_every_item_of_the_2005_form_with_its_points() -> None:
    by_points: dict[int, int] = {}
    for points, _label in CAPRINI_2005_ITEMS.values():
        by_points[points] = by_points.get(points, 0) + 1
    assert by_points == {1: 17, 2: 8, 3: 10, 5: 5}


def test_caprini_flags_the_three_women_only_items() -> None:
    assert sorted(CAPRINI_2005_WOMEN_ONLY) == [
        "adverse_obstetric_history",
        "oral_contraceptives_or_hrt",
        "pregnancy_or_postpartum",
    ]
    assert all(CAPRINI_2005_ITEMS[code][0] == 1 for code in CAPRINI_2005_WOMEN_ONLY)


@pytest.mark.parametrize(
    ("age", "item"),
    [
        (40, None),
        (41, "age_41_60"),
        (60, "age_41_60"),  # the printed form's "60-74" overlap is resolved to 61–74
        (61, "age_61_74"),
        (74, "age_61_74"),
        (75, "age_75_or_over"),
        (99, "age_75_or_over"),
        (0, None),
    ],
)
def test_caprini_age_bands(age: int, item: str | None) -> None:
    assert caprini_age_item(age) == item


def test_caprini_age_items_carry_1_2_and_3_points() -> None:
    assert [CAPRINI_2005_ITEMS[c][0] for c in ("age_41_60", "age_61_74", "age_75_or_over")] == [
        1,
        2,
        3,
    ]


def test_caprini_sums_the_items_present() -> None:
    items = ["age_61_74", "major_surgery", "history_of_dvt_pe"]
    assert caprini_2005(items) == 7
    assert caprini_risk_category(caprini_2005(items)) == "highest"


def test_caprini_counts_a_duplicated_item_once() -> None:
    assert caprini_2005(["varicose_veins", "varicose_veins"]) == 1


def test_caprini_refuses_two_age_items() -> None:
    with pytest.raises(ValueError, match=r"only one Caprini age item.*age_41_60, age_61_74"):
        caprini_2005(["age_41_60", "age_61_74"])


def test_caprini_refuses_women_only_items_for_a_man() -> None:
    with pytest.raises(ValueError, match=r"pregnancy_or_postpartum apply to women only"):
        caprini_2005(["pregnancy_or_postpartum"], sex="M")


def test_caprini_accepts_women_only_items_for_a_woman_or_unknown_sex() -> None:
    assert caprini_2005(["oral_contraceptives_or_hrt"], sex="F") == 1
    assert caprini_2005(["oral_contraceptives_or_hrt"]) == 1


def test_caprini_refuses_an_unknown_sex() -> None:
    with pytest.raises(ValueError, match=r"sex must be 'F' or 'M' \(got 'X'\)"):
        caprini_2005([], sex="X")


def test_caprini_refuses_an_unknown_item_naming_it() -> None:
    with pytest.raises(ValueError, match=r"unknown Caprini item 'obesity'"):
        caprini_2005(["obesity"])


@pytest.mark.parametrize(
    ("score", "category"),
    [(0, "low"), (1, "low"), (2, "moderate"), (3, "high"), (4, "high"), (5, "highest")],
)
def test_caprini_2005_categories(score: int, category: str) -> None:
    assert caprini_risk_category(score) == category


def test_caprini_category_refuses_a_negative_score() -> None:
    with pytest.raises(ValueError, match=r"score must be a whole number of points"):
        caprini_risk_category(-1)


non_age_items = sorted(set(CAPRINI_2005_ITEMS) - {"age_41_60", "age_61_74", "age_75_or_over"})


@given(st.sets(st.sampled_from(non_age_items)), st.integers(0, 120))
def test_caprini_with_the_derived_age_item_adds_its_points(items: set[str], age: int) -> None:
    age_item = caprini_age_item(age)
    with_age = items | ({age_item} if age_item else set())
    extra = CAPRINI_2005_ITEMS[age_item][0] if age_item else 0
    assert caprini_2005(with_age) == caprini_2005(items) + extra


def test_the_documentation_lists_every_item_code_with_its_points() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "calculators.md").read_text()
    for code, (points, _label) in {**PADUA_ITEMS, **CAPRINI_2005_ITEMS}.items():
        assert f"| `{code}` | {points} |" in docs, code
