"""History events: "history of X [where …] [within …]" and counts of events."""

from __future__ import annotations

from decimal import Decimal

from eligibility.facts import Event
from eligibility.logic import Tri, t_and, t_or
from eligibility.model import Context, Finding, MissingFact, Num, window_start
from eligibility.rules import EventCount, EventSelector, HistoryOf
from eligibility.textfmt import unit_words


def not_recorded() -> MissingFact:
    return MissingFact("history", "Medical history", "history", "medical history not recorded")


def _matches(ctx: Context, sel: EventSelector, e: Event) -> Tri:
    conditions = []
    for cond in sel.where:
        value = e.details.get(cond.detail)
        # Facts read without the catalogue keep the spelling entered; details match in
        # any case, as answers do.
        wanted = {v.casefold() for v in cond.values}
        conditions.append(Tri.UNKNOWN if value is None else Tri.of(value.casefold() in wanted))
    if sel.window is not None:
        if e.on is None:
            conditions.append(Tri.UNKNOWN)
        else:
            conditions.append(Tri.of(window_start(ctx.reference, sel.window) <= e.on))
    return t_and(conditions)


def _events(ctx: Context, sel: EventSelector) -> list[Event]:
    return [
        e
        for e in ctx.facts.history or ()
        if e.code == sel.code and (e.on is None or e.on <= ctx.screening)
    ]


def _describe(ctx: Context, sel: EventSelector) -> str:
    label = ctx.definition.catalogue.event_types[sel.code].label.lower()
    parts = [label]
    if sel.where:
        parts.append(
            "("
            + ", ".join(f"{c.detail.replace('_', ' ')}: {'/'.join(c.values)}" for c in sel.where)
            + ")"
        )
    if sel.window is not None:
        start = window_start(ctx.reference, sel.window)
        parts.append(
            f"within {unit_words(sel.window.amount, sel.window.unit)} before screening "
            f"({start} to {ctx.reference})"
        )
    return " ".join(parts)


def _event_text(ctx: Context, e: Event) -> str:
    label = ctx.definition.catalogue.event_types[e.code].label
    details = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in sorted(e.details.items()))
    return f"{label} on {e.on or 'an unknown date'}" + (f" ({details})" if details else "")


def history_of(ctx: Context, node: HistoryOf) -> Finding:
    sel = node.events
    what = _describe(ctx, sel)
    if ctx.facts.history is None:
        return Finding(Tri.UNKNOWN, ("Medical history not recorded",), (not_recorded(),))
    events = _events(ctx, sel)
    values = [_matches(ctx, sel, e) for e in events]
    value = t_or(values)
    if value is Tri.TRUE:
        hits = [_event_text(ctx, e) for e, v in zip(events, values, strict=True) if v is Tri.TRUE]
        return Finding(value, tuple(f"{h}: {what}" for h in hits))
    if value is Tri.FALSE:
        seen = "; ".join(_event_text(ctx, e) for e in events)
        return Finding(value, (f"No {what}" + (f" (recorded: {seen})" if seen else ""),))
    unsure = [_event_text(ctx, e) for e, v in zip(events, values, strict=True) if v is Tri.UNKNOWN]
    return Finding(
        value,
        tuple(f"{u}: details or date missing to tell whether it is {what}" for u in unsure),
        (MissingFact(sel.code, what, "history", "event date or details not recorded"),),
    )


def count(ctx: Context, node: EventCount) -> Num:
    sel = node.events
    what = _describe(ctx, sel)
    if ctx.facts.history is None:
        return Num(None, None, "Medical history not recorded", "", what, (not_recorded(),))
    sure: set[str] = set()
    maybe: set[str] = set()
    sure_events = maybe_events = unknown_detail = 0
    for e in _events(ctx, sel):
        v = _matches(ctx, sel, e)
        if v is Tri.FALSE:
            continue
        if node.distinct is None:
            sure_events += v is Tri.TRUE
            maybe_events += 1
            continue
        detail = e.details.get(node.distinct)
        if detail is None:
            unknown_detail += 1
            continue
        maybe.add(detail)
        if v is Tri.TRUE:
            sure.add(detail)
    if node.distinct is None:
        low, high = Decimal(sure_events), Decimal(maybe_events)
        noun = f"{what}: {sure_events} event{'s' if sure_events != 1 else ''}"
    else:
        low, high = Decimal(len(sure)), Decimal(len(maybe) + unknown_detail)
        noun = (
            f"{what}: {len(sure)} distinct {node.distinct.replace('_', ' ')}"
            f"{'s' if len(sure) != 1 else ''}" + (f" ({', '.join(sorted(sure))})" if sure else "")
        )
    if low == high:
        return Num(low, high, noun.capitalize(), "", what)
    return Num(
        low,
        high,
        f"{noun.capitalize()}, up to {high} counting events with missing details",
        "",
        what,
        (MissingFact(sel.code, what, "history", "event date or details not recorded"),),
    )
