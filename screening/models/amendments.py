"""What a new protocol version would change for the screenings still open.

A data manager asks before activating an amendment (and may ask again after): a worker
evaluates every open screening of the trial under the new version and records which
would change outcome, and by which criteria. Screenings stay pinned to their own
version whatever the answer; this is a forecast, never a change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from trials.models import ProtocolVersion


class ImpactStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Being evaluated"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class AmendmentImpact(models.Model):
    """One forecast of ``version`` over the trial's open screenings.

    ``changed`` lists the screenings whose outcome would change (screening number, site,
    outcome now and under ``version``, the criteria whose outcome differs);
    ``transitions`` counts them by "now → then"; ``by_criterion`` counts the changed
    screenings per criterion; ``refused`` lists screenings the version could not
    evaluate (a value it does not declare), with the reason. No clinical value and
    nothing identifying is kept: screening numbers, outcomes and criterion ids only.
    """

    version = models.ForeignKey(ProtocolVersion, on_delete=models.PROTECT, related_name="+")
    compared_to = models.ForeignKey(
        ProtocolVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=ImpactStatus.choices, default=ImpactStatus.QUEUED
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    changed_count = models.PositiveIntegerField(default=0)
    changed = models.JSONField(default=list, blank=True)
    transitions = models.JSONField(default=dict, blank=True)
    by_criterion = models.JSONField(default=dict, blank=True)
    refused = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # Asking twice while one forecast is on its way gives that one.
            models.UniqueConstraint(
                fields=["version"],
                condition=Q(status__in=["queued", "running"]),
                name="one_pending_impact_per_version",
            )
        ]

    def __str__(self) -> str:
        return f"Impact of {self.version} ({self.get_status_display().lower()})"

    @property
    def pending(self) -> bool:
        return self.status in (ImpactStatus.QUEUED, ImpactStatus.RUNNING)

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)
