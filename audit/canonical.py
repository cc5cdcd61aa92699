"""Canonical forms for audit values and the hash that chains events.

The hash must come out the same when an event is read back from either
database, so everything hashed is first reduced to JSON types that survive a
round trip through SQLite's text and PostgreSQL's ``jsonb`` unchanged:
strings, whole numbers, booleans and null. Decimals and floats become strings
(jsonb would re-spell ``1e20``), dates and times ISO 8601 strings.

The hash is an HMAC under the key the event names (``key_id``), kept outside
the database; events recorded before the chain was keyed carry no key id and
keep their plain SHA-256.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models

from audit.keys import key_for, sign

if TYPE_CHECKING:
    from audit.models import AuditEvent
    from config.auditkeys import AuditKeyring


def canonical_value(value: Any) -> Any:
    """Reduce a field value to a JSON value that round-trips exactly."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, enum.Enum):
        return canonical_value(value.value)
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value.total_seconds())
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        # A related object is told by what a person saw, with its key to find it.
        return {"id": canonical_value(value.pk), "text": str(value)}
    if isinstance(value, Mapping):
        return {str(key): canonical_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [canonical_value(item) for item in value]
        return sorted(items, key=canonical_json) if isinstance(value, set | frozenset) else items
    return str(value)


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 text rather than escapes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def format_timestamp(moment: dt.datetime) -> str:
    """UTC, microseconds always written, so both databases give the same text."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def event_payload(event: AuditEvent) -> dict[str, Any]:
    """Every stored field of an event except its own hash.

    ``record`` and ``key_id`` came later: each is covered when set, so events
    recorded before it existed keep the hash they were given.
    """
    payload = {
        "sequence": event.sequence,
        "occurred_at": format_timestamp(event.occurred_at),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "actor_role": event.actor_role,
        "site_id": event.site_id,
        "site_name": event.site_name,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "action": event.action,
        "changes": event.changes,
        "reason": event.reason,
        "reason_code": event.reason_code,
        "request_id": event.request_id,
        "client_address": event.client_address,
        "prev_hash": event.prev_hash,
    }
    if event.record is not None:
        payload["record"] = event.record
    if event.key_id is not None:
        payload["key_id"] = event.key_id
    return payload


def compute_hash(event: AuditEvent, *, keys: AuditKeyring | None = None) -> str:
    """``hmac_sha256(key, prev_hash + canonical_json(payload))`` as 64 hex digits.

    The key is the one the event names (current or retired, from ``keys``,
    by default ``settings.AUDIT_KEYS``); an id that names no configured key
    raises :class:`audit.keys.UnknownAuditKey`. An event without a key id was
    recorded before the chain was keyed: its hash is the plain
    ``sha256(prev_hash + canonical_json(payload))``, which anyone can
    recompute, so only events before the first keyed one may lack an id.
    """
    text = event.prev_hash + canonical_json(event_payload(event))
    if event.key_id is None:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
    return sign(key_for(event.key_id, keys=keys), text)
