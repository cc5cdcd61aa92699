"""Every walker over the rule tree handles every node type.

Evaluation, rendering, plain words, form requirements, the parser's units and the
washout search each walk the tree through a table keyed by node type. The node types
are read from :mod:`eligibility.rules` (its ``Expr``, ``Value`` and ``Threshold``
unions), and every such table found in the engine must list every node of its kind: a
node added to the language but forgotten by one walker fails here, not on a screen.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator, Mapping
from itertools import combinations
from typing import Any, get_args

import pytest

import eligibility
from eligibility import ProtocolDefinition, evaluate, explain, load_facts, required_inputs, rules
from eligibility.catalogue import Catalogue
from eligibility.parser import parse_rule
from eligibility.render import render

from .helpers import CONSTRUCTS, NEVER_UNKNOWN, SCREENING

KINDS: Mapping[str, frozenset[type]] = {
    "condition": frozenset(get_args(rules.Expr)),
    "value": frozenset(get_args(rules.Value)),
    "threshold": frozenset(get_args(rules.Threshold)),
}
NODES = frozenset().union(*KINDS.values())

# Dataclasses of the tree that only ever sit inside a node and are never dispatched on.
# A new class in rules.py must be added to a union above or named here.
PARTS = {
    rules.Pos,
    rules.Window,
    rules.Anchor,
    rules.DrugSelector,
    rules.DetailCondition,
    rules.EventSelector,
}

# The walkers, as ``module.table``; each is checked below together with any other table
# keyed by node types that appears in the engine.
WALKERS = {
    "nodes._EVALUATORS",
    "nodes._VALUES",
    "nodes._THRESHOLDS",
    "render._EXPRESSIONS",
    "render._VALUES",
    "render._THRESHOLDS",
    "explain._EXPRESSIONS",
    "explain._VALUES",
    "explain._THRESHOLDS",
    "requirements._NEEDS",
    "requirements._VALUE_NEEDS",
    "parser._QUANTITY_OF",
    "rules._CHILDREN",
    "washout._DATED",
}


def _tables() -> Iterator[tuple[str, Mapping[type, Any]]]:
    """Every module-level mapping of the engine whose keys are node types."""
    for info in pkgutil.iter_modules(eligibility.__path__):
        module = importlib.import_module(f"eligibility.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, Mapping) and value and all(key in NODES for key in value):
                yield f"{info.name}.{name}", value


TABLES = dict(_tables())


def test_every_class_of_the_tree_is_a_node_of_one_kind_or_a_part() -> None:
    classes = {
        cls
        for _, cls in inspect.getmembers(rules, inspect.isclass)
        if cls.__module__ == rules.__name__ and dataclasses.is_dataclass(cls)
    }
    for one, other in combinations(KINDS.values(), 2):
        assert one.isdisjoint(other)
    assert classes == NODES | PARTS


def test_a_node_is_a_condition_or_a_value() -> None:
    assert frozenset(get_args(rules.Node)) == KINDS["condition"] | KINDS["value"]


def test_every_walker_dispatches_through_a_table() -> None:
    assert set(TABLES) >= WALKERS


@pytest.mark.parametrize("name", sorted(TABLES))
def test_each_walker_handles_every_node_of_the_kinds_it_walks(name: str) -> None:
    keys = set(TABLES[name])
    walked = [nodes for nodes in KINDS.values() if keys & nodes]
    expected = set().union(*walked)
    assert keys == expected, f"{name} does not handle {sorted(t.__name__ for t in expected - keys)}"


def _types_in(node: rules.Node) -> set[type]:
    found = {type(node)}
    if isinstance(node, rules.Compare):
        found.add(type(node.right))
    for child in rules.children(node):
        found |= _types_in(child)
    return found


def test_the_parser_builds_every_node_type_from_the_rule_examples(catalogue: Catalogue) -> None:
    found = set().union(*(_types_in(parse_rule(text, catalogue)) for text in CONSTRUCTS))
    assert found == NODES


@pytest.mark.parametrize("text", CONSTRUCTS)
def test_every_walker_walks_every_rule_example(
    text: str, small: Callable[[str], ProtocolDefinition]
) -> None:
    definition = small(text)
    rule = definition.criteria[0].rule
    assert render(rule)
    assert explain(definition)[0].plain.startswith("Included only if ")
    assert required_inputs(definition).inputs()
    # Nothing is known about the candidate: every rule that reads a fact is unknown,
    # except whether a fact is recorded, which is known exactly then.
    result = evaluate(definition, load_facts({}), SCREENING)
    if text in NEVER_UNKNOWN:
        assert result.criteria[0].condition == NEVER_UNKNOWN[text]
        assert result.criteria[0].missing == ()
        return
    assert result.criteria[0].condition == "unknown"
    assert result.criteria[0].missing
