from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.registry import Kind


class AuditFilterForm(forms.Form):
    """Filters shared by an object's history and the installation-wide trail."""

    kind = forms.ChoiceField(
        required=False, label=_("Kind"), choices=[("", _("Every kind")), *Kind.choices]
    )
    action = forms.ChoiceField(required=False, label=_("Action"))
    person = forms.ChoiceField(required=False, label=_("Person"))
    date_from = forms.DateField(
        required=False, label=_("From (UTC)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label=_("To (UTC)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    order = forms.ChoiceField(
        required=False,
        label=_("Order"),
        choices=[("newest", "Newest first"), ("oldest", "Oldest first")],
    )

    def __init__(
        self, *args: Any, actions: list[str], people: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        families = sorted({action.rsplit(".", 1)[0] for action in actions if "." in action})
        choices = sorted(set(actions) | set(families))
        cast(forms.ChoiceField, self.fields["action"]).choices = [
            ("", _("Any action")),
            *((action, action) for action in choices),
        ]
        cast(forms.ChoiceField, self.fields["person"]).choices = [("", "Anyone"), *people]
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if is_select else "form-control"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

    def filters(self) -> dict[str, Any]:
        """What to filter by: the valid fields only, so one bad date hides nothing else."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}
