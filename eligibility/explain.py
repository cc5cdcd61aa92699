"""Rules in plain words, for coordinators and for anyone checking an encoding."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from eligibility.anchors import anchor_words, relation_words
from eligibility.catalogue import Catalogue
from eligibility.definition import ProtocolDefinition
from eligibility.rules import (
    Amount,
    And,
    AtLeast,
    Between,
    BySex,
    Compare,
    CumulativeUse,
    CurrentUse,
    DrugSelector,
    Duration,
    EventCount,
    EventSelector,
    Expr,
    HistoryOf,
    Is,
    LastDose,
    LimitMultiple,
    MaxOf,
    MinOf,
    Not,
    Or,
    QuantityRef,
    RangeCheck,
    Recorded,
    SustainedDose,
    Threshold,
    Value,
    Window,
)
from eligibility.textfmt import amount_text, in_sentence, number_text, unit_words

_OP = {">=": "is at least", ">": "is above", "<=": "is at most", "<": "is below", "=": "equals"}
_LIMIT = {"ULN": "the upper limit of normal", "LLN": "the lower limit of normal"}


@dataclass(frozen=True)
class CriterionExplanation:
    id: str
    kind: str
    text: str
    rule: str
    plain: str
    note: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "text": self.text,
            "rule": self.rule,
            "plain": self.plain,
            "note": self.note,
        }


def explain(definition: ProtocolDefinition) -> list[CriterionExplanation]:
    """Each criterion with its rule in plain words ("Excluded if …")."""
    out = []
    for c in definition.criteria:
        words = describe(c.rule, definition.catalogue)
        head = "Included only if" if c.kind == "inclusion" else "Excluded if"
        out.append(
            CriterionExplanation(c.id, c.kind, c.text, c.rule_text, f"{head} {words}.", c.note)
        )
    return out


def _list(e: And | Or, cat: Catalogue, word: str) -> str:
    if len(e.items) == 2:
        first, second = (_part(i, cat, inline=True) for i in e.items)
        return f"{first} {word} {second}"
    numbered = "; ".join(
        f"({i}) {_part(item, cat, inline=False)}" for i, item in enumerate(e.items, 1)
    )
    lead = "all of the following" if word == "and" else "any of the following"
    return f"{lead}: {numbered}"


def _numbered(e: Expr) -> bool:
    return isinstance(e, AtLeast) or (isinstance(e, And | Or) and len(e.items) > 2)


def _part(e: Expr, cat: Catalogue, *, inline: bool) -> str:
    """``e`` in plain words as one item of a compound, bracketed where the grouping would
    otherwise be lost: "female and (pregnant or lactating)" must not read as "(female and
    pregnant) or lactating". Items of a numbered list are already delimited, so there
    only a nested numbered list is bracketed."""
    words = describe(e, cat)
    compound = isinstance(e, And | Or | AtLeast)
    return f"({words})" if (compound if inline else _numbered(e)) else words


def describe(e: Expr, cat: Catalogue) -> str:
    """The condition ``e`` in plain words, names and units taken from ``cat``."""
    return _EXPRESSIONS[type(e)](e, cat)


def _and(e: And, cat: Catalogue) -> str:
    return _list(e, cat, "and")


def _or(e: Or, cat: Catalogue) -> str:
    return _list(e, cat, "or")


def _at_least(e: AtLeast, cat: Catalogue) -> str:
    numbered = "; ".join(f"({i}) {_part(x, cat, inline=False)}" for i, x in enumerate(e.items, 1))
    return f"at least {e.n} of the following hold: {numbered}"


def _not(e: Not, cat: Catalogue) -> str:
    return f"it is not the case that {_part(e.item, cat, inline=True)}"


def _compare(e: Compare, cat: Catalogue) -> str:
    return f"{value_words(e.left, cat)} {_OP[e.op]} {_threshold(e.right)}"


def _between(e: Between, cat: Catalogue) -> str:
    kind = "inclusive" if e.inclusive else "exclusive"
    return (
        f"{value_words(e.left, cat)} is between {amount_text(e.low)} and "
        f"{amount_text(e.high)} ({kind})"
    )


_RANGE_WORDS = {
    "below_lln": "is below the lower limit of normal",
    "above_uln": "is above the upper limit of normal",
    "outside": "is outside the candidate's reference range",
    "within": "is within the candidate's reference range",
}


def _range_check(e: RangeCheck, cat: Catalogue) -> str:
    return f"{cat.quantities[e.left.code].label} {_RANGE_WORDS[e.check]}"


def _history_of(e: HistoryOf, cat: Catalogue) -> str:
    return f"there is a history of {_events(e.events, cat)}"


def _last_dose(e: LastDose, cat: Catalogue) -> str:
    if e.window is None:
        return f"{_drugs(e.drugs, cat)} has ever been used"
    return (
        f"a dose of {_drugs(e.drugs, cat)} was taken {_window(e.window, cat)} (ongoing use counts)"
    )


def _current_use(e: CurrentUse, cat: Catalogue) -> str:
    return f"{_drugs(e.drugs, cat)} is currently used"


def _sustained(e: SustainedDose, cat: Catalogue) -> str:
    pe = " prednisolone-equivalent" if e.prednisolone_equivalent else ""
    more = "more than" if e.duration_op == ">" else "at least"
    level = "above" if e.dose_op == ">" else "of at least"
    how_long = unit_words(e.duration.amount, e.duration.unit)
    text = (
        f"{_drugs(e.drugs, cat)} was taken at a daily dose {level} "
        f"{number_text(e.dose.value.normalize())} mg/day{pe} for {more} {how_long}"
    )
    return text + (", continuing up to screening" if e.ongoing else "")


def _is(e: Is, cat: Catalogue) -> str:
    values = " or ".join(e.values)
    if e.subject == "sex":
        return f"the candidate is {values}"
    if e.subject in cat.questions:
        q = cat.questions[e.subject]
        who = "the investigator judges" if q.kind == "judgment" else "the answer is"
        return f"{who} {values} to “{q.text}”"
    return f"{cat.quantities[e.subject].label} is {values}"


def _recorded(e: Recorded, cat: Catalogue) -> str:
    state = "is recorded" if e.recorded else "is not recorded"
    if e.subject in cat.questions:
        q = cat.questions[e.subject]
        who = "the investigator's judgment" if q.kind == "judgment" else "an answer"
        return f"{who} to “{q.text}” {state}"
    if e.subject in cat.reference_dates:
        return f"the {in_sentence(cat.reference_dates[e.subject].text)} {state}"
    return f"{cat.quantities[e.subject].label} {state}"


def _threshold(t: Threshold) -> str:
    return _THRESHOLDS[type(t)](t)


def _limit_multiple(t: LimitMultiple) -> str:
    factor = "" if t.factor == 1 else f"{number_text(t.factor)} × "
    return f"{factor}{_LIMIT[t.limit]}"


def _duration(t: Duration) -> str:
    return unit_words(t.amount, t.unit)


def _by_sex(t: BySex) -> str:
    parts = []
    if t.male is not None:
        parts.append(f"{amount_text(t.male)} for men")
    if t.female is not None:
        parts.append(f"{amount_text(t.female)} for women")
    return ", ".join(parts)


def value_words(v: Value, cat: Catalogue) -> str:
    """The value ``v`` in plain words: "the lowest of T-score (lumbar spine) and …"."""
    return _VALUES[type(v)](v, cat)


def _quantity(v: QuantityRef, cat: Catalogue) -> str:
    return cat.quantities[v.code].label


def _extreme(v: MinOf | MaxOf, cat: Catalogue) -> str:
    word = "lowest" if isinstance(v, MinOf) else "highest"
    names = [value_words(i, cat) for i in v.items]
    return f"the {word} of {', '.join(names[:-1])} and {names[-1]}"


def _cumulative(v: CumulativeUse, cat: Catalogue) -> str:
    where = (
        f" in the {unit_words(v.window.amount, v.window.unit)} {v.window.side} "
        f"{anchor_words(v.window.anchor, cat)}"
        if v.window
        else " in total"
    )
    return f"cumulative use of {_drugs(v.drugs, cat)}{where}"


def _count(v: EventCount, cat: Catalogue) -> str:
    if v.distinct:
        detail = v.distinct.replace("_", " ")
        return f"the number of distinct {detail}s of {_events(v.events, cat)}"
    return f"the number of {_events(v.events, cat)}"


def _drugs(d: DrugSelector, cat: Catalogue) -> str:
    label = cat.label_of_drugs(d.code)
    return f"{label} by the {d.route} route" if d.route else label


def _events(s: EventSelector, cat: Catalogue) -> str:
    text = in_sentence(cat.event_types[s.code].label)
    if s.where:
        text += " with " + " and ".join(
            f"{c.detail.replace('_', ' ')} {' or '.join(c.values)}" for c in s.where
        )
    if s.window:
        text += " " + _window(s.window, cat)
    return text


def _window(w: Window, cat: Catalogue) -> str:
    """ "within 2 years before screening", "after the final menstrual period"."""
    return f"{relation_words(w)} {anchor_words(w.anchor, cat)}"


_EXPRESSIONS: Mapping[type, Callable[[Any, Catalogue], str]] = MappingProxyType(
    {
        And: _and,
        Or: _or,
        AtLeast: _at_least,
        Not: _not,
        Compare: _compare,
        Between: _between,
        RangeCheck: _range_check,
        Is: _is,
        Recorded: _recorded,
        HistoryOf: _history_of,
        LastDose: _last_dose,
        CurrentUse: _current_use,
        SustainedDose: _sustained,
    }
)

_VALUES: Mapping[type, Callable[[Any, Catalogue], str]] = MappingProxyType(
    {
        QuantityRef: _quantity,
        MinOf: _extreme,
        MaxOf: _extreme,
        CumulativeUse: _cumulative,
        EventCount: _count,
    }
)

_THRESHOLDS: Mapping[type, Callable[[Any], str]] = MappingProxyType(
    {
        Amount: amount_text,
        LimitMultiple: _limit_multiple,
        Duration: _duration,
        BySex: _by_sex,
    }
)
