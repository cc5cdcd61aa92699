"""How the generated form is laid out on the page, and the hints beside numbers.

The entry template walks ``entry_sections(form, …)``: sections in the
requirements' order, each with one item per input. A numeric item carries a
hint — the value converted to the canonical unit, and whether it lies outside
the plausible (soft) limits so that the confirmation box shows — computed with
the engine's own conversion and rounding, so the figure shown is the one the
engine compares.

A derived value (age, BMI, eGFR, a score total) stands right after the last of
its inputs — in another section if none of them is in its own (years since the
final menstrual period stands beside that event) — and shows the value the
engine's evaluation computed. Each section says how far it is: inputs with a
value out of those asked, what the evaluation still misses there, fields with
errors and open queries; the page's section tabs show it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

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
    # key_dates (every reference date of the section, ``fields`` by code), unasked (a question
    # the protocol settles: does not apply, or answered by another fact; ``shown`` says why)
    fields: dict[str, forms.BoundField] = field(default_factory=dict)
    formset: RowFormSet | None = None
    hint: Hint | None = None
    shown: str = ""  # the value of a read-only item (sex, date of birth)

    @property
    def key(self) -> str:
        """The item's name on the page (``item-<key>``): its input's code, or the
        completeness flag's field name."""
        if self.shape == "complete":
            return self.fields[""].name
        return self.spec.code

    @property
    def label(self) -> str:
        """What the item is called where the page lists changed items."""
        if self.shape == "complete":
            return str(self.fields[""].label)
        return _("Key dates") if self.shape == "key_dates" else self.spec.label

    @property
    def codes(self) -> tuple[str, ...]:
        """The inputs this item holds (a "Key dates" item holds several)."""
        if self.shape == "key_dates":
            return tuple(self.fields)
        return () if self.shape == "complete" else (self.spec.code,)

    def bound_fields(self) -> list[forms.BoundField]:
        """Every visible field of the item, the rows' included."""
        out = list(self.fields.values())
        if self.formset is not None:
            for row in self.formset.forms:
                out.extend(row[name] for name in row.fields if name not in ("row_id", "DELETE"))
        return out

    def saved(self, form: ScreeningEntryForm) -> bool:
        """Whether the item holds saved data (changing it then needs a reason)."""
        if self.formset is not None:
            return any(row.initial.get("row_id") for row in self.formset.forms)
        main = ("value", "result", "", *(self.fields if self.shape == "key_dates" else ()))
        return any(
            _filled(form.initial.get(bf.name)) for part, bf in self.fields.items() if part in main
        )

    def changed(self, form: ScreeningEntryForm) -> bool:
        """Whether what was posted changes this item's saved data."""
        if not form.is_bound or not self.saved(form):
            return False
        if self.formset is not None:
            return any(row.has_changed() for row in self.formset.forms)
        return any(bf.name in form.changed_data for bf in self.fields.values())

    def asked(self) -> int:
        """How many values this item asks for (none for shown-only items)."""
        if self.shape in ("derived", "fixed", "complete", "unasked"):
            return 0
        return len(self.fields) if self.shape == "key_dates" else 1

    def entered(self) -> int:
        """How many of the values asked for hold something (saved or typed)."""
        if self.shape == "key_dates":
            return sum(1 for bf in self.fields.values() if _filled(bf.value()))
        if self.shape == "numeric":
            return int(_filled(self.fields["value"].value()))
        if self.shape == "qualitative":
            return int(_filled(self.fields["result"].value()))
        if self.shape == "checklist":
            none = self.fields.get("none")
            return int(_filled(self.fields[""].value()) or bool(none and none.value()))
        if self.shape == "rows":
            return int(any(_filled(bf.value()) for bf in self.bound_fields()))
        if self.shape in ("answer", "judgment"):
            return int(_filled(self.fields[""].value()))
        return 0


def _filled(value: object) -> bool:
    if isinstance(value, (list, tuple)):
        return any(_filled(v) for v in value)
    return value not in (None, "", False)


@dataclass
class FieldError:
    """One field's error, for the summary above the form (``href="#<field id>"``)."""

    field_id: str
    label: str
    message: str


@dataclass(frozen=True)
class Computed:
    """A derived value as the page shows it beside its inputs."""

    code: str
    label: str
    shown: str  # "24.3 kg/m²", "3 to 5"; empty when it cannot be calculated
    needs: str  # the inputs it still needs, in words ("Height")


def computed_values(result: dict[str, Any] | None) -> dict[str, Computed]:
    """The derived values of an evaluation (``result["derived"]``) by code."""
    out = {}
    for d in (result or {}).get("derived", []):
        unit = display_unit(d["unit"])
        if d["value"] is not None:
            shown = f"{d['value']} {unit}".strip()
        elif d["low"] is not None and d["high"] is not None:
            shown = _("%(low)s to %(high)s") % {"low": d["low"], "high": d["high"]}
            shown = f"{shown} {unit}".strip()
        else:
            shown = ""
        needs = []
        for m in d["missing"]:
            plain = m["reason"].endswith(("not recorded", "not yet given")) or not m["reason"]
            needs.append(m["label"] if plain else f"{m['label']} ({m['reason']})")
        out[d["code"]] = Computed(d["code"], d["label"], shown, "; ".join(dict.fromkeys(needs)))
    return out


@dataclass
class Section:
    code: str
    label: str
    items: list[Item]
    missing: list[str] = field(default_factory=list)  # what the evaluation lacks here
    queries: int = 0  # queries not closed on this section's values
    # The sections before and after, for Previous/Next.
    previous: Section | None = field(default=None, repr=False, compare=False)
    next: Section | None = field(default=None, repr=False, compare=False)

    @property
    def asked(self) -> int:
        return sum(item.asked() for item in self.items)

    @property
    def entered(self) -> int:
        return sum(item.entered() for item in self.items)

    @property
    def errors(self) -> list[FieldError]:
        return [
            FieldError(bf.auto_id or "", str(bf.label), str(message))
            for item in self.items
            for bf in item.bound_fields()
            for message in bf.errors
        ]


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
    result: dict[str, Any] | None = None,
    queries: dict[str, int] | None = None,
) -> list[Section]:
    """The page's sections. ``fixed``: values of read-only inputs recorded elsewhere
    (sex and date of birth come from registration); ``result``: the evaluation whose
    missing facts each section lists; ``queries``: open queries by input code."""
    sections = _sections(form, definition, fixed)
    _place_derived(sections)
    lacking = list((result or {}).get("missing", []))
    for section in sections:
        codes = {code for item in section.items for code in item.codes}
        section.missing = list(dict.fromkeys(m["label"] for m in lacking if m["code"] in codes))
        section.queries = sum((queries or {}).get(code, 0) for code in codes)
    for before, after in itertools.pairwise(sections):
        before.next, after.previous = after, before
    return sections


def _sections(
    form: ScreeningEntryForm, definition: ProtocolDefinition, fixed: dict[str, str] | None
) -> list[Section]:
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


def _place_derived(sections: list[Section]) -> None:
    """Move each derived value right after the last of its inputs: in its own section
    when one of them is there, else beside the first one found elsewhere."""
    for section in sections:
        for item in [i for i in section.items if i.shape == "derived"]:
            anchors = {*item.spec.derived_from, *item.spec.reads}
            target = section if _has_any(section, anchors) else None
            target = target or next((s for s in sections if _has_any(s, anchors)), None)
            if target is None:
                continue
            section.items.remove(item)
            last = max(i for i, it in enumerate(target.items) if set(it.codes) & anchors)
            target.items.insert(last + 1, item)


def _has_any(section: Section, codes: set[str]) -> bool:
    return any(set(item.codes) & codes for item in section.items)


def _item(
    form: ScreeningEntryForm, spec: InputSpec, hint: Hint | None, fixed: dict[str, str]
) -> Item:
    if spec.code in form.unasked:
        return Item(spec, "unasked", shown=form.unasked[spec.code])
    if spec.kind in ("medication", "event"):
        return Item(spec, "rows", formset=form.formsets[spec.code])
    if spec.kind == "derived":
        labels = []
        for code in (*spec.derived_from, *spec.reads):
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
