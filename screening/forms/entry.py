"""The screening data-entry form, generated from the protocol version's requirements.

Nothing here knows any trial: every field comes from an ``InputSpec`` of
``ProtocolDefinition.requirements()``. Field names are ``<code>__<part>``
(``alt__value``, ``alt__unit``, ``alt__date``, ``alt__lln``…); answers and
judgments are named by their code; repeatable rows live in formsets
(``med-<code>``, ``ev-<code>``). Every field is optional: partial saves are
allowed, and the services decide what is impossible or implausible.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from audit.models import ReasonCode
from eligibility import InputSpec, Requirements
from screening.forms.fields import DayField, NumberField, ResultField
from screening.forms.limits import TextLimitsForm
from screening.forms.rows import RowFormSet, row_formset
from screening.services.validation import RANGE_LIMIT, VALUE
from screening.shapes import OBSERVATION

ANSWER_CHOICES = [("yes", _("Yes")), ("no", _("No")), ("unknown", _("Unknown"))]
NUMERIC = ("measurement", "lab")

# Why saved data changes: the audit trail's pick-list, with free text beside it.
REASON_CHOICES = [("", "—"), *ReasonCode.choices]


def is_numeric(spec: InputSpec) -> bool:
    return spec.kind in NUMERIC and not spec.choices


def is_qualitative(spec: InputSpec) -> bool:
    return spec.kind in NUMERIC and bool(spec.choices)


def _unit_label(unit: str) -> str:
    from eligibility import display_unit

    return display_unit(unit) or "(no unit)"


def _small(label: str) -> forms.TextInput:
    return forms.TextInput(
        attrs={"class": "form-control", "aria-label": label, "inputmode": "decimal", "size": 6}
    )


class ScreeningEntryForm(TextLimitsForm):
    """Every single-valued input of a protocol version, plus the reason for a change.

    ``can_judge``: investigator-judgment items are editable only for an
    investigator of the site; everyone else sees them disabled (Django then
    ignores whatever is posted for them).
    """

    expected_revision = forms.IntegerField(widget=forms.HiddenInput)
    reason_code = forms.ChoiceField(
        label=_("Reason for change"), choices=REASON_CHOICES, required=False
    )
    reason = forms.CharField(
        label=_("Explanation"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "e.g. value re-read from the lab report"}),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        requirements: Requirements,
        initial: dict[str, Any] | None = None,
        rows: dict[str, list[dict[str, Any]]] | None = None,
        can_judge: bool = False,
        unasked: dict[str, str] | None = None,
    ) -> None:
        """``unasked``: questions not asked (code → why), which get no field."""
        super().__init__(data=data, initial=initial or {})
        self.requirements = requirements
        self.can_judge = can_judge
        self.unasked = unasked or {}
        self.formsets: dict[str, RowFormSet] = {}
        for spec in requirements.inputs():
            if spec.code not in self.unasked:
                self._add(spec, data, (rows or {}).get(spec.code))
        kinds = {spec.kind for spec in requirements.inputs()}
        if "medication" in kinds:
            self.fields["medications_complete"] = forms.BooleanField(
                label=_("Medication history taken: the courses listed are all there are"),
                required=False,
            )
        if "event" in kinds:
            self.fields["history_complete"] = forms.BooleanField(
                label=_("Medical history taken: the events listed are all there are"),
                required=False,
            )

    def _add(self, spec: InputSpec, data: Any, rows: list[dict[str, Any]] | None) -> None:
        code = spec.code
        if is_numeric(spec):
            self.fields[f"{code}__value"] = ResultField(
                column=VALUE, label=spec.label, required=False
            )
            self.fields[f"{code}__unit"] = forms.ChoiceField(
                label=OBSERVATION.label_of("unit_entered"),
                choices=[(u, _unit_label(u)) for u in spec.units],
                required=False,
                initial=spec.unit,
            )
            # A laboratory's date is the result's; a measurement's is the day it was taken.
            day = _("Result date") if spec.kind == "lab" else OBSERVATION.label_of("observed_on")
            self.fields[f"{code}__date"] = DayField(label=day, required=False)
            self.fields[f"{code}__confirm"] = forms.BooleanField(
                label="I confirm this unusual value", required=False
            )
            if spec.needs_reference_range:
                self.fields[f"{code}__lln"] = NumberField(
                    column=RANGE_LIMIT,
                    called=f"{spec.label} lower limit",
                    label=OBSERVATION.label_of("lln"),
                    required=False,
                    widget=_small(f"{spec.label}: lower limit"),
                )
                self.fields[f"{code}__uln"] = NumberField(
                    column=RANGE_LIMIT,
                    called=f"{spec.label} upper limit",
                    label=OBSERVATION.label_of("uln"),
                    required=False,
                    widget=_small(f"{spec.label}: upper limit"),
                )
                self.fields[f"{code}__range_unit"] = forms.ChoiceField(
                    label=OBSERVATION.label_of("range_unit"),
                    choices=[(u, _unit_label(u)) for u in spec.units],
                    required=False,
                    initial=spec.unit,
                    widget=forms.Select(
                        attrs={
                            "class": "form-select form-select-sm",
                            "aria-label": f"{spec.label}: unit of the range",
                        }
                    ),
                )
        elif is_qualitative(spec):
            self.fields[f"{code}__result"] = forms.ChoiceField(
                label=spec.label,
                choices=[("", "—"), *[(c.code, c.label) for c in spec.choices]],
                required=False,
            )
            self.fields[f"{code}__date"] = DayField(label=_("Result date"), required=False)
        elif spec.kind in ("answer", "judgment"):
            self.fields[code] = forms.ChoiceField(
                label=spec.label_in(get_language()),
                choices=ANSWER_CHOICES,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "answer-choice"}),
                disabled=spec.kind == "judgment" and not self.can_judge,
            )
        elif spec.kind == "checklist":
            self.fields[code] = forms.MultipleChoiceField(
                label=spec.label,
                choices=[(c.code, c.label) for c in spec.choices],
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            # Nothing ticked is not the same as "not asked yet": say so explicitly.
            self.fields[f"{code}__none"] = forms.BooleanField(
                label=_("None of these items applies"), required=False
            )
        elif spec.kind == "reference_date":
            self.fields[code] = DayField(label=spec.label, required=False)
        elif spec.kind in ("medication", "event"):
            self.formsets[code] = row_formset(spec, data=data, initial=rows)

    def is_valid(self) -> bool:
        own = super().is_valid()
        return all([own, *(fs.is_valid() for fs in self.formsets.values())])

    def fields_of(self, spec: InputSpec) -> dict[str, forms.BoundField]:
        """The bound fields of one input, by part (``value``, ``unit``…; ``""`` for answers)."""
        out: dict[str, forms.BoundField] = {}
        for name in self.fields:
            if name == spec.code:
                out[""] = self[name]
            elif name.startswith(f"{spec.code}__"):
                out[name.removeprefix(f"{spec.code}__")] = self[name]
        return out

    def add_service_errors(
        self, errors: dict[str, list[str]], origins: dict[str, tuple[str, int]] | None = None
    ) -> list[str]:
        """Put the service's per-field messages next to their fields.

        ``origins`` maps a row key of the change (``medications.0``) to the formset
        and row it came from. Returns the messages that belong to no field.
        """
        loose: list[str] = []
        for key, messages in errors.items():
            placed = self._place(key, messages, origins or {})
            if not placed:
                loose.extend(messages)
        return loose

    def _place(self, key: str, messages: list[str], origins: dict[str, tuple[str, int]]) -> bool:
        parts = key.split(".")
        if parts[0] in ("medications", "history") and len(parts) >= 2:
            origin = origins.get(".".join(parts[:2]))
            if origin is None:
                return False
            form = self.formsets[origin[0]].forms[origin[1]]
            name = parts[2] if len(parts) > 2 else None
            if name == "details" and len(parts) > 3:
                name = f"detail_{parts[3]}"
            elif name in ("dose_unit",):
                name = "daily_dose"
            target = name if name in form.fields else None
            for message in messages:
                form.add_error(target, message)
            return True
        name = self._field_for(parts[0], parts[1] if len(parts) > 1 else "")
        if name is None:
            return False
        for message in messages:
            self.add_error(name, message)
        return True

    def _field_for(self, code: str, part: str) -> str | None:
        if code == "score_items":
            return part if part in self.fields else None
        if code in ("reason", "reason_code") and code in self.fields:
            return code
        wanted = {
            "": ("", "value", "result"),
            "unit": ("unit", "value"),
            "observed_on": ("date",),
            "reference_range": ("lln", "uln"),
        }.get(part, ())
        for suffix in wanted:
            name = f"{code}__{suffix}" if suffix else code
            if name in self.fields:
                return name
        return None
