"""Source data verification: monitors mark values; a change to a marked value clears it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from screening.models import SourceVerification
from screening.selectors import VerificationProgress, verification_progress
from screening.services import ObservationInput, ScreeningChanges
from screening.services.targets import saved_targets
from screening.services.verification import (
    verification_record,
    verification_state,
    verification_withdraw,
)
from screening.summary import trial_summary
from tests.helpers import save

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 19)


def _obs(code: str, value: str, unit: str) -> ObservationInput:
    return ObservationInput(code=code, value=Decimal(value), unit=unit, observed_on=DAY)


@pytest.fixture
def entered(world: dict[str, Any]) -> dict[str, Any]:
    save(
        world["coordinator_a"],
        world["screening"],
        ScreeningChanges(
            observations=[_obs("weight", "60", "kg"), _obs("height", "160", "cm")],
            answers={"malabsorption": "no"},
        ),
    )
    return world


def test_a_monitor_verifies_one_value_audited(entered: dict[str, Any]) -> None:
    marks = verification_record(
        user=entered["monitor"], screening=entered["screening"], refs=["observation:weight"]
    )
    assert [(m.target_label, m.row_revision) for m in marks] == [("Body weight", 1)]
    event = AuditEvent.objects.get(action="screening.verification.recorded")
    assert event.changes["value"]["new"] == "Body weight"
    assert verification_progress([entered["screening"].pk])[entered["screening"].pk] == (
        VerificationProgress(verified=1, total=3)
    )


def test_verifying_a_section_marks_its_saved_values_once(entered: dict[str, Any]) -> None:
    screening = entered["screening"]
    weight = next(t for t in saved_targets(screening) if t.key == "weight")
    marks = verification_record(
        user=entered["monitor"], screening=screening, section=weight.section
    )
    in_section = {t.ref for t in saved_targets(screening) if t.section == weight.section}
    assert {f"{m.target_shape}:{m.target_key}" for m in marks} == in_section
    again = verification_record(
        user=entered["monitor"], screening=screening, section=weight.section
    )
    assert again == []  # already verified: nothing new, nothing audited twice
    assert AuditEvent.objects.filter(action="screening.verification.recorded").count() == len(
        in_section
    )


@pytest.mark.parametrize(
    "persona", ["coordinator_a", "investigator_a", "coordinator_b", "data_manager"]
)
def test_only_a_monitor_of_the_trial_verifies(entered: dict[str, Any], persona: str) -> None:
    with pytest.raises(PermissionDenied):
        verification_record(
            user=entered[persona], screening=entered["screening"], refs=["observation:weight"]
        )
    assert not SourceVerification.objects.exists()


def test_a_value_not_saved_or_an_empty_section_is_refused(entered: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as unsaved:
        verification_record(
            user=entered["monitor"], screening=entered["screening"], refs=["observation:alt"]
        )
    assert unsaved.value.message_dict == {"refs": ["observation:alt: no saved value to verify."]}
    with pytest.raises(ValidationError) as empty:
        verification_record(user=entered["monitor"], screening=entered["screening"], section="nope")
    assert "section" in empty.value.message_dict


def test_a_change_to_a_verified_value_clears_the_mark_visibly(entered: dict[str, Any]) -> None:
    screening = entered["screening"]
    verification_record(
        user=entered["monitor"],
        screening=screening,
        refs=["observation:weight", "observation:height"],
    )
    save(
        entered["coordinator_a"],
        screening,
        ScreeningChanges(observations=[_obs("weight", "61", "kg")]),
        reason="Re-weighed",
    )
    state = verification_state(screening)
    weight, height = state["observation:weight"], state["observation:height"]
    assert not weight.stands
    assert height.stands
    assert weight.cleared_by == entered["coordinator_a"]
    change = AuditEvent.objects.get(action="screening.observation.changed")
    assert weight.cleared_event == change
    cleared = AuditEvent.objects.get(action="screening.verification.cleared")
    assert cleared.changes["state"]["new"] == "cleared by a change"
    assert verification_progress([screening.pk])[screening.pk] == VerificationProgress(1, 3)
    # Verified again: a new mark on the new revision; the cleared one stays on record.
    (again,) = verification_record(
        user=entered["monitor"], screening=screening, refs=["observation:weight"]
    )
    assert again.row_revision == 2
    assert SourceVerification.objects.filter(target_key="weight").count() == 2


def test_removing_a_verified_value_clears_its_mark(entered: dict[str, Any]) -> None:
    screening = entered["screening"]
    verification_record(user=entered["monitor"], screening=screening, refs=["observation:height"])
    save(
        entered["coordinator_a"],
        screening,
        ScreeningChanges(remove_observations=["height"]),
        reason="Entered in the wrong screening",
    )
    assert not verification_state(screening)["observation:height"].stands
    assert verification_progress([screening.pk])[screening.pk] == VerificationProgress(0, 2)


def test_a_monitor_withdraws_a_mark_with_a_reason_audited(entered: dict[str, Any]) -> None:
    screening, monitor = entered["screening"], entered["monitor"]
    verification_record(user=monitor, screening=screening, refs=["observation:weight"])
    mark = verification_withdraw(
        user=monitor,
        screening=screening,
        ref="observation:weight",
        reason="Compared with the wrong visit's source",
    )
    assert not mark.stands
    assert mark.withdrawn
    assert mark.cleared_by == monitor
    assert mark.withdrawal_reason == "Compared with the wrong visit's source"
    event = AuditEvent.objects.get(action="screening.verification.withdrawn")
    assert mark.cleared_event == event
    assert (event.actor, event.changes["state"]["new"]) == (monitor, "withdrawn")
    assert verification_progress([screening.pk])[screening.pk] == VerificationProgress(0, 3)
    state = verification_state(screening)["observation:weight"]
    assert state.withdrawn
    assert not state.stands
    # Verified again later: a new mark; the withdrawn one stays on record.
    (again,) = verification_record(user=monitor, screening=screening, refs=["observation:weight"])
    assert again.stands
    assert not again.withdrawn


def test_a_withdrawal_needs_a_reason_a_standing_mark_and_a_monitor(
    entered: dict[str, Any],
) -> None:
    screening, monitor = entered["screening"], entered["monitor"]
    verification_record(user=monitor, screening=screening, refs=["observation:weight"])
    with pytest.raises(ValidationError) as no_reason:
        verification_withdraw(
            user=monitor, screening=screening, ref="observation:weight", reason=" "
        )
    assert no_reason.value.message_dict == {"reason": ["Say why the verification is withdrawn."]}
    with pytest.raises(ValidationError) as too_long:
        verification_withdraw(
            user=monitor, screening=screening, ref="observation:weight", reason="x" * 2001
        )
    assert "at most 2000" in too_long.value.message_dict["reason"][0]
    with pytest.raises(ValidationError) as not_verified:
        verification_withdraw(
            user=monitor, screening=screening, ref="observation:height", reason="Mistake"
        )
    assert "no standing verification" in not_verified.value.message_dict["ref"][0]
    with pytest.raises(PermissionDenied):
        verification_withdraw(
            user=entered["coordinator_a"],
            screening=screening,
            ref="observation:weight",
            reason="Mistake",
        )
    assert verification_state(screening)["observation:weight"].stands
    assert not AuditEvent.objects.filter(action="screening.verification.withdrawn").exists()


def test_the_trial_summary_shows_verification_progress_per_site(
    entered: dict[str, Any],
) -> None:
    screening = entered["screening"]
    verification_record(user=entered["monitor"], screening=screening, refs=["observation:weight"])
    summary = trial_summary(entered["monitor"], screening.candidate.trial)
    rows = {row.site.pk: row.verification for row in summary.sites}
    assert rows[screening.candidate.site_id] == VerificationProgress(verified=1, total=3)
    assert all(
        progress == VerificationProgress()
        for site_id, progress in rows.items()
        if site_id != screening.candidate.site_id
    )
