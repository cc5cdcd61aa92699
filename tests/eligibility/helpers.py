"""Helpers shared by the engine's tests: example facts and small edits to them."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from eligibility import EvaluationResult, ProtocolDefinition, evaluate, load_facts

ROOT = Path(__file__).resolve().parents[2]
PROTOCOLS = ROOT / "protocols"
EXAMPLES = PROTOCOLS / "examples"
FIXTURES = Path(__file__).parent / "fixtures"
SCREENING = date(2026, 11, 20)

Facts = dict[str, Any]


def example(name: str) -> Facts:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def run(definition: ProtocolDefinition, facts: Facts, on: date = SCREENING) -> EvaluationResult:
    return evaluate(definition, load_facts(copy.deepcopy(facts)), on)


def set_reading(facts: Facts, code: str, **fields: Any) -> Facts:
    """Replace (or add) the reading ``code`` in the facts' labs or measurements."""
    for key in ("labs", "measurements"):
        for item in facts.get(key, []):
            if item["code"] == code:
                item.update(fields)
                return facts
    facts.setdefault("labs", []).append({"code": code, **fields})
    return facts


def drop_reading(facts: Facts, code: str) -> Facts:
    for key in ("labs", "measurements"):
        facts[key] = [i for i in facts.get(key, []) if i["code"] != code]
    return facts


# --- One failing change per criterion -------------------------------------------------


@dataclass(frozen=True)
class Case:
    criterion: str
    change: Callable[[Facts], object]
    """Edits the eligible candidate's facts in place."""
    names: tuple[str, ...]
    """Text the criterion's summary must contain: the value that failed, in its words."""


def answer(code: str, value: str) -> Callable[[Facts], object]:
    return lambda facts: facts["answers"].update({code: value})


def judgment(code: str) -> Callable[[Facts], object]:
    """The investigator answers yes to an exclusion only they can judge."""
    return lambda facts: facts["judgments"].update({code: "yes"})


def reading(code: str, **fields: object) -> Callable[[Facts], object]:
    return lambda facts: set_reading(facts, code, **fields)
