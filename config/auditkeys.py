"""The keys that sign the audit chain, read from the environment at start-up.

Each audit event's hash is an HMAC under a key the database never holds, so
someone who can write to the database but has not got the key cannot forge
an event or rewrite the chain without ``verify_audit`` noticing. The key comes
from ``AUDIT_KEY`` or from the file named by ``AUDIT_KEY_FILE``; keys retired
by a rotation stay configured (``AUDIT_RETIRED_KEYS``, or further lines of the
file) so the events they signed still verify. A key is known by its id, a
digest of the key that tells nothing about it: events and checkpoints store
the id, never the key.

With ``DEBUG`` on and no key configured, a development key is derived from
``SECRET_KEY`` (its id starts ``dev-``); with ``DEBUG`` off, start-up refuses.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.env import env, envlist

MINIMUM_KEY_LENGTH = 32
DEVELOPMENT_PREFIX = "dev-"
GENERATE_HINT = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'


@dataclass(frozen=True)
class AuditKey:
    """One signing key: its id is stored with what it signs, its secret never is."""

    id: str
    secret: bytes = field(repr=False)
    development: bool = False

    @classmethod
    def from_text(cls, text: str, *, development: bool = False) -> AuditKey:
        secret = text.encode("utf-8")
        return cls(
            id=key_id_of(secret, development=development), secret=secret, development=development
        )


@dataclass(frozen=True)
class AuditKeyring:
    """The key new events are signed with, and the retired keys that still verify."""

    current: AuditKey
    retired: tuple[AuditKey, ...] = ()

    def find(self, key_id: str) -> AuditKey | None:
        """The configured key with this id, current or retired, or ``None``."""
        for key in (self.current, *self.retired):
            if key.id == key_id:
                return key
        return None


def key_id_of(secret: bytes, *, development: bool = False) -> str:
    """Sixteen characters naming a key: a digest of it, apart from any other use of it."""
    digest = hashlib.sha256(b"eligo audit key id\x00" + secret).hexdigest()
    if development:
        return DEVELOPMENT_PREFIX + digest[:12]
    return digest[:16]


def development_key(secret_key: str) -> AuditKey:
    """A key derived from ``SECRET_KEY``, for a developer's machine only."""
    derived = hmac.new(
        secret_key.encode("utf-8"), b"eligo development audit key", hashlib.sha256
    ).hexdigest()
    return AuditKey.from_text(derived, development=True)


def _checked(text: str, where: str) -> str:
    # The message names where the key came from, never the key.
    if len(text) < MINIMUM_KEY_LENGTH or any(c.isspace() for c in text):
        raise ImproperlyConfigured(
            f"{where} must be at least {MINIMUM_KEY_LENGTH} characters with no spaces. "
            f"Generate one with: {GENERATE_HINT}"
        )
    return text


def keys_in_file(path_text: str, *, variable: str = "AUDIT_KEY_FILE") -> list[str]:
    """The keys of a key file named by ``variable``: one a line, ``#`` comments skipped."""
    path = Path(path_text)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ImproperlyConfigured(
            f"{variable} names {path}, which cannot be read ({error.strerror or error})."
        ) from None
    keys = [
        _checked(line.strip(), f"{variable} {path} line {number}")
        for number, line in enumerate(lines, start=1)
        if line.strip() and not line.strip().startswith("#")
    ]
    if not keys:
        raise ImproperlyConfigured(f"{variable} {path} holds no key.")
    return keys


def audit_keyring_from_env(*, debug: bool, secret_key: str) -> AuditKeyring:
    """Read ``AUDIT_KEY`` / ``AUDIT_KEY_FILE`` and ``AUDIT_RETIRED_KEYS``.

    A key file holds one key per line: the first signs new events, the others
    are retired (``#`` comments and blank lines are skipped). Raises
    :class:`ImproperlyConfigured`, naming the variable, when a key is
    malformed, when both sources are set, or when ``DEBUG`` is off and there
    is no key at all.
    """
    inline = env("AUDIT_KEY").strip()
    file_name = env("AUDIT_KEY_FILE").strip()
    if inline and file_name:
        raise ImproperlyConfigured("Set AUDIT_KEY or AUDIT_KEY_FILE, not both.")
    texts = (
        keys_in_file(file_name)
        if file_name
        else ([_checked(inline, "AUDIT_KEY")] if inline else [])
    )
    retired_texts = [
        _checked(text, f"AUDIT_RETIRED_KEYS (entry {number})")
        for number, text in enumerate(envlist("AUDIT_RETIRED_KEYS"), start=1)
    ]
    if texts:
        current = AuditKey.from_text(texts[0])
    elif debug:
        current = development_key(secret_key)
    else:
        raise ImproperlyConfigured(
            "AUDIT_KEY or AUDIT_KEY_FILE must be set when DEBUG is off: the audit chain is "
            f"signed with a key kept outside the database. Generate one with: {GENERATE_HINT}"
        )
    candidates = [AuditKey.from_text(text) for text in [*texts[1:], *retired_texts]]
    if debug and texts:
        # A developer who sets a key keeps verifying what the development key signed.
        candidates.append(development_key(secret_key))
    retired: list[AuditKey] = []
    for key in candidates:
        if key.id != current.id and key.id not in {k.id for k in retired}:
            retired.append(key)
    return AuditKeyring(current=current, retired=tuple(retired))
