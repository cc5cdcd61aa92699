"""The whole hMSC100 path: register, enter data to eligible, propose, sign, correct a
value with a reason (the signature is voided), sign again, enrol."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from audit.models import AuditEvent
from screening.models import ScreeningStatus, Signature, SignatureVoid
from screening.services import (
    ObservationInput,
    ScreeningChanges,
    SignatureRefused,
    decision_propose,
    decision_sign,
    screening_enrol,
)
from tests.conftest import PASSWORD
from tests.helpers import enter_example, register, save, start

pytestmark = pytest.mark.django_db


def test_the_full_hmsc100_path(
    coordinator_a: Any, investigator_a: Any, hmsc: Any, site_a: Any
) -> None:
    candidate = register(coordinator_a, hmsc, site_a)
    screening = start(coordinator_a, candidate)
    outcome = enter_example(coordinator_a, investigator_a, screening, "hmsc100-eligible")
    assert outcome.evaluation.status == "eligible"

    decision = decision_propose(user=coordinator_a, screening=screening, outcome="eligible")
    assert screening.status == ScreeningStatus.AWAITING_SIGNATURE

    with pytest.raises(SignatureRefused):
        decision_sign(user=investigator_a, decision=decision, password="wrong")
    assert not Signature.objects.exists()
    assert AuditEvent.objects.filter(action="screening.signature.refused").count() == 1

    signature = decision_sign(user=investigator_a, decision=decision, password=PASSWORD)
    assert signature.printed_name == "Ian Investigator"
    assert signature.meaning == (
        "I confirm this candidate meets all eligibility criteria of HMSC100 protocol version "
        "1.0-registry."
    )
    assert signature.evaluation == outcome.evaluation
    screening.refresh_from_db()
    assert screening.status == ScreeningStatus.ELIGIBLE

    corrected = ObservationInput(
        code="alt",
        value=Decimal("23"),
        unit="U/L",
        observed_on=date(2026, 11, 10),
        range_from_report=True,
        lln=Decimal("7"),
        uln=Decimal("40"),
        range_unit="U/L",
        source="Site A lab 2026",
    )
    change = save(
        coordinator_a,
        screening,
        ScreeningChanges(observations=[corrected]),
        reason="Lab re-reported",
        reason_code="lab_re_reported",
    )
    assert change.signature_voided
    screening.refresh_from_db()
    assert screening.status == ScreeningStatus.NEEDS_REVIEW
    void = SignatureVoid.objects.get(signature=signature)
    assert "Lab re-reported" in void.reason
    assert void.audit_event.action == "screening.signature.voided"
    with pytest.raises(Exception, match="Only an eligible screening"):
        screening_enrol(user=coordinator_a, screening=screening, enrolled_on=date(2026, 11, 21))

    again = decision_propose(user=investigator_a, screening=screening, outcome="eligible")
    decision_sign(user=investigator_a, decision=again, password=PASSWORD)
    enrolment = screening_enrol(
        user=coordinator_a,
        screening=screening,
        enrolled_on=date(2026, 11, 21),
        randomisation_number="R-017",
    )
    screening.refresh_from_db()
    assert screening.status == ScreeningStatus.ENROLLED
    assert enrolment.randomisation_number == "R-017"
    assert AuditEvent.objects.filter(action="screening.enrolment.created").count() == 1
