"""The audit trail: append-only, hash-chained events.

Rows are only ever added, through ``audit.services.audit_record``. Three layers
keep them that way: the model and its queryset refuse to change or delete a
row, database triggers refuse UPDATE (and DELETE on PostgreSQL), and each
row's hash covers the previous row's hash, so an edit made behind Eligo's back
is found by ``python manage.py verify_audit``. The hash is an HMAC under a key
kept outside the database (``audit/keys.py``), and signed checkpoints written
outside it (``audit/checkpoints.py``) catch what someone holding the database
and the key could still do: rewrite or cut the chain consistently.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.immutable import ImmutableModel, ImmutableQuerySet, ImmutableRowError, refuse

GENESIS_HASH = "0" * 64


class AppendOnlyError(ImmutableRowError):
    """An attempt to change or delete an audit event."""

    adjective = "append-only"


class ReasonCode(models.TextChoices):
    """Common reasons for changing data already saved; "other" needs words."""

    TRANSCRIPTION_ERROR = "transcription_error", _("Transcription error")
    NEW_SOURCE_INFORMATION = "new_source_information", _("New information from source document")
    CORRECTED_UNIT = "corrected_unit", _("Corrected unit")
    LAB_RE_REPORTED = "lab_re_reported", _("Result re-reported by lab")
    ENTERED_IN_ERROR = "entered_in_error", _("Entered in error")
    OTHER = "other", _("Other")


class AuditEventQuerySet(ImmutableQuerySet["AuditEvent"]):
    def bulk_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        # A bulk insert would skip the chain head and leave the chain broken.
        refuse(self.model, "bulk-creating")


class AuditEvent(ImmutableModel):
    """One thing that happened to one object, told by whom, when and why.

    The sequence number is the primary key: it is assigned while the chain
    head is locked, before the row is hashed, so the hash can cover it.
    Actor, role and site names are copied as text so the story still reads
    right after a person or a site is renamed.
    """

    sequence = models.PositiveBigIntegerField(primary_key=True)
    occurred_at = models.DateTimeField(help_text="Server time, UTC.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # Audited people are deactivated, never deleted: the trail keeps them.
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    actor_name = models.CharField(max_length=200, blank=True)
    actor_role = models.CharField(max_length=100, blank=True)
    site = models.ForeignKey(
        "trials.Site",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    site_name = models.CharField(max_length=200, blank=True)
    object_type = models.CharField(max_length=100, blank=True, help_text="app_label.model")
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    # The record whose story the event belongs to ("screening.screening:42" for
    # a value entered in screening 42), so one query tells a screening's whole
    # story. Null (not "") on events recorded before Eligo kept it: the hash
    # covers it only when set, so those events still verify, and adding a
    # nullable column leaves the table (and its append-only triggers) in place.
    record = models.CharField(max_length=120, null=True, blank=True)  # noqa: DJ001
    action = models.CharField(
        max_length=100, help_text="Dotted, e.g. screening.observation.changed"
    )
    changes = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    reason_code = models.CharField(max_length=40, choices=ReasonCode.choices, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    client_address = models.CharField(max_length=45, blank=True)
    prev_hash = models.CharField(max_length=64)
    # The id of the key (settings.AUDIT_KEYS) whose HMAC ``hash`` is, never the
    # key. Null on events recorded before the chain was keyed: their hash is a
    # plain SHA-256, and, like ``record``, the hash covers the id only when set.
    key_id = models.CharField(max_length=32, null=True, blank=True)  # noqa: DJ001
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()
    immutable_error = AppendOnlyError
    immutable_hint = "Record a new event through audit.services.audit_record instead."

    class Meta:
        ordering = ["sequence"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_event_object_idx"),
            models.Index(fields=["occurred_at"], name="audit_event_occurred_idx"),
            models.Index(fields=["action"], name="audit_event_action_idx"),
            models.Index(fields=["record", "sequence"], name="audit_event_record_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """The one row every append locks: the last sequence number and hash.

    Locking the latest event does not stop two writers forking the chain
    under PostgreSQL's READ COMMITTED; locking this row serialises them.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="audit_chain_head_is_one_row"),
        ]

    def __str__(self) -> str:
        return f"audit chain head at #{self.last_sequence}"
