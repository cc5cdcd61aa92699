"""Catalogues the engine reads: quantities, drugs, and sites' reference ranges.

The built-in entries come from the engine's catalogue (``eligibility/data/
catalogue.yaml``) and are copied into these tables once; from then on data
managers own them. ``trials.catalogue`` turns the rows back into an engine
``Catalogue``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.scope import AuditScope
from trials.models.sites import Site

CODE_HELP = "Stable identifier used by protocol definitions and stored data; never rename."


class QuantityKind(models.TextChoices):
    MEASUREMENT = "measurement", _("Measurement")
    LAB = "lab", _("Laboratory test")
    DERIVED = "derived", _("Derived (calculated)")


class Quantity(models.Model):
    """Something measured, tested or calculated, in its canonical unit.

    Values are converted to ``unit`` and rounded half-up to ``precision``
    decimal places; that rounded value is what is shown and compared. Values
    outside the hard limits are impossible and refused; outside the soft limits
    they are implausible and need confirming.
    """

    code = models.SlugField(max_length=60, unique=True, help_text=CODE_HELP)
    label = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=QuantityKind.choices)
    section = models.CharField(max_length=30, help_text="Form section, e.g. labs or dxa.")
    unit = models.CharField(max_length=30, blank=True, help_text="Canonical unit.")
    units = models.JSONField(default=list, blank=True, help_text="Units accepted on entry.")
    precision = models.PositiveSmallIntegerField(default=0, help_text="Decimal places kept.")
    analyte = models.CharField(
        max_length=60, blank=True, help_text="Key of the unit-conversion table."
    )
    hard_low = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    hard_high = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    soft_low = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    soft_high = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    validity_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="How long a result stays valid; empty: the protocol's setting.",
    )
    extra = models.JSONField(
        default=dict,
        blank=True,
        help_text="Further engine attributes (calculator, inputs, parameters, qualitative values).",
    )

    class Meta:
        ordering = ["section", "code"]
        verbose_name_plural = "quantities"

    def __str__(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label


class DrugClass(models.Model):
    code = models.SlugField(max_length=60, unique=True, help_text=CODE_HELP)
    label = models.CharField(max_length=200)
    atc = models.JSONField(
        "ATC codes", default=list, blank=True, help_text="WHO ATC codes or prefixes."
    )
    includes = models.JSONField(default=list, blank=True, help_text="Codes of narrower classes.")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "drug classes"

    def __str__(self) -> str:
        return self.label


class Drug(models.Model):
    code = models.SlugField(max_length=60, unique=True, help_text=CODE_HELP)
    label = models.CharField(max_length=200)
    atc = models.CharField("ATC code", max_length=10, blank=True)
    classes = models.JSONField(default=list, help_text="Codes of the classes this drug belongs to.")
    routes = models.JSONField(default=list, help_text="Routes it is given by.")
    prednisolone_equivalent_mg = models.DecimalField(
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Dose equivalent to 5 mg prednisolone (systemic glucocorticoids only).",
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.label} ({self.atc})" if self.atc else self.label


class RangeSex(models.TextChoices):
    ANY = "", _("Any")
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class ReferenceRangeQuerySet(models.QuerySet["ReferenceRange"]):
    def in_force_on(self, day: object) -> ReferenceRangeQuerySet:
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)


class ReferenceRange(models.Model):
    """A site laboratory's normal range for one test, sex and age band.

    Ranges are dated: a changed range is a new row from a new date, the old one
    ending the day before, so a result is always judged against the range in
    force on the day it was taken.
    """

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="reference_ranges")
    quantity = models.ForeignKey(
        Quantity,
        on_delete=models.PROTECT,
        related_name="reference_ranges",
        limit_choices_to={"kind": QuantityKind.LAB},
    )
    sex = models.CharField(max_length=1, choices=RangeSex.choices, blank=True, default=RangeSex.ANY)
    age_min = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="From this age (inclusive)."
    )
    age_max = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Up to this age (inclusive)."
    )
    lln = models.DecimalField("LLN", max_digits=20, decimal_places=6, null=True, blank=True)
    uln = models.DecimalField("ULN", max_digits=20, decimal_places=6, null=True, blank=True)
    unit = models.CharField(max_length=30)
    valid_from = models.DateField()
    valid_to = models.DateField(
        null=True, blank=True, help_text="Last day in force; empty: still in force."
    )
    is_demo = models.BooleanField(
        "demo values",
        default=False,
        help_text="Illustrative values for a demo site; never clinical.",
    )
    source = models.CharField(max_length=200, blank=True, help_text="Laboratory or document.")

    objects = ReferenceRangeQuerySet.as_manager()

    class Meta:
        ordering = ["site__code", "quantity__code", "sex", "age_min", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lln__isnull=False) | Q(uln__isnull=False), name="range_has_a_limit"
            ),
            models.CheckConstraint(
                condition=Q(lln__isnull=True) | Q(uln__isnull=True) | Q(lln__lt=models.F("uln")),
                name="range_lln_below_uln",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="range_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(age_min__isnull=True)
                | Q(age_max__isnull=True)
                | Q(age_min__lte=models.F("age_max")),
                name="range_age_band_ordered",
            ),
        ]

    def __str__(self) -> str:
        limits = (
            f"{self.lln if self.lln is not None else ''}–{self.uln if self.uln is not None else ''}"
        )
        return f"{self.site.code} {self.quantity.label} {limits} {self.unit} from {self.valid_from}"

    def audit_scope(self) -> AuditScope:
        return AuditScope(site=self.site)

    def overlaps(self, other: ReferenceRange) -> bool:
        """Whether both rows could apply to the same result (same site, test, sex, age and day)."""

        def ages(r: ReferenceRange) -> tuple[int, int]:
            return (r.age_min or 0, r.age_max if r.age_max is not None else 999)

        def days(r: ReferenceRange) -> tuple[object, object]:
            return (r.valid_from, r.valid_to)

        same = (self.site_id, self.quantity_id, self.sex) == (
            other.site_id,
            other.quantity_id,
            other.sex,
        )
        (a_lo, a_hi), (b_lo, b_hi) = ages(self), ages(other)
        (d1, e1), (d2, e2) = days(self), days(other)
        dates_overlap = (e2 is None or d1 <= e2) and (e1 is None or d2 <= e1)  # type: ignore[operator]
        return same and a_lo <= b_hi and b_lo <= a_hi and dates_overlap

    def clean(self) -> None:
        others = ReferenceRange.objects.filter(
            site_id=self.site_id, quantity_id=self.quantity_id, sex=self.sex
        )
        if self.pk:
            others = others.exclude(pk=self.pk)
        clash = next((o for o in others if self.overlaps(o)), None)
        if clash is not None:
            raise ValidationError(
                f"This range overlaps {clash}: close that one (set its last day) "
                "before adding a new one."
            )


class CatalogueRevision(models.Model):
    """One row that counts changes to quantities, drug classes and drugs.

    Loaded protocol definitions are checked against the catalogue and cached in each
    process; the cache keys on this number, so an edit made through any process is
    seen by every other one at its next evaluation.
    """

    number = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)
    token = models.CharField(
        max_length=32,
        blank=True,
        help_text="Random, new at every change: a number reused after a rollback never "
        "matches a cache entry made before it.",
    )

    class Meta:
        verbose_name = "catalogue revision"

    def __str__(self) -> str:
        return f"Catalogue revision {self.number}"
