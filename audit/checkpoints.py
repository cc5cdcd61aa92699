"""Signed checkpoints of the audit chain, kept outside the database.

The keyed hash stops someone without the key from forging or rewriting
events, but not from cutting events off the end (and rewinding the chain
head), and someone who holds both the database and the key could rewrite the
chain consistently. A checkpoint closes that gap: "event N had hash H at time
T", signed with the current key and appended as one JSON line to a file in
``settings.AUDIT_CHECKPOINT_DIR``, which operators ship off the host
(docs/operations.md). ``verify_audit`` then requires every checkpointed event
to still have its hash, and the chain to reach the last checkpoint.

Writing a checkpoint is itself an audit event (``audit.checkpoint.written``),
so the next checkpoint covers it, and the trail shows when checkpoints were
taken.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from audit.canonical import canonical_json, format_timestamp
from audit.keys import UnknownAuditKey, audit_keys, key_for, sign, signature_matches
from audit.services import audit_record
from config.auditkeys import AuditKey, AuditKeyring

FILE_NAME = "audit-checkpoints.jsonl"
FORMAT = "eligo-audit-checkpoint-1"
_SIGNED_FIELDS = ("format", "sequence", "hash", "written_at", "key_id")


@dataclass(frozen=True)
class Checkpoint:
    """One signed line: the chain reached ``sequence`` with ``hash`` at ``written_at``."""

    sequence: int
    hash: str
    written_at: str
    key_id: str
    mac: str
    # Where it was read from ("audit-checkpoints.jsonl:3"); not part of the line.
    source: str = ""

    @classmethod
    def signed(
        cls, *, sequence: int, hash: str, written_at: dt.datetime, key: AuditKey
    ) -> Checkpoint:
        unsigned = cls(
            sequence=sequence,
            hash=hash,
            written_at=format_timestamp(written_at),
            key_id=key.id,
            mac="",
        )
        return replace(unsigned, mac=sign(key, canonical_json(unsigned.signed_fields())))

    def signed_fields(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "sequence": self.sequence,
            "hash": self.hash,
            "written_at": self.written_at,
            "key_id": self.key_id,
        }

    def line(self) -> str:
        """The JSON line appended to the file: the signed fields and their HMAC."""
        return canonical_json({**self.signed_fields(), "mac": self.mac})

    def describe(self) -> str:
        where = f" ({self.source})" if self.source else ""
        return (
            f"event {self.sequence} with hash {self.hash}, written {self.written_at}, "
            f"key {self.key_id}{where}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {**self.signed_fields(), "mac": self.mac, "source": self.source}


@dataclass(frozen=True)
class BadCheckpoint:
    """A line (or file) that is not a checkpoint this Eligo signed, and why."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass(frozen=True)
class CheckpointRead:
    """Every checkpoint found at a location: the valid ones and the bad ones."""

    location: Path
    valid: tuple[Checkpoint, ...] = ()
    bad: tuple[BadCheckpoint, ...] = ()

    def by_sequence(self) -> dict[int, list[Checkpoint]]:
        found: dict[int, list[Checkpoint]] = {}
        for checkpoint in self.valid:
            found.setdefault(checkpoint.sequence, []).append(checkpoint)
        return found

    @property
    def last(self) -> Checkpoint | None:
        return max(self.valid, key=lambda c: c.sequence, default=None)


def checkpoint_files(location: Path) -> list[Path]:
    """A directory's ``*.jsonl`` files (archived ones too), or one named file."""
    if location.is_dir():
        return sorted(path for path in location.glob("*.jsonl") if path.is_file())
    return [location] if location.exists() else []


def read_checkpoints(location: Path, *, keys: AuditKeyring | None = None) -> CheckpointRead:
    """Read and check every checkpoint at ``location`` (a directory or a file).

    A line counts only if it parses, names a configured key and its HMAC
    verifies under that key; anything else is reported as bad, never skipped
    silently, because a changed line is itself evidence of tampering.
    """
    keys = keys or audit_keys()
    valid: list[Checkpoint] = []
    bad: list[BadCheckpoint] = []
    for path in checkpoint_files(location):
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            bad.append(BadCheckpoint(str(path), f"cannot be read ({error})"))
            continue
        for number, text in _numbered(lines):
            source = f"{path}:{number}"
            checked = _checked_line(text, source, keys)
            if isinstance(checked, Checkpoint):
                valid.append(checked)
            else:
                bad.append(checked)
    return CheckpointRead(location=location, valid=tuple(valid), bad=tuple(bad))


def _numbered(lines: list[str]) -> Iterator[tuple[int, str]]:
    for number, text in enumerate(lines, start=1):
        if text.strip():
            yield number, text


def _checked_line(text: str, source: str, keys: AuditKeyring) -> Checkpoint | BadCheckpoint:
    try:
        data = json.loads(text)
    except ValueError:
        return BadCheckpoint(source, "not a JSON line")
    if not _well_formed(data):
        return BadCheckpoint(source, "not an Eligo audit checkpoint")
    try:
        key = key_for(data["key_id"], keys=keys)
    except UnknownAuditKey:
        return BadCheckpoint(source, f"signed with key {data['key_id']}, which is not configured")
    checkpoint = Checkpoint(
        sequence=data["sequence"],
        hash=data["hash"],
        written_at=data["written_at"],
        key_id=data["key_id"],
        mac=data["mac"],
        source=source,
    )
    if not signature_matches(key, canonical_json(checkpoint.signed_fields()), checkpoint.mac):
        return BadCheckpoint(
            source, "its signature does not verify: the line was changed after it was written"
        )
    return checkpoint


def _well_formed(data: Any) -> bool:
    if not isinstance(data, Mapping) or set(data) != {*_SIGNED_FIELDS, "mac"}:
        return False
    if data["format"] != FORMAT:
        return False
    sequence = data["sequence"]
    texts = (data["hash"], data["written_at"], data["key_id"], data["mac"])
    return (
        isinstance(sequence, int)
        and not isinstance(sequence, bool)
        and sequence >= 0
        and all(isinstance(text, str) for text in texts)
    )


def checkpoint_directory() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR)


def write_checkpoint(*, directory: Path | None = None) -> Checkpoint:
    """Record a checkpoint event and append the signed checkpoint line it announces.

    The line covers the chain up to the event before the checkpoint event
    (both are taken under the chain-head lock), and is written before the
    transaction commits: if writing fails, the event rolls back with it; if
    the commit fails after the write, the line vouches only for events that
    were already committed. Verify the chain first: a checkpoint vouches for
    whatever the chain holds.
    """
    directory = directory or checkpoint_directory()
    path = directory / FILE_NAME
    with transaction.atomic():
        event = audit_record(
            actor=None,
            action="audit.checkpoint.written",
            changes={"file": {"old": None, "new": str(path), "label": "File"}},
        )
        checkpoint = Checkpoint.signed(
            sequence=event.sequence - 1,
            hash=event.prev_hash,
            written_at=event.occurred_at,
            key=audit_keys().current,
        )
        append_line(path, checkpoint.line())
    return replace(checkpoint, source=str(path))


def append_line(path: Path, line: str) -> None:
    """Append one line and flush it to disk; never rewrite what is there.

    ``O_APPEND`` works on a file the operating system keeps append-only
    (``chattr +a``). A previous line cut short by a crash is ended first, so
    the new line stays a line of its own.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        if _ends_mid_line(path):
            handle.write("\n")
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def _ends_mid_line(path: Path) -> bool:
    size = path.stat().st_size
    if size == 0:
        return False
    with open(path, "rb") as handle:
        handle.seek(size - 1)
        return handle.read(1) != b"\n"
