"""Forms for decisions, signatures, rescreening and enrolment."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from screening.forms.fields import DayField
from screening.forms.limits import TextLimitsForm
from screening.models import Outcome, ReasonCategory


class DecisionForm(TextLimitsForm):
    """Propose an outcome. ``criteria``: (id, text) of the protocol's criteria;
    the failing ones of the latest evaluation come ticked."""

    outcome = forms.ChoiceField(
        label=_("Decision"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    reason_category = forms.ChoiceField(
        label=_("Why (screen failure or withdrawal)"),
        choices=[("", "—"), *ReasonCategory.choices],
        required=False,
    )
    failed_criteria = forms.MultipleChoiceField(
        label=_("Criteria not met (inclusion) or excluding (exclusion)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason_text = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for “Other”."),
    )

    def __init__(self, *args: Any, criteria: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["failed_criteria"].choices = criteria  # type: ignore[attr-defined]


class SignForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Signing needs your password again (21 CFR 11.200)."),
    )


class RescreenForm(TextLimitsForm):
    screening_date = DayField(label=_("New screening date"))
    consent_date = DayField(label=_("Informed consent signed on"))
    carry = forms.MultipleChoiceField(
        label=_("Carry over from the previous attempt"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Judgments are never carried over: the investigator judges each attempt."),
    )
    # Asked only of an early rescreening (screening_rescreen decides what is early).
    confirm_early = forms.BooleanField(
        label=_("I confirm this rescreening starts early"),
        required=False,
    )
    early_reason = forms.CharField(
        label=_("Reason for rescreening early"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, carry: list[tuple[str, str]], today: date, **kwargs: Any
    ) -> None:
        """``today``: the site's today, offered as the new screening date."""
        kwargs.setdefault("initial", {"screening_date": today})
        super().__init__(*args, **kwargs)
        self.fields["carry"].choices = carry  # type: ignore[attr-defined]


class EnrolForm(TextLimitsForm):
    enrolled_on = DayField(label=_("Enrolment date"))
    randomisation_number = forms.CharField(
        label=_("Randomisation number"), required=False, max_length=60
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        """``today``: the site's today, offered as the enrolment date."""
        kwargs.setdefault("initial", {"enrolled_on": today})
        super().__init__(*args, **kwargs)


def add_errors(form: forms.Form, errors: dict[str, list[str]]) -> None:
    """A service's per-field messages beside the form's fields (the rest on top)."""
    for key, messages in errors.items():
        name = key if key in form.fields else None
        for message in messages:
            form.add_error(name, message)
