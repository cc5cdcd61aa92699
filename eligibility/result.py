"""The evaluation result: per criterion and overall, with a documented JSON form
(``docs/result-format.md``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from eligibility.model import MissingFact

Condition = Literal["true", "false", "unknown"]
Outcome = Literal["met", "not_met", "unknown", "needs_review"]
Status = Literal["eligible", "ineligible", "incomplete", "needs_review"]


def _missing_dict(m: MissingFact) -> dict[str, str]:
    return {"code": m.code, "label": m.label, "kind": m.kind, "reason": m.reason}


@dataclass(frozen=True)
class CriterionResult:
    """One criterion's result.

    ``condition`` is the rule's own value. ``outcome`` is from the eligibility standpoint:
    ``met`` means the criterion does not stand in the way (an inclusion that holds, an
    exclusion that does not), ``not_met`` means it blocks eligibility.
    """

    id: str
    kind: Literal["inclusion", "exclusion"]
    text: str
    rule: str
    condition: Condition
    outcome: Outcome
    summary: str
    reasons: tuple[str, ...]
    missing: tuple[MissingFact, ...]
    eligible_from: date | None = None
    # Facts whose absence leaves ``eligible_from`` a latest date: with them it may be earlier.
    eligible_from_depends_on: tuple[MissingFact, ...] = ()

    @property
    def blocks(self) -> bool:
        return self.outcome == "not_met"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "text": self.text,
            "rule": self.rule,
            "condition": self.condition,
            "outcome": self.outcome,
            "blocks": self.blocks,
            "summary": self.summary,
            "reasons": list(self.reasons),
            "missing": [_missing_dict(m) for m in self.missing if m.kind != "judgment"],
            "pending_judgments": [_missing_dict(m) for m in self.missing if m.kind == "judgment"],
            "eligible_from": self.eligible_from.isoformat() if self.eligible_from else None,
            "eligible_from_depends_on": [_missing_dict(m) for m in self.eligible_from_depends_on],
        }


@dataclass(frozen=True)
class DerivedValue:
    """A derived quantity (age, BMI, eGFR, a score total) as the evaluation computed it.

    Known exactly when ``low == high``; a score with items still to come is a range
    (``low`` to ``high``); unknown when both are ``None``. ``text`` is the engine's own
    sentence ("BMI 24.3 kg/m2 (from 58.4 kg, 155 cm)", or why it cannot be calculated);
    ``missing``: the facts it still needs.
    """

    code: str
    label: str
    unit: str
    low: Decimal | None
    high: Decimal | None
    text: str
    missing: tuple[MissingFact, ...] = ()

    @property
    def value(self) -> Decimal | None:
        return self.low if self.low is not None and self.low == self.high else None

    def to_dict(self) -> dict[str, Any]:
        def number(d: Decimal | None) -> str | None:
            return None if d is None else format(d, "f")

        return {
            "code": self.code,
            "label": self.label,
            "unit": self.unit,
            "value": number(self.value),
            "low": number(self.low),
            "high": number(self.high),
            "text": self.text,
            "missing": [_missing_dict(m) for m in self.missing],
        }


@dataclass(frozen=True)
class EvaluationResult:
    status: Status
    screening_date: date
    engine_version: str
    trial_code: str
    protocol_version: str
    criteria: tuple[CriterionResult, ...]
    eligible_from: date | None
    warnings: tuple[str, ...] = ()
    # Every derived quantity the form shows, in the requirements' order.
    derived: tuple[DerivedValue, ...] = ()

    @property
    def missing(self) -> tuple[MissingFact, ...]:
        """Facts lacking for the criteria whose outcome is unknown (judgments excluded)."""
        return tuple(
            dict.fromkeys(
                m
                for c in self.criteria
                if c.outcome == "unknown"
                for m in c.missing
                if m.kind != "judgment"
            )
        )

    @property
    def pending_judgments(self) -> tuple[MissingFact, ...]:
        return tuple(
            dict.fromkeys(
                m
                for c in self.criteria
                if c.outcome in ("unknown", "needs_review")
                for m in c.missing
                if m.kind == "judgment"
            )
        )

    def criterion(self, criterion_id: str) -> CriterionResult:
        return next(c for c in self.criteria if c.id == criterion_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "screening_date": self.screening_date.isoformat(),
            "engine_version": self.engine_version,
            "trial": self.trial_code,
            "protocol_version": self.protocol_version,
            "eligible_from": self.eligible_from.isoformat() if self.eligible_from else None,
            "blocking": [c.id for c in self.criteria if c.blocks],
            "missing": [_missing_dict(m) for m in self.missing],
            "pending_judgments": [_missing_dict(m) for m in self.pending_judgments],
            "warnings": list(self.warnings),
            "criteria": [c.to_dict() for c in self.criteria],
            "derived": [d.to_dict() for d in self.derived],
        }
