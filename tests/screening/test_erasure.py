"""Erasing an identity destroys its key: nothing readable is left, the chain still verifies."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from audit.story import visible_changes
from audit.verify import verify_chain
from screening.models import CandidateIdentity, Decision, Evaluation, Screening
from screening.services import (
    IdentityData,
    ScreeningRuleError,
    SignatureRefused,
    candidate_identity_change,
    candidate_register,
    identities_erase,
)
from screening.services.identity_scan import date_spellings, scan
from tests.helpers import PASSWORD, sign_withdrawal, start
from vault.crypto import ERASED

pytestmark = pytest.mark.django_db

NAME = "Wilhelmina Oyelaran-Brandt"
BORN = date(1951, 3, 17)
HOSPITAL_NUMBER = "KQZ-880-1123"


@pytest.fixture
def withdrawn(
    frozen_today: None, coordinator_a: Any, investigator_a: Any, hmsc: Any, site_a: Any
) -> Any:
    """A candidate registered, corrected once, screened and withdrawn (signed)."""
    candidate = candidate_register(
        user=coordinator_a,
        trial=hmsc,
        site=site_a,
        identity=IdentityData(
            full_name=NAME,
            date_of_birth=date(1951, 3, 18),
            hospital_number=HOSPITAL_NUMBER,
            phone="+49 30 5550 1876",
            email="w.oyelaran@example.org",
        ),
        sex="F",
    )
    candidate_identity_change(
        user=coordinator_a,
        candidate=candidate,
        identity=IdentityData(
            full_name=NAME,
            date_of_birth=BORN,
            hospital_number=HOSPITAL_NUMBER,
            phone="+49 30 5550 1876",
            email="w.oyelaran@example.org",
        ),
        sex="F",
        reason="Date of birth mistyped",
    )
    screening = start(coordinator_a, candidate)
    sign_withdrawal(coordinator_a, investigator_a, screening)
    return candidate


def _needles() -> list[str]:
    return [
        NAME,
        "Oyelaran",
        HOSPITAL_NUMBER,
        "5550 1876",
        "w.oyelaran@example.org",
        *date_spellings(BORN),
        *date_spellings(date(1951, 3, 18)),
    ]


def test_erasure_leaves_no_identity_anywhere_and_the_chain_verifies(
    withdrawn: Any, data_manager: Any
) -> None:
    identity = CandidateIdentity.objects.get(candidate=withdrawn)
    assert identity.full_name == NAME
    events = AuditEvent.objects.filter(object_type="screening.candidateidentity")
    assert visible_changes(events.first(), reveal_identity=True)["full_name"]["new"] == NAME
    screenings_before = Screening.objects.filter(candidate=withdrawn).count()

    identities_erase(
        user=data_manager,
        candidates=[withdrawn],
        reason="Consent to keep personal data withdrawn",
        password=PASSWORD,
    )

    # No table and no column holds any spelling of any identity value, in clear.
    assert scan(_needles()) == []
    identity = CandidateIdentity.objects.get(candidate=withdrawn)
    assert identity.is_erased
    assert identity.erased_by == data_manager
    assert (identity.full_name, identity.date_of_birth, identity.hospital_number) == ("", None, "")
    assert identity.full_name_sealed == ""
    assert identity.name_index == ""
    withdrawn.data_key.refresh_from_db()
    assert withdrawn.data_key.wrapped is None
    assert withdrawn.data_key.destroyed
    # The trail keeps its ciphertext, which no longer opens; the chain still verifies.
    for event in events:
        for change in visible_changes(event, reveal_identity=True).values():
            if change.get("identity"):
                assert {change.get("old"), change.get("new")} <= {ERASED, None}
    report = verify_chain()
    assert report.intact, report.summary()
    # The pseudonymised record stays: number, sex, year of birth, evaluations, decisions.
    withdrawn.refresh_from_db()
    assert (withdrawn.screening_number, withdrawn.sex, withdrawn.year_of_birth) == (
        "HMSC100-A01-0001",
        "F",
        1951,
    )
    assert Screening.objects.filter(candidate=withdrawn).count() == screenings_before
    assert Evaluation.objects.filter(screening__candidate=withdrawn).exists()
    assert Decision.objects.filter(screening__candidate=withdrawn).exists()
    erased = AuditEvent.objects.get(action="screening.candidate_identity.erased")
    assert (erased.actor, erased.reason) == (
        data_manager,
        "Consent to keep personal data withdrawn",
    )
    assert erased.record == f"screening.candidate:{withdrawn.pk}"


def test_pages_say_when_and_by_whom_the_identity_was_erased(
    withdrawn: Any, data_manager: Any, coordinator_a: Any
) -> None:
    identities_erase(
        user=data_manager, candidates=[withdrawn], reason="Retention ended", password=PASSWORD
    )
    client = Client()
    client.force_login(coordinator_a)
    page = client.get(reverse("screening:candidate", args=[withdrawn.pk])).content.decode()
    assert "Identity erased on 21 Nov 2026 by Dora Datamanager" in page
    assert NAME not in page
    screening = withdrawn.screenings.get()
    history = client.get(reverse("screening:history", args=[screening.pk])).content.decode()
    assert "(erased)" in history
    assert "erased the identity of HMSC100-A01-0001" in history
    assert NAME not in history
    assert "17 Mar 1951" not in history
    # Nothing is left to correct.
    response = client.get(reverse("screening:identity", args=[withdrawn.pk]))
    assert response.status_code == 302
    with pytest.raises(ScreeningRuleError, match="erased"):
        candidate_identity_change(
            user=coordinator_a,
            candidate=withdrawn,
            identity=IdentityData(full_name="X Y", date_of_birth=BORN),
            sex="F",
            reason="test",
        )


@pytest.mark.parametrize("persona", ["coordinator_a", "investigator_a", "monitor"])
def test_only_data_managers_erase(withdrawn: Any, persona: str, request: Any) -> None:
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        identities_erase(user=user, candidates=[withdrawn], reason="x", password=PASSWORD)
    assert not CandidateIdentity.objects.get(candidate=withdrawn).is_erased
    client = Client()
    client.force_login(user)
    assert client.get(reverse("screening:erasure")).status_code == 404
    response = client.post(
        reverse("screening:erasure"),
        {"candidates": [withdrawn.pk], "reason": "x", "password": PASSWORD},
    )
    assert response.status_code == 404
    assert not CandidateIdentity.objects.get(candidate=withdrawn).is_erased


def test_a_screening_still_going_on_is_not_erased(
    frozen_today: None, hmsc_screening: Any, data_manager: Any
) -> None:
    with pytest.raises(ScreeningRuleError, match="still going on"):
        identities_erase(
            user=data_manager,
            candidates=[hmsc_screening.candidate],
            reason="x",
            password=PASSWORD,
        )
    assert not CandidateIdentity.objects.get(candidate=hmsc_screening.candidate).is_erased


def test_a_wrong_password_erases_nothing_and_is_audited(withdrawn: Any, data_manager: Any) -> None:
    with pytest.raises(SignatureRefused, match="does not match"):
        identities_erase(
            user=data_manager, candidates=[withdrawn], reason="x", password="wrong password"
        )
    assert not CandidateIdentity.objects.get(candidate=withdrawn).is_erased
    assert AuditEvent.objects.filter(
        action="screening.identity_erasure.refused", actor=data_manager
    ).exists()
    with pytest.raises(ValidationError, match="reason"):
        identities_erase(user=data_manager, candidates=[withdrawn], reason=" ", password=PASSWORD)


def test_the_data_manager_finds_a_candidate_by_number_and_erases_on_the_page(
    withdrawn: Any, data_manager: Any
) -> None:
    client = Client()
    client.force_login(data_manager)
    page = client.get(reverse("screening:erasure"), {"number": "HMSC100-A01-0001"})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="found"' in text
    assert NAME not in text
    response = client.post(
        reverse("screening:erasure"),
        {"candidates": [withdrawn.pk], "reason": "Consent withdrawn", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert CandidateIdentity.objects.get(candidate=withdrawn).is_erased
    again = client.get(reverse("screening:erasure"), {"number": "HMSC100-A01-0001"})
    assert "already erased" in again.content.decode()


def test_an_erased_candidate_is_not_screened_again(
    withdrawn: Any, data_manager: Any, coordinator_a: Any
) -> None:
    from screening.services import screening_rescreen

    identities_erase(user=data_manager, candidates=[withdrawn], reason="x", password=PASSWORD)
    with pytest.raises(ScreeningRuleError, match="register the person again"):
        screening_rescreen(
            user=coordinator_a,
            screening=withdrawn.screenings.get(),
            screening_date=date(2026, 11, 21),
            consent_date=date(2026, 11, 21),
        )
