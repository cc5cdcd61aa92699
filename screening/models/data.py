"""Screening data: observations, medication courses, history events, score items.

Each row carries its own ``revision`` (1 on first entry, up by one on each
change) and who last changed it; the field-level history of every change is in
the audit trail.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from audit.scope import AuditScope
from screening.models.screenings import Screening


class ObservationKind(models.TextChoices):
    MEASUREMENT = "measurement", _("Measurement")
    LAB = "lab", _("Laboratory result")
    QUALITATIVE = "qualitative", _("Qualitative result")
    ANSWER = "answer", _("Answer")
    JUDGMENT = "judgment", _("Investigator judgment")
    REFERENCE_DATE = "reference_date", _("Reference date")


class Comparator(models.TextChoices):
    """How a censored result relates to its number: ``<20`` is below the detection limit."""

    BELOW = "<", "<"
    AT_MOST = "<=", "≤"
    ABOVE = ">", ">"
    AT_LEAST = ">=", "≥"


class RangeSource(models.TextChoices):
    SITE = "site", _("Site reference range")
    REPORT = "report", _("As printed on the report")


class _ScreeningData(models.Model):
    revision = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        abstract = True

    def audit_scope(self) -> AuditScope:
        screening: Screening = self.screening  # type: ignore[attr-defined]
        return screening.audit_scope()


class Observation(_ScreeningData):
    """One value of a quantity, a qualitative result, an answer, a judgment, or a
    reference date of the protocol (a planned randomisation: its day in ``observed_on``).

    Numbers keep both what was typed (``value_entered`` as text, so "95.0"
    stays "95.0", and ``unit_entered``) and the canonical value rounded to the
    quantity's precision. The engine is given what was typed and converts it
    itself, so its reasons quote the same figures. A censored result (``<20``,
    ``>=2000``) keeps its ``comparator`` beside the number: ``value`` and
    ``value_entered`` hold the limit, and every display shows the two together.
    """

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="observations")
    code = models.SlugField(max_length=60)
    kind = models.CharField(max_length=20, choices=ObservationKind.choices)
    value = models.DecimalField(
        max_digits=24, decimal_places=8, null=True, blank=True, help_text="Canonical unit."
    )
    unit = models.CharField(max_length=30, blank=True, help_text="Canonical unit.")
    value_entered = models.CharField(max_length=40, blank=True)
    comparator = models.CharField(
        max_length=2,
        choices=Comparator.choices,
        blank=True,
        help_text="Set for a censored result: the value is below (<, <=) or above (>, >=) "
        "the number.",
    )
    unit_entered = models.CharField(max_length=30, blank=True)
    text_value = models.CharField(
        max_length=60, blank=True, help_text="Qualitative result, or yes / no / unknown."
    )
    observed_on = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=200, blank=True)
    lln = models.DecimalField("LLN", max_digits=24, decimal_places=8, null=True, blank=True)
    uln = models.DecimalField("ULN", max_digits=24, decimal_places=8, null=True, blank=True)
    range_unit = models.CharField(max_length=30, blank=True)
    range_source = models.CharField(
        max_length=10, choices=RangeSource.choices, default=RangeSource.SITE
    )
    implausible_confirmed = models.BooleanField(default=False)

    class Meta:
        ordering = ["screening", "code"]
        constraints = [
            models.UniqueConstraint(fields=["screening", "code"], name="one_observation_per_code"),
            models.CheckConstraint(
                condition=Q(lln__isnull=True) | Q(uln__isnull=True) | Q(lln__lte=F("uln")),
                name="observation_lln_not_above_uln",
            ),
            models.CheckConstraint(
                condition=~Q(range_source="report") | Q(lln__isnull=False) | Q(uln__isnull=False),
                name="observation_report_range_has_a_limit",
            ),
        ]

    def __str__(self) -> str:
        shown = self.text_value or f"{self.entered} {self.unit_entered}".strip()
        return f"{self.code} = {shown}"

    @property
    def sign(self) -> str:
        """A censored result's comparator as shown before its number (``<``, ``≤``)."""
        return Comparator(self.comparator).label if self.comparator else ""

    @property
    def entered(self) -> str:
        """The number as typed with its comparator, as every page shows it: ``<20``."""
        return f"{self.sign}{self.value_entered}" if self.value_entered else ""


class MedicationExposure(_ScreeningData):
    """One course of a drug or drug class.

    ``drug`` is a catalogue code of a drug or a class; a drug the catalogue does
    not know is recorded by its name with its WHO ATC code, which is what the
    engine classifies it by.
    """

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="medications")
    drug = models.CharField(max_length=100)
    atc = models.CharField("ATC code", max_length=10, blank=True)
    route = models.SlugField(max_length=30, blank=True)
    start = models.DateField(null=True, blank=True)
    stop = models.DateField(null=True, blank=True)
    ongoing = models.BooleanField(default=False)
    daily_dose = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    dose_unit = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["screening", "start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__isnull=True) | Q(stop__isnull=True) | Q(stop__gte=F("start")),
                name="medication_stop_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(ongoing=False) | Q(stop__isnull=True),
                name="medication_ongoing_has_no_stop",
            ),
            models.CheckConstraint(
                condition=Q(daily_dose__isnull=True) | Q(daily_dose__gte=0),
                name="medication_dose_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drug} from {self.start or '?'}"


class HistoryEvent(_ScreeningData):
    """One dated event: a fracture, a myocardial infarction, surgery, a trial…"""

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="history")
    code = models.SlugField(max_length=60)
    occurred_on = models.DateField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True, help_text="Detail code → value.")

    class Meta:
        ordering = ["screening", "occurred_on", "pk"]

    def __str__(self) -> str:
        return f"{self.code} on {self.occurred_on or '?'}"


class ScoreItems(_ScreeningData):
    """The ticked items of one risk-score checklist (``padua``, ``caprini_2005``)."""

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="score_items")
    score = models.SlugField(max_length=60)
    items = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name_plural = "score items"
        constraints = [
            models.UniqueConstraint(fields=["screening", "score"], name="one_checklist_per_score")
        ]

    def __str__(self) -> str:
        return f"{self.score}: {', '.join(self.items)}"
