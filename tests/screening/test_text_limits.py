"""Text limits are said where they apply: each limited free-text field tells its limit
and carries the marks for the live counter; a text over the limit that reaches the
server anyway is refused with the field's name and the limit, nothing is saved, and
what was typed is kept in the form."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from screening.forms.candidates import CandidateRegisterForm, IdentityForm
from screening.forms.decisions import DecisionForm, EnrolForm
from screening.models import Candidate
from tests.helpers import enter_example, rendered
from trials.models import TrialSite

pytestmark = pytest.mark.django_db


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("form", "name", "limit"),
    [
        (lambda: CandidateRegisterForm(trial_sites=TrialSite.objects.none()), "full_name", 200),
        (lambda: CandidateRegisterForm(trial_sites=TrialSite.objects.none()), "email", 254),
        (lambda: IdentityForm(), "full_name", 200),
        (lambda: DecisionForm(criteria=[]), "reason_text", 1000),
    ],
    ids=["name", "email", "identity-name", "decision-reason"],
)
def test_a_limited_text_field_says_its_limit_and_is_counted(
    form: Any, name: str, limit: int
) -> None:
    field = form()[name]
    html = str(field)
    assert f'maxlength="{limit}"' in html
    assert "data-char-count" in html
    assert field.help_text.endswith(f"Up to {limit:,} characters.")


def test_a_short_field_is_refused_by_name_but_not_counted() -> None:
    form = EnrolForm({"enrolled_on": "2026-11-20", "randomisation_number": "R" * 61}, today=None)
    assert "data-char-count" not in str(form["randomisation_number"])
    assert not form.is_valid()
    assert form.errors["randomisation_number"] == [
        "Randomisation number: at most 60 characters; this has 61."
    ]


def test_the_decision_keeps_its_own_help_before_the_limit() -> None:
    field = DecisionForm(criteria=[])["reason_text"]
    assert field.help_text == "Required for “Other”. Up to 1,000 characters."


def test_a_name_over_the_limit_is_refused_by_name_and_nothing_is_registered(
    coordinator_a: Any, hmsc: Any, site_a: Any
) -> None:
    link = TrialSite.objects.get(trial=hmsc, site=site_a)
    name = "Maria " + "M" * 200
    response = client_of(coordinator_a).post(
        reverse("screening:register"),
        {"trial_site": link.pk, "full_name": name, "date_of_birth": "1950-01-31", "sex": "F"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Full name: at most 200 characters; this has {len(name)}." in page
    assert escape(name) in page  # kept in the form, to shorten rather than retype
    assert not Candidate.objects.exists()


def test_a_decision_reason_over_the_limit_is_refused_by_name(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-washout")
    words = "x" * 1001
    response = client_of(coordinator_a).post(
        reverse("screening:decision", kwargs={"pk": hmsc_screening.pk}),
        {"outcome": "screen_failure", "reason_category": "other", "reason_text": words},
    )
    assert response.status_code == 200
    assert "Details: at most 1,000 characters; this has 1001." in response.content.decode()
    assert not hmsc_screening.decisions.exists()


def test_a_reason_for_change_over_the_limit_is_refused_by_name(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    client = client_of(coordinator_a)
    url = reverse("screening:entry", kwargs={"pk": hmsc_screening.pk})
    data = rendered(client, hmsc_screening)
    data.update({"weight__value": "58.4", "weight__date": "2026-11-20"})
    client.post(url, data)
    data = rendered(client, hmsc_screening)
    page = client.get(url).content.decode()
    assert 'maxlength="500"' in page
    assert "Up to 500 characters." in page
    data.update({"weight__value": "60.1", "reason_code": "transcription_error"})
    data["reason"] = "r" * 501
    page = client.post(url, data).content.decode()
    assert "Explanation: at most 500 characters; this has 501." in page
    weight = hmsc_screening.observations.get(code="weight")
    assert weight.value_entered == "58.4"
