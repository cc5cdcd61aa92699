"""A quantity's value for one candidate: the latest usable reading, or a derived value.

A reading is unusable when it is dated after the screening date, older than its
validity window, undated where a window applies, in a unit that does not fit, or outside
the quantity's possible (hard) limits; each such case says so in the value's text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from types import MappingProxyType

from eligibility import calculators, censored, units
from eligibility.catalogue import Quantity
from eligibility.derive import CALCULATORS
from eligibility.doses import current_prednisolone_dose
from eligibility.facts import Reading
from eligibility.model import Context, MissingFact, MissingKind, Num, RefRange
from eligibility.textfmt import with_unit
from eligibility.unitsupport import canonical_unit, quantize, to_canonical


def resolve(ctx: Context, code: str) -> Num:
    cached = ctx.cache.get(code)
    if cached is not None:
        return cached
    q = ctx.definition.catalogue.quantities[code]
    num = _derived(ctx, q) if q.kind == "derived" else _measured(ctx, q)
    ctx.cache[code] = num
    return num


def unknown(
    q: Quantity,
    reason: str,
    kind: MissingKind | None = None,
    missing: tuple[MissingFact, ...] | None = None,
) -> Num:
    own = (MissingFact(q.code, q.label, kind or _kind(q), reason),)
    return Num(None, None, reason, q.unit, q.label, own if missing is None else missing)


def _kind(q: Quantity) -> MissingKind:
    return "lab" if q.kind == "lab" else "derived" if q.kind == "derived" else "measurement"


def usable_readings(ctx: Context, q: Quantity) -> tuple[list[Reading], list[str]]:
    """Readings of ``q`` usable on the screening date (latest first) and why the others
    are not."""
    days = ctx.definition.settings.validity_for(q)
    usable: list[Reading] = []
    notes: list[str] = []
    for reading in ctx.facts.readings_of(q.code):
        if reading.on is not None and reading.on > ctx.screening:
            notes.append(
                f"{q.label} from {reading.on} is after the screening date "
                f"({ctx.screening}) and was not used"
            )
        elif days is not None and reading.on is None:
            notes.append(
                f"{q.label} has no date, so it cannot be shown to be within the "
                f"{days}-day validity window"
            )
        elif (
            days is not None
            and reading.on is not None
            and (reading.on < ctx.screening - timedelta(days=days))
        ):
            notes.append(
                f"{q.label} from {reading.on} is older than the {days}-day validity window"
            )
        else:
            usable.append(reading)
    usable.sort(key=lambda r: r.on or date.min, reverse=True)
    return usable, notes


def _measured(ctx: Context, q: Quantity) -> Num:
    readings, notes = usable_readings(ctx, q)
    for reading in readings:
        if reading.value is None:
            notes.append(f"{q.label} ({reading.path}) has no numeric value")
            continue
        num = _reading_num(ctx, q, reading, reading.value, notes)
        if num is not None:
            return num
    if notes:
        return unknown(q, "; ".join(notes))
    return unknown(q, f"{q.label} not recorded")


def _reading_num(
    ctx: Context, q: Quantity, reading: Reading, entered: Decimal, notes: list[str]
) -> Num | None:
    """The reading's value ``entered`` (exact, or the limit of a censored value) as a
    number or interval, or ``None`` with the reason it cannot be used added to ``notes``."""
    factors = ctx.definition.settings.factors
    if q.counts_in_whole_numbers and entered != entered.to_integral_value():
        notes.append(f"{q.label} {entered.normalize()} is not a whole number and was not used")
        return None
    try:
        canonical = to_canonical(q, entered, reading.unit or "", factors)
    except units.UnitError as exc:
        notes.append(f"{q.label} ({reading.path}) could not be used: {exc}")
        return None
    # A censored value's limit is compared unrounded: rounding it could move it across
    # a threshold (<100 copies/mL is <17.18… IU/mL, not <17).
    value = canonical if reading.comparator else quantize(canonical, q.precision)
    shown_value = quantize(value, q.precision + 2).normalize() if reading.comparator else value
    sign = censored.symbol(reading.comparator)
    possible = q.hard.contains(value) and (
        reading.comparator is None
        or censored.is_possible(reading.comparator, value, q.hard.low, q.hard.high)
    )
    if not possible:
        notes.append(
            f"{q.label} {sign}{with_unit(shown_value, q.unit)} is outside the possible range "
            f"{q.hard.text(q.unit)} and was not used"
        )
        return None
    if not q.soft.contains(value):
        ctx.warnings.append(
            f"{q.label} {sign}{with_unit(shown_value, q.unit)} is outside the plausible "
            f"range {q.soft.text(q.unit)}; check it"
        )
    text = f"{q.label} {sign}{with_unit(shown_value, q.unit)}"
    shown = canonical_unit(reading.unit or "")
    if shown != q.unit:
        text += f" (entered as {sign}{with_unit(entered, shown)})"
    if reading.comparator is not None:
        text += f" ({censored.words(reading.comparator)})"
    if reading.on is not None:
        text += f" on {reading.on}"
    ref = _reference_range(ctx, q, reading, notes)
    if reading.comparator is None:
        return Num(value, value, text, q.unit, q.label, (), ref)
    low, low_open, high, high_open = censored.bounds(
        reading.comparator, value, q.hard.low, q.hard.high
    )
    # Listed as lacking only when a comparison cannot be decided from the bound.
    why = (
        f"{q.label} is {censored.words(reading.comparator)} "
        f"({sign}{with_unit(shown_value, q.unit)}), so its exact value is not known"
    )
    own = (MissingFact(q.code, q.label, _kind(q), why),)
    return Num(low, high, text, q.unit, q.label, own, ref, low_open, high_open, reading.comparator)


def _reference_range(
    ctx: Context, q: Quantity, reading: Reading, notes: list[str]
) -> RefRange | None:
    ref = reading.reference_range
    if ref is None:
        return None
    unit = ref.unit or reading.unit or q.unit
    factors = ctx.definition.settings.factors
    try:
        lln = (
            None
            if ref.lln is None
            else quantize(to_canonical(q, ref.lln, unit, factors), q.precision)
        )
        uln = (
            None
            if ref.uln is None
            else quantize(to_canonical(q, ref.uln, unit, factors), q.precision)
        )
    except units.UnitError as exc:
        notes.append(f"reference range of {q.label} could not be used: {exc}")
        return None
    return RefRange(lln, uln, ref.source)


# -- derived quantities ----------------------------------------------------------------


def _derived(ctx: Context, q: Quantity) -> Num:
    spec = CALCULATORS[q.calculator or ""]
    inputs: dict[str, Decimal] = {}
    shown: list[str] = []
    missing: list[MissingFact] = []
    for slot, slot_unit in spec.slots.items():
        code = (q.inputs or {})[slot]
        num = resolve(ctx, code)
        source_q = ctx.definition.catalogue.quantities[code]
        if num.exact is None:
            missing.extend(num.missing)
            continue
        inputs[slot] = (
            units.convert(num.exact, source_q.analyte, source_q.unit, slot_unit)
            if source_q.unit != slot_unit
            else num.exact
        )
        shown.append(with_unit(num.exact, source_q.unit))
    compute = _COMPUTE[spec.name]
    try:
        result = compute(ctx, q, inputs, missing)
    except ValueError as exc:
        return unknown(q, f"{q.label} could not be calculated: {exc}")
    if isinstance(result, Num):
        return result
    if result is None or missing:
        reason = (
            f"{q.label} cannot be calculated: "
            + "; ".join(dict.fromkeys(m.reason for m in missing))
            if missing
            else f"{q.label} unknown"
        )
        return unknown(q, reason, missing=tuple(dict.fromkeys(missing)))
    value = quantize(result, q.precision)
    text = f"{q.label} {with_unit(value, q.unit)}"
    if shown:
        text += f" (from {', '.join(shown)})"
    return Num(value, value, text, q.unit, q.label)


Compute = Callable[
    [Context, Quantity, dict[str, Decimal], list[MissingFact]], "Decimal | Num | None"
]


def _age(
    ctx: Context, q: Quantity, _: dict[str, Decimal], missing: list[MissingFact]
) -> Decimal | None:
    if ctx.facts.age is not None and ctx.facts.date_of_birth is None:
        # Given on the screening date by a caller that keeps the date of birth apart;
        # it says nothing about the age on another day.
        if ctx.facts.screening_date != ctx.screening:
            raise ValueError(
                f"the age given is on the screening date ({ctx.facts.screening_date}), "
                f"not on {ctx.screening.isoformat()}"
            )
        return Decimal(ctx.facts.age)
    dob = ctx.facts.date_of_birth
    if dob is None:
        missing.append(
            MissingFact(
                "date_of_birth", "Date of birth", "date_of_birth", "date of birth not recorded"
            )
        )
        return None
    return Decimal(calculators.age_on(dob, ctx.screening))


def _years_since(
    ctx: Context, q: Quantity, _: dict[str, Decimal], missing: list[MissingFact]
) -> Decimal | None:
    event = (q.parameters or {})["event"]
    label = ctx.definition.catalogue.event_types[event].label
    dates = [
        e.on
        for e in ctx.facts.history or ()
        if e.code == event and e.on is not None and e.on <= ctx.screening
    ]
    if not dates:
        missing.append(
            MissingFact(event, f"{label} (date)", "history", f"{label} date not recorded")
        )
        return None
    return Decimal(calculators.years_since(max(dates), ctx.screening))


def _sex(ctx: Context, missing: list[MissingFact]) -> str | None:
    if ctx.facts.sex is None:
        missing.append(MissingFact("sex", "Sex", "sex", "sex not recorded"))
    return ctx.facts.sex


def _items(
    ctx: Context, name: str, label: str, missing: list[MissingFact]
) -> tuple[str, ...] | None:
    items = ctx.facts.score_items.get(name)
    if items is None:
        missing.append(MissingFact(name, label, "score_items", f"{label} not recorded"))
    return items


def _simple(fn: Callable[[dict[str, Decimal]], Decimal]) -> Compute:
    def compute(
        ctx: Context, q: Quantity, inputs: dict[str, Decimal], missing: list[MissingFact]
    ) -> Decimal | None:
        return None if missing else fn(inputs)

    return compute


def _egfr(
    ctx: Context, q: Quantity, inputs: dict[str, Decimal], missing: list[MissingFact]
) -> Decimal | None:
    sex = _sex(ctx, missing)
    if missing or sex is None:
        return None
    return calculators.egfr_ckd_epi_2021(inputs["creatinine"], inputs["age"], sex)


def _prednisolone(
    ctx: Context, q: Quantity, _: dict[str, Decimal], missing: list[MissingFact]
) -> Decimal | None:
    return current_prednisolone_dose(ctx, (q.parameters or {})["drug_class"], missing)


def _padua(
    ctx: Context, q: Quantity, inputs: dict[str, Decimal], missing: list[MissingFact]
) -> Decimal | Num | None:
    items = _items(ctx, "padua", "Padua score items", missing)
    if items is None:
        return None
    derived = calculators.padua_items_from(
        int(inputs["age"]) if "age" in inputs else None, inputs.get("bmi")
    )
    low = calculators.padua([*items, *derived])
    unsure = (0 if "age" in inputs or "age_70_or_over" in items else 1) + (
        0 if "bmi" in inputs or "obesity_bmi_30" in items else 1
    )
    if not unsure:
        return Decimal(low)
    return _partial(q, Decimal(low), Decimal(low + unsure), missing)


def _caprini(
    ctx: Context, q: Quantity, inputs: dict[str, Decimal], missing: list[MissingFact]
) -> Decimal | Num | None:
    items = _items(ctx, "caprini_2005", "Caprini score items", missing)
    if items is None:
        return None
    own = [i for i in items if i not in calculators.CAPRINI_AGE_ITEMS]
    if "age" not in inputs:
        low = calculators.caprini_2005(own, sex=ctx.facts.sex)
        return _partial(q, Decimal(low), Decimal(low + 3), missing)
    age_item = calculators.caprini_age_item(int(inputs["age"]))
    score = calculators.caprini_2005([*own, *([age_item] if age_item else [])], sex=ctx.facts.sex)
    return Decimal(score)


def _partial(q: Quantity, low: Decimal, high: Decimal, missing: list[MissingFact]) -> Num:
    reason = f"{q.label} between {low} and {high}: " + "; ".join(m.reason for m in missing)
    return Num(low, high, reason, q.unit, q.label, tuple(dict.fromkeys(missing)))


def _compute_table() -> Mapping[str, Compute]:
    return MappingProxyType(
        {
            "t_score": _t_score,
            "frax_glucocorticoid_adjusted": _frax,
            "age": _age,
            "years_since_event": _years_since,
            "bmi": _simple(lambda i: calculators.bmi(i["weight"], i["height"])),
            "egfr_ckd_epi_2021": _egfr,
            "homa_ir": _simple(lambda i: calculators.homa_ir(i["glucose"], i["insulin"])),
            "prednisolone_equivalent_dose": _prednisolone,
            "padua": _padua,
            "caprini_2005": _caprini,
        }
    )


def _t_score(
    ctx: Context, q: Quantity, inputs: dict[str, Decimal], missing: list[MissingFact]
) -> Decimal | None:
    if missing:
        return None
    return calculators.t_score(inputs["bmd"], (q.parameters or {})["site"])


def _frax(
    ctx: Context, q: Quantity, inputs: dict[str, Decimal], missing: list[MissingFact]
) -> Decimal | None:
    if missing:
        return None
    return calculators.frax_glucocorticoid_adjusted(
        inputs["probability"],
        (q.parameters or {})["outcome"],
        inputs["prednisolone_dose"],
        inputs["age"],
    )


_COMPUTE = _compute_table()
