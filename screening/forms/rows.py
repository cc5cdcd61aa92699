"""Repeatable rows of the screening form: medication courses and history events.

One formset per medication group (a drug or drug class the protocol asks about)
and per event type, built from the protocol's requirements. Each row carries
the id of the stored row it edits; an empty id adds a row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.forms import formset_factory
from django.forms.formsets import BaseFormSet

from eligibility import InputSpec
from screening.forms.fields import DayField, NumberField
from screening.services.validation import DAILY_DOSE
from screening.shapes import DOSE_UNIT, HISTORY_EVENT, MEDICATION


def _words(code: str) -> str:
    return code.replace("_", " ")


class RowForm(forms.Form):
    """Fields shared by every repeatable row."""

    row_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def style(self, group: str) -> None:
        """Bootstrap classes, and a label naming the group for each cell's input."""
        for name, fld in self.fields.items():
            widget = fld.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            widget.attrs.setdefault("class", css)
            widget.attrs.setdefault("aria-label", f"{group}: {fld.label or name}")

    def is_blank(self) -> bool:
        """A row the person left empty (an unused "add another" row)."""
        data = getattr(self, "cleaned_data", None) or {}
        return not data.get("row_id") and not any(
            v for k, v in data.items() if k not in ("row_id", "DELETE")
        )


class MedicationRowForm(RowForm):
    """One course; its fields are named and labelled as ``MEDICATION`` declares them."""

    def __init__(self, *args: Any, spec: InputSpec, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        label = MEDICATION.label_of
        drugs = [(spec.code, f"{spec.label} (any)")]
        drugs += [(c.code, c.label) for c in spec.choices if c.code != spec.code]
        self.fields["drug"] = forms.ChoiceField(
            label=label("drug"), choices=[("", "—"), *drugs], required=False
        )
        self.fields["route"] = forms.ChoiceField(
            label=label("route"),
            choices=[("", "—"), *[(r, r) for r in spec.routes]],
            required=False,
        )
        self.fields["start"] = DayField(label=label("start"), required=False)
        self.fields["stop"] = DayField(label=label("stop"), required=False)
        self.fields["ongoing"] = forms.BooleanField(label=label("ongoing"), required=False)
        if spec.needs_dose:
            self.fields["daily_dose"] = NumberField(
                column=DAILY_DOSE,
                called=label("daily_dose"),
                label=f"{label('daily_dose')} ({DOSE_UNIT})",
                required=False,
                min_value=0,
            )
        self.order_fields([f.form for f in MEDICATION.fields if f.form])
        self.style(spec.label)


class EventRowForm(RowForm):
    def __init__(self, *args: Any, spec: InputSpec, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"] = DayField(
            label=HISTORY_EVENT.label_of("occurred_on"), required=False
        )
        for detail in spec.details:
            self.fields[f"detail_{detail.code}"] = forms.ChoiceField(
                label=detail.label,
                choices=[("", "—"), *[(v, _words(v)) for v in detail.choices]],
                required=False,
            )
        self.style(spec.label)


if TYPE_CHECKING:
    _FormSet = BaseFormSet[RowForm]
else:  # BaseFormSet is generic only to the type checker
    _FormSet = BaseFormSet


class RowFormSet(_FormSet):
    """A formset whose rows know the requirement they belong to."""

    spec: InputSpec

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "spec": self.spec}


def row_formset(
    spec: InputSpec, *, data: Any = None, initial: list[dict[str, Any]] | None = None
) -> RowFormSet:
    """The formset for one medication group or event type (prefix ``med-…``/``ev-…``)."""
    medication = spec.kind == "medication"
    form = MedicationRowForm if medication else EventRowForm
    cls: Any = formset_factory(form, formset=RowFormSet, extra=0 if initial else 1, can_delete=True)
    cls.spec = spec
    prefix = f"{'med' if medication else 'ev'}-{spec.code}"
    formset: RowFormSet = cls(data=data, initial=initial, prefix=prefix)
    return formset
