"""Candidates: a pseudonymous screening number per trial and site, identity apart."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.access import screening_scope
from audit.scope import AuditScope
from trials.models import Site, Trial
from vault.crypto import hospital_number_index, name_index, seal, unseal
from vault.models import DataKey


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


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
    # The key every identity value of this candidate is sealed with; destroyed on erasure.
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="candidate")

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


# The identity fields, in the order forms show them. Each is stored sealed with the
# candidate's data key (``vault``), never in clear.
IDENTITY_FIELDS = ("full_name", "date_of_birth", "hospital_number", "phone", "email")


class CandidateIdentity(models.Model):
    """Who the candidate is. Only the staff of the candidate's site see this
    (``accounts.access.can_see_identity``); monitors never do.

    Every value is stored encrypted with the candidate's own data key
    (``Candidate.data_key``), bound to the candidate and the field; the blind
    indexes let site staff find a candidate by an exact hospital number or name.
    Erasing the identity destroys the data key: the values here (and every copy in
    the audit trail) become unreadable, and ``erased_at``/``erased_by`` say when and
    by whom. Read the values through the properties (``identity.full_name``).
    """

    candidate = models.OneToOneField(Candidate, on_delete=models.PROTECT, related_name="identity")
    full_name_sealed = models.TextField(blank=True)
    date_of_birth_sealed = models.TextField(blank=True)
    hospital_number_sealed = models.TextField(blank=True)
    phone_sealed = models.TextField(blank=True)
    email_sealed = models.TextField(blank=True)
    name_index = models.CharField(max_length=64, blank=True, db_index=True)
    hospital_number_index = models.CharField(max_length=64, blank=True, db_index=True)
    updated_at = models.DateTimeField()
    erased_at = models.DateTimeField(null=True, blank=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    erasure_reason = models.TextField(blank=True)

    _opened: dict[str, Any] | None = None

    class Meta:
        verbose_name_plural = "candidate identities"

    def __str__(self) -> str:
        return f"identity of {self.candidate}"

    def audit_scope(self) -> AuditScope:
        return self.candidate.audit_scope()

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        self._opened = None
        super().refresh_from_db(*args, **kwargs)

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def values(self) -> dict[str, Any]:
        """The identity in clear (``date_of_birth`` a date); empty once erased."""
        cached: dict[str, Any] | None = getattr(self, "_opened", None)
        if cached is not None:
            return cached
        opened: dict[str, Any] = dict.fromkeys(IDENTITY_FIELDS, "")
        opened["date_of_birth"] = None
        if not self.is_erased:
            key = self.candidate.data_key
            for name in IDENTITY_FIELDS:
                token = getattr(self, f"{name}_sealed")
                if token:
                    opened[name] = unseal(key, token, purpose=f"identity:{name}")
            if opened["date_of_birth"]:
                opened["date_of_birth"] = date.fromisoformat(opened["date_of_birth"])
            else:
                opened["date_of_birth"] = None
        self._opened = opened
        return opened

    def set_values(self, values: Mapping[str, Any]) -> None:
        """Seal ``values`` (every identity field) and index them."""
        key = self.candidate.data_key
        for name in IDENTITY_FIELDS:
            value = values.get(name)
            text = value.isoformat() if isinstance(value, date) else (value or "")
            setattr(
                self,
                f"{name}_sealed",
                seal(key, text, purpose=f"identity:{name}") if text else "",
            )
        self.name_index = name_index(values.get("full_name") or "")
        self.hospital_number_index = hospital_number_index(values.get("hospital_number") or "")
        self._opened = None

    def forget(self, *, user: Any, reason: str, at: datetime) -> None:
        """After the data key is destroyed: drop the ciphertext and the indexes too."""
        for name in IDENTITY_FIELDS:
            setattr(self, f"{name}_sealed", "")
        self.name_index = ""
        self.hospital_number_index = ""
        self.erased_at = at
        self.erased_by = user
        self.erasure_reason = reason
        self._opened = None

    @property
    def full_name(self) -> str:
        return str(self.values()["full_name"])

    @property
    def date_of_birth(self) -> date | None:
        dob: date | None = self.values()["date_of_birth"]
        return dob

    @property
    def hospital_number(self) -> str:
        return str(self.values()["hospital_number"])

    @property
    def phone(self) -> str:
        return str(self.values()["phone"])

    @property
    def email(self) -> str:
        return str(self.values()["email"])
