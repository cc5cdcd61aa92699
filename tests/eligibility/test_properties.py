"""Properties: forgetting a fact never flips a known outcome; raising ALT never un-excludes."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility import ProtocolDefinition
from eligibility.catalogue import Catalogue
from eligibility.parser import parse_rule
from eligibility.render import render
from eligibility.rules import And, AtLeast, Expr, Not, Or

from .helpers import ANCHORED, CONSTRUCTS, Facts, example, run, set_reading

HMSC = example("hmsc100-eligible.json")
WASHOUT = example("hmsc100-washout.json")


def forget(
    facts: Facts,
    readings: list[int],
    answers: list[str],
    judgments: list[str],
    demographics: list[str],
) -> Facts:
    out = copy.deepcopy(facts)
    labs = out["labs"]
    out["labs"] = [item for i, item in enumerate(labs) if i not in readings]
    out["measurements"] = [
        m for i, m in enumerate(out["measurements"]) if i + len(labs) not in readings
    ]
    for code in answers:
        out["answers"].pop(code, None)
    for code in judgments:
        out["judgments"].pop(code, None)
    for key in demographics:
        out.pop(key, None)
    return out


@settings(max_examples=40, deadline=None)
@given(
    base=st.sampled_from([HMSC, WASHOUT]),
    readings=st.lists(st.integers(0, 25), max_size=6),
    answers=st.lists(st.sampled_from(sorted(HMSC["answers"])), max_size=4),
    judgments=st.lists(st.sampled_from(sorted(HMSC["judgments"])), max_size=2),
    demographics=st.lists(
        st.sampled_from(["sex", "date_of_birth", "medications", "history"]), max_size=2
    ),
)
def test_forgetting_facts_never_flips_a_known_outcome(
    hmsc100: ProtocolDefinition,
    base: Facts,
    readings: list[int],
    answers: list[str],
    judgments: list[str],
    demographics: list[str],
) -> None:
    full = run(hmsc100, base)
    partial = run(hmsc100, forget(base, readings, answers, judgments, demographics))
    for before, after in zip(full.criteria, partial.criteria, strict=True):
        if after.outcome in ("met", "not_met"):
            assert after.outcome == before.outcome, before.id
    if partial.status in ("eligible", "ineligible"):
        assert partial.status == full.status


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 400), st.integers(0, 400))
def test_raising_alt_never_turns_an_exclusion_off(
    hmsc100: ProtocolDefinition, a: int, b: int
) -> None:
    low, high = sorted((a, b))
    facts = example("hmsc100-eligible.json")
    before = run(hmsc100, set_reading(copy.deepcopy(facts), "alt", value=str(low)))
    after = run(hmsc100, set_reading(copy.deepcopy(facts), "alt", value=str(high)))
    if before.criterion("E14").outcome == "not_met":
        assert after.criterion("E14").outcome == "not_met"


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 60))
def test_a_washout_date_is_a_date_on_which_the_criterion_passes(
    hmsc100: ProtocolDefinition, days_ago: int
) -> None:
    from datetime import date, timedelta

    facts = example("hmsc100-eligible.json")
    stop = date(2026, 11, 20) - timedelta(days=days_ago)
    facts["medications"] = [
        {"drug": "teriparatide", "start": "2025-01-01", "stop": stop.isoformat()}
    ]
    result = run(hmsc100, facts)
    eligible_from = result.criterion("E8a").eligible_from
    assert eligible_from is not None
    assert run(hmsc100, facts, on=eligible_from).criterion("E8a").outcome == "met"
    day_before = eligible_from - timedelta(days=1)
    assert run(hmsc100, facts, on=day_before).criterion("E8a").outcome == "not_met"


# Every node type of the language prints back as rule text (render.py has an entry for
# each, checked in test_rule_tree_walkers.py), so no node type is left out here.
def _leaves(catalogue: Catalogue) -> list[Expr]:
    return [parse_rule(text, catalogue) for text in (*CONSTRUCTS, *ANCHORED)]


def _trees(leaves: list[Expr]) -> st.SearchStrategy[Expr]:
    def compound(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
        many = st.lists(children, min_size=2, max_size=3).map(tuple)
        return st.one_of(
            many.map(And),
            many.map(Or),
            children.map(Not),
            many.flatmap(lambda items: st.integers(1, len(items)).map(lambda n: AtLeast(n, items))),
        )

    return st.recursive(st.sampled_from(leaves), compound, max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_rendered_rule_parses_back_to_the_same_tree(
    anchored_catalogue: Catalogue, data: st.DataObject
) -> None:
    """The rule text shown with an explanation keeps the tree's grouping: parentheses
    where precedence needs them (an ``or`` inside an ``and``, a negated compound, a
    nested connective of the same kind), none elsewhere. Windows measured from any anchor
    (a reference date, an event) are among the leaves."""
    catalogue = anchored_catalogue
    tree = data.draw(_trees(_leaves(catalogue)))
    assert parse_rule(render(tree), catalogue) == tree


def test_grouping_is_printed_with_minimal_parentheses(nct: ProtocolDefinition) -> None:
    catalogue = nct.catalogue
    cases = {
        "sex is female and (pregnant is yes or lactating is yes)": None,
        "(sex is female and pregnant is yes) or lactating is yes": (
            "sex is female and pregnant is yes or lactating is yes"
        ),
        "not (sex is female and pregnant is yes)": None,
        "not sex is female and pregnant is yes": None,
        "not not sex is female": None,
        "(sex is female or pregnant is yes) or lactating is yes": None,
    }
    for text, expected in cases.items():
        assert render(parse_rule(text, catalogue)) == (expected or text)
