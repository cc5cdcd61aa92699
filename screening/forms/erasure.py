"""The data manager's form for erasing identities: which candidates, why, and a signature."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from screening.models import Candidate


class ErasureForm(forms.Form):
    candidates = forms.ModelMultipleChoiceField(
        queryset=Candidate.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Candidates"),
        error_messages={"required": _("Choose at least one candidate.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. consent to keep personal data withdrawn; retention period ended."),
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Signs the erasure. It cannot be undone."),
    )
