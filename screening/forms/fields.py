"""Form fields for numbers and days that refuse what the services would refuse, in the
same words (``screening.services.validation``), before anything else reads them.

A form that let ``NaN`` or ``1E+100000`` through would hand it to the hints beside
the field, to the live panel and to ``has_changed()``, each of which does arithmetic
on it; a day such as 0001-01-01 would reach the engine's washout arithmetic.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError

from screening.services.validation import NumberColumn, day_refusal

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NumberField(forms.DecimalField):
    """A decimal its database ``column`` holds; ``called``: the field's name in messages
    (its label unless told)."""

    def __init__(self, *, column: NumberColumn, called: StrOrPromise = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.column = column
        self.called = called

    # django-stubs derive DecimalField from IntegerField and give it int's to_python.
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        try:
            number = Decimal(str(value).strip())
        except ArithmeticError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        refusal = self.column.refusal(number, str(self.called or self.label))
        if refusal is not None:
            raise ValidationError(refusal, code="impossible")
        return number


class DayField(forms.DateField):
    """A calendar day within the plausible span, picked with the browser's date input."""

    widget = DATE

    def to_python(self, value: Any) -> date | None:
        day = super().to_python(value)
        refusal = None if day is None else day_refusal(day, str(self.label))
        if refusal is not None:
            raise ValidationError(refusal, code="implausible_date")
        return day
