"""The keys that sign the audit chain and its checkpoints, as the trail uses them.

The keys themselves are read once, at start-up, into ``settings.AUDIT_KEYS``
(``config/auditkeys.py``); this module signs with them and tells the operator,
through a system check, when a development key is signing the chain.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.core import checks

from config.auditkeys import AuditKey, AuditKeyring


class UnknownAuditKey(LookupError):
    """Something names a signing key that is not configured."""

    def __init__(self, key_id: str) -> None:
        super().__init__(key_id)
        self.key_id = key_id


def audit_keys() -> AuditKeyring:
    """The configured keys: the current one, and those retired by a rotation."""
    keyring: AuditKeyring = settings.AUDIT_KEYS
    return keyring


def key_for(key_id: str, *, keys: AuditKeyring | None = None) -> AuditKey:
    """The key with this id, current or retired, or :class:`UnknownAuditKey`."""
    key = (keys or audit_keys()).find(key_id)
    if key is None:
        raise UnknownAuditKey(key_id)
    return key


def sign(key: AuditKey, message: str) -> str:
    """HMAC-SHA256 of ``message`` (UTF-8) under ``key``, as 64 hex digits."""
    return hmac.new(key.secret, message.encode("utf-8"), hashlib.sha256).hexdigest()


def signature_matches(key: AuditKey, message: str, signature: str) -> bool:
    """Whether ``signature`` is ``sign(key, message)``, compared in constant time."""
    return hmac.compare_digest(sign(key, message), signature)


@checks.register(checks.Tags.security)
def development_key_in_use(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Say so when the chain is signed with the key derived from ``SECRET_KEY``."""
    current = audit_keys().current
    if not current.development:
        return []
    return [
        checks.Info(
            f"The audit chain is signed with a development key ({current.id}) derived from "
            "SECRET_KEY, because DEBUG is on and no AUDIT_KEY or AUDIT_KEY_FILE is set.",
            hint="Production sets AUDIT_KEY or AUDIT_KEY_FILE (docs/configuration.md).",
            id="audit.I001",
        )
    ]
