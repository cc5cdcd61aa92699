"""Medication exposures: last dose in a window, current use, cumulative and sustained use.

An exposure with ``ongoing: true`` lasts to the reference date; one with a ``stop`` date
ends then (or at the reference date if that comes first); one with neither ended on an
unknown day between its start and the screening date. Uncertain ends, routes and classes
give bounds, and bounds give Kleene answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from eligibility import units
from eligibility.catalogue import Catalogue
from eligibility.facts import Exposure
from eligibility.logic import Tri, t_and, t_or
from eligibility.model import Context, Finding, MissingFact, Num, duration_days, window_start
from eligibility.rules import (
    CumulativeUse,
    CurrentUse,
    DrugSelector,
    LastDose,
    SustainedDose,
    number_text,
    unit_words,
)
from eligibility.textfmt import days_text

_HUGE = Decimal("1e12")


@dataclass(frozen=True)
class Span:
    exposure: Exposure
    match: Tri
    start: date | None
    end_low: date | None
    end_high: date
    name: str


def not_recorded() -> MissingFact:
    return MissingFact(
        "medications", "Medication history", "medications", "medication history not recorded"
    )


def selector_label(cat: Catalogue, sel: DrugSelector) -> str:
    label = cat.label_of_drugs(sel.code)
    return f"{sel.route} {label}" if sel.route else label


def match(cat: Catalogue, e: Exposure, sel: DrugSelector) -> Tri:
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
    if e.atc is not None:
        return Tri.of(any(e.atc.startswith(p) for p in cat.atc_prefixes(code)))
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


def _describe(span: Span) -> str:
    e = span.exposure
    if e.ongoing:
        when = f"ongoing (started {e.start})" if e.start else "ongoing"
    elif e.stop is not None:
        when = f"last dose {e.stop}"
    else:
        when = f"started {e.start}, stop date not recorded" if e.start else "dates not recorded"
    return f"{span.name} {when}"


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
                value, tuple(f"Used {label}: {_describe(s)}" for s in found if s.match is Tri.TRUE)
            )
        if value is Tri.FALSE:
            return Finding(value, (f"No {label} recorded",))
        return Finding(
            value,
            tuple(f"{_describe(s)} may be {label}" for s in found),
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
            reasons.append(f"{_describe(s)}: cannot tell whether a dose fell within {span_text}")
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
        reasons.append(_describe(s))
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


def _daily_dose(ctx: Context, e: Exposure, pe: bool) -> Decimal | None:
    if e.daily_dose is None:
        return None
    try:
        unit = units.normalise_unit(e.dose_unit or "")
    except units.UnitError:
        return None
    if unit not in ("mg/day", "mg"):
        return None
    if not pe:
        return e.daily_dose
    drug = ctx.definition.catalogue.drugs.get(e.drug or "")
    if drug is None or drug.prednisolone_equivalent_mg is None:
        return None
    return e.daily_dose * 5 / drug.prednisolone_equivalent_mg


def current_prednisolone_dose(
    ctx: Context, drug_class: str, missing: list[MissingFact]
) -> Decimal | None:
    """Sum of the prednisolone-equivalent daily doses taken on the screening date."""
    if ctx.facts.medications is None:
        missing.append(not_recorded())
        return None
    total = Decimal(0)
    for s in spans(ctx.at(ctx.screening), DrugSelector(drug_class)):
        current = s.end_low is not None and s.end_low >= ctx.screening
        if not current and s.end_high < ctx.screening:
            continue
        dose = _daily_dose(ctx, s.exposure, True)
        if s.match is not Tri.TRUE or not current or dose is None:
            missing.append(
                MissingFact(
                    drug_class,
                    "Current glucocorticoid dose",
                    "medications",
                    f"{_describe(s)}: drug, daily dose or stop date not recorded",
                )
            )
            return None
        total += dose
    return total


def _longest_run(
    courses: list[tuple[date, date, Decimal]],
    level: Decimal,
    strict: bool,
    reference: date,
    ongoing: bool,
) -> int:
    changes: dict[date, Decimal] = {}
    for start, end, dose in courses:
        changes[start] = changes.get(start, Decimal(0)) + dose
        after = end + timedelta(days=1)
        changes[after] = changes.get(after, Decimal(0)) - dose
    best, run_start, total = 0, None, Decimal(0)
    for day in sorted(changes):
        if run_start is not None:
            run_end = day - timedelta(days=1)
            length = (run_end - run_start).days + 1
            if not ongoing or run_end >= reference:
                best = max(best, length)
        total += changes[day]
        ok = total > level if strict else total >= level
        if ok and run_start is None:
            run_start = day
        elif not ok:
            run_start = None
    return best


def sustained(ctx: Context, node: SustainedDose) -> Finding:
    cat = ctx.definition.catalogue
    label = selector_label(cat, node.drugs)
    if ctx.facts.medications is None:
        return Finding(Tri.UNKNOWN, ("Medication history not recorded",), (not_recorded(),))
    low: list[tuple[date, date, Decimal]] = []
    high: list[tuple[date, date, Decimal]] = []
    reasons = []
    for s in spans(ctx, node.drugs):
        dose = _daily_dose(ctx, s.exposure, node.prednisolone_equivalent)
        reasons.append(
            _describe(s)
            + (
                f", {number_text(dose.normalize())} mg/day"
                + (" prednisolone-equivalent" if node.prednisolone_equivalent else "")
                if dose is not None
                else ", daily dose not usable"
            )
        )
        if s.match is Tri.TRUE and dose is not None and s.start and s.end_low:
            low.append((s.start, s.end_low, dose))
        high.append((s.start or date.min, s.end_high, _HUGE if dose is None else dose))
    strict = node.dose_op == ">"
    need = duration_days(node.duration)

    def holds(courses: list[tuple[date, date, Decimal]]) -> tuple[bool, int]:
        days = _longest_run(courses, node.dose.value, strict, ctx.reference, node.ongoing)
        return (days > need if node.duration_op == ">" else days >= need), days

    lo_ok, lo_days = holds(low)
    hi_ok, _ = holds(high)
    level = f"{node.dose_op.replace('>=', '≥')} {number_text(node.dose.value.normalize())} mg/day"
    period = (
        f"{node.duration_op.replace('>=', '≥')} "
        f"{unit_words(node.duration.amount, node.duration.unit)}"
    )
    if lo_ok == hi_ok:
        summary = (
            f"{label} at {level} for {days_text(Decimal(lo_days))}"
            f"{' up to screening' if node.ongoing else ''}: "
            f"{'meets' if lo_ok else 'does not meet'} {period}"
        )
        if not reasons:
            summary = f"No {label} recorded"
        return Finding(Tri.of(lo_ok), (summary, *reasons))
    return Finding(
        Tri.UNKNOWN,
        (f"Cannot tell whether {label} was taken at {level} for {period}", *reasons),
        (
            MissingFact(
                node.drugs.code,
                label,
                "medications",
                "drug, daily dose or dates of an exposure not recorded",
            ),
        ),
    )
