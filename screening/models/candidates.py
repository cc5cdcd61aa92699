"""Candidates: a pseudonymous screening number per trial and site, identity apart."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.access import screening_scope
from audit.scope import AuditScope
from trials.models import Site, Trial


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"


class ScreeningNumberCounter(models.Model):
    """The last screening number issued for one trial at one site.

    Locked with ``select_for_update()`` while a number is allocated, so that
    numbers are unique and gapless even when two coordinators register at the
    same moment: the second waits for the first to commit or roll back.
    """

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["trial", "site"], name="one_counter_per_trial_and_site")
        ]

    def __str__(self) -> str:
        return f"{self.trial_id}/{self.site_id} at {self.last_number}"


class CandidateQuerySet(models.QuerySet["Candidate"]):
    def for_user(self, user: Any) -> CandidateQuerySet:
        """The candidates ``user`` may see (identity is a separate question)."""
        return self.filter(screening_scope(user))


class Candidate(models.Model):
    """A person screened for one trial at one site, known by a screening number.

    Only what a monitor may see lives here: the number, sex and year of birth.
    Name, date of birth and contact details are in :class:`CandidateIdentity`.
    """

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="candidates")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="candidates")
    screening_number = models.CharField(max_length=60, unique=True)
    sequence = models.PositiveIntegerField(help_text="The NNNN of the screening number.")
    sex = models.CharField(max_length=1, choices=Sex.choices)
    year_of_birth = models.PositiveSmallIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    objects = CandidateQuerySet.as_manager()

    class Meta:
        ordering = ["trial__code", "site__code", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["trial", "site", "sequence"], name="one_candidate_per_sequence"
            ),
            models.CheckConstraint(
                condition=Q(sequence__gte=1), name="candidate_sequence_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.screening_number

    def audit_scope(self) -> AuditScope:
        return AuditScope(site=self.site, trial_id=self.trial_id, record=self)

    def age_range(self, on: date | None) -> str:
        """The age on ``on`` from the year of birth alone, as a monitor may know it:
        ``69–70`` (the day of birth would decide which); ``—`` without a date."""
        if on is None:
            return "—"
        upper = on.year - self.year_of_birth
        return f"{upper - 1}–{upper}"


class CandidateIdentity(models.Model):
    """Who the candidate is. Only the staff of the candidate's site see this
    (``accounts.access.can_see_identity``); monitors never do."""

    candidate = models.OneToOneField(Candidate, on_delete=models.PROTECT, related_name="identity")
    full_name = models.CharField(max_length=200)
    date_of_birth = models.DateField()
    hospital_number = models.CharField(max_length=60, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "candidate identities"

    def __str__(self) -> str:
        return f"identity of {self.candidate}"

    def audit_scope(self) -> AuditScope:
        return self.candidate.audit_scope()
