"""Background work waiting to be handed to Celery."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

WAITING = Q(dispatched_at__isnull=True)


class OutboxMessage(models.Model):
    """One Celery task call, recorded in the transaction of the change that asks for it.

    Bookkeeping, not a record: the change that queued it is audited, and the task
    audits what it writes. ``key`` names the work: while a message waits, queuing
    the same key again updates it (the newest arguments win) instead of adding a
    second one, so a change that asks twice for the same work gets it once.
    """

    task = models.CharField(max_length=200, help_text="The Celery task's registered name.")
    arguments = models.JSONField(
        default=dict, help_text="Keyword arguments: ids and ISO 8601 strings, never objects."
    )
    key = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)
    available_at = models.DateTimeField(
        default=timezone.now, help_text="Not handed over before this time (backing off)."
    )
    # Bumped each time the waiting message is queued again, so a dispatcher never marks
    # as done arguments it did not send.
    revision = models.PositiveIntegerField(default=1)
    attempts = models.PositiveIntegerField(default=0, help_text="Failed attempts so far.")
    last_error = models.TextField(blank=True)
    dispatched_at = models.DateTimeField(
        null=True, blank=True, help_text="Handed to the broker (or run in place without one)."
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=WAITING, name="outbox_one_waiting_message_per_key"
            ),
        ]
        indexes = [
            models.Index(fields=["available_at"], condition=WAITING, name="outbox_waiting"),
            models.Index(fields=["dispatched_at"], name="outbox_dispatched"),
        ]

    def __str__(self) -> str:
        state = "waiting" if self.dispatched_at is None else "dispatched"
        return f"{self.task} {self.key} ({state})"
