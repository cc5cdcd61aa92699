from __future__ import annotations

from typing import Any

from django import forms

MAX_DEFINITION_BYTES = 1_000_000


class ProtocolUploadForm(forms.Form):
    file = forms.FileField(
        label="Protocol definition (YAML)",
        help_text="An eligo-protocol/1 file. It is validated before anything is stored.",
    )
    activate = forms.BooleanField(
        required=False, help_text="Activate it at once; the trial's active version is superseded."
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
