"""Enrolment: an eligible, signed, standing decision, and nothing else."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from screening.models import Enrolment
from screening.services import (
    ScreeningRuleError,
    ScreeningValidationError,
    decision_propose,
    decision_sign,
    screening_enrol,
)
from tests.conftest import PASSWORD
from tests.helpers import enter_example

pytestmark = pytest.mark.django_db


def enrol(user: Any, screening: Any, day: date = date(2026, 11, 21)) -> Any:
    return screening_enrol(user=user, screening=screening, enrolled_on=day)


def test_an_in_progress_screening_cannot_be_enrolled(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    with pytest.raises(ScreeningRuleError, match="is in progress"):
        enrol(coordinator_a, hmsc_screening)


def test_an_unsigned_eligible_proposal_cannot_be_enrolled(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-eligible")
    decision_propose(user=coordinator_a, screening=hmsc_screening, outcome="eligible")
    with pytest.raises(ScreeningRuleError, match="awaiting signature"):
        enrol(coordinator_a, hmsc_screening)
    assert not Enrolment.objects.exists()


def test_an_eligible_signed_screening_is_enrolled_once_on_a_sensible_date(
    coordinator_a: Any, investigator_a: Any, coordinator_b: Any, hmsc_screening: Any
) -> None:
    from django.core.exceptions import PermissionDenied

    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-eligible")
    decision = decision_propose(user=coordinator_a, screening=hmsc_screening, outcome="eligible")
    decision_sign(user=investigator_a, decision=decision, password=PASSWORD)
    with pytest.raises(PermissionDenied):
        enrol(coordinator_b, hmsc_screening)
    with pytest.raises(ScreeningValidationError, match="before the screening date"):
        enrol(coordinator_a, hmsc_screening, date(2026, 11, 1))
    with pytest.raises(ScreeningValidationError, match="in the future"):
        enrol(coordinator_a, hmsc_screening, date(2026, 12, 1))
    # Screened on the 20th, signed on the 21st: nobody is enrolled before being confirmed.
    with pytest.raises(
        ScreeningValidationError, match="before the eligibility decision was signed"
    ):
        enrol(coordinator_a, hmsc_screening, date(2026, 11, 20))
    enrol(coordinator_a, hmsc_screening)
    with pytest.raises(ScreeningRuleError, match="already enrolled"):
        enrol(coordinator_a, hmsc_screening)
