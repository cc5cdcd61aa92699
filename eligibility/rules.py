"""The rule language's syntax tree: typed, frozen, comparable.

The parser (:mod:`eligibility.parser`) builds these nodes and has already checked every
name against the catalogue and converted every threshold to its quantity's canonical
unit, so evaluation never meets an unknown code or a foreign unit. :func:`render` turns a
tree back into rule text that parses to an equal tree.

Source positions are kept for error messages but do not take part in equality.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

Op = Literal["<", "<=", ">", ">=", "="]
TimeUnit = Literal["days", "weeks", "months", "years"]
Limit = Literal["ULN", "LLN"]
RangeCheckKind = Literal["below_lln", "above_uln", "outside", "within"]
Sex = Literal["F", "M"]

TIME_UNITS: tuple[TimeUnit, ...] = ("days", "weeks", "months", "years")


@dataclass(frozen=True)
class Pos:
    """Line and column (both from 1) inside the rule text."""

    line: int
    column: int


_NOWHERE = Pos(0, 0)


@dataclass(frozen=True)
class Window:
    """ "within N units before screening": the closed interval [screening − N, screening]."""

    amount: int
    unit: TimeUnit


@dataclass(frozen=True)
class Duration:
    """A length of time used as a threshold ("≥ 3 years", "more than 1 month")."""

    amount: int
    unit: TimeUnit


@dataclass(frozen=True)
class Amount:
    """A threshold: ``value`` in the canonical ``unit``, rounded half-up to the quantity's
    precision; ``written``/``written_unit`` keep what the protocol wrote."""

    value: Decimal
    unit: str
    written: Decimal
    written_unit: str


@dataclass(frozen=True)
class LimitMultiple:
    """``factor × ULN`` or ``factor × LLN`` of the candidate's own reference range."""

    factor: Decimal
    limit: Limit


@dataclass(frozen=True)
class BySex:
    """A threshold that depends on the candidate's sex."""

    female: Amount | None
    male: Amount | None


Threshold = Amount | LimitMultiple | BySex | Duration


@dataclass(frozen=True)
class DrugSelector:
    """A drug or drug class, optionally restricted to one route."""

    code: str
    route: str | None = None


@dataclass(frozen=True)
class DetailCondition:
    """An event detail that must take one of ``values``."""

    detail: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class EventSelector:
    """History events of one type, filtered by details and an optional window."""

    code: str
    where: tuple[DetailCondition, ...] = ()
    window: Window | None = None


# -- numeric values --------------------------------------------------------------------


@dataclass(frozen=True)
class QuantityRef:
    code: str
    pos: Pos = field(default=_NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class MinOf:
    items: tuple[Value, ...]


@dataclass(frozen=True)
class MaxOf:
    items: tuple[Value, ...]


@dataclass(frozen=True)
class CumulativeUse:
    """Days of exposure to a drug or class, in total or inside a window."""

    drugs: DrugSelector
    window: Window | None = None


@dataclass(frozen=True)
class EventCount:
    """How many matching events, or how many distinct values of one detail among them."""

    events: EventSelector
    distinct: str | None = None


Value = QuantityRef | MinOf | MaxOf | CumulativeUse | EventCount


# -- conditions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Compare:
    left: Value
    op: Op
    right: Threshold
    pos: Pos = field(default=_NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class Between:
    """``low ≤ left ≤ high``; ``inclusive=False`` makes both bounds strict."""

    left: Value
    low: Amount
    high: Amount
    inclusive: bool = True
    pos: Pos = field(default=_NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class RangeCheck:
    """A lab value against the candidate's own reference range."""

    left: QuantityRef
    check: RangeCheckKind
    pos: Pos = field(default=_NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class Is:
    """Sex, a yes/no answer, an investigator judgment or a qualitative result takes one of
    ``values``."""

    subject: str
    values: tuple[str, ...]
    pos: Pos = field(default=_NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class HistoryOf:
    events: EventSelector
    pos: Pos = field(default=_NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class LastDose:
    """The last dose of a drug or class fell inside ``window`` (or ever, without one)."""

    drugs: DrugSelector
    window: Window | None = None
    pos: Pos = field(default=_NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class CurrentUse:
    drugs: DrugSelector
    pos: Pos = field(default=_NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class SustainedDose:
    """A daily dose kept at or above a level for longer than a duration."""

    drugs: DrugSelector
    dose_op: Literal[">", ">="]
    dose: Amount
    prednisolone_equivalent: bool
    duration_op: Literal[">", ">="]
    duration: Duration
    ongoing: bool = False
    pos: Pos = field(default=_NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class And:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Not:
    item: Expr


@dataclass(frozen=True)
class AtLeast:
    n: int
    items: tuple[Expr, ...]


Expr = (
    Compare
    | Between
    | RangeCheck
    | Is
    | HistoryOf
    | LastDose
    | CurrentUse
    | SustainedDose
    | And
    | Or
    | Not
    | AtLeast
)


# -- rendering back to rule text -------------------------------------------------------


def number_text(value: Decimal) -> str:
    """A Decimal as written in rules: no exponent, no superfluous sign."""
    text = format(value, "f")
    return "0" if text in ("-0", "+0") else text


def _unit(unit: str) -> str:
    return f" {unit}" if unit else ""


def _amount(a: Amount) -> str:
    return f"{number_text(a.written)}{_unit(a.written_unit)}"


def unit_words(amount: int, unit: str) -> str:
    """``1 month``, ``3 months``."""
    return f"{amount} {unit[:-1] if amount == 1 else unit}"


def _window(w: Window) -> str:
    return f"within {unit_words(w.amount, w.unit)} before screening"


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


def render_value(v: Value) -> str:
    if isinstance(v, QuantityRef):
        return v.code
    if isinstance(v, MinOf | MaxOf):
        name = "min" if isinstance(v, MinOf) else "max"
        return f"{name}({', '.join(render_value(i) for i in v.items)})"
    if isinstance(v, CumulativeUse):
        text = f"cumulative use of {_drugs(v.drugs)}"
        return text + (" " + _window(v.window) if v.window else "")
    text = f"count of {_events(v.events)}"
    return text + (f" by distinct {v.distinct}" if v.distinct else "")


def render_threshold(t: Threshold) -> str:
    if isinstance(t, Amount):
        return _amount(t)
    if isinstance(t, LimitMultiple):
        return f"{number_text(t.factor)} x {t.limit}"
    if isinstance(t, Duration):
        return unit_words(t.amount, t.unit)
    parts = []
    if t.male is not None:
        parts.append(f"male: {_amount(t.male)}")
    if t.female is not None:
        parts.append(f"female: {_amount(t.female)}")
    return f"({', '.join(parts)})"


def render(e: Expr) -> str:
    """Rule text for ``e``; parsing it gives a tree equal to ``e``."""
    if isinstance(e, Compare):
        return f"{render_value(e.left)} {e.op} {render_threshold(e.right)}"
    if isinstance(e, Between):
        suffix = "" if e.inclusive else " exclusive"
        return f"{render_value(e.left)} between {_amount(e.low)} and {_amount(e.high)}{suffix}"
    if isinstance(e, RangeCheck):
        words = {
            "below_lln": "below LLN",
            "above_uln": "above ULN",
            "outside": "outside reference range",
            "within": "within reference range",
        }
        return f"{e.left.code} {words[e.check]}"
    if isinstance(e, Is):
        if len(e.values) == 1:
            return f"{e.subject} is {e.values[0]}"
        return f"{e.subject} is one of ({', '.join(e.values)})"
    if isinstance(e, HistoryOf):
        return f"history of {_events(e.events)}"
    if isinstance(e, LastDose):
        if e.window is None:
            return f"any use of {_drugs(e.drugs)}"
        return f"last dose of {_drugs(e.drugs)} {_window(e.window)}"
    if isinstance(e, CurrentUse):
        return f"current use of {_drugs(e.drugs)}"
    if isinstance(e, SustainedDose):
        pe = " prednisolone-equivalent" if e.prednisolone_equivalent else ""
        ongoing = " ongoing" if e.ongoing else ""
        return (
            f"use of {_drugs(e.drugs)} at {e.dose_op} {_amount(e.dose)}{pe} "
            f"for {e.duration_op} {unit_words(e.duration.amount, e.duration.unit)}{ongoing}"
        )
    if isinstance(e, And | Or):
        word = " and " if isinstance(e, And) else " or "
        return "(" + word.join(render(i) for i in e.items) + ")"
    if isinstance(e, Not):
        return f"not ({render(e.item)})"
    return f"at least {e.n} of ({', '.join(render(i) for i in e.items)})"
