"""Questions that do not apply, and questions another fact answers.

A question declared with ``applies_when`` (a condition in the rule language, such as
``sex is female``) is asked only where the condition may hold. Where it is false the
question does not apply: it reads as ``no`` whatever was recorded, and every reason that
quotes it says why ("does not apply: sex is male"). Where the condition is true or
unknown the question is asked and read as answered, so an unknown sex never hides a
question. A question ``answered_by: consent_date`` reads as ``yes`` when the facts give
the day the consent was signed, on or before the screening date. See
docs/rule-language.md, "Questions that do not apply".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from eligibility.logic import Tri
from eligibility.model import Context, Finding

if TYPE_CHECKING:
    from eligibility.catalogue import Question
    from eligibility.definition import ProtocolDefinition
    from eligibility.facts import Facts


@dataclass(frozen=True)
class Given:
    """A question's answer as the rules read it (``None``: not given) and, when it was not
    read from the answers, why (``does not apply: sex is male``)."""

    answer: str | None
    note: str = ""
    applies: bool = True


def applies(ctx: Context, code: str) -> Finding | None:
    """Whether question ``code`` applies (``None``: it always does)."""
    condition = ctx.definition.applicability.get(code)
    if condition is None:
        return None
    # The condition is a rule like any other: evaluated by the same nodes.
    from eligibility.nodes import evaluate_expr

    return evaluate_expr(ctx, condition)


def given(ctx: Context, q: Question) -> Given:
    """The answer to ``q`` the rules read."""
    found = applies(ctx, q.code)
    if found is not None and found.value is Tri.FALSE:
        why = "; ".join(_sentence(r) for r in found.reasons) or "its condition does not hold"
        return Given("no", f"does not apply: {why}", applies=False)
    signed = ctx.facts.consent_date
    if q.answered_by == "consent_date" and signed is not None and signed <= ctx.screening:
        return Given("yes", f"answered by the consent date {signed}")
    answers = ctx.facts.judgments if q.kind == "judgment" else ctx.facts.answers
    return Given(answers.get(q.code))


def unasked_questions(definition: ProtocolDefinition, facts: Facts, on: date) -> dict[str, str]:
    """The questions a form need not ask for the candidate of ``facts`` screened ``on``,
    each with why, as a form shows it: ``Does not apply: sex is male``, ``Answered by the
    consent date 2026-11-18``."""
    ctx = Context(definition, facts, on, on)
    out = {}
    for code, q in definition.catalogue.questions.items():
        if code in definition.applicability or q.answered_by is not None:
            note = given(ctx, q).note
            if note:
                out[code] = note[0].upper() + note[1:]
    return out


def _sentence(reason: str) -> str:
    return reason[:1].lower() + reason[1:]
