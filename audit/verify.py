"""Checking the audit chain end to end."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any

from django.db import connection, transaction

from audit.canonical import compute_hash
from audit.models import GENESIS_HASH, AuditChainHead, AuditEvent


class BreakKind(enum.Enum):
    """How the chain was broken; the value is ``verify_audit``'s exit status."""

    EDITED = 1
    DELETED = 2
    INSERTED = 3
    HEAD_MISMATCH = 4

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", " ")


@dataclass(frozen=True)
class ChainReport:
    """What a walk along the chain found: intact, or the first broken link."""

    events: int
    last_hash: str
    broken_at: int | None = None
    kind: BreakKind | None = None
    detail: str = ""

    @property
    def intact(self) -> bool:
        return self.kind is None

    @property
    def exit_status(self) -> int:
        return 0 if self.kind is None else self.kind.value

    def summary(self) -> str:
        if self.kind is None:
            return f"OK: {self.events} events, chain intact (last hash {self.last_hash})"
        return f"BROKEN at sequence {self.broken_at}: {self.kind.label} — {self.detail}"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.label if self.kind else None
        data["intact"] = self.intact
        data["summary"] = self.summary()
        return data


def verify_chain(*, chunk_size: int = 2000) -> ChainReport:
    """Walk every event in sequence order and report the first broken link.

    Each event's hash is recomputed (a mismatch means it was **edited**);
    sequence numbers must run 1, 2, 3… with no gap (a gap, or the head
    vouching for events that are not there, means **deleted**); each event's
    ``prev_hash`` must be the hash of the event before it, and no event may lie
    beyond the chain head (otherwise **inserted**); finally the head must
    agree with the last event (**head mismatch**).

    Events are streamed, so memory stays flat however long the chain is.
    On PostgreSQL the walk reads one snapshot, so appends made meanwhile
    neither look like insertions nor hide anything.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        head = AuditChainHead.objects.filter(pk=1).first()
        return _walk(head, chunk_size)


def _walk(head: AuditChainHead | None, chunk_size: int) -> ChainReport:
    expected = 1
    prev_hash = GENESIS_HASH
    count = 0
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=chunk_size):
        broken = partial(ChainReport, count, prev_hash)
        if event.sequence < expected:
            return broken(
                kind=BreakKind.INSERTED,
                broken_at=event.sequence,
                detail=f"event {event.sequence} precedes the first event of the chain",
            )
        if event.sequence > expected:
            missing = (
                f"event {expected} is missing"
                if event.sequence == expected + 1
                else f"events {expected}–{event.sequence - 1} are missing"
            )
            return broken(
                kind=BreakKind.DELETED,
                broken_at=expected,
                detail=f"{missing} (next present: {event.sequence})",
            )
        if compute_hash(event) != event.hash:
            return broken(
                kind=BreakKind.EDITED,
                broken_at=event.sequence,
                detail="its stored content no longer matches its hash",
            )
        if head is not None and event.sequence > head.last_sequence:
            return broken(
                kind=BreakKind.INSERTED,
                broken_at=event.sequence,
                detail=f"it lies beyond the chain head, which ends at {head.last_sequence}",
            )
        if event.prev_hash != prev_hash:
            return broken(
                kind=BreakKind.INSERTED,
                broken_at=event.sequence,
                detail=f"its own hash is valid but it is not chained to event {event.sequence - 1}",
            )
        prev_hash = event.hash
        expected += 1
        count += 1

    last_sequence = expected - 1
    if head is None:
        if count == 0:
            return ChainReport(0, GENESIS_HASH)
        return ChainReport(
            count,
            prev_hash,
            broken_at=last_sequence,
            kind=BreakKind.HEAD_MISMATCH,
            detail="the chain head is missing",
        )
    if head.last_sequence > last_sequence:
        return ChainReport(
            count,
            prev_hash,
            broken_at=last_sequence + 1,
            kind=BreakKind.DELETED,
            detail=(
                f"the chain head ends at {head.last_sequence} but the last event is "
                f"{last_sequence}: events at the end are missing"
            ),
        )
    if head.last_hash != prev_hash:
        return ChainReport(
            count,
            prev_hash,
            broken_at=last_sequence,
            kind=BreakKind.HEAD_MISMATCH,
            detail="the chain head's hash differs from the last event's",
        )
    return ChainReport(count, prev_hash)
