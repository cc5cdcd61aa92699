"""Exports of the screening log too large to build while a person waits."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being written")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class ExportFile(models.Model):
    """One export of the screening log built by a worker, for its owner alone.

    ``filters`` are the log's filters as the owner chose them (the query string's
    values); the worker applies them again with the owner's access at the time it
    builds the file. The file lives in ``EXPORT_DIR`` under ``file_name`` until
    ``expires_at``, when the daily purge deletes it and marks the export expired.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_format = models.CharField(max_length=20)
    filters = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(default=0, help_text="Attempts when it was asked.")
    rows_done = models.PositiveIntegerField(default=0, help_text="Attempts written so far.")
    file_name = models.CharField(max_length=200, blank=True, help_text="In EXPORT_DIR.")
    download_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-requested_at"], name="export_owner_newest")]

    def __str__(self) -> str:
        return f"Export {self.pk} of the screening log ({self.file_format})"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.READY:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    @property
    def done(self) -> bool:
        return self.status in (ExportStatus.READY, ExportStatus.FAILED, ExportStatus.EXPIRED)
