"""Tampering behind Eligo's back is found at the right sequence number."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, ManagementUtility, call_command
from django.utils import timezone

from audit.canonical import compute_hash
from audit.models import AuditChainHead, AuditEvent
from audit.tasks import verify_audit_chain
from audit.verify import BreakKind, verify_chain
from tests.audit.conftest import append_only_triggers_disabled, run_sql


def verify_audit_fails(kind: BreakKind, sequence: int) -> str:
    """Run the command, expect the given failure, return its message."""
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")
    message = str(failure.value)
    assert failure.value.returncode == kind.value
    assert message.startswith(f"BROKEN at sequence {sequence}: {kind.label} — ")
    return message


def forged_event(sequence: int, prev_hash: str) -> AuditEvent:
    event = AuditEvent(
        sequence=sequence,
        occurred_at=timezone.now(),
        action="trials.site.changed",
        object_type="trials.site",
        object_id="1",
        changes={"name": {"old": "Site A", "new": "Site Forged", "label": "Name"}},
        reason="forged",
        prev_hash=prev_hash,
    )
    event.hash = compute_hash(event)
    return event


def insert_raw(event: AuditEvent) -> None:
    run_sql(
        "INSERT INTO audit_auditevent (sequence, occurred_at, actor_name, actor_role, site_name,"
        " object_type, object_id, object_repr, action, changes, reason, reason_code, request_id,"
        " client_address, prev_hash, hash) VALUES"
        " (%s, %s, '', '', '', %s, %s, '', %s, %s, %s, '', '', '', %s, %s)",
        [
            event.sequence,
            event.occurred_at,
            event.object_type,
            event.object_id,
            event.action,
            '{"name": {"old": "Site A", "new": "Site Forged", "label": "Name"}}',
            event.reason,
            event.prev_hash,
            event.hash,
        ],
    )


def test_verify_audit_says_ok_with_the_count(chain_of_five: list[AuditEvent], capsys: Any) -> None:
    call_command("verify_audit")
    summary, signed, checkpoints = capsys.readouterr().out.strip().splitlines()
    assert summary == f"OK: 5 events, chain intact (last hash {chain_of_five[-1].hash})"
    key = settings.AUDIT_KEYS.current
    state = "current, development key" if key.development else "current"
    assert signed == f"Signed: 5 with key {key.id} ({state})."
    assert checkpoints.startswith("Checkpoints: none in ")


def test_an_empty_chain_is_intact(db: Any, capsys: Any) -> None:
    call_command("verify_audit")
    assert capsys.readouterr().out.startswith("OK: 0 events, chain intact")


def test_an_edited_event_is_found_where_it_was_edited(chain_of_five: list[AuditEvent]) -> None:
    with append_only_triggers_disabled():
        run_sql("UPDATE audit_auditevent SET reason = 'typo' WHERE sequence = 3")
    message = verify_audit_fails(BreakKind.EDITED, 3)
    assert "no longer matches its hash" in message


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(
    chain_of_five: list[AuditEvent],
) -> None:
    third = AuditEvent.objects.get(sequence=3)
    third.reason = "typo"
    with append_only_triggers_disabled():
        run_sql(
            "UPDATE audit_auditevent SET reason = 'typo', hash = %s WHERE sequence = 3",
            [compute_hash(third)],
        )
    verify_audit_fails(BreakKind.INSERTED, 4)


def test_a_deleted_event_is_found_as_a_gap(chain_of_five: list[AuditEvent]) -> None:
    with append_only_triggers_disabled():
        run_sql("DELETE FROM audit_auditevent WHERE sequence = 3")
    message = verify_audit_fails(BreakKind.DELETED, 3)
    assert "event 3 is missing (next present: 4)" in message


def test_deleting_the_last_events_is_found_through_the_chain_head(
    chain_of_five: list[AuditEvent],
) -> None:
    with append_only_triggers_disabled():
        run_sql("DELETE FROM audit_auditevent WHERE sequence >= 4")
    message = verify_audit_fails(BreakKind.DELETED, 4)
    assert "the chain head ends at 5" in message


def test_an_event_inserted_after_the_head_is_found(chain_of_five: list[AuditEvent]) -> None:
    # Chained correctly to the last event: only the chain head gives it away.
    insert_raw(forged_event(6, chain_of_five[-1].hash))
    message = verify_audit_fails(BreakKind.INSERTED, 6)
    assert "beyond the chain head" in message


def test_an_event_put_in_place_of_another_is_found(chain_of_five: list[AuditEvent]) -> None:
    with append_only_triggers_disabled():
        run_sql("DELETE FROM audit_auditevent WHERE sequence = 3")
    insert_raw(forged_event(3, "f" * 64))
    message = verify_audit_fails(BreakKind.INSERTED, 3)
    assert "not chained to event 2" in message


def test_a_chain_head_that_disagrees_with_the_last_event_is_found(
    chain_of_five: list[AuditEvent],
) -> None:
    run_sql("UPDATE audit_auditchainhead SET last_hash = %s", ["e" * 64])
    verify_audit_fails(BreakKind.HEAD_MISMATCH, 5)


def test_a_missing_chain_head_is_a_head_mismatch(chain_of_five: list[AuditEvent]) -> None:
    AuditChainHead.objects.all().delete()
    verify_audit_fails(BreakKind.HEAD_MISMATCH, 5)


def test_the_nightly_task_reports_an_intact_chain(chain_of_five: list[AuditEvent]) -> None:
    # apply() runs the task here, whether or not a broker is configured.
    result = verify_audit_chain.apply().get()
    assert result["intact"] is True
    assert result["events"] == 5
    assert result["kind"] is None


def test_the_nightly_task_logs_an_error_when_the_chain_is_broken(
    chain_of_five: list[AuditEvent], caplog: Any
) -> None:
    with append_only_triggers_disabled():
        run_sql("UPDATE audit_auditevent SET action = 'x.y' WHERE sequence = 2")
    with caplog.at_level(logging.ERROR, logger="audit.tasks"):
        result = verify_audit_chain()
    assert result["intact"] is False
    assert (result["kind"], result["broken_at"]) == ("edited", 2)
    assert "Audit chain broken: BROKEN at sequence 2: edited" in caplog.text


def test_verification_streams_in_chunks(chain_of_five: list[AuditEvent]) -> None:
    assert verify_chain(chunk_size=2).intact


@pytest.mark.parametrize(
    ("tamper", "status"),
    [
        ("UPDATE audit_auditevent SET reason = 'typo' WHERE sequence = 2", 1),
        ("DELETE FROM audit_auditevent WHERE sequence = 2", 2),
        ("UPDATE audit_auditchainhead SET last_hash = 'x'", 4),
    ],
    ids=["edited", "deleted", "head mismatch"],
)
def test_the_process_exits_with_the_status_of_the_break(
    chain_of_five: list[AuditEvent], tamper: str, status: int, capsys: Any
) -> None:
    with append_only_triggers_disabled():
        run_sql(tamper)
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "verify_audit"]).execute()
    assert exited.value.code == status
    assert "BROKEN at sequence" in capsys.readouterr().err
