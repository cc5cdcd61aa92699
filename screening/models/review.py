"""Monitor review of a screening: data queries and source data verification.

Both name what they are about the same way: a *target*, the screening as a whole
or one value of it, given as the shape of the row (``screening.shapes``: an
observation, a medication course, a history event, a score checklist) and its key
within the screening (an observation's or checklist's code; a course's or event's
id). A code outlives a correction (the observation row is changed in place, or
removed and entered again), so a query raised on "ALT" still stands on ALT after
the value is corrected. ``target_label`` keeps what the target was called when the
record was made ("ALT", "Aspirin from 2026-01-04"), for the lists that show it
after the row itself is gone.

A query's thread (``QueryEntry``) is immutable: raised, answered, closed, re-opened,
and each change of the value made in answer to it, one row each, with who, when and
the words. Its ``status`` is the last state the thread moved it to, kept on the
query for lists and counts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.immutable import ImmutableModel, ImmutableQuerySet
from audit.scope import AuditScope
from screening.models.screenings import Screening

# The target that is the screening itself rather than one value of it.
WHOLE_SCREENING = "screening"


class QueryStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class _Targeted(models.Model):
    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="+")
    # A shape's name (screening.shapes) or "screening" for the whole screening.
    target_shape = models.CharField(max_length=20, default=WHOLE_SCREENING)
    # The row's key within the screening: a code, or a row's id; blank for the screening.
    target_key = models.CharField(max_length=60, blank=True)
    target_label = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def target(self) -> tuple[str, str]:
        return (self.target_shape, self.target_key)

    @property
    def on_whole_screening(self) -> bool:
        return self.target_shape == WHOLE_SCREENING

    def audit_scope(self) -> AuditScope:
        return self.screening.audit_scope()


class DataQuery(_Targeted):
    """A question a monitor asks the site about a screening or one of its values."""

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="queries")
    text = models.TextField()
    status = models.CharField(max_length=10, choices=QueryStatus.choices, default=QueryStatus.OPEN)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField()
    # When the thread last moved the query (raised, answered, closed, re-opened).
    status_changed_at = models.DateTimeField()

    class Meta:
        verbose_name = "data query"
        verbose_name_plural = "data queries"
        ordering = ["-raised_at", "-pk"]
        indexes = [
            models.Index(fields=["screening", "status"], name="query_screening_status_idx"),
            models.Index(fields=["status", "raised_at"], name="query_status_raised_idx"),
        ]

    def __str__(self) -> str:
        return f"query #{self.pk} on {self.target_label or self.target_shape}"

    @property
    def number(self) -> int:
        return int(self.pk)


class QueryEntryKind(models.TextChoices):
    RAISED = "raised", _("Raised")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Re-opened")
    CHANGE = "change", _("Value changed in answer")


class QueryEntryQuerySet(ImmutableQuerySet["QueryEntry"]):
    pass


class QueryEntry(ImmutableModel):
    """One step of a query's thread; written once."""

    query = models.ForeignKey(DataQuery, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=10, choices=QueryEntryKind.choices)
    text = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    # The audit event that records this step (for a change: the value's own event).
    audit_event = models.ForeignKey(
        "audit.AuditEvent", on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = QueryEntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "query entries"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"query #{self.query_id} {self.kind} at {self.at:%Y-%m-%d %H:%M} UTC"

    def audit_scope(self) -> AuditScope:
        return self.query.audit_scope()


VERIFICATION_WITHDRAWN = "screening.verification.withdrawn"


class SourceVerification(_Targeted):
    """A monitor's mark that one value matches the source document.

    The mark stands on the value as it was (``row_revision``); a change or removal of
    the value clears it (``cleared_at``, by whom, the change's audit event), and a new
    mark is a new row. At most one standing mark per value.
    """

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="verifications")
    row_revision = models.PositiveIntegerField(default=1)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cleared_event = models.ForeignKey(
        "audit.AuditEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-verified_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["screening", "target_shape", "target_key"],
                condition=Q(cleared_at__isnull=True),
                name="one_standing_verification_per_value",
            ),
            models.CheckConstraint(
                condition=~Q(target_shape=WHOLE_SCREENING),
                name="verification_is_of_a_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target_label or self.target_key} verified at {self.verified_at:%Y-%m-%d}"

    @property
    def stands(self) -> bool:
        return self.cleared_at is None

    @property
    def withdrawn(self) -> bool:
        """Cleared by the monitor's withdrawal (with a reason), not by a change."""
        event = self.cleared_event if self.cleared_event_id else None
        return event is not None and event.action == VERIFICATION_WITHDRAWN

    @property
    def withdrawal_reason(self) -> str:
        return self.cleared_event.reason if self.withdrawn and self.cleared_event else ""
