"""Every construct of the rule language parses into typed nodes and renders back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility.catalogue import Catalogue
from eligibility.errors import RuleError
from eligibility.parser import parse_rule
from eligibility.render import render
from eligibility.rules import (
    Amount,
    And,
    AtLeast,
    Between,
    BySex,
    Compare,
    CumulativeUse,
    CurrentUse,
    DetailCondition,
    DrugSelector,
    Duration,
    EventCount,
    EventSelector,
    HistoryOf,
    Is,
    LastDose,
    LimitMultiple,
    MinOf,
    Not,
    Or,
    QuantityRef,
    RangeCheck,
    SustainedDose,
    Window,
)

from .helpers import CONSTRUCTS


@pytest.mark.parametrize("text", CONSTRUCTS)
def test_every_construct_parses_and_round_trips_through_its_rendering(
    text: str, catalogue: Catalogue
) -> None:
    tree = parse_rule(text, catalogue)
    assert parse_rule(render(tree), catalogue) == tree


def test_a_comparison_with_units_becomes_a_typed_node(catalogue: Catalogue) -> None:
    assert parse_rule("weight >= 40 kg", catalogue) == Compare(
        QuantityRef("weight"), ">=", Amount(Decimal("40.0"), "kg", Decimal(40), "kg")
    )


def test_a_threshold_written_in_another_unit_converts_to_the_canonical_unit(
    catalogue: Catalogue,
) -> None:
    tree = parse_rule("creatinine >= 133 µmol/L", catalogue)
    assert isinstance(tree, Compare)
    assert tree.right == Amount(Decimal("1.50"), "mg/dL", Decimal(133), "µmol/L")


def test_between_is_inclusive_unless_marked_exclusive(catalogue: Catalogue) -> None:
    inclusive = parse_rule("bmi between 18 and 30 kg/m2", catalogue)
    exclusive = parse_rule("bmi between 18 and 30 kg/m2 exclusive", catalogue)
    assert isinstance(inclusive, Between)
    assert inclusive.inclusive
    assert isinstance(exclusive, Between)
    assert not exclusive.inclusive


def test_reference_range_forms(catalogue: Catalogue) -> None:
    assert parse_rule("alt >= 2 x ULN", catalogue) == Compare(
        QuantityRef("alt"), ">=", LimitMultiple(Decimal(2), "ULN")
    )
    assert parse_rule("tsh below LLN", catalogue) == RangeCheck(QuantityRef("tsh"), "below_lln")


def test_sex_specific_thresholds(catalogue: Catalogue) -> None:
    tree = parse_rule("creatinine >= (male: 1.5 mg/dL, female: 1.4 mg/dL)", catalogue)
    assert isinstance(tree, Compare)
    assert isinstance(tree.right, BySex)
    assert tree.right.male is not None
    assert tree.right.male.value == Decimal("1.50")
    assert tree.right.female is not None
    assert tree.right.female.value == Decimal("1.40")


def test_medication_and_history_constructs(catalogue: Catalogue) -> None:
    assert parse_rule(
        "last dose of intravenous bisphosphonate within 24 months before screening", catalogue
    ) == LastDose(DrugSelector("bisphosphonate", "intravenous"), Window(24, "months"))
    assert parse_rule("cumulative use of oral bisphosphonate >= 3 years", catalogue) == Compare(
        CumulativeUse(DrugSelector("bisphosphonate", "oral")), ">=", Duration(3, "years")
    )
    assert parse_rule("current use of prednisolone", catalogue) == CurrentUse(
        DrugSelector("prednisolone")
    )
    sustained = parse_rule(
        "use of systemic_glucocorticoid at >= 7.5 mg/day prednisolone-equivalent "
        "for more than 3 months ongoing",
        catalogue,
    )
    assert isinstance(sustained, SustainedDose)
    assert (sustained.prednisolone_equivalent, sustained.ongoing) == (True, True)
    assert sustained.duration == Duration(3, "months")
    assert sustained.duration_op == ">"
    assert parse_rule(
        "history of fracture where fragility is yes within 2 years before screening", catalogue
    ) == HistoryOf(
        EventSelector("fracture", (DetailCondition("fragility", ("yes",)),), Window(2, "years"))
    )
    assert parse_rule("count of fracture by distinct site >= 2", catalogue) == Compare(
        EventCount(EventSelector("fracture"), "site"), ">=", Amount(Decimal(2), "", 2, "")
    )


def test_lists_and_precedence(catalogue: Catalogue) -> None:
    a = "sex is female"
    b = "informed_consent is yes"
    c = "hiv_antibody is negative"
    tree = parse_rule(f"{a} or {b} and {c}", catalogue)
    assert isinstance(tree, Or)
    assert isinstance(tree.items[1], And)
    assert isinstance(parse_rule(f"at least 2 of ({a}, {b}, {c})", catalogue), AtLeast)
    assert isinstance(parse_rule(f"none of ({a}, {b})", catalogue), Not)
    assert isinstance(
        parse_rule("min(t_score_total_hip, t_score_femoral_neck) < -2.5", catalogue), Compare
    )
    assert parse_rule(f"any of ({a})", catalogue) == Is("sex", ("female",))
    assert isinstance(
        parse_rule("min(t_score_total_hip) < -2.5", catalogue).left,  # type: ignore[union-attr]
        MinOf,
    )


@pytest.mark.parametrize(
    ("rule", "line", "column", "reason"),
    [
        ("weight >= 40 stone", 1, 11, "stone is not a unit of Body weight"),
        ("weigth >= 40 kg", 1, 1, "unknown quantity 'weigth'"),
        ("weight >= 40", 1, 11, "write the unit of Body weight"),
        ("weight >=", 1, 10, "expected a number"),
        ("sex is female and\n  (weight >= 40 kg", 2, 19, "expected ')'"),
        ("bmi between 30 and 18 kg/m2", 1, 13, "lower bound 30 is above the upper bound 18"),
        ("weight >= 40.25 kg", 1, 11, "more decimal places than Body weight"),
        ("last dose of rankl_inhibitor", 1, 29, "needs a window"),
        (
            "last dose of oral denosumab within 1 year before screening",
            1,
            19,
            "never given by the oral route",
        ),
        (
            "last dose of orally denosumab within 1 year before screening",
            1,
            14,
            "unknown route 'orally'",
        ),
        (
            "last dose of statin within 1 year before screening",
            1,
            14,
            "unknown drug or drug class 'statin'",
        ),
        ("history of fracture where colour is red", 1, 27, "fracture has no detail 'colour'"),
        ("history of fracture within 0 months before screening", 1, 28, "at least 1"),
        (
            "history of fracture within 6 fortnights before screening",
            1,
            30,
            "expected days, weeks, months or years",
        ),
        ("informed_consent is maybe", 1, 21, "expected yes, no"),
        ("weight is heavy", 1, 1, "weight is a number"),
        ("weight >= 2 x ULN", 1, 11, "reference range belongs to a single laboratory test"),
        ("min(weight, bmi) > 3 kg", 1, 1, "min() needs values in one unit"),
        ("at least 3 of (sex is male, sex is female)", 1, 1, "needs at least 3 conditions"),
        ("use of prednisolone at < 5 mg/day for > 3 months", 1, 24, "expected > or >="),
        (
            "use of insulin at >= 10 mg/day prednisolone-equivalent for > 1 month",
            1,
            32,
            "no prednisolone equivalence",
        ),
        ("", 1, 1, "the rule is empty"),
        ("weight >= 40 kg weight", 1, 17, "unexpected 'weight'"),
        ("weight ≥ 40 kg $", 1, 16, "unexpected character '$'"),
    ],
)
def test_broken_rules_fail_with_line_column_and_reason(
    rule: str, line: int, column: int, reason: str, catalogue: Catalogue
) -> None:
    with pytest.raises(RuleError) as caught:
        parse_rule(rule, catalogue)
    assert reason in caught.value.message
    assert (caught.value.line, caught.value.column) == (line, column)


def test_unicode_comparison_signs_are_accepted(catalogue: Catalogue) -> None:
    assert parse_rule("weight ≥ 40 kg", catalogue) == parse_rule("weight >= 40 kg", catalogue)


# -- property: rendering and parsing are inverse -----------------------------------------

atoms = st.sampled_from(CONSTRUCTS[:40])


@st.composite
def rule_texts(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 2 or draw(st.booleans()):
        return draw(atoms)
    items = draw(st.lists(rule_texts(depth + 1), min_size=1, max_size=3))
    form = draw(st.sampled_from(["and", "or", "not", "any", "all", "least"]))
    if form in ("and", "or"):
        return "(" + f" {form} ".join(items) + ")"
    if form == "not":
        return f"not ({items[0]})"
    if form == "least":
        n = draw(st.integers(1, len(items)))
        return f"at least {n} of ({', '.join(items)})"
    return f"{form} of ({', '.join(items)})"


@settings(max_examples=150, deadline=None)
@given(rule_texts())
def test_rendering_any_parsed_rule_parses_back_to_the_same_tree(
    catalogue: Catalogue, text: str
) -> None:
    cat = catalogue
    tree = parse_rule(text, cat)
    assert parse_rule(render(tree), cat) == tree
