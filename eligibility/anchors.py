"""Windows measured from an anchor: the screening date, a reference date or an event.

A window is a span of dates (:func:`bounds`), open on one side for ``more than`` /
``at least`` / ``before`` / ``after``. The screening anchor is the context's reference
date, which the washout search moves; a reference date comes from the facts and an event
anchor is the first recorded occurrence of its type, and neither moves. An anchor the
facts do not give makes every comparison with it unknown, with the missing fact named.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from eligibility import calculators
from eligibility.catalogue import Catalogue
from eligibility.logic import Tri
from eligibility.model import Context, MissingFact
from eligibility.rules import Anchor, TimeUnit, Window
from eligibility.textfmt import in_sentence, unit_words


@dataclass(frozen=True)
class AnchorDate:
    """An anchor for one candidate: its date (``None`` when the facts lack it), its name
    in a sentence ("the planned randomisation date"), and what is missing."""

    anchor: Anchor
    on: date | None
    words: str
    missing: MissingFact | None = None

    @property
    def lacking(self) -> tuple[str, ...]:
        """The reason to give first when the anchor's date is missing: "Planned first
        dose: date not recorded"."""
        m = self.missing
        return () if m is None else (f"{m.label}: {m.reason}",)

    @property
    def text(self) -> str:
        """The name with the date, as reasons quote it: "screening (2026-11-20)"."""
        return f"{self.words} ({self.on or 'not recorded'})"


def history_not_recorded() -> MissingFact:
    """What an evaluation lacks when no medical history was recorded at all."""
    return MissingFact("history", "Medical history", "history", "medical history not recorded")


def anchor_words(anchor: Anchor, catalogue: Catalogue) -> str:
    """The anchor named in a sentence, without a date."""
    if anchor.kind == "screening":
        return "screening"
    if anchor.kind == "reference_date":
        return "the " + in_sentence(catalogue.reference_dates[anchor.code].text)
    return "the " + in_sentence(catalogue.event_types[anchor.code].label)


def resolve(ctx: Context, anchor: Anchor) -> AnchorDate:
    """The anchor's date for this candidate, or why it is unknown."""
    cat = ctx.definition.catalogue
    words = anchor_words(anchor, cat)
    if anchor.kind == "screening":
        return AnchorDate(anchor, ctx.reference, words)
    if anchor.kind == "reference_date":
        on = ctx.facts.reference_dates.get(anchor.code)
        text = cat.reference_dates[anchor.code].text
        missing = MissingFact(anchor.code, text, "reference_date", "date not recorded")
        return AnchorDate(anchor, on, words, None if on is not None else missing)
    return _first_event(ctx, anchor, words)


def _first_event(ctx: Context, anchor: Anchor, words: str) -> AnchorDate:
    if ctx.facts.history is None:
        return AnchorDate(anchor, None, words, history_not_recorded())
    label = ctx.definition.catalogue.event_types[anchor.code].label
    seen = [
        e.on
        for e in ctx.facts.history
        if e.code == anchor.code and (e.on is None or e.on <= ctx.screening)
    ]
    if not seen:
        reason = f"no {in_sentence(label)} recorded to measure the window from"
    elif None in seen:
        reason = f"date of a {in_sentence(label)} not recorded"
    else:
        return AnchorDate(anchor, min(d for d in seen if d is not None), words)
    return AnchorDate(anchor, None, words, MissingFact(anchor.code, label, "history", reason))


def shift(d: date, amount: int, unit: TimeUnit) -> date:
    """``d`` moved by ``amount`` units (negative: back), calendar months and years clamped
    to the month's end as :func:`eligibility.model.window_start` does."""
    if unit == "days":
        return d + timedelta(days=amount)
    if unit == "weeks":
        return d + timedelta(weeks=amount)
    if unit == "months":
        return calculators.add_months(d, amount)
    return calculators.add_years(d, amount)


def bounds(w: Window, on: date) -> tuple[date | None, date | None]:
    """First and last day of ``w`` measured from ``on``, both included; ``None`` is open."""
    sign = -1 if w.side == "before" else 1
    edge = shift(on, sign * w.amount, w.unit)
    if w.kind == "within":
        return (edge, on) if w.side == "before" else (on, edge)
    strict = timedelta(days=1 if w.kind == "more_than" else 0)
    if w.side == "before":
        return None, edge - strict
    return edge + strict, None


def contains(w: Window, on: date, d: date) -> bool:
    low, high = bounds(w, on)
    return (low is None or low <= d) and (high is None or d <= high)


def window_tri(w: Window, anchor: AnchorDate, d: date | None) -> Tri:
    """Whether the date ``d`` lies in ``w``: unknown when ``d`` or the anchor is."""
    if d is None or anchor.on is None:
        return Tri.UNKNOWN
    return Tri.of(contains(w, anchor.on, d))


def relation_words(w: Window) -> str:
    """The window's relation without its anchor: "within 2 years before", "on or after"."""
    if w.amount == 0:
        return w.side if w.kind == "more_than" else f"on or {w.side}"
    lead = {"within": "within", "more_than": "more than", "at_least": "at least"}[w.kind]
    return f"{lead} {unit_words(w.amount, w.unit)} {w.side}"


def window_text(w: Window, anchor: AnchorDate) -> str:
    """The window for a reason, its anchor dated and its days spelled out: "within 2 years
    before screening (2024-11-20 to 2026-11-20)", "after the final menstrual period
    (2006-05-01)"."""
    text = f"{relation_words(w)} {anchor.text}"
    if anchor.on is None or w.amount == 0:
        return text
    low, high = bounds(w, anchor.on)
    if low is not None and high is not None:
        return f"{text} ({low} to {high})"
    return f"{text} (on or before {high})" if high is not None else f"{text} (on or after {low})"
