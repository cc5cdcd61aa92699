"""Protocol versions: the validated definition a screening is checked against."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.scope import AuditScope
from trials.models.sites import Trial


class ProtocolStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    SUPERSEDED = "superseded", _("Superseded")


class ProtocolVersionQuerySet(models.QuerySet["ProtocolVersion"]):
    def active(self) -> ProtocolVersionQuerySet:
        return self.filter(status=ProtocolStatus.ACTIVE)


class ProtocolVersion(models.Model):
    """One version of a trial's eligibility criteria.

    Goes draft → active → superseded. Only a draft may change; an amendment is a
    new version, and screenings stay pinned to the version they started under.
    ``source`` is the YAML exactly as imported (comments included) and
    ``source_hash`` the SHA-256 of its canonical JSON form, so re-importing an
    unchanged file — or an exported one — is recognised whatever its layout.
    """

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="versions")
    label = models.CharField(max_length=50, help_text="The protocol's own version label, e.g. 2.1.")
    effective_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=ProtocolStatus.choices, default=ProtocolStatus.DRAFT
    )
    source = models.TextField(help_text="The definition as imported (YAML).")
    source_name = models.CharField(max_length=255, blank=True)
    source_hash = models.CharField(max_length=64)
    definition = models.JSONField(help_text="The validated definition, as data.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    activated_at = models.DateTimeField(null=True, blank=True)
    # The activation's electronic signature (21 CFR 11.50): who (``activated_by``, with
    # the printed name as it read then), when (``activated_at``, UTC), what it means and
    # why. An activation from the command line has a reason but no signature: its
    # meaning and printed name stay empty. Read-only once active (a database trigger).
    activation_reason = models.TextField(blank=True)
    activation_meaning = models.CharField(max_length=100, blank=True)
    activation_printed_name = models.CharField(max_length=200, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    objects = ProtocolVersionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["trial", "label"], name="one_version_per_label"),
            models.UniqueConstraint(
                fields=["trial"],
                condition=Q(status=ProtocolStatus.ACTIVE),
                name="one_active_version_per_trial",
            ),
        ]
        ordering = ["trial__code", "-created_at"]

    def __str__(self) -> str:
        return f"{self.trial.code} version {self.label} ({self.get_status_display().lower()})"

    def audit_scope(self) -> AuditScope:
        return AuditScope(trial_id=self.trial_id)

    @property
    def is_read_only(self) -> bool:
        return self.status != ProtocolStatus.DRAFT

    @property
    def is_signed(self) -> bool:
        """Whether its activation carries a data manager's electronic signature."""
        return bool(self.activation_meaning)
