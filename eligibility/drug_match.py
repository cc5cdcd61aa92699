"""Which recorded exposures a drug selector matches, and over which days each one ran.

A record may name a drug, only a class or only an ATC code, and may omit its route; the
match is then a Kleene value (``UNKNOWN`` when the record is not specific enough). An
exposure with ``ongoing: true`` lasts to the reference date; one with a ``stop`` date
ends then (or at the reference date if that comes first); one with neither ended on an
unknown day between its start and the screening date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from eligibility.catalogue import Catalogue
from eligibility.facts import Exposure
from eligibility.logic import Tri, t_and
from eligibility.model import Context, MissingFact
from eligibility.rules import DrugSelector


@dataclass(frozen=True)
class Span:
    """One exposure a selector may match: how sure the match is, its start, and the
    earliest and latest day its last dose can have fallen on."""

    exposure: Exposure
    match: Tri
    start: date | None
    end_low: date | None
    end_high: date
    name: str


def not_recorded() -> MissingFact:
    """What an evaluation lacks when no medication history was recorded at all."""
    return MissingFact(
        "medications", "Medication history", "medications", "medication history not recorded"
    )


def selector_label(cat: Catalogue, sel: DrugSelector) -> str:
    """The selector in words: "intravenous bisphosphonate"."""
    label = cat.label_of_drugs(sel.code)
    return f"{sel.route} {label}" if sel.route else label


def match(cat: Catalogue, e: Exposure, sel: DrugSelector) -> Tri:
    """Whether exposure ``e`` is of the selector's drug or class, by the selector's route."""
    return t_and((_match_drug(cat, e, sel.code), _match_route(cat, e, sel.route)))


def _match_drug(cat: Catalogue, e: Exposure, code: str) -> Tri:
    if code in cat.drugs:
        if e.drug is not None:
            return Tri.UNKNOWN if e.drug not in cat.drugs else Tri.of(e.drug == code)
        if e.atc is not None and cat.drugs[code].atc:
            return Tri.of(e.atc == cat.drugs[code].atc)
        if e.drug_class is not None:
            members = cat.drug_class_members(e.drug_class)
            return Tri.UNKNOWN if members.intersection(cat.drugs[code].classes) else Tri.FALSE
        return Tri.UNKNOWN
    classes: set[str] = set()
    known_drug = e.drug is not None and e.drug in cat.drugs
    if known_drug:
        classes.update(cat.drugs[e.drug or ""].classes)
    if e.drug_class is not None:
        classes.add(e.drug_class)
    if any(code in cat.class_closure(c) for c in classes):
        return Tri.TRUE
    # A class may be declared only by ATC prefixes (a protocol's own "M05BA"), so a
    # built-in drug belongs to it through its own ATC code as well as its classes.
    atc = e.atc if e.atc is not None else (cat.drugs[e.drug or ""].atc if known_drug else None)
    if atc:
        return Tri.of(any(atc.startswith(p) for p in cat.atc_prefixes(code)))
    if not known_drug and e.drug_class is not None and code in cat.drug_class_members(e.drug_class):
        return Tri.UNKNOWN  # recorded only as a broader class
    if e.drug is not None and not known_drug:
        return Tri.UNKNOWN  # a drug the catalogue does not know could be in any class
    return Tri.FALSE


def _match_route(cat: Catalogue, e: Exposure, route: str | None) -> Tri:
    if route is None:
        return Tri.TRUE
    if e.route is not None:
        return Tri.of(e.route == route)
    drug = cat.drugs.get(e.drug or "")
    possible = drug.routes if drug else ()
    if len(possible) == 1:
        return Tri.of(possible[0] == route)
    if possible and route not in possible:
        return Tri.FALSE
    return Tri.UNKNOWN


def spans(ctx: Context, sel: DrugSelector) -> list[Span]:
    """The exposures taken by the screening date that ``sel`` may match, with their days."""
    cat = ctx.definition.catalogue
    out = []
    for e in ctx.facts.medications or ():
        if e.start is not None and e.start > ctx.screening:
            continue  # planned, not yet taken
        m = match(cat, e, sel)
        if m is Tri.FALSE:
            continue
        if e.ongoing:
            low: date | None = ctx.reference
            high = ctx.reference
        elif e.stop is not None:
            low = high = min(e.stop, ctx.reference)
        else:
            low, high = e.start, ctx.screening
        name = _exposure_name(cat, e)
        out.append(Span(e, m, e.start, low, high, name))
    return out


def _exposure_name(cat: Catalogue, e: Exposure) -> str:
    if e.drug is not None and e.drug in cat.drugs:
        return cat.drugs[e.drug].label
    if e.drug_class is not None and e.drug_class in cat.drug_classes:
        return cat.drug_classes[e.drug_class].label
    # Facts always name a drug, a class or an ATC code.
    return e.drug or e.drug_class or f"ATC {e.atc}"


def describe(span: Span) -> str:
    """The exposure as a coordinator reads it: "Prednisolone last dose 2026-10-01"."""
    e = span.exposure
    if e.ongoing:
        when = f"ongoing (started {e.start})" if e.start else "ongoing"
    elif e.stop is not None:
        when = f"last dose {e.stop}"
    else:
        when = f"started {e.start}, stop date not recorded" if e.start else "dates not recorded"
    return f"{span.name} {when}"
