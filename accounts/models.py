"""People who use Eligo and the sites they work at."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models

from audit.scope import AuditScope


class User(AbstractUser):
    """A person with an Eligo login.

    ``full_name`` is the printed name an electronic signature carries, so it is
    stored as the person writes it rather than assembled from first and last
    names.
    """

    full_name = models.CharField(
        "full name",
        max_length=200,
        help_text="Printed name shown with this person's electronic signatures.",
    )
    is_monitor = models.BooleanField(
        "sponsor monitor",
        default=False,
        help_text="Reviews pseudonymised screening logs; never edits data.",
    )
    is_data_manager = models.BooleanField(
        "data manager",
        default=False,
        help_text="Defines trials, protocol versions, sites, reference ranges and users.",
    )

    REQUIRED_FIELDS = ["email", "full_name"]

    class Meta:
        ordering = ["full_name", "username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.username

    def role_label_at(self, site: Any) -> str:
        """The role this person acts in at ``site`` (or installation-wide), in lower-case
        words, as the audit trail records it."""
        if site is not None:
            membership = self.memberships.filter(site_id=site.pk).first()
            if membership is not None:
                return str(membership.role)
        if self.is_data_manager:
            return "data manager"
        if self.is_monitor:
            return "monitor"
        if self.is_superuser:
            return "administrator"
        return ""


class SiteRole(models.TextChoices):
    COORDINATOR = "coordinator", "Site coordinator"
    INVESTIGATOR = "investigator", "Investigator"


class SiteMembership(models.Model):
    """A user works at a site in one role."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    site = models.ForeignKey("trials.Site", on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=SiteRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "site"], name="one_role_per_user_and_site"),
        ]
        ordering = ["site__code", "user__full_name"]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.site}"

    def audit_scope(self) -> AuditScope:
        return AuditScope(site=self.site)


class LoginThrottle(models.Model):
    """Recent failed logins for one username, and the lock they earned.

    Keyed by a keyed hash of the username as typed (case-folded), whether or
    not such a user exists, so the lock cannot be used to learn which
    usernames are real and a password typed as a username is never stored.
    One row per username keeps the count exact under concurrent attempts:
    each failure locks the row.
    """

    username_key = models.CharField(max_length=150, unique=True)
    recent_failures = models.JSONField(
        default=list, help_text="UTC times of failures still inside the counting window."
    )
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"login throttle for {self.username_key}"
