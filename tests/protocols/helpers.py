"""The registry trials' adjudicated examples: each example's expected result, criterion by
criterion, as a reviewer decided it from the registry text and the candidate's facts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from eligibility import (
    EvaluationResult,
    ProtocolDefinition,
    evaluate,
    load_definition_file,
    load_facts,
)

ROOT = Path(__file__).resolve().parents[2]
PROTOCOLS = ROOT / "protocols"
EXAMPLES = PROTOCOLS / "examples"


@dataclass(frozen=True)
class Adjudication:
    """What an example must give: the overall status, every criterion's outcome (those not
    named are ``met``), the facts listed as missing and the words the blocking criteria's
    summaries must contain."""

    status: str
    outcomes: dict[str, str] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    says: dict[str, tuple[str, ...]] = field(default_factory=dict)


def definition(trial: str) -> ProtocolDefinition:
    return load_definition_file(PROTOCOLS / f"{trial}.yaml")


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def run(proto: ProtocolDefinition, facts: dict[str, Any]) -> EvaluationResult:
    facts_read = load_facts(facts, catalogue=proto.catalogue)
    return evaluate(proto, facts_read, date.fromisoformat(facts["screening_date"]))


def check(proto: ProtocolDefinition, result: EvaluationResult, expected: Adjudication) -> None:
    outcomes = {c.id: c.outcome for c in result.criteria}
    wanted = {c.id: expected.outcomes.get(c.id, "met") for c in proto.criteria}
    assert outcomes == wanted, [c.summary for c in result.criteria if c.outcome != "met"]
    assert result.status == expected.status
    assert sorted(m.code for m in result.missing) == sorted(expected.missing)
    for criterion_id, words in expected.says.items():
        summary = result.criterion(criterion_id).summary
        for word in words:
            assert word in summary, summary
