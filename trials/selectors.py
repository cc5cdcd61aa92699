"""Reads of trial configuration used across Eligo."""

from __future__ import annotations

from datetime import date

from django.db.models import Case, F, IntegerField, Value, When

from trials.models import ProtocolStatus, ProtocolVersion, ReferenceRange, Site, Trial


def reference_range_for(
    *, site: Site, quantity_code: str, sex: str | None, age: int | None, on: date
) -> ReferenceRange | None:
    """The site's range for a test that applies to this person on this day.

    A sex-specific range beats one for any sex, and a narrower age band beats
    a wider one; among equals the most recent range wins (ranges for the same
    band never overlap in time, so that tie does not arise in valid data).
    A range restricted by sex or age never applies when that fact is unknown.
    """
    candidates = ReferenceRange.objects.filter(site=site, quantity__code=quantity_code).in_force_on(
        on
    )
    candidates = candidates.filter(sex__in=["", sex] if sex else [""])
    if age is None:
        candidates = candidates.filter(age_min__isnull=True, age_max__isnull=True)
    else:
        candidates = candidates.exclude(age_min__gt=age).exclude(age_max__lt=age)
    return (
        candidates.annotate(
            sex_rank=Case(
                When(sex="", then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
            band_width=Case(
                When(age_min__isnull=True, age_max__isnull=True, then=Value(1000)),
                When(age_min__isnull=True, then=F("age_max")),
                When(age_max__isnull=True, then=Value(999) - F("age_min")),
                default=F("age_max") - F("age_min"),
                output_field=IntegerField(),
            ),
        )
        .order_by("sex_rank", "band_width", "-valid_from")
        .select_related("quantity")
        .first()
    )


def active_version(trial: Trial) -> ProtocolVersion | None:
    return trial.versions.filter(status=ProtocolStatus.ACTIVE).first()
