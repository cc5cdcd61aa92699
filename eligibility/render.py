"""Rule text from a syntax tree: :func:`render` gives text that parses to an equal tree.

Thresholds come out as the protocol wrote them (``written``/``written_unit``), so a
rendered rule reads like its source, not like its canonical form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

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
from eligibility.textfmt import number_text, unit_words


def render(e: Expr) -> str:
    """Rule text for ``e``; parsing it gives a tree equal to ``e``."""
    return _EXPRESSIONS[type(e)](e)


def render_value(v: Value) -> str:
    """Rule text for a value (``min(a, b)``, ``cumulative use of …``)."""
    return _VALUES[type(v)](v)


def render_threshold(t: Threshold) -> str:
    """Rule text for what a value is compared with (``2 x ULN``, ``3 months``)."""
    return _THRESHOLDS[type(t)](t)


# -- parts shared by several nodes ------------------------------------------------------


def _unit(unit: str) -> str:
    return f" {unit}" if unit else ""


def _amount(a: Amount) -> str:
    return f"{number_text(a.written)}{_unit(a.written_unit)}"


def _window(w: Window) -> str:
    anchor = w.anchor.code
    if w.amount == 0:
        return f"{w.side if w.kind == 'more_than' else 'on or ' + w.side} {anchor}"
    lead = {"within": "within", "more_than": "more than", "at_least": "at least"}[w.kind]
    return f"{lead} {unit_words(w.amount, w.unit)} {w.side} {anchor}"


def _drugs(d: DrugSelector) -> str:
    return f"{d.route} {d.code}" if d.route else d.code


def _events(e: EventSelector) -> str:
    text = e.code
    if e.where:
        conds = " and ".join(_detail(c) for c in e.where)
        text += f" where {conds}"
    if e.window:
        text += " " + _window(e.window)
    return text


def _detail(c: DetailCondition) -> str:
    if len(c.values) == 1:
        return f"{c.detail} is {c.values[0]}"
    return f"{c.detail} in ({', '.join(c.values)})"


# -- conditions -------------------------------------------------------------------------


def _compare(e: Compare) -> str:
    return f"{render_value(e.left)} {e.op} {render_threshold(e.right)}"


def _between(e: Between) -> str:
    suffix = "" if e.inclusive else " exclusive"
    return f"{render_value(e.left)} between {_amount(e.low)} and {_amount(e.high)}{suffix}"


_RANGE_WORDS = {
    "below_lln": "below LLN",
    "above_uln": "above ULN",
    "outside": "outside reference range",
    "within": "within reference range",
}


def _range_check(e: RangeCheck) -> str:
    return f"{e.left.code} {_RANGE_WORDS[e.check]}"


def _is(e: Is) -> str:
    if len(e.values) == 1:
        return f"{e.subject} is {e.values[0]}"
    return f"{e.subject} is one of ({', '.join(e.values)})"


def _recorded(e: Recorded) -> str:
    return f"{e.subject} is {'' if e.recorded else 'not '}recorded"


def _history_of(e: HistoryOf) -> str:
    return f"history of {_events(e.events)}"


def _last_dose(e: LastDose) -> str:
    if e.window is None:
        return f"any use of {_drugs(e.drugs)}"
    return f"last dose of {_drugs(e.drugs)} {_window(e.window)}"


def _current_use(e: CurrentUse) -> str:
    return f"current use of {_drugs(e.drugs)}"


def _sustained(e: SustainedDose) -> str:
    pe = " prednisolone-equivalent" if e.prednisolone_equivalent else ""
    ongoing = " ongoing" if e.ongoing else ""
    return (
        f"use of {_drugs(e.drugs)} at {e.dose_op} {_amount(e.dose)}{pe} "
        f"for {e.duration_op} {unit_words(e.duration.amount, e.duration.unit)}{ongoing}"
    )


# Binding strength of each connective, as the parser reads them: ``or`` binds loosest,
# then ``and``, then ``not``; leaves and ``at least n of (…)`` bind tightest.
_OR, _AND, _NOT, _ATOM = range(4)


def _strength(e: Expr) -> int:
    if isinstance(e, Or):
        return _OR
    if isinstance(e, And):
        return _AND
    if isinstance(e, Not):
        return _NOT
    return _ATOM


def _operand(e: Expr, above: int) -> str:
    """``e`` as an operand of a connective of strength ``above``, in parentheses only when
    the parser would otherwise read another tree.

    A child as loose as its parent is bracketed too: ``a and b and c`` parses to one flat
    ``And``, so a nested ``And`` keeps its own parentheses.
    """
    text = render(e)
    return f"({text})" if _strength(e) <= above and _strength(e) != _NOT else text


def _and(e: And) -> str:
    return " and ".join(_operand(i, _AND) for i in e.items)


def _or(e: Or) -> str:
    return " or ".join(_operand(i, _OR) for i in e.items)


def _not(e: Not) -> str:
    return f"not {_operand(e.item, _NOT)}"


def _at_least(e: AtLeast) -> str:
    return f"at least {e.n} of ({', '.join(render(i) for i in e.items)})"


_EXPRESSIONS: Mapping[type, Callable[[Any], str]] = MappingProxyType(
    {
        Compare: _compare,
        Between: _between,
        RangeCheck: _range_check,
        Is: _is,
        Recorded: _recorded,
        HistoryOf: _history_of,
        LastDose: _last_dose,
        CurrentUse: _current_use,
        SustainedDose: _sustained,
        And: _and,
        Or: _or,
        Not: _not,
        AtLeast: _at_least,
    }
)


# -- values -----------------------------------------------------------------------------


def _quantity(v: QuantityRef) -> str:
    return v.code


def _min(v: MinOf) -> str:
    return f"min({', '.join(render_value(i) for i in v.items)})"


def _max(v: MaxOf) -> str:
    return f"max({', '.join(render_value(i) for i in v.items)})"


def _cumulative(v: CumulativeUse) -> str:
    text = f"cumulative use of {_drugs(v.drugs)}"
    return text + (" " + _window(v.window) if v.window else "")


def _count(v: EventCount) -> str:
    text = f"count of {_events(v.events)}"
    return text + (f" by distinct {v.distinct}" if v.distinct else "")


_VALUES: Mapping[type, Callable[[Any], str]] = MappingProxyType(
    {
        QuantityRef: _quantity,
        MinOf: _min,
        MaxOf: _max,
        CumulativeUse: _cumulative,
        EventCount: _count,
    }
)


# -- thresholds -------------------------------------------------------------------------


def _limit_multiple(t: LimitMultiple) -> str:
    return f"{number_text(t.factor)} x {t.limit}"


def _duration(t: Duration) -> str:
    return unit_words(t.amount, t.unit)


def _by_sex(t: BySex) -> str:
    parts = []
    if t.male is not None:
        parts.append(f"male: {_amount(t.male)}")
    if t.female is not None:
        parts.append(f"female: {_amount(t.female)}")
    return f"({', '.join(parts)})"


_THRESHOLDS: Mapping[type, Callable[[Any], str]] = MappingProxyType(
    {
        Amount: _amount,
        LimitMultiple: _limit_multiple,
        Duration: _duration,
        BySex: _by_sex,
    }
)
