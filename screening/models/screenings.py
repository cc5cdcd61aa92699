"""Screening attempts: one candidate, one protocol version, one outcome."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.access import screening_scope
from audit.scope import AuditScope
from screening.models.candidates import Candidate
from trials.models import ProtocolVersion


class ScreeningStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_SIGNATURE = "awaiting_signature", _("Awaiting signature")
    ELIGIBLE = "eligible", _("Eligible")
    SCREEN_FAILURE = "screen_failure", _("Screen failure")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    NEEDS_REVIEW = "needs_review", _("Needs review")
    ENROLLED = "enrolled", _("Enrolled")


OPEN_STATUSES = (
    ScreeningStatus.IN_PROGRESS,
    ScreeningStatus.AWAITING_SIGNATURE,
    ScreeningStatus.NEEDS_REVIEW,
)


class ScreeningQuerySet(models.QuerySet["Screening"]):
    def for_user(self, user: Any) -> ScreeningQuerySet:
        """The screenings ``user`` may see."""
        return self.filter(screening_scope(user, trial="candidate__trial", site="candidate__site"))


class Screening(models.Model):
    """One screening attempt, pinned to the protocol version active when it started.

    ``revision`` goes up by one on every save of its data; a form carries the
    revision it was loaded at, and a save from a stale form is refused rather
    than silently overwriting what someone else entered in between.
    """

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="screenings")
    attempt = models.PositiveSmallIntegerField(default=1)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rescreened_by",
        help_text="The attempt this one rescreens.",
    )
    protocol_version = models.ForeignKey(
        ProtocolVersion, on_delete=models.PROTECT, related_name="screenings"
    )
    screening_date = models.DateField()
    consent_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=ScreeningStatus.choices, default=ScreeningStatus.IN_PROGRESS
    )
    # Without these, an empty list is indistinguishable from "not asked yet", and the
    # engine must read missing history as unknown, never as "none".
    medications_complete = models.BooleanField(
        default=False,
        help_text="The medication history has been taken: the courses listed are all there are.",
    )
    history_complete = models.BooleanField(
        default=False,
        help_text="The medical history has been taken: the events listed are all there are.",
    )
    revision = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    objects = ScreeningQuerySet.as_manager()

    class Meta:
        ordering = ["candidate__screening_number", "attempt"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "attempt"], name="one_screening_per_attempt"
            ),
            models.CheckConstraint(condition=Q(attempt__gte=1), name="screening_attempt_positive"),
            models.CheckConstraint(
                condition=Q(consent_date__lte=F("screening_date")),
                name="screening_consent_not_after_screening",
            ),
        ]
        indexes = [
            models.Index(fields=["status"], name="screening_status_idx"),
            # The log filters and sorts by screening date.
            models.Index(fields=["screening_date"], name="screening_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate.screening_number} attempt {self.attempt}"

    def audit_scope(self) -> AuditScope:
        candidate = self.candidate
        return AuditScope(site=candidate.site, trial_id=candidate.trial_id, record=self)
