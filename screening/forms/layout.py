"""How the generated form is laid out on the page, and the hints beside numbers.

The entry template walks ``entry_sections(form, …)``: sections in the
requirements' order, each with one item per input. A numeric item carries a
hint — the value converted to the canonical unit, and whether it lies outside
the plausible (soft) limits so that the confirmation box shows — computed with
the engine's own conversion and rounding, so the figure shown is the one the
engine compares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from eligibility import (
    InputSpec,
    Limits,
    ProtocolDefinition,
    UnitError,
    display_unit,
    plausible_units,
    quantize,
    to_canonical,
)
from screening.forms.entry import ScreeningEntryForm, is_numeric, is_qualitative
from screening.forms.rows import RowFormSet
from screening.services.validation import unit_hint


@dataclass
class Hint:
    code: str
    converted: str = ""
    implausible: bool = False
    impossible: bool = False
    limits: str = ""
    confirm: forms.BoundField | None = None  # the confirmation box, when the form has one
    unit_hint: str = ""  # "Did you mean 70 µmol/L?" when another unit makes it plausible
    switch_to: tuple[str, ...] = ()  # those units, offered as a one-click switch


@dataclass
class Item:
    spec: InputSpec
    shape: str  # numeric, qualitative, answer, judgment, checklist, rows, derived, fixed,
    # key_dates (every reference date of the section, ``fields`` by code)
    fields: dict[str, forms.BoundField] = field(default_factory=dict)
    formset: RowFormSet | None = None
    hint: Hint | None = None
    shown: str = ""  # the value of a read-only item (sex, date of birth)


@dataclass
class Section:
    code: str
    label: str
    items: list[Item]


def _limits_text(lim: Limits | None, unit: str) -> str:
    if lim is None or (lim.low is None and lim.high is None):
        return ""
    return lim.text(display_unit(unit))


def hint_for(
    definition: ProtocolDefinition,
    spec: InputSpec,
    value: Decimal | None,
    unit: str | None,
    *,
    sign: str = "",
) -> Hint:
    """The converted value and plausibility of what was typed for one numeric input
    (``sign``: a censored result's ``<`` or ``≥``, shown before the converted limit)."""
    limits = _limits_text(spec.soft, spec.unit or "")
    if value is None:
        return Hint(spec.code, limits=limits)
    quantity = definition.catalogue.quantities.get(spec.code)
    if quantity is None:
        return Hint(spec.code, limits=limits)
    try:
        canonical = to_canonical(
            quantity, value, unit or quantity.unit, definition.settings.factors
        )
    except (UnitError, ArithmeticError):
        return Hint(spec.code, limits=limits)
    shown = quantize(canonical, quantity.precision)
    converted = ""
    if (unit or quantity.unit) != quantity.unit:
        converted = f"= {sign}{shown} {display_unit(quantity.unit)}".strip()
    impossible = spec.hard is not None and not spec.hard.contains(shown)
    implausible = spec.soft is not None and not spec.soft.contains(shown)
    hint = Hint(spec.code, converted, implausible and not impossible, impossible, limits)
    if not sign:
        factors = definition.settings.factors
        hint.unit_hint = unit_hint(quantity, value, unit or quantity.unit, factors)
        offered = set(spec.units)
        hint.switch_to = tuple(
            u
            for u in plausible_units(quantity, value, unit or quantity.unit, factors)
            if u in offered
        )
    return hint


def hints(form: ScreeningEntryForm, definition: ProtocolDefinition) -> list[Hint]:
    """A hint for every numeric input, from the form's current (bound or initial) values."""
    out = []
    for spec in form.requirements.inputs():
        if is_numeric(spec):
            out.append(_hint_from_form(form, definition, spec))
    return out


def _hint_from_form(
    form: ScreeningEntryForm, definition: ProtocolDefinition, spec: InputSpec
) -> Hint:
    value_field = form[f"{spec.code}__value"]
    unit_field = form[f"{spec.code}__unit"]
    try:
        # Read as the form reads it: a figure the form refuses has no hint to give.
        entered = value_field.field.to_python(value_field.value())
    except ValidationError:
        entered = None
    value = None if entered is None else entered.number
    sign = "" if entered is None else entered.sign
    hint = hint_for(definition, spec, value, unit_field.value() or spec.unit, sign=sign)
    hint.confirm = form[f"{spec.code}__confirm"]
    return hint


def entry_sections(
    form: ScreeningEntryForm,
    definition: ProtocolDefinition,
    *,
    fixed: dict[str, str] | None = None,
) -> list[Section]:
    """The page's sections. ``fixed``: values of read-only inputs recorded elsewhere
    (sex and date of birth come from registration)."""
    by_code = {h.code: h for h in hints(form, definition)}
    sections = []
    for section in form.requirements.sections:
        items = []
        key_dates = [s for s in section.inputs if s.kind == "reference_date"]
        for spec in section.inputs:
            if spec.kind != "reference_date":
                items.append(_item(form, spec, by_code.get(spec.code), fixed or {}))
        if key_dates:
            # The protocol's planned dates, together: "Key dates".
            fields = {s.code: form[s.code] for s in key_dates}
            items.append(Item(key_dates[0], "key_dates", fields))
        kinds = {spec.kind for spec in section.inputs}
        for kind, name in (("medication", "medications_complete"), ("event", "history_complete")):
            if kind in kinds and name in form.fields:
                items.append(Item(section.inputs[0], "complete", {"": form[name]}))
        sections.append(Section(section.code, section.label, items))
    return sections


def _item(
    form: ScreeningEntryForm, spec: InputSpec, hint: Hint | None, fixed: dict[str, str]
) -> Item:
    if spec.kind in ("medication", "event"):
        return Item(spec, "rows", formset=form.formsets[spec.code])
    if spec.kind == "derived":
        labels = []
        for code in spec.derived_from:
            try:
                labels.append(form.requirements.get(code).label)
            except StopIteration:
                labels.append(code.replace("_", " "))
        return Item(spec, "derived", shown=", ".join(labels))
    if spec.kind in ("sex", "date"):
        return Item(spec, "fixed", shown=fixed.get(spec.code, ""))
    if is_numeric(spec):
        return Item(spec, "numeric", form.fields_of(spec), hint=hint)
    if is_qualitative(spec):
        return Item(spec, "qualitative", form.fields_of(spec))
    return Item(spec, spec.kind, form.fields_of(spec))
