"""A database owner cannot rewrite the audit chain unseen.

The three rewrites a security review reproduced against the unkeyed chain are
done here with raw SQL, as someone with the database's rights but not the key
would: cut the tail and rewind the chain head, append a forged "signed" event
with a correct-looking hash, and edit an event then recompute every later hash.
Each is now found. The key itself never reaches the database or the trail.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, ManagementUtility, call_command
from django.test import override_settings
from django.utils import timezone

from audit.canonical import canonical_json, compute_hash, event_payload, format_timestamp
from audit.checkpoints import FILE_NAME, read_checkpoints, write_checkpoint
from audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from audit.tasks import verify_audit_chain
from audit.verify import BreakKind, ChainReport, verify_chain
from config.auditkeys import AuditKey, AuditKeyring
from tests.audit.conftest import append_only_triggers_disabled, rename_site, run_sql

KEY_A = AuditKey.from_text("key-A-" + "a" * 40)
KEY_B = AuditKey.from_text("key-B-" + "b" * 40)


@pytest.fixture
def key_a() -> Iterator[AuditKey]:
    with override_settings(AUDIT_KEYS=AuditKeyring(current=KEY_A)):
        yield KEY_A


@pytest.fixture
def chain(key_a: AuditKey, site_a: Any, data_manager: Any) -> list[AuditEvent]:
    return [rename_site(site_a, f"Site A{n}", actor=data_manager) for n in range(1, 6)]


def checkpoint_file() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR) / FILE_NAME


def take_checkpoint() -> dict[str, Any]:
    """Run ``audit_checkpoint`` and return the line it appended."""
    call_command("audit_checkpoint", stdout=io.StringIO())
    line: dict[str, Any] = json.loads(checkpoint_file().read_text().splitlines()[-1])
    return line


def broken(kind: BreakKind, sequence: int | None, **options: Any) -> ChainReport:
    report = verify_chain(**options)
    assert (report.kind, report.broken_at) == (kind, sequence), report.summary()
    return report


def plain_hash(event: AuditEvent) -> str:
    """The unkeyed hash the chain used before it had a key: anyone can compute it."""
    text = event.prev_hash + canonical_json(event_payload(event))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def guessed_key_hash(event: AuditEvent) -> str:
    """An HMAC under a key the forger made up, claiming the real key's id."""
    guess = AuditKey(id=event.key_id or "", secret=b"a guess at the key, wrong")
    return compute_hash(event, keys=AuditKeyring(current=guess))


def rewrite_from(
    start: int,
    *,
    reason: str,
    rehash: Callable[[AuditEvent], str],
    key_id: Callable[[AuditEvent], str | None] = lambda event: event.key_id,
) -> None:
    """Edit event ``start``'s reason and recompute every later link and the head, in SQL."""
    prev_hash = AuditEvent.objects.get(sequence=start - 1).hash if start > 1 else GENESIS_HASH
    events = list(AuditEvent.objects.filter(sequence__gte=start).order_by("sequence"))
    with append_only_triggers_disabled():
        for event in events:
            if event.sequence == start:
                event.reason = reason
            event.prev_hash = prev_hash
            event.key_id = key_id(event)
            event.hash = rehash(event)
            run_sql(
                "UPDATE audit_auditevent SET reason = %s, prev_hash = %s, key_id = %s, hash = %s"
                " WHERE sequence = %s",
                [event.reason, event.prev_hash, event.key_id, event.hash, event.sequence],
            )
            prev_hash = event.hash
    run_sql(
        "UPDATE audit_auditchainhead SET last_sequence = %s, last_hash = %s",
        [events[-1].sequence, prev_hash],
    )


def append_forged(*, key_id: str | None, rehash: Callable[[AuditEvent], str]) -> AuditEvent:
    """Insert a "signed" event after the last one and move the head onto it, in SQL."""
    head = AuditChainHead.objects.get()
    event = AuditEvent(
        sequence=head.last_sequence + 1,
        occurred_at=timezone.now(),
        actor_name="Ivan Investigator",
        actor_role="investigator",
        object_type="screening.signature",
        object_id="99",
        object_repr="Signature of screening A01-0007",
        action="screening.signature.created",
        changes={},
        reason="",
        prev_hash=head.last_hash,
        key_id=key_id,
    )
    event.hash = rehash(event)
    run_sql(
        "INSERT INTO audit_auditevent (sequence, occurred_at, actor_name, actor_role, site_name,"
        " object_type, object_id, object_repr, action, changes, reason, reason_code, request_id,"
        " client_address, prev_hash, key_id, hash) VALUES"
        " (%s, %s, %s, %s, '', %s, %s, %s, %s, '{}', '', '', '', '', %s, %s, %s)",
        [
            event.sequence,
            event.occurred_at,
            event.actor_name,
            event.actor_role,
            event.object_type,
            event.object_id,
            event.object_repr,
            event.action,
            event.prev_hash,
            event.key_id,
            event.hash,
        ],
    )
    run_sql(
        "UPDATE audit_auditchainhead SET last_sequence = %s, last_hash = %s",
        [event.sequence, event.hash],
    )
    return event


# --- The keyed chain -------------------------------------------------------------------


def test_each_event_is_an_hmac_under_the_current_key(chain: list[AuditEvent]) -> None:
    for event in AuditEvent.objects.order_by("sequence"):
        assert event.key_id == KEY_A.id
        text = (event.prev_hash + canonical_json(event_payload(event))).encode("utf-8")
        assert event.hash == hmac.new(KEY_A.secret, text, hashlib.sha256).hexdigest()
        assert event.hash != plain_hash(event)
    report = verify_chain()
    assert report.intact
    assert (report.signed_by, report.unkeyed) == ({KEY_A.id: 5}, 0)


def test_the_hash_covers_the_key_id(chain: list[AuditEvent]) -> None:
    third = AuditEvent.objects.get(sequence=3)
    assert event_payload(third)["key_id"] == KEY_A.id
    with append_only_triggers_disabled():
        run_sql("UPDATE audit_auditevent SET key_id = %s WHERE sequence = 3", [KEY_A.id[:-1] + "0"])
    broken(BreakKind.UNKNOWN_KEY, 3)


# --- Rewrite 1: the tail cut off and the chain head rewound ---------------------------


def cut_tail(after: int) -> None:
    last_kept = AuditEvent.objects.get(sequence=after)
    with append_only_triggers_disabled():
        run_sql("DELETE FROM audit_auditevent WHERE sequence > %s", [after])
    run_sql(
        "UPDATE audit_auditchainhead SET last_sequence = %s, last_hash = %s",
        [after, last_kept.hash],
    )


def test_a_tail_cut_off_with_the_head_rewound_is_found_through_the_checkpoint(
    chain: list[AuditEvent],
) -> None:
    line = take_checkpoint()
    assert line["sequence"] == 5
    cut_tail(after=3)
    report = broken(BreakKind.TRUNCATED, 4)
    assert "vouches for events up to 5, but the chain ends at 3" in report.detail
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit", stdout=io.StringIO())
    assert failure.value.returncode == BreakKind.TRUNCATED.value == 7
    assert str(failure.value).startswith("BROKEN at sequence 4: truncated — ")


def test_a_chain_emptied_entirely_is_truncated(chain: list[AuditEvent]) -> None:
    take_checkpoint()
    with append_only_triggers_disabled():
        run_sql("DELETE FROM audit_auditevent")
    run_sql("DELETE FROM audit_auditchainhead")
    broken(BreakKind.TRUNCATED, 1)


def test_the_copy_shipped_off_the_host_finds_a_cut_the_local_folder_no_longer_shows(
    chain: list[AuditEvent], tmp_path: Path
) -> None:
    take_checkpoint()
    shipped = tmp_path / "worm" / FILE_NAME
    shipped.parent.mkdir()
    shutil.copy(checkpoint_file(), shipped)
    # Someone with the host as well as the database removes the local file too.
    checkpoint_file().unlink()
    cut_tail(after=2)
    assert verify_chain().intact
    broken(BreakKind.TRUNCATED, 3, checkpoints=shipped)
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit", "--checkpoints", str(shipped.parent), stdout=io.StringIO())
    assert failure.value.returncode == 7


# --- Rewrite 2: a forged "signed" event appended ---------------------------------------


def test_a_forged_event_with_the_old_plain_hash_is_found(chain: list[AuditEvent]) -> None:
    forged = append_forged(key_id=None, rehash=plain_hash)
    report = broken(BreakKind.FORGED, forged.sequence)
    assert "carries no key although the events from 1 on are signed" in report.detail


def test_a_forged_event_signed_with_a_guessed_key_is_found(chain: list[AuditEvent]) -> None:
    forged = append_forged(key_id=KEY_A.id, rehash=guessed_key_hash)
    report = broken(BreakKind.FORGED, forged.sequence)
    assert "forged append at the end of the chain" in report.detail


def test_a_forged_event_naming_a_made_up_key_is_found(chain: list[AuditEvent]) -> None:
    made_up = AuditKey.from_text("made-up-" + "m" * 40)
    forged = append_forged(
        key_id=made_up.id,
        rehash=lambda event: compute_hash(event, keys=AuditKeyring(current=made_up)),
    )
    report = broken(BreakKind.UNKNOWN_KEY, forged.sequence)
    assert f"names key {made_up.id}, which is not configured" in report.detail


def test_the_command_exits_with_the_status_of_a_forgery(
    chain: list[AuditEvent], capsys: Any
) -> None:
    append_forged(key_id=KEY_A.id, rehash=guessed_key_hash)
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "verify_audit"]).execute()
    assert exited.value.code == BreakKind.FORGED.value == 5
    assert "BROKEN at sequence 6: forged" in capsys.readouterr().err


# --- Rewrite 3: an event edited and every later hash recomputed -------------------------


def test_a_rewrite_with_the_old_plain_hash_is_found_where_it_starts(
    chain: list[AuditEvent],
) -> None:
    rewrite_from(3, reason="rewritten", rehash=plain_hash, key_id=lambda event: None)
    report = broken(BreakKind.FORGED, 3)
    assert "carries no key" in report.detail


def test_a_rewrite_with_a_guessed_key_is_found_where_it_starts(chain: list[AuditEvent]) -> None:
    rewrite_from(3, reason="rewritten", rehash=guessed_key_hash)
    report = broken(BreakKind.FORGED, 3)
    assert "not a valid signature under key" in report.detail


def test_a_rewrite_by_someone_holding_the_key_is_found_through_the_checkpoints(
    key_a: AuditKey, site_a: Any, data_manager: Any
) -> None:
    rename_site(site_a, "Site A1", actor=data_manager)
    rename_site(site_a, "Site A2", actor=data_manager)
    assert take_checkpoint()["sequence"] == 2  # event 3 records the checkpoint
    rename_site(site_a, "Site A4", actor=data_manager)
    rename_site(site_a, "Site A5", actor=data_manager)
    assert take_checkpoint()["sequence"] == 5  # event 6
    # The key leaked: every signature is valid, only the checkpoints disagree.
    rewrite_from(4, reason="rewritten", rehash=compute_hash)
    report = broken(BreakKind.REWRITTEN, 5)
    assert "rewritten consistently at or after event 3" in report.detail
    assert f"{FILE_NAME}:2" in report.detail


def test_an_edit_without_recomputing_is_still_an_edit(chain: list[AuditEvent]) -> None:
    with append_only_triggers_disabled():
        run_sql("UPDATE audit_auditevent SET reason = 'typo' WHERE sequence = 5")
    # The last event: nothing after it vouches for its hash, so it reads as forged.
    broken(BreakKind.FORGED, 5)
    with append_only_triggers_disabled():
        run_sql("UPDATE audit_auditevent SET reason = 'typo' WHERE sequence = 2")
    broken(BreakKind.EDITED, 2)


# --- Checkpoints -------------------------------------------------------------------------


def test_a_checkpoint_is_a_signed_line_and_an_audit_event(chain: list[AuditEvent]) -> None:
    line = take_checkpoint()
    assert set(line) == {"format", "sequence", "hash", "written_at", "key_id", "mac"}
    assert (line["sequence"], line["hash"], line["key_id"]) == (5, chain[-1].hash, KEY_A.id)
    signed = {name: value for name, value in line.items() if name != "mac"}
    expected = hmac.new(KEY_A.secret, canonical_json(signed).encode(), hashlib.sha256)
    assert line["mac"] == expected.hexdigest()
    event = AuditEvent.objects.get(sequence=6)
    assert event.action == "audit.checkpoint.written"
    assert event.actor_id is None
    assert (event.prev_hash, format_timestamp(event.occurred_at)) == (
        line["hash"],
        line["written_at"],
    )
    assert event.changes["file"]["new"] == str(checkpoint_file())
    take_checkpoint()
    lines = checkpoint_file().read_text().splitlines()
    assert [json.loads(text)["sequence"] for text in lines] == [5, 6]
    report = verify_chain()
    assert report.intact
    assert (report.checkpoints, report.last_checkpoint) == (2, 6)


def test_no_checkpoint_vouches_for_a_broken_chain(chain: list[AuditEvent]) -> None:
    with append_only_triggers_disabled():
        run_sql("UPDATE audit_auditevent SET reason = 'typo' WHERE sequence = 2")
    with pytest.raises(CommandError, match="No checkpoint written: BROKEN at sequence 2"):
        call_command("audit_checkpoint")
    assert not checkpoint_file().exists()
    assert AuditEvent.objects.count() == 5
    result = verify_audit_chain.apply().get()
    assert (result["intact"], result["checkpoint"]) == (False, None)
    assert not checkpoint_file().exists()


def test_the_nightly_task_writes_a_checkpoint_of_an_intact_chain(chain: list[AuditEvent]) -> None:
    result = verify_audit_chain.apply().get()
    assert result["intact"] is True
    assert result["checkpoint"]["sequence"] == 5
    assert result["checkpoint"]["hash"] == chain[-1].hash
    assert AuditEvent.objects.get(sequence=6).action == "audit.checkpoint.written"
    assert read_checkpoints(checkpoint_file()).last.sequence == 5  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda line: {**line, "sequence": 50}, "signature does not verify"),
        (lambda line: {**line, "hash": "0" * 64}, "signature does not verify"),
        (lambda line: {**line, "key_id": "0123456789abcdef"}, "which is not configured"),
        (lambda line: {"sequence": 50}, "not an Eligo audit checkpoint"),
    ],
    ids=["sequence", "hash", "key", "fields"],
)
def test_a_checkpoint_line_changed_in_the_file_is_reported(
    chain: list[AuditEvent], tamper: Callable[[dict[str, Any]], dict[str, Any]], reason: str
) -> None:
    line = take_checkpoint()
    checkpoint_file().write_text(json.dumps(tamper(line)) + "\n")
    report = broken(BreakKind.BAD_CHECKPOINT, None)
    assert f"{checkpoint_file()}:1: " in report.detail
    assert reason in report.detail
    assert report.summary().startswith("BROKEN: bad checkpoint — ")
    # A bad line vouches for nothing: a sequence of 50 is not taken for a truncation.
    assert report.checkpoints == 0
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit", stdout=io.StringIO())
    assert failure.value.returncode == 9


def test_a_line_cut_short_by_a_crash_is_reported_and_the_next_line_stands_alone(
    chain: list[AuditEvent],
) -> None:
    take_checkpoint()
    with checkpoint_file().open("a") as handle:
        handle.write('{"format": "eligo-audit-chec')
    # The command would refuse (the chain no longer verifies): write through the service.
    write_checkpoint()
    lines = checkpoint_file().read_text().splitlines()
    assert len(lines) == 3
    assert json.loads(lines[2])["sequence"] == 6
    report = broken(BreakKind.BAD_CHECKPOINT, None)
    assert f"{checkpoint_file()}:2: not a JSON line" in report.detail
    assert report.checkpoints == 2


# --- Rotation ------------------------------------------------------------------------------


def test_after_a_rotation_old_events_verify_with_the_retired_key(
    chain: list[AuditEvent], site_a: Any
) -> None:
    take_checkpoint()
    with override_settings(AUDIT_KEYS=AuditKeyring(current=KEY_B, retired=(KEY_A,))):
        new = rename_site(site_a, "Site B1")
        assert new.key_id == KEY_B.id
        take_checkpoint()
        assert json.loads(checkpoint_file().read_text().splitlines()[-1])["key_id"] == KEY_B.id
        report = verify_chain()
        assert report.intact, report.summary()
        assert report.signed_by == {KEY_A.id: 6, KEY_B.id: 2}
        assert report.checkpoints == 2
        assert (
            f"6 with key {KEY_A.id} (retired), 2 with key {KEY_B.id} (current)"
            in (report.details()[0])
        )
    # The retired key dropped from the configuration: its events can no longer be checked.
    with override_settings(AUDIT_KEYS=AuditKeyring(current=KEY_B)):
        report = broken(BreakKind.UNKNOWN_KEY, 1)
        assert "a retired key missing from AUDIT_KEY_FILE or AUDIT_RETIRED_KEYS" in report.detail


def test_the_key_file_rotates_keys_newest_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, site_a: Any
) -> None:
    from config.auditkeys import audit_keyring_from_env

    key_file = tmp_path / "audit.keys"
    key_file.write_text(f"# signs new events\n{'key-A-' + 'a' * 40}\n")
    monkeypatch.delenv("AUDIT_KEY", raising=False)
    monkeypatch.delenv("AUDIT_RETIRED_KEYS", raising=False)
    monkeypatch.setenv("AUDIT_KEY_FILE", str(key_file))
    before = audit_keyring_from_env(debug=False, secret_key="unused")
    with override_settings(AUDIT_KEYS=before):
        rename_site(site_a, "Site A1")
    # Rotation: the new key goes on top, the old one stays below it.
    key_file.write_text(f"{'key-B-' + 'b' * 40}\n{'key-A-' + 'a' * 40}\n")
    after = audit_keyring_from_env(debug=False, secret_key="unused")
    assert (after.current.id, [key.id for key in after.retired]) == (KEY_B.id, [KEY_A.id])
    with override_settings(AUDIT_KEYS=after):
        assert rename_site(site_a, "Site A2").key_id == KEY_B.id
        assert verify_chain().signed_by == {KEY_A.id: 1, KEY_B.id: 1}


# --- Events from before the chain was keyed ---------------------------------------------


def test_events_from_before_keying_verify_and_are_reported_as_unkeyed(
    chain: list[AuditEvent], site_a: Any
) -> None:
    # As the chain stood before this release: no key id, a plain SHA-256.
    rewrite_from(1, reason="", rehash=plain_hash, key_id=lambda event: None)
    rename_site(site_a, "Site A6")
    report = verify_chain()
    assert report.intact, report.summary()
    assert (report.unkeyed, report.signed_by) == (5, {KEY_A.id: 1})
    assert any(line.startswith("Unkeyed: 5 events") for line in report.details())
    with append_only_triggers_disabled():
        run_sql("UPDATE audit_auditevent SET reason = 'typo' WHERE sequence = 5")
    broken(BreakKind.EDITED, 5)


# --- The key stays outside the database ---------------------------------------------


def test_nothing_of_the_key_reaches_the_database_the_trail_or_the_checkpoints(
    chain: list[AuditEvent], capsys: Any
) -> None:
    take_checkpoint()
    verify_audit_chain.apply().get()
    call_command("verify_audit")
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    written = {
        "database": dump.getvalue(),
        "checkpoints": checkpoint_file().read_text(),
        "output": capsys.readouterr().out,
        "settings": repr(settings.AUDIT_KEYS),
    }
    secret = KEY_A.secret
    forms = [
        secret.decode(),
        secret.hex(),
        base64.b64encode(secret).decode(),
        base64.urlsafe_b64encode(secret).decode(),
        hashlib.sha256(secret).hexdigest(),
    ]
    for where, text in written.items():
        for form in forms:
            assert form not in text, f"the key reached the {where}"
    assert KEY_A.id in written["database"]
