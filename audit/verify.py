"""Checking the audit chain end to end: against its keys and its checkpoints."""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from audit.canonical import compute_hash
from audit.checkpoints import Checkpoint, CheckpointRead, checkpoint_directory, read_checkpoints
from audit.keys import UnknownAuditKey, audit_keys
from audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from config.auditkeys import AuditKeyring


class BreakKind(enum.Enum):
    """How the chain was broken; the value is ``verify_audit``'s exit status."""

    EDITED = 1
    DELETED = 2
    INSERTED = 3
    HEAD_MISMATCH = 4
    FORGED = 5
    REWRITTEN = 6
    TRUNCATED = 7
    UNKNOWN_KEY = 8
    BAD_CHECKPOINT = 9

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", " ")


@dataclass(frozen=True)
class ChainReport:
    """What a walk along the chain found: intact, or the first broken link.

    Besides the verdict it says which keys signed how many events, how many
    events predate keying ("unkeyed"), and which checkpoints were checked.
    """

    events: int
    last_hash: str
    broken_at: int | None = None
    kind: BreakKind | None = None
    detail: str = ""
    signed_by: dict[str, int] = field(default_factory=dict)
    unkeyed: int = 0
    checkpoints: int = 0
    last_checkpoint: int | None = None
    checkpoint_location: str = ""
    bad_checkpoints: tuple[str, ...] = ()
    key_labels: dict[str, str] = field(default_factory=dict)

    @property
    def intact(self) -> bool:
        return self.kind is None

    @property
    def exit_status(self) -> int:
        return 0 if self.kind is None else self.kind.value

    def summary(self) -> str:
        if self.kind is None:
            return f"OK: {self.events} events, chain intact (last hash {self.last_hash})"
        if self.broken_at is None:
            return f"BROKEN: {self.kind.label} — {self.detail}"
        return f"BROKEN at sequence {self.broken_at}: {self.kind.label} — {self.detail}"

    def details(self) -> list[str]:
        """Lines after the summary: keys, unkeyed events, checkpoints."""
        lines = []
        if self.signed_by:
            signed = ", ".join(
                f"{count} with key {self.key_labels.get(key_id, key_id)}"
                for key_id, count in self.signed_by.items()
            )
            lines.append(f"Signed: {signed}.")
        if self.unkeyed:
            lines.append(
                f"Unkeyed: {self.unkeyed} events recorded before the chain was keyed, checked "
                "with their plain SHA-256 hash, which anyone can recompute; checkpoints taken "
                "since vouch for them."
            )
        if self.checkpoints:
            lines.append(
                f"Checkpoints: {self.checkpoints} checked in {self.checkpoint_location}, "
                f"the last at event {self.last_checkpoint}."
            )
        else:
            lines.append(
                f"Checkpoints: none in {self.checkpoint_location}; without them a cut at the "
                "end of the chain, or a rewrite by someone holding the key, cannot be seen."
            )
        lines.extend(f"Bad checkpoint: {bad}" for bad in self.bad_checkpoints)
        return lines

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.label if self.kind else None
        data["bad_checkpoints"] = list(self.bad_checkpoints)
        data["intact"] = self.intact
        data["summary"] = self.summary()
        data["details"] = self.details()
        return data


def verify_chain(
    *,
    chunk_size: int = 2000,
    checkpoints: Path | None = None,
    keys: AuditKeyring | None = None,
) -> ChainReport:
    """Walk every event in sequence order and report the first broken link.

    Each event's hash is recomputed under the key it names (a mismatch means
    it was **edited**, or **forged** by someone without the key; a key that is
    not configured is an **unknown key**); sequence numbers must run 1, 2, 3…
    with no gap (a gap, or the head vouching for events that are not there,
    means **deleted**); each event's ``prev_hash`` must be the hash of the
    event before it, and no event may lie beyond the chain head (otherwise
    **inserted**); an unkeyed event after a signed one is **forged** (its
    plain hash is one anyone can compute); the head must agree with the last
    event (**head mismatch**). Then the checkpoints (``checkpoints``, a
    directory or file; by default ``settings.AUDIT_CHECKPOINT_DIR``): an event
    at a checkpointed sequence must still have that hash (otherwise
    **rewritten**), and the chain must reach the last checkpoint (otherwise
    **truncated**); a checkpoint whose own signature fails is a **bad
    checkpoint**.

    Events are streamed, so memory stays flat however long the chain is.
    On PostgreSQL the walk reads one snapshot, so appends made meanwhile
    neither look like insertions nor hide anything.
    """
    keys = keys or audit_keys()
    found = read_checkpoints(checkpoints or checkpoint_directory(), keys=keys)
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        head = AuditChainHead.objects.filter(pk=1).first()
        return _Walk(head, keys, found).run(chunk_size)


def _missing(first: int, last: int) -> str:
    return f"event {first} is missing" if first == last else f"events {first}–{last} are missing"


class _Walk:
    """One pass along the chain, keeping what the report needs."""

    def __init__(self, head: AuditChainHead | None, keys: AuditKeyring, found: CheckpointRead):
        self.head = head
        self.keys = keys
        self.found = found
        self.checkpointed = found.by_sequence()
        self.expected = 1
        self.prev_hash = GENESIS_HASH
        self.count = 0
        self.unkeyed = 0
        self.signed_by: Counter[str] = Counter()
        self.first_keyed: int | None = None
        # The last checkpointed event found unchanged: a rewrite found later began after it.
        self.vouched_up_to = 0

    def run(self, chunk_size: int) -> ChainReport:
        for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=chunk_size):
            broken = self._check(event)
            if broken is not None:
                return broken
            self.prev_hash = event.hash
            self.expected += 1
            self.count += 1
            if event.key_id is None:
                self.unkeyed += 1
            else:
                self.signed_by[event.key_id] += 1
                self.first_keyed = self.first_keyed or event.sequence
            if event.sequence in self.checkpointed:
                self.vouched_up_to = event.sequence
        return self._end()

    def report(
        self, kind: BreakKind | None = None, at: int | None = None, detail: str = ""
    ) -> ChainReport:
        last = self.found.last
        return ChainReport(
            events=self.count,
            last_hash=self.prev_hash,
            broken_at=at,
            kind=kind,
            detail=detail,
            signed_by=dict(self.signed_by),
            unkeyed=self.unkeyed,
            checkpoints=len(self.found.valid),
            last_checkpoint=last.sequence if last is not None else None,
            checkpoint_location=str(self.found.location),
            bad_checkpoints=tuple(str(bad) for bad in self.found.bad),
            key_labels={key_id: self._key_label(key_id) for key_id in self.signed_by},
        )

    def _key_label(self, key_id: str) -> str:
        key = self.keys.find(key_id)
        if key is None:
            return key_id
        state = "current" if key == self.keys.current else "retired"
        return f"{key_id} ({state}, development key)" if key.development else f"{key_id} ({state})"

    def _check(self, event: AuditEvent) -> ChainReport | None:
        sequence = event.sequence
        if sequence < self.expected:
            return self.report(
                BreakKind.INSERTED,
                sequence,
                f"event {sequence} precedes the first event of the chain",
            )
        if sequence > self.expected:
            return self.report(
                BreakKind.DELETED,
                self.expected,
                f"{_missing(self.expected, sequence - 1)} (next present: {sequence})",
            )
        if event.key_id is not None and self.keys.find(event.key_id) is None:
            return self.report(
                BreakKind.UNKNOWN_KEY,
                sequence,
                f"it names key {event.key_id}, which is not configured: a retired key missing "
                "from AUDIT_KEY_FILE or AUDIT_RETIRED_KEYS, or a forgery",
            )
        if not self._verifies(event):
            return self._bad_hash(event)
        return self._check_links(event) or self._check_against_checkpoints(event)

    def _verifies(self, event: AuditEvent) -> bool:
        try:
            return compute_hash(event, keys=self.keys) == event.hash
        except UnknownAuditKey:
            return False

    def _bad_hash(self, event: AuditEvent) -> ChainReport:
        # Content changed after it was hashed leaves the hash in place, and the
        # next event still chained to it; a hash made up without the key has
        # nothing after it that verifies. Plain SHA-256 anyone can redo, so an
        # unkeyed event whose hash fails was edited.
        following = AuditEvent.objects.filter(sequence=event.sequence + 1).first()
        edited = event.key_id is None or (
            following is not None
            and following.prev_hash == event.hash
            and self._verifies(following)
        )
        if edited:
            return self.report(
                BreakKind.EDITED, event.sequence, "its stored content no longer matches its hash"
            )
        return self.report(
            BreakKind.FORGED,
            event.sequence,
            f"its hash is not a valid signature under key {event.key_id}: it was written by "
            "someone without the key"
            + ("" if following is not None else " (a forged append at the end of the chain)"),
        )

    def _check_links(self, event: AuditEvent) -> ChainReport | None:
        sequence = event.sequence
        if self.head is not None and sequence > self.head.last_sequence:
            return self.report(
                BreakKind.INSERTED,
                sequence,
                f"it lies beyond the chain head, which ends at {self.head.last_sequence}",
            )
        if event.prev_hash != self.prev_hash:
            return self.report(
                BreakKind.INSERTED,
                sequence,
                f"its own hash is valid but it is not chained to event {sequence - 1}",
            )
        if event.key_id is None and self.first_keyed is not None:
            return self.report(
                BreakKind.FORGED,
                sequence,
                f"it carries no key although the events from {self.first_keyed} on are signed: "
                "its plain SHA-256 hash is one anyone can compute",
            )
        return None

    def _check_against_checkpoints(self, event: AuditEvent) -> ChainReport | None:
        for checkpoint in self.checkpointed.get(event.sequence, []):
            if checkpoint.hash != event.hash:
                return self.report(
                    BreakKind.REWRITTEN,
                    event.sequence,
                    f"the checkpoint {checkpoint.source} written {checkpoint.written_at} recorded "
                    f"another hash for it: the chain was rewritten consistently at or after "
                    f"event {self.vouched_up_to + 1}, by someone holding the signing key",
                )
        return None

    def _end(self) -> ChainReport:
        last_sequence = self.expected - 1
        head = self.head
        if head is None and self.count:
            return self.report(BreakKind.HEAD_MISMATCH, last_sequence, "the chain head is missing")
        if head is not None and head.last_sequence > last_sequence:
            return self.report(
                BreakKind.DELETED,
                last_sequence + 1,
                f"the chain head ends at {head.last_sequence} but the last event is "
                f"{last_sequence}: events at the end are missing",
            )
        if head is not None and head.last_hash != self.prev_hash:
            return self.report(
                BreakKind.HEAD_MISMATCH,
                last_sequence,
                "the chain head's hash differs from the last event's",
            )
        last = self.found.last
        if last is not None and last.sequence > last_sequence:
            return self._truncated(last, last_sequence)
        if self.found.bad:
            return self.report(
                BreakKind.BAD_CHECKPOINT, None, "; ".join(str(bad) for bad in self.found.bad)
            )
        return self.report()

    def _truncated(self, last: Checkpoint, last_sequence: int) -> ChainReport:
        return self.report(
            BreakKind.TRUNCATED,
            last_sequence + 1,
            f"the checkpoint {last.source} written {last.written_at} vouches for events up to "
            f"{last.sequence}, but the chain ends at {last_sequence}: "
            f"{_missing(last_sequence + 1, last.sequence)} from the end, with the chain head "
            "rewound",
        )
