"""Results too old for the protocol, said at their field.

A protocol says how long a result stays valid (``settings.lab_validity_days``,
``measurement_validity_days`` and per-quantity ``validity_days``; the requirements give
each input its ``validity_days``). The engine does not use a result older than that
window before the screening date, and says so in the panel; the coordinator needs to
read it where the result is typed and where it is listed: "Result of 3 Jan 2026 is
older than the 28-day window — repeat the test". A result still valid at screening but
no longer on a planned date of the protocol that lies after screening (a planned
randomisation or first dose) is flagged too, so it can be repeated in time.

The window is counted as the engine counts it: a result of day D is valid for a
screening on or before D + N days.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from eligibility import InputSpec, ProtocolDefinition


@dataclass(frozen=True)
class ValidityNote:
    code: str
    text: str
    expired: bool  # True: too old on the screening date; False: too old on a planned date


def _day(d: date) -> str:
    return date_format(d, "j M Y")


def valid_until(spec: InputSpec, on: date | None) -> date | None:
    """The last screening date a result of ``spec`` dated ``on`` is valid for; ``None``
    when the protocol sets no window or the result is undated."""
    if spec.validity_days is None or on is None:
        return None
    return on + timedelta(days=spec.validity_days)


def note_for(
    spec: InputSpec,
    on: date | None,
    *,
    screening_date: date,
    planned: Mapping[str, date],
) -> ValidityNote | None:
    """The note for a result of ``spec`` dated ``on``, or ``None`` when it is valid
    (or undated, or the protocol sets no window). ``planned``: the protocol's dates after
    screening, by their wording ("Planned randomisation date")."""
    days = spec.validity_days
    if days is None or on is None or on > screening_date:
        return None
    what = _("Result") if spec.kind == "lab" else _("Measurement")
    until = valid_until(spec, on) or on
    if until < screening_date:
        text = _(
            "%(what)s of %(on)s is older than the %(days)s-day window for the screening on "
            "%(screening)s — repeat the test."
        ) % {"what": what, "on": _day(on), "days": days, "screening": _day(screening_date)}
        return ValidityNote(spec.code, text, expired=True)
    later = sorted((d, label) for label, d in planned.items() if d > until)
    if not later:
        return None
    planned_on, label = later[0]
    text = _(
        "%(what)s of %(on)s is valid until %(until)s (%(days)s-day window), before the "
        "%(planned)s %(planned_on)s — repeat the test in time."
    ) % {
        "what": what,
        "on": _day(on),
        "until": _day(until),
        "days": days,
        "planned": label[:1].lower() + label[1:],
        "planned_on": _day(planned_on),
    }
    return ValidityNote(spec.code, text, expired=False)


def validity_notes(
    definition: ProtocolDefinition,
    *,
    screening_date: date,
    dates: Mapping[str, date | None],
    reference_dates: Mapping[str, date | None],
    inputs: Sequence[InputSpec] | None = None,
) -> dict[str, ValidityNote]:
    """A note for every dated result outside its window, by code. ``dates``: each
    result's date; ``reference_dates``: the protocol's named dates as recorded;
    ``inputs``: the definition's inputs, when the caller has them already."""
    named = definition.catalogue.reference_dates
    planned = {
        named[code].text: d
        for code, d in reference_dates.items()
        if d is not None and code in named and d > screening_date
    }
    notes = {}
    for spec in definition.requirements().inputs() if inputs is None else inputs:
        if spec.validity_days is None or spec.code not in dates:
            continue
        note = note_for(spec, dates[spec.code], screening_date=screening_date, planned=planned)
        if note is not None:
            notes[spec.code] = note
    return notes


def _read(bound: Any) -> date | None:
    """A day field's value as the form reads it; ``None`` for one it refuses."""
    try:
        value = bound.field.to_python(bound.value())
    except ValidationError:
        return None
    return value if isinstance(value, date) else None


def form_notes(
    form: Any, definition: ProtocolDefinition, *, screening_date: date
) -> dict[str, ValidityNote]:
    """The notes for what the entry form holds now (typed, or saved and shown)."""
    dates: dict[str, date | None] = {}
    reference_dates: dict[str, date | None] = {}
    inputs = form.requirements.inputs()
    for spec in inputs:
        name = f"{spec.code}__date"
        if spec.validity_days is not None and name in form.fields:
            dates[spec.code] = _read(form[name])
        elif spec.kind == "reference_date" and spec.code in form.fields:
            reference_dates[spec.code] = _read(form[spec.code])
    return validity_notes(
        definition,
        screening_date=screening_date,
        dates=dates,
        reference_dates=reference_dates,
        inputs=inputs,
    )


def saved_notes(screening: Any, definition: ProtocolDefinition) -> dict[str, ValidityNote]:
    """The notes for the screening's saved results."""
    dates: dict[str, date | None] = {}
    reference_dates: dict[str, date | None] = {}
    for code, kind, on in screening.observations.values_list("code", "kind", "observed_on"):
        (reference_dates if kind == "reference_date" else dates)[code] = on
    return validity_notes(
        definition,
        screening_date=screening.screening_date,
        dates=dates,
        reference_dates=reference_dates,
    )


def coded_inputs(form: Any) -> list[str]:
    """The codes of the entry form's inputs that have a validity window (each has a slot
    for its note beside the field)."""
    return [s.code for s in form.requirements.inputs() if s.validity_days is not None]
