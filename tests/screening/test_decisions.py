"""Proposing and signing decisions: who may, with what evidence, and the password."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction

from screening.models import Decision, ImmutableRowError, Signature
from screening.services import (
    ScreeningChanges,
    ScreeningRuleError,
    ScreeningValidationError,
    decision_propose,
    decision_sign,
)
from screening.services.changes import changes_from_facts
from tests.conftest import PASSWORD, require_or_skip
from tests.helpers import enter_example, example, save, sign_withdrawal

pytestmark = pytest.mark.django_db


def test_a_coordinator_may_propose_but_not_sign(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-eligible")
    decision = decision_propose(user=coordinator_a, screening=hmsc_screening, outcome="eligible")
    with pytest.raises(PermissionDenied, match="Only an investigator"):
        decision_sign(user=coordinator_a, decision=decision, password=PASSWORD)
    assert not Signature.objects.exists()


def test_outsiders_can_neither_propose_nor_sign(
    coordinator_a: Any, investigator_a: Any, coordinator_b: Any, monitor: Any, hmsc_screening: Any
) -> None:
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-eligible")
    with pytest.raises(PermissionDenied):
        decision_propose(user=coordinator_b, screening=hmsc_screening, outcome="eligible")
    decision = decision_propose(user=coordinator_a, screening=hmsc_screening, outcome="eligible")
    for outsider in (coordinator_b, monitor):
        with pytest.raises(PermissionDenied):
            decision_sign(user=outsider, decision=decision, password=PASSWORD)


def test_eligible_cannot_be_proposed_while_facts_are_missing(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    with pytest.raises(ScreeningValidationError) as caught:
        decision_propose(user=coordinator_a, screening=hmsc_screening, outcome="eligible")
    assert "the evaluation is incomplete" in caught.value.message_dict["outcome"][0]


def test_eligible_is_signed_only_once_every_judgment_is_answered(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    changes = changes_from_facts(example("hmsc100-eligible"))
    outcome = save(coordinator_a, hmsc_screening, replace(changes, judgments={}))
    assert outcome.evaluation.status == "needs_review"
    decision = decision_propose(user=coordinator_a, screening=hmsc_screening, outcome="eligible")
    with pytest.raises(ScreeningRuleError, match="judgments pending"):
        decision_sign(user=investigator_a, decision=decision, password=PASSWORD)
    save(investigator_a, hmsc_screening, ScreeningChanges(judgments=changes.judgments))
    signature = decision_sign(user=investigator_a, decision=decision, password=PASSWORD)
    assert signature.evaluation.status == "eligible"


def test_a_wrong_password_is_refused_and_the_attempt_recorded(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    from audit.models import AuditEvent

    decision = decision_propose(
        user=coordinator_a,
        screening=hmsc_screening,
        outcome="withdrawn",
        reason_category="declined",
    )
    with pytest.raises(ScreeningRuleError) as caught:
        decision_sign(user=investigator_a, decision=decision, password="not-it")
    assert caught.value.message_dict == {
        "password": ["The password does not match; the decision was not signed."]
    }
    event = AuditEvent.objects.get(action="screening.signature.refused")
    assert event.actor == investigator_a
    signature = decision_sign(user=investigator_a, decision=decision, password=PASSWORD)
    assert signature.meaning == "I confirm this candidate is withdrawn from screening."


def test_only_the_latest_proposal_can_be_signed(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    first = decision_propose(
        user=coordinator_a,
        screening=hmsc_screening,
        outcome="withdrawn",
        reason_category="declined",
    )
    decision_propose(
        user=coordinator_a,
        screening=hmsc_screening,
        outcome="withdrawn",
        reason_category="other",
        reason_text="Moved abroad",
    )
    with pytest.raises(ScreeningRuleError, match="newer decision"):
        decision_sign(user=investigator_a, decision=first, password=PASSWORD)


def test_other_reasons_need_words_and_criteria_must_exist(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    with pytest.raises(ScreeningValidationError) as caught:
        decision_propose(
            user=coordinator_a,
            screening=hmsc_screening,
            outcome="screen_failure",
            reason_category="other",
            failed_criteria=["Z99"],
        )
    assert set(caught.value.message_dict) == {"reason_text", "failed_criteria"}


def test_decisions_and_signatures_are_immutable(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    decision = decision_propose(
        user=coordinator_a,
        screening=hmsc_screening,
        outcome="withdrawn",
        reason_category="declined",
    )
    signature = decision_sign(user=investigator_a, decision=decision, password=PASSWORD)
    decision.reason_text = "edited"
    with pytest.raises(ImmutableRowError):
        decision.save()
    with pytest.raises(ImmutableRowError):
        signature.delete()
    with pytest.raises(ImmutableRowError):
        Decision.objects.update(reason_text="edited")
    with pytest.raises(ImmutableRowError):
        hmsc_screening.evaluations.all().delete()


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("screening_decision", "reason_text", "'edited'"),
        ("screening_signature", "meaning", "'edited'"),
        ("screening_evaluation", "status", "'eligible'"),
    ],
)
def test_the_database_refuses_raw_updates_of_signed_records(
    coordinator_a: Any,
    investigator_a: Any,
    hmsc_screening: Any,
    table: str,
    column: str,
    value: str,
) -> None:
    """Past the models (the shell, a raw query): the database's own triggers refuse."""
    sign_withdrawal(coordinator_a, investigator_a, hmsc_screening)
    with (
        pytest.raises(DatabaseError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {table} SET {column} = {value}")  # noqa: S608 -- fixed names


@pytest.mark.parametrize("table", ["screening_decision", "screening_signature"])
def test_the_database_refuses_raw_deletes_of_signed_records_on_postgresql(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any, table: str
) -> None:
    # SQLite has no DELETE trigger (it would break test flushes); CI runs PostgreSQL.
    require_or_skip(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    sign_withdrawal(coordinator_a, investigator_a, hmsc_screening)
    with (
        pytest.raises(DatabaseError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 -- fixed names
    assert Signature.objects.count() == 1
