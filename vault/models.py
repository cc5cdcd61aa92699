"""Data keys: one per candidate, stored only wrapped by the master key.

Destroying a data key (``wrapped`` emptied, ``destroyed_at`` set) makes every value
encrypted with it unreadable for good: that is how a candidate's identity is erased
without touching the append-only audit trail, whose events keep only ciphertext.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class DataKey(models.Model):
    """A random AES-256 key, wrapped (RFC 3394) by the master key named ``master_key_id``."""

    wrapped = models.BinaryField(null=True, editable=False)
    master_key_id = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField()
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # A key is either usable (wrapped, under a named master key) or destroyed.
            models.CheckConstraint(
                condition=Q(destroyed_at__isnull=True, wrapped__isnull=False)
                | Q(destroyed_at__isnull=False, wrapped__isnull=True),
                name="data_key_wrapped_or_destroyed",
            ),
        ]

    def __str__(self) -> str:
        state = "destroyed" if self.destroyed_at else f"under {self.master_key_id}"
        return f"data key {self.pk} ({state})"

    @property
    def destroyed(self) -> bool:
        return self.destroyed_at is not None
