"""Form fields for numbers and days that refuse what the services would refuse, in the
same words (``screening.services.validation``), before anything else reads them.

A form that let ``NaN`` or ``1E+100000`` through would hand it to the hints beside
the field, to the live panel and to ``has_changed()``, each of which does arithmetic
on it; a day such as 0001-01-01 would reach the engine's washout arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eligibility import comparator_symbol, split_comparator
from screening.services.validation import NumberColumn, day_refusal

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

# One text box per date, typed as YYYY-MM-DD: Chromium's native date input costs a tab
# stop per part (day, month, year and its picker), four per date on a long form. The
# box shows the ISO date it is given; the field reads ISO and the site's formats alike.
DATE = forms.DateInput(
    format="%Y-%m-%d",
    attrs={
        "placeholder": gettext_lazy("YYYY-MM-DD"),
        "pattern": r"\d{4}-\d{2}-\d{2}",
        "title": gettext_lazy("A date as YYYY-MM-DD, e.g. 2026-11-20"),
        "autocomplete": "off",
        "spellcheck": "false",
        "class": "date-input",
        "size": 11,
    },
)


def decimal_text(text: str) -> str:
    """``text`` with the decimal comma of the reader's language read as a point: "7,5" is
    7.5 in German. Only a lone comma in a number without a point: no thousands separators
    are guessed, so "1.234,5" stays unreadable rather than becoming another number."""
    if get_format("DECIMAL_SEPARATOR") == "," and text.count(",") == 1 and "." not in text:
        return text.replace(",", ".")
    return text


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
            number = Decimal(decimal_text(str(value).strip()))
        except ArithmeticError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        refusal = self.column.refusal(number, str(self.called or self.label))
        if refusal is not None:
            raise ValidationError(refusal, code="impossible")
        return number


@dataclass(frozen=True)
class EnteredResult:
    """A result as typed: its number and, for a censored result, its comparator
    (``<20`` is ``"<"`` and 20)."""

    number: Decimal
    comparator: str = ""

    @property
    def sign(self) -> str:
        """The comparator as shown before the number: ``<``, ``≤``, ``>``, ``≥``."""
        return comparator_symbol(split_comparator(self.comparator)[0])

    def __str__(self) -> str:
        return f"{self.sign}{self.number}"


class ResultField(forms.Field):
    """A measurement or laboratory result: a number, or a number after ``<``, ``<=``,
    ``>``, ``>=`` (``≤``, ``≥``) for a result below or above the laboratory's limit. The
    number must fit its database ``column``; the message names the field."""

    widget = forms.TextInput

    def __init__(self, *, column: NumberColumn, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.column = column

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "autocomplete": "off", "spellcheck": "false"}

    def to_python(self, value: Any) -> EnteredResult | None:
        if isinstance(value, EnteredResult):
            return value
        if value in self.empty_values or not str(value).strip():
            return None
        comparator, rest = split_comparator(str(value))
        try:
            number = Decimal(decimal_text(rest))
        except ArithmeticError:
            number = None
        if number is None:
            raise ValidationError(
                _(
                    "%(label)s: enter a number, or a number after <, <=, > or >= for a result "
                    "below or above the laboratory's limit (got %(got)s)."
                ),
                code="invalid",
                params={"label": self.label, "got": repr(str(value).strip())},
            )
        # NaN, Infinity and 1E+100000 are refused in the column's words, as for any number.
        refusal = self.column.refusal(number, str(self.label))
        if refusal is not None:
            raise ValidationError(refusal, code="impossible")
        return EnteredResult(number, comparator or "")

    def prepare_value(self, value: Any) -> Any:
        return str(value) if isinstance(value, EnteredResult) else value

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(initial) != self.to_python(data)
        except ValidationError:
            return True


class DayField(forms.DateField):
    """A calendar day within the plausible span, typed in one box (``DATE``)."""

    widget = DATE
    default_error_messages = {
        "invalid": gettext_lazy("Enter the date as YYYY-MM-DD, e.g. 2026-11-20."),
    }

    def to_python(self, value: Any) -> date | None:
        day = super().to_python(value)
        refusal = None if day is None else day_refusal(day, str(self.label))
        if refusal is not None:
            raise ValidationError(refusal, code="implausible_date")
        return day
