"""History events: "history of X [where …] [window]" and counts of events."""

from __future__ import annotations

from decimal import Decimal

from eligibility.anchors import AnchorDate, history_not_recorded, resolve, window_text, window_tri
from eligibility.facts import Event
from eligibility.logic import Tri, t_and, t_or
from eligibility.model import Context, Finding, MissingFact, Num
from eligibility.rules import EventCount, EventSelector, HistoryOf
from eligibility.textfmt import in_sentence


def not_recorded() -> MissingFact:
    return history_not_recorded()


def _anchor(ctx: Context, sel: EventSelector) -> AnchorDate | None:
    return None if sel.window is None else resolve(ctx, sel.window.anchor)


def _matches(sel: EventSelector, e: Event, anchor: AnchorDate | None) -> Tri:
    conditions = []
    for cond in sel.where:
        value = e.details.get(cond.detail)
        # Facts read without the catalogue keep the spelling entered; details match in
        # any case, as answers do.
        wanted = {v.casefold() for v in cond.values}
        conditions.append(Tri.UNKNOWN if value is None else Tri.of(value.casefold() in wanted))
    if sel.window is not None and anchor is not None:
        conditions.append(window_tri(sel.window, anchor, e.on))
    return t_and(conditions)


def _events(ctx: Context, sel: EventSelector) -> list[Event]:
    return [
        e
        for e in ctx.facts.history or ()
        if e.code == sel.code and (e.on is None or e.on <= ctx.screening)
    ]


def _describe(ctx: Context, sel: EventSelector, anchor: AnchorDate | None) -> str:
    label = in_sentence(ctx.definition.catalogue.event_types[sel.code].label)
    parts = [label]
    if sel.where:
        parts.append(
            "("
            + ", ".join(f"{c.detail.replace('_', ' ')}: {'/'.join(c.values)}" for c in sel.where)
            + ")"
        )
    if sel.window is not None and anchor is not None:
        parts.append(window_text(sel.window, anchor))
    return " ".join(parts)


def _missing(
    sel: EventSelector, what: str, anchor: AnchorDate | None, unsure: list[Event]
) -> tuple[MissingFact, ...]:
    """What keeps unsure events from deciding: the anchor's date, their own dates or
    details."""
    found = []
    if anchor is not None and anchor.missing is not None:
        found.append(anchor.missing)
    lacking = [
        e for e in unsure if e.on is None or any(c.detail not in e.details for c in sel.where)
    ]
    if lacking or not found:
        found.append(MissingFact(sel.code, what, "history", "event date or details not recorded"))
    return tuple(found)


def _event_text(ctx: Context, e: Event) -> str:
    label = ctx.definition.catalogue.event_types[e.code].label
    details = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in sorted(e.details.items()))
    return f"{label} on {e.on or 'an unknown date'}" + (f" ({details})" if details else "")


def history_of(ctx: Context, node: HistoryOf) -> Finding:
    sel = node.events
    if ctx.facts.history is None:
        return Finding(Tri.UNKNOWN, ("Medical history not recorded",), (not_recorded(),))
    anchor = _anchor(ctx, sel)
    what = _describe(ctx, sel, anchor)
    events = _events(ctx, sel)
    values = [_matches(sel, e, anchor) for e in events]
    value = t_or(values)
    if value is Tri.TRUE:
        hits = [_event_text(ctx, e) for e, v in zip(events, values, strict=True) if v is Tri.TRUE]
        return Finding(value, tuple(f"{h}: {what}" for h in hits))
    if value is Tri.FALSE:
        seen = "; ".join(_event_text(ctx, e) for e in events)
        return Finding(value, (f"No {what}" + (f" (recorded: {seen})" if seen else ""),))
    unsure = [e for e, v in zip(events, values, strict=True) if v is Tri.UNKNOWN]
    missing = _missing(sel, what, anchor, unsure)
    # A missing anchor is said once, first; the events' own gaps beside each event.
    first = () if anchor is None else anchor.lacking
    own = [m.reason for m in missing if anchor is None or m is not anchor.missing]
    lacks = f" ({'; '.join(own)})" if own else ""
    return Finding(
        value,
        (
            *first,
            *(f"{_event_text(ctx, u)}: cannot tell whether it is {what}{lacks}" for u in unsure),
        ),
        missing,
    )


def count(ctx: Context, node: EventCount) -> Num:
    sel = node.events
    anchor = _anchor(ctx, sel)
    what = _describe(ctx, sel, anchor)
    if ctx.facts.history is None:
        return Num(None, None, "Medical history not recorded", "", what, (not_recorded(),))
    sure: set[str] = set()
    maybe: set[str] = set()
    sure_events = maybe_events = unknown_detail = 0
    unsure: list[Event] = []
    for e in _events(ctx, sel):
        v = _matches(sel, e, anchor)
        if v is Tri.UNKNOWN:
            unsure.append(e)
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
        return Num(low, high, _capital(noun), "", what)
    return Num(
        low,
        high,
        f"{_capital(noun)}, up to {high} counting events with missing details",
        "",
        what,
        _missing(sel, what, anchor, unsure),
    )


def _capital(text: str) -> str:
    """``text`` starting a sentence; unlike ``str.capitalize`` it keeps the capitals of
    names inside ("Hepatitis B", not "Hepatitis b")."""
    return text[:1].upper() + text[1:]
