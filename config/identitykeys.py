"""The keys that protect candidates' identities, read from the environment at start-up.

Two keys, kept outside the database, each for one purpose:

* **The master key** wraps every candidate's own data key (``vault``): identities are
  encrypted with the data key, and the data key is stored only wrapped. It comes from
  ``ELIGO_MASTER_KEY`` or from the file named by ``ELIGO_MASTER_KEY_FILE`` (one key per
  line: the first wraps new data keys, the others are retired but still unwrap what
  they wrapped, so a rotation can re-wrap at leisure); ``ELIGO_RETIRED_MASTER_KEYS``
  lists retired keys too. Each wrapped data key stores the id of the master key that
  wrapped it, never the key.
* **The index key** keys the blind index (HMAC-SHA256) that finds a candidate by an
  exact hospital number or name without storing either (``ELIGO_INDEX_KEY``). It is a
  separate key so that rotating the master key leaves the index alone, and so that a
  leak of one does not give the other away.

With ``DEBUG`` on and a key not set, a development key is derived from ``SECRET_KEY``
(its id starts ``dev-``, and the system check ``vault.I001`` says so); with ``DEBUG``
off, start-up refuses. See ``docs/privacy.md``.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

from config.auditkeys import GENERATE_HINT, MINIMUM_KEY_LENGTH, keys_in_file
from config.env import env, envlist

DEVELOPMENT_PREFIX = "dev-"


@dataclass(frozen=True)
class IdentityKey:
    """One key: 32 bytes derived from the configured text, and an id that tells nothing."""

    id: str
    secret: bytes = field(repr=False)
    development: bool = False

    @classmethod
    def from_text(cls, text: str, *, purpose: str, development: bool = False) -> IdentityKey:
        # The configured text may be any long random string; what is used is a
        # 256-bit key derived from it for this purpose alone.
        secret = hmac.new(text.encode("utf-8"), f"eligo {purpose}".encode(), "sha256").digest()
        digest = hashlib.sha256(b"eligo key id\x00" + purpose.encode() + b"\x00" + secret)
        key_id = digest.hexdigest()[: 12 if development else 16]
        return cls(
            id=(DEVELOPMENT_PREFIX + key_id) if development else key_id,
            secret=secret,
            development=development,
        )


@dataclass(frozen=True)
class MasterKeyring:
    """The master key that wraps new data keys, and retired ones that still unwrap."""

    current: IdentityKey
    retired: tuple[IdentityKey, ...] = ()

    def find(self, key_id: str) -> IdentityKey | None:
        for key in (self.current, *self.retired):
            if key.id == key_id:
                return key
        return None


MASTER = "master key"
INDEX = "blind index key"


def _checked(text: str, where: str) -> str:
    # The message names where the key came from, never the key.
    if len(text) < MINIMUM_KEY_LENGTH or any(c.isspace() for c in text):
        raise ImproperlyConfigured(
            f"{where} must be at least {MINIMUM_KEY_LENGTH} characters with no spaces. "
            f"Generate one with: {GENERATE_HINT}"
        )
    return text


def _development(secret_key: str, purpose: str) -> IdentityKey:
    derived = hmac.new(
        secret_key.encode("utf-8"), f"eligo development {purpose}".encode(), "sha256"
    ).hexdigest()
    return IdentityKey.from_text(derived, purpose=purpose, development=True)


def master_keyring_from_env(*, debug: bool, secret_key: str) -> MasterKeyring:
    """Read ``ELIGO_MASTER_KEY`` / ``ELIGO_MASTER_KEY_FILE`` and ``ELIGO_RETIRED_MASTER_KEYS``.

    Raises :class:`ImproperlyConfigured`, naming the variable, when a key is malformed,
    when both sources are set, or when ``DEBUG`` is off and there is no key at all.
    """
    inline = env("ELIGO_MASTER_KEY").strip()
    file_name = env("ELIGO_MASTER_KEY_FILE").strip()
    if inline and file_name:
        raise ImproperlyConfigured("Set ELIGO_MASTER_KEY or ELIGO_MASTER_KEY_FILE, not both.")
    texts = (
        keys_in_file(file_name, variable="ELIGO_MASTER_KEY_FILE")
        if file_name
        else ([_checked(inline, "ELIGO_MASTER_KEY")] if inline else [])
    )
    retired_texts = [
        _checked(text, f"ELIGO_RETIRED_MASTER_KEYS (entry {number})")
        for number, text in enumerate(envlist("ELIGO_RETIRED_MASTER_KEYS"), start=1)
    ]
    if texts:
        current = IdentityKey.from_text(texts[0], purpose=MASTER)
    elif debug:
        current = _development(secret_key, MASTER)
    else:
        raise ImproperlyConfigured(
            "ELIGO_MASTER_KEY or ELIGO_MASTER_KEY_FILE must be set when DEBUG is off: "
            "candidates' identities are encrypted under keys wrapped by a master key kept "
            f"outside the database. Generate one with: {GENERATE_HINT}"
        )
    others = [IdentityKey.from_text(t, purpose=MASTER) for t in [*texts[1:], *retired_texts]]
    if debug and texts:
        # A developer who sets a key keeps reading what the development key wrapped.
        others.append(_development(secret_key, MASTER))
    retired: list[IdentityKey] = []
    for key in others:
        if key.id != current.id and key.id not in {k.id for k in retired}:
            retired.append(key)
    return MasterKeyring(current=current, retired=tuple(retired))


def index_key_from_env(*, debug: bool, secret_key: str) -> IdentityKey:
    """Read ``ELIGO_INDEX_KEY``; a development key with ``DEBUG`` on, refused with it off."""
    text = env("ELIGO_INDEX_KEY").strip()
    if text:
        return IdentityKey.from_text(_checked(text, "ELIGO_INDEX_KEY"), purpose=INDEX)
    if debug:
        return _development(secret_key, INDEX)
    raise ImproperlyConfigured(
        "ELIGO_INDEX_KEY must be set when DEBUG is off: candidates are found by a keyed "
        f"hash of their hospital number and name. Generate one with: {GENERATE_HINT}"
    )
