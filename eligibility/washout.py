"""When does a failing criterion start to pass? ("washouts know their end")

Only the windows' reference date moves; data freshness, ages and scores stay those of
the screening date. Every windowed node names the dates at which one of its dated facts
leaves its window; the criterion is re-evaluated at those dates and the first where it
is met is its ``eligible_from``. Cumulative use inside a window shrinks one day at a
time, so it is found by bisection between the screening date and the day every dated
fact has left every window.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

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
    EventCount,
    Expr,
    HistoryOf,
    LastDose,
    MaxOf,
    MinOf,
    Not,
    Or,
    Value,
    Window,
)

MAX_CANDIDATES = 400


def _walk(e: Expr | Value) -> list[Expr | Value]:
    out: list[Expr | Value] = [e]
    if isinstance(e, And | Or | AtLeast):
        for item in e.items:
            out.extend(_walk(item))
    elif isinstance(e, Not):
        out.extend(_walk(e.item))
    elif isinstance(e, MinOf | MaxOf):
        for v in e.items:
            out.extend(_walk(v))
    elif isinstance(e, Compare | Between):
        out.extend(_walk(e.left))
    return out


def change_dates(ctx: Context, e: Expr) -> tuple[set[date], bool]:
    """Dates after which a windowed fact of ``e`` has left its window, and whether ``e``
    holds cumulative use inside a window (which needs bisection)."""
    found: set[date] = set()
    bisect = False
    for node in _walk(e):
        window: Window | None = None
        dated: list[date] = []
        if isinstance(node, HistoryOf | EventCount):
            sel = node.events
            window = sel.window
            dated = [ev.on for ev in ctx.facts.history or () if ev.code == sel.code and ev.on]
        elif isinstance(node, LastDose | CumulativeUse):
            window = node.window
            bisect = bisect or (isinstance(node, CumulativeUse) and window is not None)
            for s in spans(ctx, node.drugs):
                dated.extend(d for d in (s.start, s.end_low, s.end_high) if d is not None)
        if window is not None:
            found.update(leaves_window(d, window) for d in dated)
    return {d for d in found if d > ctx.screening}, bisect


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
