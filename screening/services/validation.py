"""Checking a save before anything is written: every problem, each on its field.

Field keys: an observation's value is keyed by its code (``weight``), its other
parts by ``code.unit``, ``code.observed_on``, ``code.reference_range``;
answers, judgments and reference dates by their code; medication and history rows by their
position in the change (``medications.0.stop``, ``history.1.occurred_on``);
checklists by ``score_items.<code>``; the reason by ``reason``.

What any number or day must be before anything else is asked of it (a finite
number its column can hold, a day in a plausible span) is stated once here, in
:class:`NumberColumn` and :func:`day_refusal`: the forms refuse with the same words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from eligibility import (
    Catalogue,
    Comparator,
    Limits,
    ProtocolDefinition,
    Quantity,
    UnitError,
    age_on,
    canonical_unit,
    censored_possible,
    comparator_of,
    comparator_symbol,
    display_unit,
    from_canonical,
    plain_number,
    plausible_units,
    quantize,
    to_canonical,
)
from screening.models import MedicationExposure, Observation, ObservationKind, RangeSource
from screening.services.changes import (
    HistoryInput,
    MedicationInput,
    ObservationInput,
    ScreeningChanges,
)
from screening.shapes import ANSWER_USES, OBSERVATION

ANSWERS = ("yes", "no", "unknown")
ATC = re.compile(r"^[A-Z](\d{2}([A-Z]([A-Z](\d{2})?)?)?)?$")


@dataclass
class Problems:
    errors: dict[str, list[ValidationError]] = field(default_factory=dict)

    def add(self, key: str, message: str, code: str = "invalid") -> None:
        self.errors.setdefault(key, []).append(ValidationError(message, code=code))

    def __bool__(self) -> bool:
        return bool(self.errors)


@dataclass
class Plan:
    """The change, normalised to model field values; ``None`` removes an observation."""

    observations: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    medications: list[tuple[int | None, dict[str, Any]]] = field(default_factory=list)
    remove_medications: list[int] = field(default_factory=list)
    history: list[tuple[int | None, dict[str, Any]]] = field(default_factory=list)
    remove_history: list[int] = field(default_factory=list)
    score_items: dict[str, list[str] | None] = field(default_factory=dict)
    flags: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    definition: ProtocolDefinition
    screening_date: date
    today: date
    may_judge: bool
    saved_judgments: Mapping[str, str]
    medication_ids: frozenset[int]
    history_ids: frozenset[int]
    # The candidate's date of birth: no result, dose or event of theirs comes before it.
    born: date | None = None

    @property
    def catalogue(self) -> Catalogue:
        return self.definition.catalogue


@dataclass(frozen=True)
class NumberColumn:
    """How much of a number its database column keeps: ``digits`` in all, ``places`` of
    them after the decimal point."""

    digits: int
    places: int

    @classmethod
    def of(cls, model: type[models.Model], name: str) -> NumberColumn:
        column = model._meta.get_field(name)
        if not isinstance(column, models.DecimalField):
            raise TypeError(f"{model.__name__}.{name} is not a decimal column")
        return cls(column.max_digits or 0, column.decimal_places or 0)

    def holds(self, value: Decimal) -> bool:
        """Whether ``value`` is a finite number this column stores exactly."""
        if not value.is_finite():
            return False
        _sign, digits, exponent = value.as_tuple()
        places = max(0, -int(exponent))
        whole = max(0, len(digits) + int(exponent))
        return places <= self.places and whole <= self.digits - self.places

    def refusal(self, value: Decimal, label: str) -> str | None:
        """The message refusing ``value`` for the field ``label``, naming the limit; ``None``
        when the column holds it."""
        if self.holds(value):
            return None
        return _(
            "%(label)s: enter a number with at most %(whole)s digits before the decimal "
            "point and %(places)s after it."
        ) % {"label": label, "whole": self.digits - self.places, "places": self.places}


VALUE = NumberColumn.of(Observation, "value")
RANGE_LIMIT = NumberColumn.of(Observation, "lln")
DAILY_DOSE = NumberColumn.of(MedicationExposure, "daily_dose")

# No candidate alive was born, and no result taken, before 1900; nothing Eligo records
# lies beyond 2200. Dates outside are typing slips (or probes), and date arithmetic
# near the calendar's ends (0001-01-01 minus a washout) cannot be done at all.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2200, 12, 31)


def day_refusal(day: date, label: str) -> str | None:
    """The message refusing an implausible ``day`` for the field ``label``, or ``None``."""
    if EARLIEST_DAY <= day <= LATEST_DAY:
        return None
    return _(
        "%(label)s: %(day)s is not a plausible date; give one between %(first)s and %(last)s."
    ) % {
        "label": label,
        "day": day.isoformat(),
        "first": EARLIEST_DAY.isoformat(),
        "last": LATEST_DAY.isoformat(),
    }


# The oldest age a date of birth may give: older is a typing slip (1901 for 1961).
OLDEST_AGE = 120


def birth_refusal(born: date, today: date, label: str) -> str | None:
    """The message refusing a date of birth in the future, or one giving an age over
    :data:`OLDEST_AGE` years today; ``None`` when plausible."""
    refusal = day_refusal(born, label)
    if refusal is not None:
        return refusal
    if born > today:
        return _("%(label)s: %(day)s is in the future (today is %(today)s).") % {
            "label": label,
            "day": born.isoformat(),
            "today": today.isoformat(),
        }
    age = age_on(born, today)
    if age > OLDEST_AGE:
        return _(
            "%(label)s: %(day)s gives an age of %(age)s years; the oldest plausible age is "
            "%(oldest)s years."
        ) % {"label": label, "day": born.isoformat(), "age": age, "oldest": OLDEST_AGE}
    return None


def limits_text(limits: Limits, unit: str) -> str:
    u = f" {display_unit(unit)}" if unit else ""
    if limits.low is not None and limits.high is not None:
        return f"between {limits.low} and {limits.high}{u}"
    if limits.low is not None:
        return f"at least {limits.low}{u}"
    return f"at most {limits.high}{u}"


def _check_day(p: Problems, key: str, label: str, day: date | None, ctx: Context) -> None:
    if day is None:
        return
    refusal = day_refusal(day, label)
    if refusal is not None:
        p.add(key, refusal, "implausible_date")
    elif day > ctx.today:
        p.add(key, f"{label}: {day} is in the future (today is {ctx.today}).", "future")
    elif ctx.born is not None and day < ctx.born:
        p.add(
            key,
            _("%(label)s: %(day)s is before the candidate's date of birth %(born)s.")
            % {"label": label, "day": day.isoformat(), "born": ctx.born.isoformat()},
            "before_birth",
        )


def limits_in_unit(limits: Limits, q: Quantity, unit: str, factors: Any = None) -> str:
    """``limits`` (in ``q``'s canonical unit) said in ``unit`` as well when it is another:
    "between 0.05 and 40 mg/dL (4.42–3536.8 µmol/L)"."""
    said = limits_text(limits, q.unit)
    if canonical_unit(unit) == q.unit:
        return said
    try:
        low, high = (
            None if v is None else from_canonical(q, v, unit, factors)
            for v in (limits.low, limits.high)
        )
    except (UnitError, ArithmeticError):
        return said

    def shown(value: Decimal | None) -> str:
        return "" if value is None else plain_number(quantize(value, q.precision))

    return f"{said} ({shown(low)}–{shown(high)} {display_unit(canonical_unit(unit))})"


def unit_hint(q: Quantity, value: Decimal, unit: str, factors: Any = None) -> str:
    """For a value implausible in the ``unit`` chosen but plausible in another unit the
    quantity accepts, the question to ask: "Did you mean 70 µmol/L (= 0.79 mg/dL)?";
    otherwise the empty string. Built from the quantity's units and limits alone."""
    suggestions = []
    for other in plausible_units(q, value, unit, factors):
        figure = f"{plain_number(value)} {display_unit(other)}".strip()
        if other != q.unit:
            canonical = quantize(to_canonical(q, value, other, factors), q.precision)
            figure += f" (= {canonical} {display_unit(q.unit)})".replace(" )", ")")
        suggestions.append(figure)
    if not suggestions:
        return ""
    return _("Did you mean %(figures)s?") % {"figures": _(" or ").join(suggestions)}


def _measured(p: Problems, item: ObservationInput, q: Quantity, ctx: Context) -> dict[str, Any]:
    code, label = item.code, q.label
    if q.is_qualitative:
        text = item.text.strip().lower()
        if text not in q.qualitative:
            p.add(code, f"{label}: choose one of {', '.join(q.qualitative)}.", "choice")
        return {"kind": ObservationKind.QUALITATIVE, "text_value": text}
    if item.value is None:
        p.add(code, f"{label}: enter a number in {display_unit(q.unit) or 'no unit'}.", "number")
        return {}
    factors = ctx.definition.settings.factors
    value = _decimal(item.value)
    refusal = VALUE.refusal(value, label) or _fraction_refusal(value, q)
    if refusal is not None:
        p.add(code, refusal, "impossible")
        return {}
    unit = canonical_unit(item.unit) if item.unit.strip() else q.unit
    comparator = _comparator(p, item, label)
    entered = f"{comparator_symbol(comparator)}{value} {display_unit(unit)}".strip()
    try:
        canonical = quantize(to_canonical(q, value, unit, factors), q.precision)
    except (UnitError, ArithmeticError) as exc:
        p.add(f"{code}.unit", f"{label}: {exc}.", "unit")
        return {}
    refusal = VALUE.refusal(canonical, f"{label} in {display_unit(q.unit) or 'its unit'}")
    if refusal is not None:  # a unit whose factor pushes it past what is stored
        p.add(code, refusal, "impossible")
        return {}
    shown = entered if unit == q.unit else f"{entered} (= {canonical} {display_unit(q.unit)})"
    outside_soft = not q.soft.contains(canonical)
    hint = "" if comparator else unit_hint(q, value, unit, factors)
    if not q.hard.contains(canonical) or not _possible(comparator, canonical, q):
        limits = limits_in_unit(q.hard, q, unit, factors)
        p.add(
            code,
            f"{label}: {shown} is impossible; it must be {limits}. {hint}".strip(),
            "impossible",
        )
    elif outside_soft and not item.implausible_confirmed:
        limits = limits_in_unit(q.soft, q, unit, factors)
        p.add(
            code,
            f"{label}: {shown} is implausible (expected {limits}); "
            f"confirm it if it is right. {hint}".strip(),
            "implausible",
        )
    kind = ObservationKind.LAB if q.kind == "lab" else ObservationKind.MEASUREMENT
    out: dict[str, Any] = {
        "kind": kind,
        "value": canonical,
        "unit": q.unit,
        "value_entered": format(value, "f"),
        "comparator": comparator or "",
        "unit_entered": unit,
        "implausible_confirmed": outside_soft and item.implausible_confirmed,
    }
    if kind == ObservationKind.LAB and item.range_from_report:
        out.update(_report_range(p, item, q, unit, ctx))
    return out


def _comparator(p: Problems, item: ObservationInput, label: str) -> Comparator | None:
    """The censored result's comparator, or ``None`` for an exact value (or a refusal)."""
    try:
        return comparator_of(item.comparator)
    except ValueError:
        p.add(
            item.code,
            f"{label}: {item.comparator!r} is not a comparator; write the result as a number, "
            "or a number after <, <=, > or >=.",
            "comparator",
        )
        return None


def _possible(comparator: Comparator | None, canonical: Decimal, q: Quantity) -> bool:
    """A censored result allows at least one possible value (``<0`` for a count does not)."""
    return comparator is None or censored_possible(comparator, canonical, q.hard.low, q.hard.high)


def _report_range(
    p: Problems, item: ObservationInput, q: Quantity, unit: str, ctx: Context
) -> dict[str, Any]:
    key, label = f"{item.code}.reference_range", q.label
    range_unit = canonical_unit(item.range_unit) if item.range_unit.strip() else unit
    limits = {"lower": item.lln, "upper": item.uln}
    refusals = [
        RANGE_LIMIT.refusal(_decimal(limit), f"{label} {side} limit")
        for side, limit in limits.items()
        if limit is not None
    ]
    for refusal in refusals:
        if refusal is not None:
            p.add(key, refusal, "impossible")
    if any(refusals):
        return {}
    if item.lln is None and item.uln is None:
        p.add(key, f"{label}: give the lower or upper limit printed on the report.", "required")
    elif item.lln is not None and item.uln is not None and item.lln > item.uln:
        p.add(key, f"{label}: the lower limit {item.lln} is above the upper {item.uln}.", "order")
    factors = ctx.definition.settings.factors
    try:
        to_canonical(q, Decimal(1), range_unit, factors)
    except (UnitError, ArithmeticError) as exc:
        p.add(key, f"{label} reference range: {exc}.", "unit")
    else:
        for side, limit in limits.items():
            if limit is not None:
                _check_range_limit(p, key, q, side, limit, range_unit, factors)
    return {
        "range_source": RangeSource.REPORT,
        "lln": item.lln,
        "uln": item.uln,
        "range_unit": range_unit,
    }


def _check_range_limit(
    p: Problems, key: str, q: Quantity, side: str, limit: Decimal, unit: str, factors: Any
) -> None:
    """A limit printed on a report is a value of the quantity: it must be a possible one."""
    if q.hard.contains(quantize(to_canonical(q, limit, unit, factors), q.precision)):
        return
    p.add(
        key,
        _("%(label)s: the %(side)s limit %(limit)s %(unit)s is impossible; it must be %(limits)s.")
        % {
            "label": q.label,
            "side": side,
            "limit": limit,
            "unit": display_unit(unit),
            "limits": limits_text(q.hard, q.unit),
        },
        "impossible",
    )


def _fraction_refusal(value: Decimal, q: Quantity) -> str | None:
    """A grade or score without a unit takes whole numbers only: ECOG 1.5 is no grade."""
    if q.counts_in_whole_numbers and value != value.to_integral_value():
        return (
            f"{q.label}: {value.normalize()} is not a whole number; "
            f"it must be {limits_text(q.hard, q.unit)}."
        )
    return None


def _decimal(value: Any) -> Decimal:
    """A number as given to the service; anything that is not one reads as NaN, which
    no column holds."""
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return Decimal("NaN")


def _observation(p: Problems, item: ObservationInput, ctx: Context) -> dict[str, Any] | None:
    q = ctx.catalogue.quantities.get(item.code)
    if q is None:
        p.add(item.code, f"{item.code} is not a quantity this protocol knows.", "unknown")
        return None
    if q.kind == "derived":
        p.add(item.code, f"{q.label} is calculated by Eligo; enter what it is calculated from.")
        return None
    fields = OBSERVATION.blank()
    fields.update(observed_on=item.observed_on, source=item.source.strip())
    fields.update(_measured(p, item, q, ctx))
    day = item.observed_on
    if day is None:
        # An undated value cannot be judged against a validity window, and shows a
        # blank date wherever it is listed.
        what = _("result date") if q.kind == "lab" else _("date measured")
        p.add(
            f"{item.code}.observed_on",
            _("%(label)s: give the %(what)s of the value entered.")
            % {"label": q.label, "what": what},
            "required",
        )
    _check_day(p, f"{item.code}.observed_on", f"{q.label} result date", day, ctx)
    if day is not None and day <= ctx.today and day > ctx.screening_date:
        p.add(
            f"{item.code}.observed_on",
            f"{q.label}: the result date {day} is after the screening date {ctx.screening_date}.",
            "after_screening",
        )
    return fields


def _answer(p: Problems, code: str, value: str, kind: str, ctx: Context) -> dict[str, Any] | None:
    question = ctx.catalogue.questions.get(code)
    answer = value.strip().lower()
    if question is None or question.kind != kind:
        p.add(code, f"{code} is not a question of this protocol.", "unknown")
        return None
    if answer not in ANSWERS:
        p.add(code, f"{question.text}: answer yes, no or unknown (not {value!r}).", "choice")
        return None
    if kind == "judgment" and not ctx.may_judge and ctx.saved_judgments.get(code) != answer:
        p.add(code, "Only an investigator of this site answers investigator judgments.", "role")
    return {"kind": kind, "text_value": answer}


def _reference_date(p: Problems, code: str, day: date, ctx: Context) -> dict[str, Any] | None:
    """A date the protocol measures windows from. Planned dates lie ahead, so a day after
    today is expected; only an implausible one is refused."""
    declared = ctx.catalogue.reference_dates.get(code)
    if declared is None:
        p.add(code, f"{code} is not a reference date of this protocol.", "unknown")
        return None
    refusal = day_refusal(day, declared.text)
    if refusal is not None:
        p.add(code, refusal, "implausible_date")
        return None
    return {**OBSERVATION.blank(), "kind": ObservationKind.REFERENCE_DATE, "observed_on": day}


def _medication(p: Problems, i: int, m: MedicationInput, ctx: Context) -> dict[str, Any]:
    key, cat = f"medications.{i}", ctx.catalogue
    if m.id is not None and m.id not in ctx.medication_ids:
        p.add(key, "This course is not recorded for this screening.", "unknown")
    atc = m.atc.strip().upper()
    if not m.drug.strip():
        p.add(f"{key}.drug", "Name the drug or class.", "required")
    elif not cat.is_drug_or_class(m.drug) and not atc:
        p.add(
            f"{key}.drug",
            f"{m.drug} is not in Eligo's catalogue; give its ATC code so it can be classified.",
            "atc_required",
        )
    if atc and not ATC.match(atc):
        p.add(f"{key}.atc", f"{m.atc} is not a WHO ATC code such as C08CA01.", "atc")
    if m.route and m.route not in cat.routes:
        p.add(f"{key}.route", f"{m.route} is not a route Eligo knows.", "unknown")
    _check_day(p, f"{key}.start", "Start", m.start, ctx)
    _check_day(p, f"{key}.stop", "Stop", m.stop, ctx)
    if m.ongoing and m.stop is not None:
        p.add(f"{key}.stop", "An ongoing course has no stop date.", "ongoing")
    if m.start is not None and m.stop is not None and m.stop < m.start:
        p.add(f"{key}.stop", f"Stop ({m.stop}) is before start ({m.start}).", "stop_before_start")
    dose_refusal = None
    if m.daily_dose is not None:
        dose_refusal = DAILY_DOSE.refusal(_decimal(m.daily_dose), _("Daily dose"))
    if dose_refusal is not None:
        p.add(f"{key}.daily_dose", dose_refusal, "impossible")
    elif m.daily_dose is not None and m.daily_dose < 0:
        p.add(f"{key}.daily_dose", "The daily dose cannot be negative.", "negative")
    if m.daily_dose is not None and not m.dose_unit.strip():
        p.add(f"{key}.dose_unit", "Give the unit of the daily dose.", "required")
    return {
        "drug": m.drug.strip(),
        "atc": atc,
        "route": m.route,
        "start": m.start,
        "stop": m.stop,
        "ongoing": m.ongoing,
        "daily_dose": m.daily_dose,
        "dose_unit": m.dose_unit.strip(),
    }


def _event(p: Problems, i: int, h: HistoryInput, ctx: Context) -> dict[str, Any]:
    key = f"history.{i}"
    if h.id is not None and h.id not in ctx.history_ids:
        p.add(key, "This event is not recorded for this screening.", "unknown")
    event_type = ctx.catalogue.event_types.get(h.code)
    if event_type is None:
        p.add(f"{key}.code", f"{h.code} is not an event Eligo knows.", "unknown")
    details = dict(h.details)
    if event_type is not None:
        for name, value in h.details.items():
            detail = event_type.detail(name)
            if detail is None:
                p.add(f"{key}.details.{name}", f"{event_type.label} has no detail {name!r}.")
                continue
            if not detail.values:
                continue
            # As the engine reads facts: any case, stored in the declared spelling.
            declared = {v.casefold(): v for v in detail.values}
            if value.casefold() in declared:
                details[name] = declared[value.casefold()]
            else:
                p.add(
                    f"{key}.details.{name}",
                    _("%(detail)s: %(value)s is not one of its values; choose one of %(choices)s.")
                    % {"detail": detail.label, "value": value, "choices": ", ".join(detail.values)},
                )
    _check_day(p, f"{key}.occurred_on", "Date", h.occurred_on, ctx)
    return {"code": h.code, "occurred_on": h.occurred_on, "details": details}


def _checklists(
    p: Problems, changes: ScreeningChanges, ctx: Context
) -> dict[str, list[str] | None]:
    if not changes.score_items:
        return {}
    known = {
        i.code: {c.code for c in i.choices}
        for i in ctx.definition.requirements().inputs()
        if i.kind == "checklist"
    }
    out: dict[str, list[str] | None] = {}
    for score, items in changes.score_items.items():
        if score not in known:
            p.add(f"score_items.{score}", f"{score} is not a checklist of this protocol.")
            continue
        if items is None:
            out[score] = None
            continue
        unknown = sorted(set(items) - known[score])
        if unknown:
            p.add(f"score_items.{score}", f"Not items of {score}: {', '.join(unknown)}.")
        out[score] = sorted(set(items))
    return out


def validate(changes: ScreeningChanges, ctx: Context) -> tuple[Plan, Problems]:
    """Normalise and check every value of the change; nothing is written here."""
    p, plan = Problems(), Plan()
    for code in changes.remove_observations:
        plan.observations[code] = None
    for item in changes.observations:
        plan.observations[item.code] = None if item.is_blank else _observation(p, item, ctx)
    for use in ANSWER_USES:
        for code, value in getattr(changes, use.changes).items():
            if not value.strip():
                plan.observations[code] = None
                continue
            answer = _answer(p, code, value, use.kind, ctx)
            if answer is not None:
                plan.observations[code] = {**OBSERVATION.blank(), **answer}
    plan.observations.update(
        (code, None if day is None else _reference_date(p, code, day, ctx))
        for code, day in changes.reference_dates.items()
    )
    plan.medications = [
        (m.id, _medication(p, i, m, ctx)) for i, m in enumerate(changes.medications)
    ]
    plan.history = [(h.id, _event(p, i, h, ctx)) for i, h in enumerate(changes.history)]
    for pk in changes.remove_medications:
        if pk not in ctx.medication_ids:
            p.add("medications", "A course to remove is not recorded for this screening.")
    for pk in changes.remove_history:
        if pk not in ctx.history_ids:
            p.add("history", "An event to remove is not recorded for this screening.")
    plan.remove_medications = list(changes.remove_medications)
    plan.remove_history = list(changes.remove_history)
    plan.score_items = _checklists(p, changes, ctx)
    if changes.medications_complete is not None:
        plan.flags["medications_complete"] = changes.medications_complete
    if changes.history_complete is not None:
        plan.flags["history_complete"] = changes.history_complete
    return plan, p
