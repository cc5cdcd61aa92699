"""People who use Eligo and the sites they work at."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.scope import AuditScope


class User(AbstractUser):
    """A person with an Eligo login.

    ``full_name`` is the printed name an electronic signature carries, so it is
    stored as the person writes it rather than assembled from first and last
    names.
    """

    full_name = models.CharField(
        _("full name"),
        max_length=200,
        help_text=_("Printed name shown with this person's electronic signatures."),
    )
    is_monitor = models.BooleanField(
        _("sponsor monitor"),
        default=False,
        help_text=_("Reviews pseudonymised screening logs; never edits data."),
    )
    is_data_manager = models.BooleanField(
        _("data manager"),
        default=False,
        help_text=_("Defines trials, protocol versions, sites, reference ranges and users."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_(
            "The language Eligo is shown in for this person. Empty: the browser's "
            "language, else the site's."
        ),
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
    COORDINATOR = "coordinator", _("Site coordinator")
    INVESTIGATOR = "investigator", _("Investigator")


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
        # A role is part of the person's story: granting and taking it are told
        # in the user's history, where a reader looks for who may do what.
        return AuditScope(site=self.site, record=self.user)


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


class AddressThrottle(models.Model):
    """Recent failed attempts from one client address, the lock they earned, and the
    attempts counted rather than recorded one by one.

    ``address`` is the client address as the audit trail records it, IPv6 widened
    to its /64 network (one household or host usually holds a whole /64). Failures
    from one address are limited across every account, so one client cannot guess
    at many usernames or keep many accounts locked. Attempts that tell the trail
    nothing new (unknown usernames, attempts refused while locked) are recorded
    once per window and otherwise counted here (``quiet_*``), then recorded as one
    event with the count when the window ends, so noise cannot grow the permanent
    trail without bound.
    """

    address = models.CharField(max_length=64, unique=True)
    recent_failures = models.JSONField(
        default=list, help_text="UTC times of failures still inside the counting window."
    )
    locked_until = models.DateTimeField(null=True, blank=True)
    quiet_since = models.DateTimeField(
        null=True, blank=True, help_text="When the attempt recorded for this window was made."
    )
    quiet_count = models.PositiveIntegerField(
        default=0, help_text="Attempts counted since, not recorded one by one yet."
    )
    quiet_last = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"sign-in throttle for {self.address}"


class PasswordLink(models.Model):
    """A one-time link a data manager sent a user to set their own password.

    The link itself is never stored: it is a token of Django's generator, keyed
    to this row, to the user's current password and last login, and to the time
    it was made, so it stops working once used, once a newer link is sent, or
    when it expires. The row remembers who sent it, where, until when, and how it
    ended, so each step is audited in the user's story.
    """

    class Ending(models.TextChoices):
        USED = "used", "used"
        EXPIRED = "expired", "expired unused"
        SUPERSEDED = "superseded", "replaced by a newer link"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_links")
    issued_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    sent_to = models.EmailField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ending = models.CharField(max_length=20, choices=Ending.choices, blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return f"password link for {self.user} sent {self.issued_at:%Y-%m-%d %H:%M} UTC"

    def audit_scope(self) -> AuditScope:
        return AuditScope(record=self.user)
