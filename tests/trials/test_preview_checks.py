"""Draft warnings: numbers the verbatim text and the rule do not share."""

from __future__ import annotations

from pathlib import Path

import pytest

from eligibility import load_definition
from trials.checks import (
    CriterionWarning,
    canonical,
    compare_numbers,
    criterion_warnings,
    definition_warnings,
)

ROOT = Path(__file__).resolve().parents[2]


def _both(text: str, rule: str, **kwargs: object) -> tuple[tuple[str, ...], tuple[str, ...]]:
    found = compare_numbers(text, rule, **kwargs)  # type: ignore[arg-type]
    return found.text_only, found.rule_only


def test_a_threshold_changed_in_the_rule_only_shows_on_both_sides() -> None:
    assert _both(
        "Female, aged 45 to 85 years.", "sex is female and age between 45 and 80 years"
    ) == (
        ("85",),
        ("80",),
    )


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        # decimals and the multiplication sign
        ("ALP or total bilirubin ≥1.5×ULN", "alp >= 1.5 x ULN or total_bilirubin >= 1.5 x ULN"),
        ("ALT and/or AST≥ 2.5 times the upper limit of normal", "alt >= 2.5 × ULN"),
        # a Unicode minus, an en dash used as one, and a hyphen
        ("T-score < −3.0 at the lumbar spine (L1-L4)", "t_score_lumbar_spine < -3.0"),
        ("T-score ≤ –2.5", "t_score_total_hip <= -2.5"),
        # trailing zeros do not make another number
        ("TSH >10.0 μIU/mL", "tsh > 10 µIU/mL"),
        # percentages, with and without a space
        ("a 10-year risk of major osteoporotic fracture >30%", "frax_mof > 30 %"),
        # ranges with an en dash, a hyphen, or glued to the unit
        ("Aged 35–65 years", "age between 35 and 65 years"),
        (
            "PPG 7.8-11.0mmol/L 2h postprandial",
            "glucose_2h_postprandial between 7.8 and 11.0 mmol/L",
        ),
        # thousands separators
        ("HBV-DNA ≥1,000 copies (cps)/mL", "hbv_dna >= 1000 copies/mL"),
        # list numbering: "(8)", "6,", "9."
        ("(8) Drug or alcohol abuse: >2 drinks per day", "alcohol_drinks_per_day > 2 drinks/day"),
        ("6, the subject's HIV antibody positive", "hiv_antibody is positive"),
        ("9. Pregnant and lactating women", "pregnant is yes or lactating is yes"),
        ("Items: (1) pregnancy; (2) lactation", "pregnant is yes or lactating is yes"),
        # dates and calendar years
        ("Vaccinated since 1 January 2021 or on 2024-03-15", "history of vaccination"),
        ("Any infection since March 2020 (COVID-19)", "history of infection"),
        ("eGFR (CKD-EPI 2021) <60 mL/min/1.73 m²", "egfr < 60 mL/min/1.73m2"),
        # the 1.73 m² of the unit is not a threshold the text must repeat
        ("eGFR below 60 mL/min", "egfr < 60 mL/min/1.73m2"),
        # names with digits
        ("HIV-1/2 antibody, free T4 or HbA1c abnormal", "hiv_antibody is positive"),
        ("Platelets < 100 × 10⁹/L", "platelets < 100 x10^9/L"),
        # "the past year" is 12 months; number words cover a rule's number
        ("Denosumab within the past year", "last dose of rankl_inhibitor within 12 months"),
        ("Surgery within the past six months", "history of major_surgery within 6 months"),
        ("Fewer than two lumbar vertebrae measurable", "dxa_measurable_vertebrae < 2"),
        ("ALT at least twice the upper limit of normal.", "alt >= 2 x ULN"),
        ("at least one of the following: a, b", "any of (a is yes, b is yes)"),
        ("Treatment for ≥1 year", "cumulative use of oral bisphosphonate >= 12 months"),
        # the digits of a code a rule names
        ("A pregnancy planned in the next 2 years", "pregnancy_plan_2_years is yes"),
        # a comment in the rule is not a threshold
        ("Age 18 or over", "age >= 18 years  # 16 in the UK sites"),
    ],
)
def test_the_same_numbers_written_differently_raise_nothing(text: str, rule: str) -> None:
    assert _both(text, rule) == ((), ())


@pytest.mark.parametrize(
    ("text", "rule", "expected"),
    [
        ("T-score < −3.0", "t_score_lumbar_spine < 3.0", (("-3.0",), ("3.0",))),
        ("T-score < −3.0", "t_score_lumbar_spine < -2.5", (("-3.0",), ("-2.5",))),
        ("Within the past year", "last dose of rankl_inhibitor within 6 months", ((), ("6",))),
        ("ALT at least twice the ULN", "alt >= 3 x ULN", ((), ("3",))),
        ("Aged 35–65", "age between 35 and 70 years", (("65",), ("70",))),
        ("HbA1c ≥ 6.5%", "hba1c >= 6.4 %", (("6.5",), ("6.4",))),
        ("Creatinine ≥ 1,500 µmol/L", "creatinine >= 150 µmol/L", (("1,500",), ("150",))),
        # a year after a comparison is a threshold, not a date
        ("Count ≥ 2000 per µL", "count_x >= 200", (("2000",), ("200",))),
    ],
)
def test_numbers_on_one_side_only_are_named_as_written(
    text: str, rule: str, expected: tuple[tuple[str, ...], tuple[str, ...]]
) -> None:
    assert _both(text, rule) == expected


def test_a_question_the_rule_asks_brings_its_numbers_with_it() -> None:
    text = "Malignancy not cured for at least 5 years."
    rule = "malignancy_or_disability is yes"
    assert _both(text, rule) == (("5",), ())
    question = "Current malignancy, or malignancy not cured for at least 5 years?"
    assert _both(text, rule, rule_context=[question]) == ((), ())


def test_an_investigators_judgment_reads_the_text_as_written() -> None:
    text = "Alcohol abuse within 12 months, as determined by the investigator."
    assert _both(text, "substance_abuse is yes", judged=True) == ((), ())
    # ... but a threshold the rule adds is still one the text should state
    assert _both(text, "substance_abuse is yes and age > 70 years", judged=True) == ((), ("70",))


def test_a_criterion_without_a_rule_is_warned_about() -> None:
    assert criterion_warnings(criterion_id="E3", text="Anything.", rule="  ") == (
        CriterionWarning("E3", "no_rule"),
    )


def test_warnings_say_what_differs() -> None:
    warnings = criterion_warnings(
        criterion_id="I2", text="Aged 45 to 85 years", rule="age between 45 and 80 years"
    )
    assert [w.message for w in warnings] == [
        "The text states 85; the rule does not.",
        "The rule uses 80; the text does not state it.",
    ]


def test_canonical_numbers() -> None:
    assert [canonical(n) for n in ("11.0", "10", "-3.0", "1,000", "0.50", "-0")] == [
        "11",
        "10",
        "-3",
        "1000",
        "0.5",
        "0",
    ]


def _seed(name: str) -> str:
    return (ROOT / "protocols" / name).read_text(encoding="utf-8")


def test_the_seed_protocols_have_few_warnings_each_explainable() -> None:
    # hMSC100 E1: the 24 hours without calcium supplements is a sampling instruction,
    # followed by the site (the criterion's note), not a rule.
    hmsc = definition_warnings(load_definition(_seed("hmsc100.yaml")))
    assert hmsc == {"E1": (CriterionWarning("E1", "text_number", ("24",)),)}
    # NCT06495437 E8: the protocol's drink (150 mL wine, 350 mL beer, 50 mL of "80% (40
    # proof)" spirits, itself a slip for 40% / 80 proof); the rule counts drinks.
    nct = definition_warnings(load_definition(_seed("nct06495437.yaml")))
    assert nct == {"E8": (CriterionWarning("E8", "text_number", ("150", "350", "50", "80", "40")),)}


def test_a_rule_amended_without_its_text_is_caught_in_a_seed_protocol() -> None:
    text = _seed("hmsc100.yaml").replace("age between 45 and 85 years", "age <= 80 years")
    warnings = definition_warnings(load_definition(text))
    assert warnings["I2"] == (
        CriterionWarning("I2", "text_number", ("45", "85")),
        CriterionWarning("I2", "rule_number", ("80",)),
    )


def test_judgment_criteria_of_the_seeds_raise_nothing() -> None:
    # hMSC100 E15 and E17 ask only an investigator's judgment.
    text = _seed("hmsc100.yaml").replace(
        "Evidence of alcohol abuse or drug abuse within 12 months",
        "Evidence of alcohol abuse or drug abuse within 18 months",
    )
    assert "E15" not in definition_warnings(load_definition(text))
