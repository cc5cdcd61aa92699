"""When does a failing criterion start to pass? ("washouts know their end")

Only the windows' reference date moves; data freshness, ages and scores stay those of
the screening date. Every windowed node names the dates at which one of its dated facts
leaves its window; the criterion is re-evaluated at those dates and the first where it
is met is its ``eligible_from``. Cumulative use inside a window shrinks one day at a
time, so it is found by bisection between the screening date and the day every dated
fact has left every window.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

from eligibility.definition import Criterion
from eligibility.drug_match import spans
from eligibility.logic import Tri
from eligibility.model import Context, leaves_window
from eligibility.rules import (
    And,
    AtLeast,
    Between,
    Compare,
    CumulativeUse,
    CurrentUse,
    EventCount,
    Expr,
    HistoryOf,
    Is,
    LastDose,
    MaxOf,
    MinOf,
    Node,
    Not,
    Or,
    QuantityRef,
    RangeCheck,
    Recorded,
    SustainedDose,
    Window,
    children,
)

MAX_CANDIDATES = 400


def _walk(e: Node) -> list[Node]:
    out: list[Node] = [e]
    for child in children(e):
        out.extend(_walk(child))
    return out


def change_dates(ctx: Context, e: Expr) -> tuple[set[date], bool]:
    """Dates after which a windowed fact of ``e`` has left (or, for ``more than N before
    screening``, entered) its window, and whether ``e`` holds cumulative use inside a
    window (which needs bisection). Only windows measured from the screening date move:
    a reference date or an event stays where it is."""
    found: set[date] = set()
    bisect = False
    for node in _walk(e):
        window, dated = _DATED[type(node)](ctx, node)
        if window is not None and window.anchor.kind == "screening":
            bisect = bisect or isinstance(node, CumulativeUse)
            for d in dated:
                crossed = leaves_window(d, window)
                # "at least N before" takes in the day on which "within N" lets it go.
                found.update((crossed, crossed - timedelta(days=1)))
    return {d for d in found if d > ctx.screening}, bisect


Dated = tuple[Window | None, list[date]]


def _events(ctx: Context, node: HistoryOf | EventCount) -> Dated:
    sel = node.events
    return sel.window, [ev.on for ev in ctx.facts.history or () if ev.code == sel.code and ev.on]


def _exposures(ctx: Context, node: LastDose | CumulativeUse) -> Dated:
    if node.window is None:
        return None, []
    dated = [
        d for s in spans(ctx, node.drugs) for d in (s.start, s.end_low, s.end_high) if d is not None
    ]
    return node.window, dated


def _undated(ctx: Context, node: Node) -> Dated:
    """A node with no window of its own (its children, if any, are walked separately)."""
    return None, []


# The window and the dated facts inside it, for every node type.
_DATED: Mapping[type, Callable[[Context, Any], Dated]] = MappingProxyType(
    {
        HistoryOf: _events,
        EventCount: _events,
        LastDose: _exposures,
        CumulativeUse: _exposures,
        Compare: _undated,
        Between: _undated,
        RangeCheck: _undated,
        Is: _undated,
        Recorded: _undated,
        CurrentUse: _undated,
        SustainedDose: _undated,
        And: _undated,
        Or: _undated,
        Not: _undated,
        AtLeast: _undated,
        QuantityRef: _undated,
        MinOf: _undated,
        MaxOf: _undated,
    }
)


def first_date(ctx: Context, e: Expr, passes: Callable[[Context], bool]) -> date | None:
    """The first reference date after screening at which ``passes`` holds."""
    dates, bisect = change_dates(ctx, e)
    ordered = sorted(dates)[:MAX_CANDIDATES]
    best = next((d for d in ordered if passes(ctx.at(d))), None)
    if bisect and ordered:
        low, high = ctx.screening, ordered[-1]
        if passes(ctx.at(high)):
            while (high - low).days > 1:
                middle = date.fromordinal((low.toordinal() + high.toordinal()) // 2)
                if passes(ctx.at(middle)):
                    high = middle
                else:
                    low = middle
            best = high if best is None else min(best, high)
    return best


def criterion_passes(
    evaluate: Callable[[Context, Criterion], Tri], criterion: Criterion
) -> Callable[[Context], bool]:
    wanted = Tri.TRUE if criterion.kind == "inclusion" else Tri.FALSE

    def passes(ctx: Context) -> bool:
        return evaluate(ctx, criterion) is wanted

    return passes
