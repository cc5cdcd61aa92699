"""Encrypting identity values with a candidate's data key, and the blind index.

* A **data key** is 32 random bytes, used with AES-256-GCM. It is stored only
  wrapped by the master key (AES key wrap, RFC 3394), with the master key's id.
* A **sealed value** is ``v1:`` + base64url(12-byte nonce ‖ ciphertext ‖ tag). The
  associated data binds it to its data key and to what it is (``identity:full_name``,
  ``audit:date_of_birth:new``): a value copied into another field, or another
  candidate's row, fails to open instead of showing under the wrong label.
* **Destroying** a data key empties the wrapped bytes: every value sealed with it
  is unreadable from then on, wherever it was copied (crypto-shredding).
* The **blind index** is HMAC-SHA256 under the index key of a normalised value: an
  exact match can be looked up, the value cannot be read back.

No home-made cryptography: the primitives are those of the ``cryptography`` package.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap
from django.conf import settings
from django.utils import timezone

from vault.models import DataKey

if TYPE_CHECKING:
    from config.identitykeys import IdentityKey, MasterKeyring

PREFIX = "v1:"
NONCE_BYTES = 12


class KeyDestroyed(Exception):
    """The data key was destroyed: what it sealed is erased."""


class UnknownMasterKey(LookupError):
    """A data key was wrapped by a master key that is not configured."""

    def __init__(self, key_id: str) -> None:
        super().__init__(
            f"Data keys wrapped by master key {key_id} cannot be opened: that key is not "
            "configured. Add it to ELIGO_MASTER_KEY_FILE or ELIGO_RETIRED_MASTER_KEYS."
        )
        self.key_id = key_id


class SealBroken(ValueError):
    """A sealed value does not open with its key and purpose: altered or moved."""


def master_keys() -> MasterKeyring:
    keyring: MasterKeyring = settings.IDENTITY_MASTER_KEYS
    return keyring


# --- Bytes in, bytes out: also what migrations use -------------------------------------


def wrap(secret: bytes, master: IdentityKey) -> bytes:
    return aes_key_wrap(master.secret, secret)


def unwrap(wrapped: bytes, master_key_id: str, keys: MasterKeyring | None = None) -> bytes:
    master = (keys or master_keys()).find(master_key_id)
    if master is None:
        raise UnknownMasterKey(master_key_id)
    try:
        return aes_key_unwrap(master.secret, bytes(wrapped))
    except InvalidUnwrap:
        raise SealBroken(f"A data key does not unwrap under master key {master_key_id}.") from None


def _aad(data_key_id: int, purpose: str) -> bytes:
    return f"eligo:{data_key_id}:{purpose}".encode()


def seal_bytes(secret: bytes, data_key_id: int, text: str, *, purpose: str) -> str:
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(secret).encrypt(nonce, text.encode("utf-8"), _aad(data_key_id, purpose))
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")


def open_bytes(secret: bytes, data_key_id: int, token: str, *, purpose: str) -> str:
    if not token.startswith(PREFIX):
        raise SealBroken(f"Not a sealed value ({purpose}).")
    body = token[len(PREFIX) :]
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    try:
        text = AESGCM(secret).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(data_key_id, purpose)
        )
    except InvalidTag:
        raise SealBroken(f"A sealed value ({purpose}) was altered or moved.") from None
    return text.decode("utf-8")


# --- Data keys ---------------------------------------------------------------------------


def data_key_create() -> DataKey:
    """A fresh random data key, saved wrapped by the current master key."""
    master = master_keys().current
    return DataKey.objects.create(
        wrapped=wrap(AESGCM.generate_key(bit_length=256), master),
        master_key_id=master.id,
        created_at=timezone.now(),
    )


def secret_of(key: DataKey) -> bytes:
    """The data key's bytes, or :class:`KeyDestroyed`."""
    if key.wrapped is None:
        raise KeyDestroyed(f"Data key {key.pk} was destroyed on {key.destroyed_at}.")
    return unwrap(bytes(key.wrapped), key.master_key_id)


def seal(key: DataKey, text: str, *, purpose: str) -> str:
    return seal_bytes(secret_of(key), key.pk, text, purpose=purpose)


def unseal(key: DataKey, token: str, *, purpose: str) -> str:
    """The text sealed in ``token``; :class:`KeyDestroyed` once the key is gone."""
    return open_bytes(secret_of(key), key.pk, token, purpose=purpose)


def data_key_destroy(key: DataKey) -> None:
    """Forget the key for good. Call inside the transaction that audits the erasure."""
    key.wrapped = None
    key.destroyed_at = timezone.now()
    key.save(update_fields=["wrapped", "destroyed_at"])


def data_keys_rewrap(*, batch_size: int = 500) -> int:
    """Re-wrap every live data key not under the current master key; returns how many.

    Each key is unwrapped with the retired master key that wrapped it (which must
    still be configured) and wrapped again with the current one, row by row under
    a lock, so a rotation can be stopped and resumed and runs beside normal work.
    """
    from django.db import transaction

    keys = master_keys()
    current = keys.current
    done = 0
    while True:
        with transaction.atomic():
            pending = list(
                DataKey.objects.select_for_update()
                .filter(destroyed_at__isnull=True)
                .exclude(master_key_id=current.id)
                .order_by("pk")[:batch_size]
            )
            for key in pending:
                secret = unwrap(bytes(key.wrapped or b""), key.master_key_id, keys)
                key.wrapped = wrap(secret, current)
                key.master_key_id = current.id
                key.save(update_fields=["wrapped", "master_key_id"])
        done += len(pending)
        if len(pending) < batch_size:
            return done


# --- Blind index -------------------------------------------------------------------------


def normalise_name(text: str) -> str:
    """A name as the index compares it: accents, case, punctuation and spacing ignored.

    "  Zoë  O'Brien-Smith " and "zoe obrien smith" index alike; "Zoe Smith" and
    "Smith Zoe" do not (the order of names is kept: exact match, not fuzzy).
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    words = "".join(c if c.isalnum() else (" " if c.isspace() or c == "-" else "") for c in plain)
    return " ".join(words.split())


def normalise_hospital_number(text: str) -> str:
    """Case and separators ignored: "ab-123 456" finds "AB123456"."""
    return "".join(c for c in unicodedata.normalize("NFKC", text).upper() if c.isalnum())


def blind_index(kind: str, normalised: str) -> str:
    """HMAC-SHA256 under the index key, 64 hex digits; ``""`` for an empty value."""
    if not normalised:
        return ""
    key: IdentityKey = settings.IDENTITY_INDEX_KEY
    message = f"{kind}\x00{normalised}".encode()
    return hmac.new(key.secret, message, hashlib.sha256).hexdigest()


def name_index(name: str) -> str:
    return blind_index("name", normalise_name(name))


def hospital_number_index(number: str) -> str:
    return blind_index("hospital_number", normalise_hospital_number(number))


# --- Sealed values inside JSON (the audit trail's changes) ----------------------------
# {"sealed": "v1:…", "key": <data key id>}: the purpose (field and side) is not stored
# but rebuilt by the reader from where the value sits, so a value moved to another
# field or side fails to open.

ERASED = "(erased)"


def audit_purpose(field: str, side: str) -> str:
    return f"audit:{field}:{side}"


def sealed_envelope(key: DataKey, value: object, *, field: str, side: str) -> dict[str, Any] | None:
    """``value`` (text or a date) sealed for the audit trail; ``None`` stays ``None``."""
    if value is None:
        return None
    text = value.isoformat() if isinstance(value, date) else str(value)
    return {"sealed": seal(key, text, purpose=audit_purpose(field, side)), "key": key.pk}


def is_envelope(value: object) -> bool:
    return isinstance(value, Mapping) and set(value) == {"sealed", "key"}


class EnvelopeOpener:
    """Opens sealed values of the audit trail, fetching each data key once."""

    def __init__(self) -> None:
        self._keys: dict[int, DataKey | None] = {}

    def open(self, envelope: Mapping[str, Any], *, field: str, side: str) -> str:
        """The value in clear, or :data:`ERASED` when its data key was destroyed."""
        key_id = int(envelope["key"])
        if key_id not in self._keys:
            self._keys[key_id] = DataKey.objects.filter(pk=key_id).first()
        key = self._keys[key_id]
        if key is None or key.destroyed:
            return ERASED
        return unseal(key, str(envelope["sealed"]), purpose=audit_purpose(field, side))
