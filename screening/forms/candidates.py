"""Forms for registering, finding and starting the screening of candidates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from config.zones import format_date
from screening.forms.fields import DATE, DayField
from screening.forms.limits import TextLimitsForm
from screening.models import ScreeningStatus, Sex
from screening.selectors import LOG_SORTS
from screening.services.candidates import IdentityData
from trials.models import TrialSite


class CandidateRegisterForm(TextLimitsForm):
    """Identity and the trial at a site. ``trial_sites``: where this user may register."""

    trial_site = forms.ModelChoiceField(
        label=_("Trial and site"), queryset=TrialSite.objects.none(), empty_label=None
    )
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    date_of_birth = DayField(label=_("Date of birth"))
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    hospital_number = forms.CharField(label=_("Hospital number"), max_length=60, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    # Django's form allows 320 characters; the column (a model EmailField) holds 254.
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)

    def __init__(self, *args: Any, trial_sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["trial_site"]
        field.queryset = trial_sites
        field.label_from_instance = lambda ts: (
            _("%(trial)s at %(site)s — %(name)s")
            % {
                "trial": ts.trial.code,
                "site": ts.site.code,
                "name": ts.site.name,
            }
        )

    def identity(self) -> IdentityData:
        d = self.cleaned_data
        return IdentityData(
            full_name=d["full_name"],
            date_of_birth=d["date_of_birth"],
            hospital_number=d.get("hospital_number") or "",
            phone=d.get("phone") or "",
            email=d.get("email") or "",
        )


class IdentityForm(TextLimitsForm):
    """Correcting who a candidate is: the same fields as registration, and why."""

    full_name = CandidateRegisterForm.base_fields["full_name"]
    date_of_birth = CandidateRegisterForm.base_fields["date_of_birth"]
    sex = CandidateRegisterForm.base_fields["sex"]
    hospital_number = CandidateRegisterForm.base_fields["hospital_number"]
    phone = CandidateRegisterForm.base_fields["phone"]
    email = CandidateRegisterForm.base_fields["email"]
    reason_code = forms.ChoiceField(label=_("Reason for change"), choices=[], required=False)
    reason = forms.CharField(
        label=_("Reason (words)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from audit.models import ReasonCode

        super().__init__(*args, **kwargs)
        field: Any = self.fields["reason_code"]
        field.choices = [("", "—"), *ReasonCode.choices]

    def identity(self) -> IdentityData:
        return CandidateRegisterForm.identity(self)  # type: ignore[arg-type]  # same fields


class ScreeningStartForm(forms.Form):
    screening_date = DayField(label=_("Screening date"))
    consent_date = DayField(label=_("Informed consent signed on"))

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        """``today``: the site's today, offered as the screening date."""
        kwargs.setdefault("initial", {"screening_date": today})
        super().__init__(*args, **kwargs)


class CandidateSearchForm(forms.Form):
    """A GET search of the candidate list. Name search only for those who see names."""

    q = forms.CharField(
        label=_("Screening number, full name or hospital number"),
        required=False,
        max_length=100,
        # Names and hospital numbers are found by a keyed hash (docs/privacy.md).
        help_text=_(
            "A name or hospital number matches only in full (case, accents and punctuation aside)."
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any status")),
            ("not_started", _("Not started")),
            *ScreeningStatus.choices,
        ],
    )
    version = forms.ChoiceField(label=_("Protocol version"), required=False)
    criterion = forms.ChoiceField(label=_("Failing criterion"), required=False)
    trial = forms.ChoiceField(label=_("Trial"), required=False)

    def __init__(self, *args: Any, trials: list[tuple[str, str]], names: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["trial"].choices = [("", _("Any trial")), *trials]  # type: ignore[attr-defined]
        if not names:
            self.fields["q"].label = _("Screening number")
            self.fields["q"].help_text = ""


class ScreeningLogForm(forms.Form):
    """A GET filter of the screening log."""

    trial = forms.ChoiceField(label=_("Trial"), required=False)
    site = forms.ChoiceField(label=_("Site"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any status")),
            ("not_started", _("Not started")),
            *ScreeningStatus.choices,
        ],
    )
    version = forms.ChoiceField(label=_("Protocol version"), required=False)
    criterion = forms.ChoiceField(label=_("Failing criterion"), required=False)
    # One text box per date, as on every screening form (``DATE``).
    since = forms.DateField(label=_("Screened from"), required=False, widget=DATE)
    until = forms.DateField(label=_("Screened until"), required=False, widget=DATE)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        trials: list[tuple[str, str]],
        sites: list[tuple[str, str]],
        versions: Sequence[tuple[str, str]] = (),
        criteria: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["trial"].choices = [("", _("Any trial")), *trials]  # type: ignore[attr-defined]
        self.fields["site"].choices = [("", _("Any site")), *sites]  # type: ignore[attr-defined]
        self.fields["version"].choices = [("", _("Any version")), *versions]  # type: ignore[attr-defined]
        self.fields["criterion"].choices = [("", _("Any criterion")), *criteria]  # type: ignore[attr-defined]
        sorts = [(key, key) for key in LOG_SORTS] + [(f"-{key}", key) for key in LOG_SORTS]
        self.fields["sort"].choices = [("", ""), *sorts]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error(
                "until",
                _("Screened until must be on or after %(day)s.") % {"day": format_date(since)},
            )
        return data
