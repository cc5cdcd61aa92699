"""A notification to one person, and how each person wants to hear of them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.scope import AuditScope


class Kind(models.TextChoices):
    WASHOUT_SOON = "washout_soon", _("Washout ends soon")
    WASHOUT_TODAY = "washout_today", _("Washout ends today")
    SIGNATURE_OVERDUE = "signature_overdue", _("Decision awaiting signature")
    QUERY_OVERDUE = "query_overdue", _("Query still open")
    AUDIT_BROKEN = "audit_broken", _("Audit check failed")
    RESULT_EXPIRING = "result_expiring", _("Result to repeat")


class Delivery(models.TextChoices):
    IN_APP = "in_app", _("In Eligo only")
    IMMEDIATE = "immediate", _("In Eligo, and by e-mail at once")
    DIGEST = "digest", _("In Eligo, and one e-mail a day listing them")


class Notification(models.Model):
    """One thing one person is told. ``key`` names what it is about and when (for
    example ``signature_overdue:decision-12:2026-11-21``): unique per recipient, so
    the same reminder is never created twice, whoever creates it and how often."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    key = models.CharField(max_length=200)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True, help_text="A path inside Eligo.")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(
        null=True, blank=True, help_text="When it went out by e-mail, at once or in a digest."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once"),
        ]
        indexes = [
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_list"),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """How one person wants to hear of notifications (none saved: in Eligo only)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.IN_APP)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.get_delivery_display()}"

    def audit_scope(self) -> AuditScope:
        # Told in the person's own history, beside their roles and passwords.
        return AuditScope(record=self.user)
