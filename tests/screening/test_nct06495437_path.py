"""The NCT06495437 path ending in a screen failure, with its reasons pre-filled."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from screening.models import ReasonCategory, ScreeningStatus
from screening.services import (
    ObservationInput,
    ScreeningChanges,
    ScreeningRuleError,
    ScreeningValidationError,
    decision_propose,
    decision_sign,
    screening_enrol,
)
from screening.services.changes import changes_from_facts
from tests.conftest import PASSWORD
from tests.helpers import enter_example, example, save

pytestmark = pytest.mark.django_db


def test_the_example_candidate_is_eligible(
    coordinator_a: Any, investigator_a: Any, nct_screening: Any
) -> None:
    outcome = enter_example(coordinator_a, investigator_a, nct_screening, "nct06495437-eligible")
    assert outcome.evaluation.status == "eligible"


def test_a_high_post_prandial_glucose_ends_in_a_signed_screen_failure(
    coordinator_a: Any, investigator_a: Any, nct_screening: Any
) -> None:
    changes = changes_from_facts(example("nct06495437-eligible"))
    high = ObservationInput(
        code="glucose_2h_postprandial",
        value=Decimal("12.4"),
        unit="mmol/L",
        observed_on=date(2026, 11, 12),
    )
    others = [o for o in changes.observations if o.code != "glucose_2h_postprandial"]
    save(coordinator_a, nct_screening, replace(changes, observations=[*others, high], judgments={}))
    outcome = save(investigator_a, nct_screening, ScreeningChanges(judgments=changes.judgments))
    assert outcome.evaluation.status == "ineligible"
    blocking = outcome.evaluation.blocking
    assert blocking

    with pytest.raises(ScreeningValidationError, match="every criterion is met"):
        decision_propose(user=coordinator_a, screening=nct_screening, outcome="eligible")

    decision = decision_propose(
        user=coordinator_a, screening=nct_screening, outcome="screen_failure"
    )
    assert decision.reason_category == ReasonCategory.CRITERIA
    assert decision.failed_criteria == blocking
    signature = decision_sign(user=investigator_a, decision=decision, password=PASSWORD)
    assert signature.meaning == (
        "I confirm this candidate is a screen failure for the reasons recorded."
    )
    nct_screening.refresh_from_db()
    assert nct_screening.status == ScreeningStatus.SCREEN_FAILURE
    with pytest.raises(ScreeningRuleError, match="Only an eligible screening"):
        screening_enrol(user=coordinator_a, screening=nct_screening, enrolled_on=date(2026, 11, 21))
