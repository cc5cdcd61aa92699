"""Censored values (``<20``, ``>=2000``): read from facts, compared in three values as the
interval they allow, converted by their limit, shown as entered, and never used as an
exact input of a derived quantity."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility import FactsError, ProtocolDefinition, evaluate, load_definition, load_facts
from eligibility.censored import bounds, comparator_of, split_comparator

from .helpers import SCREENING

Small = Callable[..., ProtocolDefinition]
DAY = "2026-11-12"


def hbv(value: str, unit: str = "IU/mL", **extra: Any) -> dict[str, Any]:
    return {"labs": [{"code": "hbv_dna", "value": value, "unit": unit, "date": DAY, **extra}]}


def judge(definition: ProtocolDefinition, data: dict[str, Any]) -> Any:
    return evaluate(definition, load_facts(data), SCREENING).criteria[0]


# -- reading them ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "comparator", "number"),
    [
        ("<20", "<", "20"),
        ("< 20", "<", "20"),
        ("<=20", "<=", "20"),
        ("≤20", "<=", "20"),
        (">2000", ">", "2000"),
        (">=2000", ">=", "2000"),
        ("≥ 2000", ">=", "2000"),
        ("<-2.5", "<", "-2.5"),
        ("95", None, "95"),
    ],
)
def test_facts_read_every_spelling_of_a_censored_value(
    text: str, comparator: str | None, number: str
) -> None:
    assert split_comparator(text) == (comparator, number)
    reading = load_facts(hbv(text)).readings[0]
    assert (reading.comparator, reading.value) == (comparator, D(number))


@pytest.mark.parametrize("text", ["<", "<abc", "<<20", "< 20 IU", "<inf"])
def test_a_comparator_without_a_number_is_refused_naming_the_field(text: str) -> None:
    with pytest.raises(FactsError) as caught:
        load_facts(hbv(text))
    assert "labs[0].value: must be a number, or a number after <, <=, > or >=" in str(caught.value)
    assert repr(text) in str(caught.value)


def test_a_stored_comparator_is_read_back_or_refused() -> None:
    assert comparator_of("") is None
    assert comparator_of("≥") == ">="
    with pytest.raises(ValueError, match="not a comparator"):
        comparator_of("<20")


# -- the spec's examples ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "condition"),
    [
        ("hbv_dna >= 1000 IU/mL", "false"),
        ("hbv_dna < 1000 IU/mL", "true"),
        ("hbv_dna >= 10 IU/mL", "unknown"),
        # Some values below 20 are below 10 and some are not: unknown, like >= 10.
        ("hbv_dna < 10 IU/mL", "unknown"),
        ("hbv_dna <= 19 IU/mL", "unknown"),  # 19.5 is below 20
        ("hbv_dna < 20 IU/mL", "true"),
        ("hbv_dna >= 20 IU/mL", "false"),
        ("hbv_dna > 19 IU/mL", "unknown"),
        ("hbv_dna = 20 IU/mL", "false"),
        ("hbv_dna between 0 and 20 IU/mL", "true"),
        ("hbv_dna between 0 and 20 IU/mL exclusive", "unknown"),  # 0 is allowed
        ("hbv_dna between 20 and 100 IU/mL", "false"),
    ],
)
def test_below_the_detection_limit_compares_as_its_interval(
    small: Small, rule: str, condition: str
) -> None:
    assert judge(small(rule), hbv("<20")).condition == condition


@pytest.mark.parametrize(
    ("value", "rule", "condition"),
    [
        ("<=20", "hbv_dna <= 20 IU/mL", "true"),
        ("<=20", "hbv_dna < 20 IU/mL", "unknown"),
        ("<=20", "hbv_dna > 20 IU/mL", "false"),
        (">2000", "hbv_dna > 2000 IU/mL", "true"),
        (">2000", "hbv_dna >= 2000 IU/mL", "true"),
        (">2000", "hbv_dna <= 2000 IU/mL", "false"),
        (">2000", "hbv_dna > 5000 IU/mL", "unknown"),
        (">=2000", "hbv_dna > 2000 IU/mL", "unknown"),
        (">=2000", "hbv_dna >= 2000 IU/mL", "true"),
        (">=2000", "hbv_dna < 2000 IU/mL", "false"),
    ],
)
def test_each_comparator_is_exact_about_its_limit(
    small: Small, value: str, rule: str, condition: str
) -> None:
    assert judge(small(rule), hbv(value)).condition == condition


def test_the_reason_shows_the_value_as_entered(small: Small) -> None:
    result = judge(small("hbv_dna >= 1000 IU/mL", "exclusion"), hbv("<20"))
    assert result.outcome == "met"
    assert result.reasons == (
        "HBV DNA <20 IU/mL (below the detection limit) on 2026-11-12 is below 1000 IU/mL",
    )
    above = judge(small("hbv_dna >= 1000 IU/mL"), hbv(">=2000"))
    assert above.reasons[0].startswith(
        "HBV DNA ≥2000 IU/mL (at or above the upper limit of quantification)"
    )


def test_an_undecided_comparison_says_why_and_lists_the_value(small: Small) -> None:
    definition = small("hbv_dna >= 10 IU/mL", "exclusion")
    result = evaluate(definition, load_facts(hbv("<20")), SCREENING)
    c = result.criteria[0]
    assert c.outcome == "unknown"
    assert c.reasons == (
        "HBV DNA <20 IU/mL (below the detection limit) on 2026-11-12; limit ≥ 10 IU/mL",
    )
    assert [m.reason for m in c.missing] == [
        "HBV DNA is below the detection limit (<20 IU/mL), so its exact value is not known"
    ]
    as_json = result.to_dict()
    assert as_json["criteria"][0]["reasons"] == list(c.reasons)
    assert as_json["missing"][0]["code"] == "hbv_dna"


# -- units, limits, reference ranges ----------------------------------------------------

FACTOR = """settings:
  unit_factors:
    - {analyte: hbv_dna, from: IU/mL, to: copies/mL, factor: 5, source: test assay}
"""


def test_a_censored_value_in_another_unit_converts_its_limit_unrounded(small: Small) -> None:
    # <88 copies/mL is <17.6 IU/mL: against ">= 18" that is false, not unknown, and
    # against "< 17.6" true, even though 17.6 rounds to 18 at the quantity's precision.
    assert judge(small("hbv_dna >= 18 IU/mL", extra=FACTOR), hbv("<88", "copies/mL")).condition == (
        "false"
    )
    result = judge(small("hbv_dna >= 17 IU/mL", extra=FACTOR), hbv("<88", "copies/mL"))
    assert result.condition == "unknown"
    assert result.reasons[0].startswith(
        "HBV DNA <17.6 IU/mL (entered as <88 copies/mL) (below the detection limit)"
    )


def test_a_limit_outside_the_possible_range_is_not_used(small: Small) -> None:
    result = judge(small("hbv_dna < 10 IU/mL"), hbv("<0"))
    assert result.condition == "unknown"
    assert "HBV DNA <0 IU/mL is outside the possible range 0– IU/mL" in result.reasons[0]
    result = judge(
        small("alt < 10 U/L"),
        {"labs": [{"code": "alt", "value": ">60000", "unit": "U/L", "date": DAY}]},
    )
    assert "outside the possible range" in result.reasons[0]


def test_times_the_upper_limit_of_normal_uses_the_bound(small: Small) -> None:
    def alt(value: str) -> dict[str, Any]:
        ref = {"lln": "7", "uln": "40"}
        return {
            "labs": [
                {"code": "alt", "value": value, "unit": "U/L", "date": DAY, "reference_range": ref}
            ]
        }

    rule = small("alt >= 3 x ULN", "exclusion")
    assert judge(rule, alt(">=120")).condition == "true"
    assert judge(rule, alt("<100")).condition == "false"
    undecided = judge(rule, alt(">100"))
    assert undecided.condition == "unknown"
    assert undecided.reasons == (
        "ALT >100 U/L (above the upper limit of quantification) on 2026-11-12 (ULN 40 U/L); "
        "limit ≥ 3 × ULN (120 U/L)",
    )


@pytest.mark.parametrize(
    ("value", "check", "condition"),
    [
        ("<5", "alt below LLN", "true"),
        ("<7", "alt below LLN", "true"),
        ("<=7", "alt below LLN", "unknown"),
        ("<5", "alt within reference range", "false"),
        ("<30", "alt within reference range", "unknown"),
        (">40", "alt above ULN", "true"),
        (">40", "alt outside reference range", "true"),
        ("<30", "alt above ULN", "false"),
    ],
)
def test_reference_range_checks_use_the_bound(
    small: Small, value: str, check: str, condition: str
) -> None:
    ref = {"lln": "7", "uln": "40"}
    data = {
        "labs": [
            {"code": "alt", "value": value, "unit": "U/L", "date": DAY, "reference_range": ref}
        ]
    }
    assert judge(small(check), data).condition == condition


def test_min_and_max_take_a_censored_value_by_its_interval(small: Small) -> None:
    data = {
        "labs": [
            {"code": "alt", "value": "<20", "unit": "U/L", "date": DAY},
            {"code": "ast", "value": "30", "unit": "U/L", "date": DAY},
        ]
    }
    assert judge(small("max(alt, ast) <= 30 U/L"), data).condition == "true"
    assert judge(small("max(alt, ast) < 30 U/L"), data).condition == "false"
    assert judge(small("min(alt, ast) < 20 U/L"), data).condition == "true"
    assert judge(small("min(alt, ast) < 10 U/L"), data).condition == "unknown"


def test_a_derived_quantity_from_a_censored_input_is_unknown_with_the_reason(
    small: Small,
) -> None:
    data = {
        "labs": [
            {"code": "fasting_glucose", "value": "5.5", "unit": "mmol/L", "date": DAY},
            {"code": "fasting_insulin", "value": "<2", "unit": "µU/mL", "date": DAY},
        ]
    }
    result = judge(small("homa_ir > 2.5"), data)
    assert result.condition == "unknown"
    assert result.reasons[0].startswith(
        "HOMA-IR cannot be calculated: Fasting insulin is below the detection limit (<2 µU/mL), "
        "so its exact value is not known"
    )
    assert [m.code for m in result.missing] == ["fasting_insulin"]


# -- property: the answer agrees with the set of values the censored value allows ------

OPS = ["<", "<=", ">", ">=", "="]
COMPARATORS = ["<", "<=", ">", ">="]
numbers = st.integers(min_value=0, max_value=60).map(lambda n: D(n) / 2)  # 0 to 30 by 0.5


def holds(x: D, op: str, t: D) -> bool:
    return {
        "<": x < t,
        "<=": x <= t,
        ">": x > t,
        ">=": x >= t,
        "=": x == t,
    }[op]


def witnesses(comparator: str, limit: D, threshold: D, low: D) -> list[D]:
    """Values the censored value allows, one in every piece the limit, the threshold and
    the possible range cut the line into (the comparison is constant between them)."""
    lo, lo_open, hi, hi_open = bounds(comparator, limit, low, None)  # type: ignore[arg-type]
    points = sorted({limit, threshold, low})
    cuts = points + [p + D("0.25") for p in points] + [p - D("0.25") for p in points]
    cuts += [points[-1] + 10]

    def allowed(x: D) -> bool:
        above = lo is None or x > lo or (x == lo and not lo_open)
        below = hi is None or x < hi or (x == hi and not hi_open)
        return above and below

    return [x for x in cuts if allowed(x)]


@settings(max_examples=200, deadline=None)
@given(
    comparator=st.sampled_from(COMPARATORS),
    limit=numbers.filter(lambda n: n > 0),
    op=st.sampled_from(OPS),
    threshold=numbers,
)
def test_the_answer_is_true_iff_every_allowed_value_passes(
    comparator: str, limit: D, op: str, threshold: D
) -> None:
    # Fasting insulin has a possible range from 0 µU/mL; the half steps are exact.
    definition = _definition(op, threshold)
    data = {
        "labs": [
            {
                "code": "fasting_insulin",
                "value": f"{comparator}{limit}",
                "unit": "µU/mL",
                "date": DAY,
            }
        ]
    }
    got = judge(definition, data).condition
    passing = [holds(x, op, threshold) for x in witnesses(comparator, limit, threshold, D(0))]
    expected = "true" if all(passing) else "false" if not any(passing) else "unknown"
    assert got == expected, (comparator, limit, op, threshold)


_CACHE: dict[tuple[str, D], ProtocolDefinition] = {}


def _definition(op: str, threshold: D) -> ProtocolDefinition:
    key = (op, threshold)
    if key not in _CACHE:
        _CACHE[key] = load_definition(
            "format: eligo-protocol/1\ntrial: {code: T1, title: T}\nprotocol_version: '1'\n"
            "criteria:\n  - {id: I1, kind: inclusion, text: t, "
            f"rule: 'fasting_insulin {op} {threshold} µU/mL'}}\n"
        )
    return _CACHE[key]


def test_the_screening_date_does_not_change_a_censored_comparison(small: Small) -> None:
    definition = small("hbv_dna < 1000 IU/mL")
    for on in (date(2026, 11, 12), date(2026, 12, 1)):
        assert evaluate(definition, load_facts(hbv("<20")), on).criteria[0].condition == "true"
