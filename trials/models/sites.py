"""Sites, trials and the link between them."""

from __future__ import annotations

import zoneinfo
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.scope import AuditScope


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            "%(value)s is not an IANA time zone name such as Europe/Berlin.",
            params={"value": value},
        )


class Site(models.Model):
    """A hospital or clinic where candidates are screened."""

    code = models.CharField(
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9]+$", "Use capital letters and digits only.")],
        help_text="Short code used in screening numbers, e.g. A01.",
    )
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code, e.g. DE.")
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    default_language = models.CharField(
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        verbose_name=_("default language"),
        help_text=_(
            "Shown to the site's staff who chose no language of their own and whose "
            "browser asks for none Eligo has. Empty: Eligo's default language."
        ),
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def audit_scope(self) -> AuditScope:
        return AuditScope(site=self)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The site's time zone, in which its dates (\"today\", a signature's day) are read."""
        return zoneinfo.ZoneInfo(self.time_zone)

    def today(self) -> date:
        """The date at the site now."""
        return timezone.localtime(timezone=self.zone).date()


class TrialStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RECRUITING = "recruiting", _("Recruiting")
    CLOSED = "closed", _("Closed to recruitment")


# A hundred years: longer than any archiving duty.
MAX_RETENTION_MONTHS = 1200


class Trial(models.Model):
    """A clinical trial. What is screened for lives in its protocol versions."""

    code = models.CharField(
        max_length=30,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9][A-Z0-9-]*$", "Use capital letters, digits and -.")],
        help_text="Short code used in screening numbers, e.g. HMSC100.",
    )
    title = models.CharField(max_length=500)
    registry_id = models.CharField(
        "registry id", max_length=50, blank=True, help_text="e.g. NCT06495437"
    )
    sponsor = models.CharField(max_length=200, blank=True)
    phase = models.CharField(max_length=20, blank=True)
    target_enrolment = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=TrialStatus.choices, default=TrialStatus.PLANNED
    )
    # Retention of candidates' identities (docs/privacy.md): the daily review lists
    # the identities due for erasure; a data manager confirms before any is erased.
    screen_failure_retention_months = models.PositiveSmallIntegerField(
        "identity of screen failures kept (months)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RETENTION_MONTHS)],
        help_text="A screen failure's or withdrawn candidate's identity is due for erasure "
        "this many months after the signed decision. Blank: never by policy.",
    )
    enrolled_retention_months = models.PositiveSmallIntegerField(
        "identity of enrolled participants kept (months)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RETENTION_MONTHS)],
        help_text="As the sponsor's rule says, counted from the enrolment date. Blank: "
        "kept (the sponsor archives the trial master file); erased only case by case.",
    )
    sites: models.ManyToManyField[Site, TrialSite] = models.ManyToManyField(
        Site, through="TrialSite", related_name="trials"
    )
    washout_reminder_days = models.PositiveSmallIntegerField(
        "washout reminder (days ahead)",
        default=7,
        validators=[MaxValueValidator(90)],
        help_text="Site coordinators are told this many days before a candidate's washout "
        "ends (0: on the day only), and again on the day.",
    )
    signature_reminder_days = models.PositiveSmallIntegerField(
        "signature reminder (days)",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="Site investigators are reminded daily of a decision awaiting their "
        "signature for more than this many days.",
    )
    query_reminder_days = models.PositiveSmallIntegerField(
        "query reminder (days)",
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="Site coordinators and whoever raised it are reminded daily of a query "
        "open for more than this many days.",
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"

    def audit_scope(self) -> AuditScope:
        return AuditScope(trial_id=self.pk)


class TrialSite(models.Model):
    """A site taking part in a trial."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="trial_sites")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="trial_sites")
    active = models.BooleanField(default=True, help_text="Inactive sites screen no new candidates.")
    target_enrolment = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["trial", "site"], name="one_link_per_trial_and_site")
        ]
        ordering = ["trial__code", "site__code"]
        verbose_name = "trial site"

    def __str__(self) -> str:
        return f"{self.trial.code} at {self.site.code}"

    def audit_scope(self) -> AuditScope:
        return AuditScope(site=self.site, trial_id=self.trial_id)


class MonitorAssignment(models.Model):
    """A sponsor monitor reviews a trial at all its sites, or at the sites listed."""

    monitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="monitor_assignments",
        limit_choices_to={"is_monitor": True},
    )
    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="monitor_assignments")
    sites = models.ManyToManyField(
        Site, blank=True, related_name="+", help_text="Leave empty for every site of the trial."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["monitor", "trial"], name="one_assignment_per_monitor_and_trial"
            )
        ]
        ordering = ["trial__code"]

    def __str__(self) -> str:
        return f"{self.monitor} monitors {self.trial.code}"

    def audit_scope(self) -> AuditScope:
        return AuditScope(trial_id=self.trial_id)
