from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_DEFINITION_BYTES = 1_000_000


class ProtocolUploadForm(forms.Form):
    """A definition becomes a draft; activating it is a separate, signed act."""

    file = forms.FileField(
        label="Protocol definition (YAML)",
        help_text="An eligo-protocol/1 file. It is validated before anything is stored.",
    )
    effective_date = forms.DateField(required=False, help_text="YYYY-MM-DD (optional).")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_DEFINITION_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; "
                f"definitions are at most {MAX_DEFINITION_BYTES:,}."
            )
        try:
            self.cleaned_data["text"] = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text.") from None
        return upload


class ActivationForm(forms.Form):
    """The reason for activating a version and the password that signs it."""

    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=2000,
        help_text=_(
            "Why this version is activated now, e.g. “Amendment 2 approved by the ethics "
            "committee on 3 Dec 2026”."
        ),
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Typing your password again signs the activation."),
    )
