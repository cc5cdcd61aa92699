"""The evaluation result: per criterion and overall, with a documented JSON form
(``docs/result-format.md``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
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
class EvaluationResult:
    status: Status
    screening_date: date
    engine_version: str
    trial_code: str
    protocol_version: str
    criteria: tuple[CriterionResult, ...]
    eligible_from: date | None
    warnings: tuple[str, ...] = ()

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
        }
