"""Text limits said where they apply: beside the field as it is typed in, and in the
refusal when a longer text reaches the server anyway.

Browsers stop typing at an input's ``maxlength`` without a word and cut a longer
paste short; Django's own refusal ("Ensure this value has at most 200 characters")
names no field, so in a banner above a long form it points nowhere. A form that
derives from ``TextLimitsForm`` names the field and the limit in that refusal, tells
the limit in the field's help text, and marks the field for ``static/eligo/char-count.js``,
which shows a live count. The limit itself stays declared once, as the field's
``max_length``.
"""

from __future__ import annotations

from typing import Any

from django import forms

# Free text from this length on gets the limit in its help text and a live counter;
# shorter fields (a phone number, a randomisation number) are refused by name only.
COUNTED_FROM = 100


def limit_words(limit: int) -> str:
    """``1000`` → ``"1,000 characters"``."""
    return f"{limit:,} characters"


class TextLimitsForm(forms.Form):
    """A form whose text fields say their limit, and name themselves when refusing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            limit = getattr(field, "max_length", None)
            if not limit:
                continue
            label = str(field.label or name.replace("_", " ").capitalize()).replace("%", "%%")
            field.error_messages["max_length"] = (
                f"{label}: at most {limit_words(limit)}; this has %(show_value)d."
            )
            if limit >= COUNTED_FROM and not field.widget.is_hidden:
                said = f"Up to {limit_words(limit)}."
                field.help_text = f"{field.help_text} {said}" if field.help_text else said
                field.widget.attrs["data-char-count"] = ""
