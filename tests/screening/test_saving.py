"""Saving screening data: partial saves, reasons for changes, field-level audit,
an evaluation per save, and conflicts between two editors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from audit.models import AuditEvent
from screening.models import Evaluation, Observation
from screening.services import (
    HistoryInput,
    ObservationInput,
    ScreeningChanges,
    ScreeningConflictError,
    ScreeningValidationError,
    screening_save,
)
from tests.helpers import save
from tests.screening.helpers import DAY, alt

pytestmark = pytest.mark.django_db


def test_a_partial_save_keeps_what_was_entered_and_evaluates_it(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    outcome = save(coordinator_a, hmsc_screening, ScreeningChanges(observations=[alt("95")]))
    assert outcome.saved
    assert (outcome.created, outcome.changed, outcome.removed) == (1, 0, 0)
    row = Observation.objects.get(code="alt")
    assert (row.value_entered, row.unit_entered, row.value, row.revision) == ("95", "U/L", 95, 1)
    # ALT 95 U/L is 2.4 × the site's ULN of 40: one value is enough to fail E-liver.
    assert outcome.evaluation.status == "ineligible"
    assert outcome.evaluation.screening_revision == 1
    assert outcome.evaluation.facts["labs"][0]["value"] == "95"


def test_each_save_records_an_immutable_evaluation_snapshot(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    save(coordinator_a, hmsc_screening, ScreeningChanges(observations=[alt("95")]))
    save(coordinator_a, hmsc_screening, ScreeningChanges(answers={"informed_consent": "yes"}))
    revisions = list(
        Evaluation.objects.filter(screening=hmsc_screening)
        .order_by("created_at", "pk")
        .values_list("screening_revision", flat=True)
    )
    assert revisions == [0, 1, 2]
    latest = Evaluation.objects.filter(screening=hmsc_screening).latest()
    assert latest.facts["answers"] == {"informed_consent": "yes"}
    assert latest.result["criteria"]
    assert latest.engine_version


def test_saving_the_same_values_again_changes_nothing(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    save(coordinator_a, hmsc_screening, ScreeningChanges(observations=[alt("95")]))
    events = AuditEvent.objects.count()
    outcome = save(coordinator_a, hmsc_screening, ScreeningChanges(observations=[alt("95")]))
    assert not outcome.saved
    assert outcome.evaluation is None
    assert AuditEvent.objects.count() == events
    hmsc_screening.refresh_from_db()
    assert hmsc_screening.revision == 1


def test_changing_a_saved_value_needs_a_reason(coordinator_a: Any, hmsc_screening: Any) -> None:
    save(coordinator_a, hmsc_screening, ScreeningChanges(observations=[alt("95")]))
    with pytest.raises(ScreeningValidationError) as caught:
        save(coordinator_a, hmsc_screening, ScreeningChanges(observations=[alt("59")]))
    assert caught.value.message_dict == {
        "reason": ["Give a reason for changing data that was already saved."]
    }
    assert Observation.objects.get(code="alt").value_entered == "95"
    save(
        coordinator_a,
        hmsc_screening,
        ScreeningChanges(observations=[alt("59")]),
        reason_code="transcription_error",
    )
    row = Observation.objects.get(code="alt")
    assert (row.value_entered, row.revision) == ("59", 2)


def test_a_change_is_audited_field_by_field_with_its_units(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    creatinine = ObservationInput(
        code="creatinine", value=Decimal("1.02"), unit="mg/dL", observed_on=DAY
    )
    save(coordinator_a, hmsc_screening, ScreeningChanges(observations=[creatinine]))
    in_si = ObservationInput(code="creatinine", value=Decimal("90"), unit="µmol/L", observed_on=DAY)
    save(
        coordinator_a,
        hmsc_screening,
        ScreeningChanges(observations=[in_si]),
        reason="Re-read the report: it is in µmol/L",
    )
    event = AuditEvent.objects.get(action="screening.observation.changed")
    assert event.changes["creatinine"] == {
        "old": "1.02 mg/dL",
        "new": "90 µmol/L",
        "label": "Serum creatinine",
    }
    assert event.changes["creatinine converted"]["new"] == "1.02"
    assert event.changes["creatinine converted"]["unit"] == "mg/dL"
    assert event.reason == "Re-read the report: it is in µmol/L"
    assert event.actor == coordinator_a


def test_removing_a_saved_value_needs_a_reason_and_is_audited(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    save(coordinator_a, hmsc_screening, ScreeningChanges(answers={"high_fall_risk": "no"}))
    with pytest.raises(ScreeningValidationError, match="reason"):
        save(coordinator_a, hmsc_screening, ScreeningChanges(answers={"high_fall_risk": ""}))
    save(
        coordinator_a,
        hmsc_screening,
        ScreeningChanges(answers={"high_fall_risk": ""}),
        reason_code="entered_in_error",
    )
    assert not Observation.objects.filter(code="high_fall_risk").exists()
    event = AuditEvent.objects.get(action="screening.observation.removed")
    assert event.changes["high_fall_risk"] == {
        "old": "no",
        "new": None,
        "label": "Is the candidate at high risk of falling (site falls-risk assessment)?",
    }
    assert event.reason_code == "entered_in_error"


def test_a_history_event_can_be_added_then_corrected(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    fracture = HistoryInput(
        code="fracture", occurred_on=date(2025, 9, 3), details={"site": "vertebral"}
    )
    save(coordinator_a, hmsc_screening, ScreeningChanges(history=[fracture]))
    saved = hmsc_screening.history.get()
    moved = HistoryInput(
        code="fracture", id=saved.pk, occurred_on=date(2025, 9, 4), details={"site": "vertebral"}
    )
    save(coordinator_a, hmsc_screening, ScreeningChanges(history=[moved]), reason="Date typo")
    saved.refresh_from_db()
    assert (saved.occurred_on, saved.revision) == (date(2025, 9, 4), 2)
    event = AuditEvent.objects.get(action="screening.history_event.changed")
    assert event.changes["event date"] == {
        "old": "2025-09-03",
        "new": "2025-09-04",
        "label": "Fracture date",
    }


def test_a_stale_save_gets_a_conflict_naming_who_saved_and_when(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    revision = hmsc_screening.revision
    screening_save(
        user=investigator_a,
        screening=hmsc_screening,
        changes=ScreeningChanges(observations=[alt("95")]),
        expected_revision=revision,
    )
    with pytest.raises(ScreeningConflictError) as caught:
        screening_save(
            user=coordinator_a,
            screening=hmsc_screening,
            changes=ScreeningChanges(observations=[alt("40")]),
            expected_revision=revision,
        )
    message = str(caught.value)
    assert message.startswith("Ian Investigator saved this screening at 2026-11-21 10:")
    assert "Europe/Berlin" in message
    assert "UTC" in message
    assert "Nothing of yours was saved" in message
    assert Observation.objects.get(code="alt").value_entered == "95"
    assert Evaluation.objects.filter(screening=hmsc_screening).count() == 2


def test_an_outsider_cannot_save(coordinator_b: Any, hmsc_screening: Any) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        save(coordinator_b, hmsc_screening, ScreeningChanges(observations=[alt("95")]))
