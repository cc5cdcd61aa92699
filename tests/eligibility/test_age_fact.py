"""The age on the screening date may stand in for the date of birth, with identical results.

Eligo keeps the date of birth out of the facts it stores with each evaluation (so an
erased identity leaves none behind) and gives the engine the age instead. Every example
of every protocol must evaluate exactly as it does from the date of birth.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from eligibility import FactsError, age_on, evaluate, load_definition_file, load_facts

PROTOCOLS = Path(__file__).resolve().parents[2] / "protocols"
EXAMPLES = sorted(
    path
    for path in (PROTOCOLS / "examples").glob("*.json")
    if "date_of_birth" in json.loads(path.read_text(encoding="utf-8"))
)


def _protocol(example: Path) -> Path:
    return PROTOCOLS / f"{example.name.split('-', 1)[0]}.yaml"


def _with_age(data: dict[str, Any]) -> dict[str, Any]:
    born = date.fromisoformat(data["date_of_birth"])
    on = date.fromisoformat(data["screening_date"])
    return {**{k: v for k, v in data.items() if k != "date_of_birth"}, "age": age_on(born, on)}


def test_every_protocol_has_examples_with_a_date_of_birth() -> None:
    assert {_protocol(e).name for e in EXAMPLES} == {p.name for p in PROTOCOLS.glob("*.yaml")}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_the_age_evaluates_exactly_as_the_date_of_birth(example: Path) -> None:
    definition = load_definition_file(_protocol(example))
    data = json.loads(example.read_text(encoding="utf-8"))
    on = date.fromisoformat(data["screening_date"])
    from_birth = evaluate(definition, load_facts(data, catalogue=definition.catalogue), on)
    from_age = evaluate(definition, load_facts(_with_age(data), catalogue=definition.catalogue), on)
    assert from_age.to_dict() == from_birth.to_dict()


def test_an_age_that_contradicts_the_date_of_birth_is_refused() -> None:
    data = {"screening_date": "2026-11-20", "date_of_birth": "1956-04-02", "age": 69}
    with pytest.raises(FactsError, match="age: is 69, but the date of birth gives 70"):
        load_facts(data)


def test_the_age_says_nothing_about_another_day() -> None:
    example = next(e for e in EXAMPLES if e.name.startswith("hmsc100-eligible"))
    definition = load_definition_file(_protocol(example))
    data = _with_age(json.loads(example.read_text(encoding="utf-8")))
    result = evaluate(
        definition, load_facts(data, catalogue=definition.catalogue), date(2027, 11, 20)
    ).to_dict()
    assert "the age given is on the screening date (2026-11-20), not on 2027-11-20" in str(result)
