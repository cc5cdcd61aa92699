"""Daily doses: the current prednisolone-equivalent dose and sustained use at a dose.

A dose is usable when it is recorded per day in mg; prednisolone equivalence comes from
the catalogue's drugs (the dose equivalent to 5 mg of prednisolone). A course whose dose
is not usable counts as any dose for the upper bound and as none for the lower.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from eligibility import units
from eligibility.drug_match import describe, not_recorded, selector_label, spans
from eligibility.facts import Exposure
from eligibility.logic import Tri
from eligibility.model import Context, Finding, MissingFact, duration_days
from eligibility.rules import DrugSelector, SustainedDose
from eligibility.textfmt import days_text, number_text, unit_words

_HUGE = Decimal("1e12")


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
                    f"{describe(s)}: drug, daily dose or stop date not recorded",
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
            describe(s)
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
