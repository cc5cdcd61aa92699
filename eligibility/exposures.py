"""Medication exposures in time: last dose in a window, current use, cumulative days.

Uncertain ends, drugs and routes (see :mod:`eligibility.drug_match`) give bounds, and
bounds give Kleene answers.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from eligibility.anchors import AnchorDate, bounds, resolve
from eligibility.drug_match import Span, describe, not_recorded, selector_label, spans
from eligibility.logic import Tri, t_and, t_or
from eligibility.model import Context, Finding, MissingFact, Num
from eligibility.rules import CumulativeUse, CurrentUse, LastDose, Window
from eligibility.textfmt import days_text, unit_words


def last_dose(ctx: Context, node: LastDose) -> Finding:
    if ctx.facts.medications is None:
        return Finding(Tri.UNKNOWN, ("Medication history not recorded",), (not_recorded(),))
    cat = ctx.definition.catalogue
    label = selector_label(cat, node.drugs)
    found = spans(ctx, node.drugs)
    if node.window is None:
        value = t_or(s.match for s in found)
        if value is Tri.TRUE:
            return Finding(
                value, tuple(f"Used {label}: {describe(s)}" for s in found if s.match is Tri.TRUE)
            )
        if value is Tri.FALSE:
            return Finding(value, (f"No {label} recorded",))
        return Finding(
            value,
            tuple(f"{describe(s)} may be {label}" for s in found),
            (
                MissingFact(
                    node.drugs.code,
                    label,
                    "medications",
                    "drug, class or route not specific enough",
                ),
            ),
        )
    anchor = resolve(ctx, node.window.anchor)
    w = node.window
    span_text = f"{unit_words(w.amount, w.unit)} {w.side} {anchor.text}"
    if anchor.on is None:
        return _unanchored(node, label, anchor, found, span_text)
    low, high = bounds(node.window, anchor.on)
    values, reasons = [], []
    for s in found:
        value = t_and((s.match, _dosed_within(ctx, s, low, high)))
        values.append(value)
        reasons.append(_dose_reason(ctx, s, value, label, span_text, w, low))
    value = t_or(values)
    if not found:
        reasons.append(f"No {label} recorded")
    missing = (
        ()
        if value is not Tri.UNKNOWN
        else (
            MissingFact(
                node.drugs.code,
                label,
                "medications",
                "stop date, drug or route of an exposure not recorded",
            ),
        )
    )
    return Finding(value, tuple(reasons), missing)


def _possible_end(ctx: Context, s: Span, high: date | None) -> date:
    """The latest day the exposure can have run to: an ongoing one may go on past the
    screening date to a later anchor (a planned randomisation)."""
    if s.exposure.ongoing and high is not None and high > s.end_high:
        return high
    return s.end_high


def _dosed_within(ctx: Context, s: Span, low: date | None, high: date | None) -> Tri:
    """Whether a dose of the exposure fell in [low, high]: surely when the days it surely
    ran overlap the window, surely not when the days it may have run do not."""
    first = date.min if low is None else low
    last = date.max if high is None else high
    if s.end_low is not None and max(s.start or s.end_low, first) <= min(s.end_low, last):
        return Tri.TRUE
    if (s.start is not None and s.start > last) or _possible_end(ctx, s, high) < first:
        return Tri.FALSE
    return Tri.UNKNOWN


def _dose_reason(
    ctx: Context, s: Span, value: Tri, label: str, span_text: str, w: Window, low: date | None
) -> str:
    if value is Tri.TRUE:
        last = s.end_low if not s.exposure.ongoing else ctx.reference
        what = "is ongoing" if s.exposure.ongoing else f"dose {last} is"
        return f"Last {s.name} ({label}) {what} within {span_text}"
    if value is Tri.UNKNOWN:
        return f"{describe(s)}: cannot tell whether a dose fell within {span_text}"
    if low is not None and s.end_high < low:
        return (
            f"Last {s.name} ({label}) dose {s.end_high} is before the "
            f"{w.amount}-{w.unit[:-1]} window (from {low})"
        )
    return f"{describe(s)}: no dose within {span_text}"


def _unanchored(
    node: LastDose, label: str, anchor: AnchorDate, found: list[Span], span_text: str
) -> Finding:
    """A window whose anchor the facts lack: unknown if any exposure may match."""
    if not any(s.match is not Tri.FALSE for s in found):
        return Finding(Tri.FALSE, (f"No {label} recorded",))
    missing = anchor.missing
    return Finding(
        Tri.UNKNOWN,
        (
            *anchor.lacking,
            *(f"{describe(s)}: cannot tell whether a dose fell within {span_text}" for s in found),
        ),
        () if missing is None else (missing,),
    )


def current_use(ctx: Context, node: CurrentUse) -> Finding:
    if ctx.facts.medications is None:
        return Finding(Tri.UNKNOWN, ("Medication history not recorded",), (not_recorded(),))
    label = selector_label(ctx.definition.catalogue, node.drugs)
    values, reasons = [], []
    for s in spans(ctx, node.drugs):
        now = (
            Tri.TRUE
            if s.end_low == ctx.reference
            else (Tri.FALSE if s.end_high < ctx.reference else Tri.UNKNOWN)
        )
        values.append(t_and((s.match, now)))
        reasons.append(describe(s))
    value = t_or(values)
    if value is Tri.FALSE:
        reasons = [f"No current {label}", *reasons]
    missing = (
        ()
        if value is not Tri.UNKNOWN
        else (
            MissingFact(node.drugs.code, label, "medications", "whether the exposure is ongoing"),
        )
    )
    return Finding(value, tuple(reasons), missing)


def _union_days(intervals: list[tuple[date, date]]) -> int:
    total, current = 0, None
    for start, end in sorted(intervals):
        if current is None or start > current[1] + timedelta(days=1):
            if current:
                total += (current[1] - current[0]).days + 1
            current = (start, end)
        elif end > current[1]:
            current = (current[0], end)
    if current:
        total += (current[1] - current[0]).days + 1
    return total


def cumulative(ctx: Context, node: CumulativeUse) -> Num:
    label = selector_label(ctx.definition.catalogue, node.drugs)
    if ctx.facts.medications is None:
        return Num(None, None, "Medication history not recorded", "days", label, (not_recorded(),))
    found = spans(ctx, node.drugs)
    anchor = None if node.window is None else resolve(ctx, node.window.anchor)
    where = "" if node.window is None or anchor is None else _window_words(node.window, anchor)
    lo_from, hi_to = date.min, date.max
    if node.window is not None and anchor is not None:
        if anchor.on is None:
            if not found:
                return Num(Decimal(0), Decimal(0), f"No {label} recorded", "days", label)
            missing = () if anchor.missing is None else (anchor.missing,)
            text = f"Cumulative {label} use{where} cannot be counted ({anchor.lacking[0]})"
            return Num(None, None, text, "days", label, missing)
        first, last = bounds(node.window, anchor.on)
        lo_from, hi_to = first or date.min, last or date.max
    low: list[tuple[date, date]] = []
    high: list[tuple[date, date]] = []
    unbounded = False
    for s in found:
        if s.match is Tri.TRUE and s.end_low is not None:
            low.append((max(s.start or s.end_low, lo_from), min(s.end_low, hi_to)))
        if s.start is None and node.window is None:
            unbounded = True
        end = _possible_end(ctx, s, None if hi_to == date.max else hi_to)
        high.append((max(s.start or lo_from, lo_from), min(end, hi_to)))
    low = [(a, b) for a, b in low if a <= b]
    high = [(a, b) for a, b in high if a <= b]
    lo_days = Decimal(_union_days(low))
    hi_days = None if unbounded else Decimal(_union_days(high))
    if hi_days == lo_days:
        return Num(
            lo_days, hi_days, f"Cumulative {label} use{where} {days_text(lo_days)}", "days", label
        )
    upper = "unknown" if hi_days is None else days_text(hi_days)
    return Num(
        lo_days,
        hi_days,
        f"Cumulative {label} use{where} between {days_text(lo_days)} and {upper}",
        "days",
        label,
        (
            MissingFact(
                node.drugs.code, label, "medications", "exposure dates, drug or route not recorded"
            ),
        ),
    )


def _window_words(w: Window, anchor: AnchorDate) -> str:
    """ " in the 6 months before screening"; another anchor is named with its date."""
    named = anchor.words if anchor.anchor.kind == "screening" else anchor.text
    return f" in the {unit_words(w.amount, w.unit)} {w.side} {named}"
