"""What is known about a candidate, as typed frozen data (``docs/facts-format.md``).

:func:`load_facts` checks the document's shape and types and names the field of the
first problem (``labs[2].date``). It does not judge codes or units against a catalogue:
the evaluation does that, and reports an unusable fact as missing, with the reason. The one
exception: given the protocol's catalogue, it checks event details against their declared
values (in any case, kept in the declared spelling), because a detail value the protocol
does not declare would otherwise silently fail to match.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cached_property
from types import MappingProxyType
from typing import Any, Literal

from eligibility.calc_dates import age_on
from eligibility.catalogue import Catalogue
from eligibility.censored import Comparator, split_comparator
from eligibility.errors import FactsError, Path, path_text
from eligibility.reader import Reader

Answer = Literal["yes", "no", "unknown"]
_SEXES = {"f": "F", "female": "F", "m": "M", "male": "M"}
_ANSWERS: Mapping[object, Answer] = {
    "yes": "yes",
    "no": "no",
    "unknown": "unknown",
    True: "yes",
    False: "no",
}
_TOP = {
    "format",
    "screening_date",
    "sex",
    "date_of_birth",
    "age",
    "measurements",
    "labs",
    "medications",
    "history",
    "answers",
    "judgments",
    "score_items",
    "reference_dates",
    "consent_date",
    "candidate",
    "note",
}


@dataclass(frozen=True)
class ReferenceRange:
    """The candidate's own reference range for one result, in ``unit``."""

    lln: Decimal | None
    uln: Decimal | None
    unit: str | None
    source: str | None


@dataclass(frozen=True)
class Reading:
    """A dated measurement or laboratory result (``value`` + ``unit``, or a qualitative
    ``result`` such as ``positive``).

    ``comparator`` set: the value is censored, ``value`` is its limit (``<20`` is
    comparator ``<``, value 20; see :mod:`eligibility.censored`)."""

    code: str
    value: Decimal | None
    unit: str | None
    result: str | None
    on: date | None
    reference_range: ReferenceRange | None
    source: str | None
    path: str
    comparator: Comparator | None = None


@dataclass(frozen=True)
class Exposure:
    """One course of a drug or drug class.

    ``ongoing`` true: still taken on the screening date. ``stop`` given: last dose that
    day. Neither: the end is unknown (somewhere between ``start`` and screening).
    """

    drug: str | None
    drug_class: str | None
    atc: str | None
    route: str | None
    start: date | None
    stop: date | None
    ongoing: bool
    daily_dose: Decimal | None
    dose_unit: str | None
    path: str


@dataclass(frozen=True)
class Event:
    code: str
    on: date | None
    details: Mapping[str, str]
    path: str


@dataclass(frozen=True)
class Facts:
    """``medications``/``history`` are ``None`` when not recorded at all; an empty tuple
    means recorded and none."""

    screening_date: date | None
    sex: Literal["F", "M"] | None
    date_of_birth: date | None
    readings: tuple[Reading, ...]
    medications: tuple[Exposure, ...] | None
    history: tuple[Event, ...] | None
    answers: Mapping[str, Answer]
    judgments: Mapping[str, Answer]
    score_items: Mapping[str, tuple[str, ...]]
    reference_dates: Mapping[str, date] = field(default_factory=lambda: MappingProxyType({}))
    # Age in completed years on the screening date, given instead of the date of birth
    # by callers that keep the date of birth to themselves (Eligo stores evaluations
    # with the age only, so erasing an identity leaves no date of birth behind).
    age: int | None = None
    # The day the candidate signed the informed consent (answers ``answered_by: consent_date``).
    consent_date: date | None = None

    @property
    def knows_age(self) -> bool:
        """Whether the age can be had: given, or from the date of birth."""
        return self.age is not None or self.date_of_birth is not None

    def readings_of(self, code: str) -> tuple[Reading, ...]:
        """The readings of one quantity, in the order recorded."""
        return self._readings_by_code.get(code, ())

    @cached_property
    def _readings_by_code(self) -> Mapping[str, tuple[Reading, ...]]:
        grouped: dict[str, list[Reading]] = {}
        for reading in self.readings:
            grouped.setdefault(reading.code, []).append(reading)
        return MappingProxyType({code: tuple(items) for code, items in grouped.items()})


def load_facts(
    data: Mapping[str, Any] | str,
    *,
    source: str = "<facts>",
    catalogue: Catalogue | None = None,
) -> Facts:
    """Read a facts document (a mapping, or JSON text); raises
    :class:`~eligibility.errors.FactsError` naming the field and the reason.

    With the protocol's ``catalogue``, event details are also checked against the values
    their event type declares: matched in any case and kept in the declared spelling, and
    a value not declared is refused."""
    if isinstance(data, str):
        try:
            data = json.loads(data, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise FactsError(
                source, (), f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
            ) from None
        except RecursionError:
            # The JSON decoder recurses once per level and has no limit of its own.
            raise FactsError(source, (), "not valid facts: nested far too deeply") from None
    r = Reader()
    top = r.mapping(data, ())
    if top is None:
        raise FactsError(source, (), "must be a JSON object")
    r.keys(top, _TOP, ())
    sex_text = r.text(top, "sex", (), required=False)
    sex = None
    if sex_text is not None:
        sex = _SEXES.get(sex_text.lower())
        if sex is None:
            r.add(("sex",), f"must be F or M (got {sex_text!r})")
    facts = Facts(
        screening_date=r.date(top, "screening_date", ()),
        sex=sex,  # type: ignore[arg-type]
        date_of_birth=r.date(top, "date_of_birth", ()),
        readings=tuple(
            reading
            for key in ("measurements", "labs")
            for i, item in enumerate(_items(r, top, key))
            if (reading := _reading(r, item, (key, i))) is not None
        ),
        medications=_optional_items(r, top, "medications", _exposure),
        history=_optional_items(
            r, top, "history", lambda r, item, path: _event(r, item, path, catalogue)
        ),
        answers=_answers(r, top, "answers"),
        judgments=_answers(r, top, "judgments"),
        score_items=_score_items(r, top),
        reference_dates=_reference_dates(r, top, catalogue),
        age=r.integer(top, "age", ()),
        consent_date=r.date(top, "consent_date", ()),
    )
    _check_age(r, facts)
    _raise(r, source)
    return facts


def _check_age(r: Reader, facts: Facts) -> None:
    """An age given beside a date of birth must be the one the date of birth gives."""
    if facts.age is None or facts.date_of_birth is None or facts.screening_date is None:
        return
    if facts.date_of_birth > facts.screening_date:
        return
    expected = age_on(facts.date_of_birth, facts.screening_date)
    if facts.age != expected:
        r.add(
            ("age",),
            f"is {facts.age}, but the date of birth gives {expected} on the screening date",
        )


def _raise(r: Reader, source: str) -> None:
    if r.problems:
        first = r.problems[0]
        raise FactsError(source, first.path, first.message)


def _items(r: Reader, top: Mapping[str, Any], key: str) -> list[Any]:
    value = top.get(key)
    if value is None:
        return []
    seq = r.sequence(value, (key,))
    return list(seq or ())


def _optional_items(r: Reader, top: Mapping[str, Any], key: str, read: Any) -> Any:
    if top.get(key) is None:
        return None
    return tuple(
        x
        for i, item in enumerate(_items(r, top, key))
        if (x := read(r, item, (key, i))) is not None
    )


def _reading(r: Reader, item: Any, path: Path) -> Reading | None:
    m = r.mapping(item, path)
    if m is None:
        return None
    r.keys(
        m, {"code", "value", "unit", "result", "date", "reference_range", "source", "note"}, path
    )
    code = r.code(m, "code", path)
    comparator, value = _reading_value(r, m, path)
    result = r.text(m, "result", path, required=False)
    if value is None and result is None and "value" not in m:
        r.add(path, "needs a value (with its unit) or a qualitative result")
    unit = r.text(m, "unit", path, required=False)
    ref = None
    if m.get("reference_range") is not None:
        rm = r.mapping(m["reference_range"], (*path, "reference_range"))
        if rm is not None:
            rp = (*path, "reference_range")
            r.keys(rm, {"lln", "uln", "unit", "source"}, rp)
            ref = ReferenceRange(
                r.decimal(rm, "lln", rp),
                r.decimal(rm, "uln", rp),
                r.text(rm, "unit", rp, required=False),
                r.text(rm, "source", rp, required=False),
            )
            if ref.lln is not None and ref.uln is not None and ref.lln > ref.uln:
                r.add(rp, f"lln ({ref.lln}) is above uln ({ref.uln})")
    if code is None:
        return None
    return Reading(
        code,
        value,
        unit,
        result.lower() if result else None,
        r.date(m, "date", path),
        ref,
        r.text(m, "source", path, required=False),
        path_text(path),
        comparator,
    )


def _reading_value(
    r: Reader, m: Mapping[str, Any], path: Path
) -> tuple[Comparator | None, Decimal | None]:
    """A reading's value: a number, or a censored value written ``"<20"``, ``">=2000"``."""
    raw = m.get("value")
    if not isinstance(raw, str):
        return None, r.decimal(m, "value", path)
    comparator, rest = split_comparator(raw)
    if comparator is None:
        return None, r.decimal(m, "value", path)
    try:
        number = Decimal(rest)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        r.add(
            (*path, "value"),
            f"must be a number, or a number after <, <=, > or >= (got {raw!r})",
        )
        return None, None
    return comparator, number


def _exposure(r: Reader, item: Any, path: Path) -> Exposure | None:
    m = r.mapping(item, path)
    if m is None:
        return None
    r.keys(
        m,
        {
            "drug",
            "class",
            "atc",
            "route",
            "start",
            "stop",
            "ongoing",
            "daily_dose",
            "investigational",
            "note",
        },
        path,
    )
    drug = r.code(m, "drug", path, required=False)
    drug_class = r.code(m, "class", path, required=False)
    atc = r.text(m, "atc", path, required=False)
    if drug is None and drug_class is None and atc is None and not r.problems:
        r.add(path, "needs a drug, a class or an ATC code")
    start = r.date(m, "start", path)
    stop = r.date(m, "stop", path)
    ongoing = r.boolean(m, "ongoing", path) or False
    if ongoing and stop is not None:
        r.add((*path, "stop"), "an ongoing exposure has no stop date")
    if start and stop and stop < start:
        r.add((*path, "stop"), f"stop ({stop}) is before start ({start})")
    dose, unit = None, None
    if m.get("daily_dose") is not None:
        dm = r.mapping(m["daily_dose"], (*path, "daily_dose"))
        if dm is not None:
            dp = (*path, "daily_dose")
            r.keys(dm, {"value", "unit"}, dp)
            dose = r.decimal(dm, "value", dp, required=True)
            unit = r.text(dm, "unit", dp)
            if dose is not None and dose < 0:
                r.add((*dp, "value"), "must not be negative")
    return Exposure(
        drug,
        drug_class,
        atc,
        r.code(m, "route", path, required=False),
        start,
        stop,
        ongoing,
        dose,
        unit,
        path_text(path),
    )


def _event(r: Reader, item: Any, path: Path, catalogue: Catalogue | None) -> Event | None:
    m = r.mapping(item, path)
    if m is None:
        return None
    r.keys(m, {"code", "date", "details", "note"}, path)
    code = r.code(m, "code", path)
    details: dict[str, str] = {}
    if m.get("details") is not None:
        dm = r.mapping(m["details"], (*path, "details"))
        for key, value in (dm or {}).items():
            if isinstance(value, bool):
                details[str(key)] = "yes" if value else "no"
            elif isinstance(value, str | int):
                details[str(key)] = str(value)
            else:
                r.add((*path, "details", str(key)), f"must be text, not {value!r}")
    if code is None:
        return None
    if catalogue is not None and code in catalogue.event_types:
        _declared_details(r, catalogue, code, details, path)
    return Event(code, r.date(m, "date", path), MappingProxyType(details), path_text(path))


def _declared_details(
    r: Reader, catalogue: Catalogue, code: str, details: dict[str, str], path: Path
) -> None:
    """Put each detail in its declared spelling, or refuse a value its event type does not
    declare (details the type does not declare at all, or declares without values, stay)."""
    event_type = catalogue.event_types[code]
    for key, value in details.items():
        field = event_type.detail(key)
        if field is None or not field.values:
            continue
        declared = {v.casefold(): v for v in field.values}
        if value.casefold() in declared:
            details[key] = declared[value.casefold()]
        else:
            r.add(
                (*path, "details", key),
                f"{value!r} is not a declared value of {key} for event {code!r}; "
                f"allowed: {', '.join(field.values)}",
            )


def _answers(r: Reader, top: Mapping[str, Any], key: str) -> Mapping[str, Answer]:
    out: dict[str, Answer] = {}
    if top.get(key) is None:
        return MappingProxyType(out)
    m = r.mapping(top[key], (key,))
    for code, value in (m or {}).items():
        raw = value.get("answer") if isinstance(value, Mapping) else value
        answer = _ANSWERS.get(raw.lower() if isinstance(raw, str) else raw)
        if answer is None:
            r.add((key, str(code)), f"must be yes, no or unknown (got {raw!r})")
        else:
            out[str(code)] = answer
    return MappingProxyType(out)


def _reference_dates(
    r: Reader, top: Mapping[str, Any], catalogue: Catalogue | None
) -> Mapping[str, date]:
    """The protocol's named dates for this candidate; with the catalogue, a code the
    protocol does not declare is refused (it would otherwise never be read)."""
    out: dict[str, date] = {}
    if top.get("reference_dates") is None:
        return MappingProxyType(out)
    path: Path = ("reference_dates",)
    for code in r.mapping(top["reference_dates"], path) or {}:
        where = (*path, str(code))
        if code == "screening":
            r.add(where, "the screening date is given as screening_date, not here")
        elif catalogue is not None and code not in catalogue.reference_dates:
            declared = ", ".join(sorted(catalogue.reference_dates)) or "none"
            r.add(where, f"unknown reference date {code!r}; this protocol declares: {declared}")
        elif (found := r.date(top["reference_dates"], str(code), path)) is not None:
            out[str(code)] = found  # null, like an absent key, leaves the date unknown
    return MappingProxyType(out)


def _score_items(r: Reader, top: Mapping[str, Any]) -> Mapping[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    if top.get("score_items") is None:
        return MappingProxyType(out)
    m = r.mapping(top["score_items"], ("score_items",))
    for name in m or {}:
        out[str(name)] = r.codes(m or {}, name, ("score_items",))
    return MappingProxyType(out)
