"""The rule language's syntax tree: typed, frozen, comparable.

The parser (:mod:`eligibility.parser`) builds these nodes and has already checked every
name against the catalogue and converted every threshold to its quantity's canonical
unit, so evaluation never meets an unknown code or a foreign unit.
:func:`eligibility.render.render` turns a tree back into rule text that parses to an equal
tree; :mod:`eligibility.explain` says it in plain words.

``Expr`` (conditions), ``Value`` (numbers a condition compares) and ``Threshold`` (what
they are compared with) list every node type. Code that walks the tree dispatches on
them through tables keyed by node type, and a test checks that every table lists every
node of its kind, so a new node cannot be forgotten by one walker.

Source positions are kept for error messages but do not take part in equality.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Literal

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


AnchorKind = Literal["screening", "reference_date", "event"]
WindowKind = Literal["within", "more_than", "at_least"]
Side = Literal["before", "after"]


@dataclass(frozen=True)
class Anchor:
    """The date a window is measured from: the screening date, a reference date the
    protocol declares (``randomisation``), or the first recorded occurrence of an event
    type (``final_menstrual_period``)."""

    kind: AnchorKind = "screening"
    code: str = "screening"


SCREENING_ANCHOR = Anchor()


@dataclass(frozen=True)
class Window:
    """A span of dates measured from ``anchor`` (:func:`eligibility.anchors.bounds`).

    ``within N units before A`` is the closed interval [A − N, A] (``after``: [A, A + N]);
    ``more than N units before A`` the dates before A − N and ``at least`` those on or
    before it (``after``: past A + N). ``before A`` / ``on or before A`` are ``more_than`` /
    ``at_least`` with ``amount`` 0, which the rule text cannot write otherwise."""

    amount: int
    unit: TimeUnit
    side: Side = "before"
    anchor: Anchor = SCREENING_ANCHOR
    kind: WindowKind = "within"


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
class Recorded:
    """``NAME is recorded`` (``recorded``) or ``NAME is not recorded``: whether the facts
    hold a value for a quantity, an answer, a judgment or a reference date. Never unknown."""

    subject: str
    recorded: bool = True
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
    | Recorded
    | HistoryOf
    | LastDose
    | CurrentUse
    | SustainedDose
    | And
    | Or
    | Not
    | AtLeast
)

Node = Expr | Value
"""Every node of the tree; thresholds and selectors are parts of nodes, not nodes."""


def children(node: Node) -> tuple[Node, ...]:
    """The nodes directly inside ``node``: its conditions, or the values it compares."""
    return _CHILDREN[type(node)](node)


def _items(node: And | Or | AtLeast | MinOf | MaxOf) -> tuple[Node, ...]:
    return node.items


def _item(node: Not) -> tuple[Node, ...]:
    return (node.item,)


def _left(node: Compare | Between | RangeCheck) -> tuple[Node, ...]:
    return (node.left,)


def _leaf(node: Node) -> tuple[Node, ...]:
    return ()


_CHILDREN: Mapping[type, Callable[[Any], tuple[Node, ...]]] = MappingProxyType(
    {
        And: _items,
        Or: _items,
        AtLeast: _items,
        Not: _item,
        Compare: _left,
        Between: _left,
        RangeCheck: _left,
        Is: _leaf,
        Recorded: _leaf,
        HistoryOf: _leaf,
        LastDose: _leaf,
        CurrentUse: _leaf,
        SustainedDose: _leaf,
        QuantityRef: _leaf,
        MinOf: _items,
        MaxOf: _items,
        CumulativeUse: _leaf,
        EventCount: _leaf,
    }
)
