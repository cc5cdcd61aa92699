"""Starting a screening: pinned to the active protocol version, and staying pinned."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from screening.models import Evaluation, ScreeningStatus
from screening.services import ScreeningRuleError, ScreeningValidationError
from tests.helpers import ROOT, register, save, start
from trials.models import ProtocolStatus
from trials.services.protocols import protocol_import

pytestmark = pytest.mark.django_db


def amend(path: Path, label: str) -> Any:
    text = path.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("protocol_version:"))
    return protocol_import(
        text=text.replace(old, f'protocol_version: "{label}"'),
        source_name=path.name,
        user=None,
        activate=True,
    ).version


def test_a_screening_is_pinned_to_the_active_version_and_evaluated_at_once(
    coordinator_a: Any, hmsc: Any, site_a: Any, protocols: dict[str, Any]
) -> None:
    screening = start(coordinator_a, register(coordinator_a, hmsc, site_a))
    assert screening.protocol_version == protocols["HMSC100"]
    assert (screening.attempt, screening.status, screening.revision) == (
        1,
        ScreeningStatus.IN_PROGRESS,
        0,
    )
    evaluation = Evaluation.objects.get(screening=screening)
    assert evaluation.status == "incomplete"
    assert evaluation.protocol_version == protocols["HMSC100"]


def test_it_stays_pinned_when_an_amendment_is_activated(
    coordinator_a: Any, hmsc: Any, site_a: Any, protocols: dict[str, Any]
) -> None:
    screening = start(coordinator_a, register(coordinator_a, hmsc, site_a))
    amendment = amend(ROOT / "protocols" / "hmsc100.yaml", "2.0")
    protocols["HMSC100"].refresh_from_db()
    assert protocols["HMSC100"].status == ProtocolStatus.SUPERSEDED
    from screening.services import ObservationInput, ScreeningChanges

    weight = ObservationInput(
        code="weight", value=Decimal("60"), unit="kg", observed_on=date(2026, 11, 20)
    )
    outcome = save(coordinator_a, screening, ScreeningChanges(observations=[weight]))
    screening.refresh_from_db()
    assert screening.protocol_version == protocols["HMSC100"]
    assert outcome.evaluation.protocol_version == protocols["HMSC100"]
    later = start(coordinator_a, register(coordinator_a, hmsc, site_a))
    assert later.protocol_version == amendment


def test_starting_is_refused_when_no_version_is_active(
    coordinator_a: Any, hmsc: Any, site_a: Any, protocols: dict[str, Any]
) -> None:
    candidate = register(coordinator_a, hmsc, site_a)
    protocols["HMSC100"].status = ProtocolStatus.SUPERSEDED
    protocols["HMSC100"].save(update_fields=["status"])
    with pytest.raises(ScreeningRuleError, match="HMSC100 has no active protocol version"):
        start(coordinator_a, candidate)


def test_consent_must_come_before_screening_and_neither_in_the_future(
    coordinator_a: Any, hmsc: Any, site_a: Any
) -> None:
    candidate = register(coordinator_a, hmsc, site_a)
    with pytest.raises(ScreeningValidationError) as caught:
        start(
            coordinator_a,
            candidate,
            screening_date=date(2026, 11, 10),
            consent_date=date(2026, 11, 12),
        )
    assert "must come before screening" in caught.value.message_dict["consent_date"][0]
    with pytest.raises(ScreeningValidationError) as caught:
        start(coordinator_a, candidate, screening_date=date(2026, 12, 1))
    assert "in the future" in caught.value.message_dict["screening_date"][0]


def test_dates_outside_the_plausible_span_are_refused_before_any_evaluation(
    coordinator_a: Any, hmsc: Any, site_a: Any
) -> None:
    # A screening on 0001-01-01 would send the washout arithmetic off the calendar.
    candidate = register(coordinator_a, hmsc, site_a)
    with pytest.raises(ScreeningValidationError) as caught:
        start(coordinator_a, candidate, screening_date=date(1, 1, 1), consent_date=date(1, 1, 1))
    assert caught.value.message_dict == {
        "screening_date": [
            "Screening date: 0001-01-01 is not a plausible date; give one between 1900-01-01 "
            "and 2200-12-31."
        ],
        "consent_date": [
            "Consent date: 0001-01-01 is not a plausible date; give one between 1900-01-01 "
            "and 2200-12-31."
        ],
    }
    assert not candidate.screenings.exists()


def test_a_second_start_is_refused_in_favour_of_rescreening(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    with pytest.raises(ScreeningRuleError, match="rescreening"):
        start(coordinator_a, hmsc_screening.candidate)


def test_an_outsider_cannot_start_a_screening(
    coordinator_a: Any, coordinator_b: Any, hmsc: Any, site_a: Any
) -> None:
    candidate = register(coordinator_a, hmsc, site_a)
    with pytest.raises(PermissionDenied):
        start(coordinator_b, candidate)
