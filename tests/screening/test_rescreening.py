"""Rescreening: a new attempt after a screen failure, under the active version, carrying
what the coordinator chooses, up to the protocol's limit."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from screening.models import Observation, ScreeningStatus
from screening.services import (
    ScreeningRuleError,
    decision_propose,
    decision_sign,
    screening_rescreen,
)
from tests.conftest import PASSWORD
from tests.helpers import enter_example

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 21)


def fail(coordinator: Any, investigator: Any, screening: Any) -> None:
    """A signed screen failure: for the failing criteria, or declined when none fail yet."""
    failing = bool(screening.evaluations.latest().blocking)
    decision = decision_propose(
        user=coordinator,
        screening=screening,
        outcome="screen_failure",
        reason_category="criteria" if failing else "declined",
    )
    decision_sign(user=investigator, decision=decision, password=PASSWORD)


def rescreen(user: Any, screening: Any, carry: Any = ()) -> Any:
    # The failures are signed today, so rescreening today is early (test_rescreen_timing).
    return screening_rescreen(
        user=user,
        screening=screening,
        screening_date=TODAY,
        consent_date=TODAY,
        carry=carry,
        confirm_early=True,
        early_reason="New information on the day of the failure",
    )


def test_a_screen_failure_is_rescreened_carrying_the_chosen_values(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-washout")
    fail(coordinator_a, investigator_a, hmsc_screening)
    second = rescreen(coordinator_a, hmsc_screening, carry={"weight", "height", "denosumab"})
    assert (second.attempt, second.previous, second.status) == (
        2,
        hmsc_screening,
        ScreeningStatus.IN_PROGRESS,
    )
    assert second.protocol_version == hmsc_screening.protocol_version
    assert set(Observation.objects.filter(screening=second).values_list("code", flat=True)) == {
        "weight",
        "height",
    }
    assert list(second.medications.values_list("drug", flat=True)) == ["denosumab"]
    assert not second.observations.filter(kind="judgment").exists()
    assert second.evaluations.count() == 1


def test_rescreening_is_refused_beyond_the_protocols_limit(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    fail(coordinator_a, investigator_a, hmsc_screening)
    second = rescreen(coordinator_a, hmsc_screening)
    fail(coordinator_a, investigator_a, second)
    with pytest.raises(ScreeningRuleError) as caught:
        rescreen(coordinator_a, second)
    assert "rescreened once (rescreen limit 1)" in caught.value.messages[0]


def test_only_a_signed_screen_failure_is_rescreened(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    with pytest.raises(ScreeningRuleError, match="Only a signed screen failure"):
        rescreen(coordinator_a, hmsc_screening)


def test_only_values_the_last_attempt_has_can_be_carried(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    fail(coordinator_a, investigator_a, hmsc_screening)
    with pytest.raises(ScreeningRuleError, match="Nothing to carry over for weight"):
        rescreen(coordinator_a, hmsc_screening, carry={"weight"})


def test_an_outsider_cannot_rescreen(
    coordinator_a: Any, investigator_a: Any, coordinator_b: Any, hmsc_screening: Any
) -> None:
    from django.core.exceptions import PermissionDenied

    fail(coordinator_a, investigator_a, hmsc_screening)
    with pytest.raises(PermissionDenied):
        rescreen(coordinator_b, hmsc_screening)
