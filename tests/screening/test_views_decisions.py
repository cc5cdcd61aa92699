"""Deciding through the pages: propose, sign with the password, see the signature
wherever the decision appears, see it voided, enrol, rescreen."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from screening.models import ScreeningStatus
from screening.services import ObservationInput, ScreeningChanges
from tests.conftest import PASSWORD
from tests.helpers import enter_example, save

pytestmark = pytest.mark.django_db


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, screening: Any) -> str:
    return reverse(f"screening:{name}", kwargs={"pk": screening.pk})


@pytest.fixture
def eligible(coordinator_a: Any, investigator_a: Any, hmsc_screening: Any) -> Any:
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-eligible")
    hmsc_screening.refresh_from_db()
    return hmsc_screening


@pytest.fixture
def washout(coordinator_a: Any, investigator_a: Any, hmsc_screening: Any) -> Any:
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-washout")
    hmsc_screening.refresh_from_db()
    return hmsc_screening


def test_a_coordinator_proposes_and_cannot_sign(coordinator_a: Any, eligible: Any) -> None:
    coordinator = client_of(coordinator_a)
    response = coordinator.post(url("decision", eligible), {"outcome": "eligible"})
    assert response.status_code == 302
    assert response["Location"] == url("summary", eligible)
    eligible.refresh_from_db()
    assert eligible.status == ScreeningStatus.AWAITING_SIGNATURE
    assert coordinator.get(url("sign", eligible)).status_code == 404
    summary = coordinator.get(url("summary", eligible)).content.decode()
    assert "Proposed — awaiting signature" in summary
    assert "Sign decision" not in summary


def test_an_investigator_signs_with_the_password(
    coordinator_a: Any, investigator_a: Any, eligible: Any
) -> None:
    client_of(coordinator_a).post(url("decision", eligible), {"outcome": "eligible"})
    investigator = client_of(investigator_a)
    page = investigator.get(url("sign", eligible)).content.decode()
    assert "I confirm this candidate meets all eligibility criteria of HMSC100" in page
    wrong = investigator.post(url("sign", eligible), {"password": "not-it"})
    assert "The password does not match" in wrong.content.decode()
    right = investigator.post(url("sign", eligible), {"password": PASSWORD}, follow=True)
    summary = right.content.decode()
    assert "Electronically signed by" in summary
    assert "Ian Investigator" in summary
    assert "Europe/Berlin" in summary
    assert "UTC" in summary
    assert "meets all eligibility criteria" in summary
    eligible.refresh_from_db()
    assert eligible.status == ScreeningStatus.ELIGIBLE


def test_the_decision_page_prefills_the_failing_criteria(coordinator_a: Any, washout: Any) -> None:
    page = client_of(coordinator_a).get(url("decision", washout)).content.decode()
    assert re.search(r'value="E8b"[^>]*checked', page)
    assert re.search(r'value="screen_failure"[^>]*checked', page)
    assert not re.search(r'value="I1"[^>]*checked', page)


def test_eligible_is_refused_while_a_criterion_fails(coordinator_a: Any, washout: Any) -> None:
    response = client_of(coordinator_a).post(url("decision", washout), {"outcome": "eligible"})
    assert response.status_code == 200
    assert "Eligible can be proposed only when every criterion is met" in response.content.decode()


def test_other_needs_words(coordinator_a: Any, washout: Any) -> None:
    response = client_of(coordinator_a).post(
        url("decision", washout), {"outcome": "screen_failure", "reason_category": "other"}
    )
    assert "Describe the reason." in response.content.decode()


def test_a_change_after_signing_voids_the_signature_visibly(
    coordinator_a: Any, investigator_a: Any, eligible: Any
) -> None:
    client_of(coordinator_a).post(url("decision", eligible), {"outcome": "eligible"})
    client_of(investigator_a).post(url("sign", eligible), {"password": PASSWORD})
    change = ScreeningChanges(
        observations=(
            ObservationInput(
                code="alt", value=Decimal("23"), unit="U/L", observed_on=date(2026, 11, 10)
            ),
        )
    )
    save(coordinator_a, eligible, change, reason="lab re-reported", reason_code="lab_re_reported")
    summary = client_of(coordinator_a).get(url("summary", eligible)).content.decode()
    assert 'data-testid="signature-void"' in summary
    assert "Signature voided" in summary
    assert "lab re-reported" in summary
    home = client_of(investigator_a).get("/").content.decode()
    assert eligible.candidate.screening_number in home  # back in the investigator's queue


def test_an_eligible_signed_screening_is_enrolled(
    coordinator_a: Any, investigator_a: Any, eligible: Any
) -> None:
    coordinator = client_of(coordinator_a)
    assert "Enrol</a>" not in coordinator.get(url("summary", eligible)).content.decode()
    coordinator.post(url("decision", eligible), {"outcome": "eligible"})
    client_of(investigator_a).post(url("sign", eligible), {"password": PASSWORD})
    assert "Enrol</a>" in coordinator.get(url("summary", eligible)).content.decode()
    future = coordinator.post(url("enrol", eligible), {"enrolled_on": "2027-01-01"})
    assert "is in the future" in future.content.decode()
    response = coordinator.post(
        url("enrol", eligible), {"enrolled_on": "2026-11-21", "randomisation_number": "R-017"}
    )
    assert response.status_code == 302
    summary = coordinator.get(url("summary", eligible)).content.decode()
    assert "R-017" in summary
    assert "Enrolled" in summary


def test_enrolment_is_refused_before_a_signed_eligible_decision(
    coordinator_a: Any, eligible: Any
) -> None:
    response = client_of(coordinator_a).post(url("enrol", eligible), {"enrolled_on": "2026-11-21"})
    assert response.status_code == 200
    assert "Only an eligible screening with a signed eligibility decision" in (
        response.content.decode()
    )


def test_a_signed_screen_failure_is_rescreened_with_what_is_carried(
    coordinator_a: Any, investigator_a: Any, washout: Any
) -> None:
    investigator = client_of(investigator_a)
    response = investigator.post(
        url("decision", washout),
        {"outcome": "screen_failure", "reason_category": "criteria", "failed_criteria": ["E8b"]},
    )
    assert response["Location"] == url("sign", washout)
    investigator.post(url("sign", washout), {"password": PASSWORD})
    coordinator = client_of(coordinator_a)
    page = coordinator.get(url("rescreen", washout)).content.decode()
    assert "Body weight" in page
    assert 'value="denosumab"' in page
    # Signed today: rescreening today is early, and is confirmed with a reason.
    response = coordinator.post(
        url("rescreen", washout),
        {
            "screening_date": "2026-11-21",
            "consent_date": "2026-11-21",
            "carry": ["weight"],
            "confirm_early": "on",
            "early_reason": "Weight to be measured again today",
        },
    )
    attempt = washout.candidate.screenings.get(attempt=2)
    assert response["Location"] == url("entry", attempt)
    assert list(attempt.observations.values_list("code", flat=True)) == ["weight"]
