"""Medication exposures in time: last dose in a window, current use, cumulative days.

Uncertain ends, drugs and routes (see :mod:`eligibility.drug_match`) give bounds, and
bounds give Kleene answers.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from eligibility.drug_match import describe, not_recorded, selector_label, spans
from eligibility.logic import Tri, t_and, t_or
from eligibility.model import Context, Finding, MissingFact, Num, window_start
from eligibility.rules import CumulativeUse, CurrentUse, LastDose
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
    start = window_start(ctx.reference, node.window)
    span_text = (
        f"{unit_words(node.window.amount, node.window.unit)} before screening ({ctx.reference})"
    )
    values, reasons = [], []
    for s in found:
        if s.end_low is not None and s.end_low >= start:
            inside = Tri.TRUE
        elif s.end_high < start:
            inside = Tri.FALSE
        else:
            inside = Tri.UNKNOWN
        value = t_and((s.match, inside))
        values.append(value)
        if value is Tri.TRUE:
            last = s.end_low if not s.exposure.ongoing else ctx.reference
            what = "is ongoing" if s.exposure.ongoing else f"dose {last} is"
            reasons.append(f"Last {s.name} ({label}) {what} within {span_text}")
        elif value is Tri.UNKNOWN:
            reasons.append(f"{describe(s)}: cannot tell whether a dose fell within {span_text}")
        else:
            reasons.append(
                f"Last {s.name} ({label}) dose {s.end_high} is before the "
                f"{node.window.amount}-{node.window.unit[:-1]} window (from {start})"
            )
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
    lo_from = window_start(ctx.reference, node.window) if node.window else date.min
    low: list[tuple[date, date]] = []
    high: list[tuple[date, date]] = []
    unbounded = False
    for s in spans(ctx, node.drugs):
        if s.match is Tri.TRUE and s.end_low is not None:
            low.append((max(s.start or s.end_low, lo_from), s.end_low))
        if s.start is None and node.window is None:
            unbounded = True
        high.append((max(s.start or lo_from, lo_from), s.end_high))
    low = [(a, b) for a, b in low if a <= b]
    high = [(a, b) for a, b in high if a <= b]
    lo_days = Decimal(_union_days(low))
    hi_days = None if unbounded else Decimal(_union_days(high))
    where = (
        f" in the {unit_words(node.window.amount, node.window.unit)} before screening"
        if node.window
        else ""
    )
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
