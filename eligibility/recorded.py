"""``NAME is recorded`` / ``NAME is not recorded``: whether a fact was entered at all.

Unlike every other condition this one is never unknown: the facts either hold the value
or they do not. A measurement or laboratory result is recorded when any reading of it
has a value or a result (of any date: "an OGTT was done"); a derived quantity when
everything it is computed from is recorded; an answer or a judgment when it was given as
yes or no ("unknown" is not a record of the answer); a reference date when the facts
give it.
"""

from __future__ import annotations

from eligibility import applicability
from eligibility.catalogue import Quantity
from eligibility.derive import CALCULATORS
from eligibility.logic import Tri
from eligibility.model import Context, Finding
from eligibility.rules import Recorded


def recorded(ctx: Context, node: Recorded) -> Finding:
    label, found, lacking = _what(ctx, node.subject)
    state = "is recorded" if found else "is not recorded"
    detail = f" ({found})" if found else (f": {', '.join(lacking)}" if lacking else "")
    return Finding(Tri.of(bool(found) == node.recorded), (f"{label} {state}{detail}",))


def _what(ctx: Context, code: str) -> tuple[str, str, list[str]]:
    """The subject's label, what was found (empty when nothing), and what is lacking."""
    cat = ctx.definition.catalogue
    if code in cat.questions:
        q = cat.questions[code]
        found = applicability.given(ctx, q)
        given = found.answer if found.answer in ("yes", "no") else ""
        who = "Investigator judgment" if q.kind == "judgment" else "Answer"
        shown = f"{given}, {found.note}" if given and found.note else given or ""
        return f"{who} to “{q.text}”", shown, []
    if code in cat.reference_dates:
        on = ctx.facts.reference_dates.get(code)
        return cat.reference_dates[code].text, "" if on is None else on.isoformat(), []
    quantity = cat.quantities[code]
    if quantity.kind == "derived":
        lacking = _lacking(ctx, quantity)
        return quantity.label, "" if lacking else "all its inputs", lacking
    return quantity.label, _reading_text(ctx, quantity), []


def _reading_text(ctx: Context, q: Quantity) -> str:
    for reading in ctx.facts.readings_of(q.code):
        if reading.value is not None or reading.result is not None:
            return f"on {reading.on}" if reading.on else "undated"
    return ""


def _lacking(ctx: Context, q: Quantity) -> list[str]:
    """What a derived quantity is computed from that the facts do not hold."""
    cat = ctx.definition.catalogue
    lacking: list[str] = []
    for source in (q.inputs or {}).values():
        sq = cat.quantities[source]
        if _lacking(ctx, sq) if sq.kind == "derived" else not _reading_text(ctx, sq):
            lacking.append(f"{sq.label} not recorded")
    facts = ctx.facts
    for use in CALCULATORS[q.calculator or ""].uses:
        present = {
            "date_of_birth": facts.knows_age,
            "sex": facts.sex is not None,
            "history": facts.history is not None,
            "medications": facts.medications is not None,
        }.get(use, use.removeprefix("items:") in facts.score_items)
        if not present:
            lacking.append(f"{use.removeprefix('items:').replace('_', ' ')} not recorded")
    return lacking
