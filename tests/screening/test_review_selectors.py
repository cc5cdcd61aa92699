"""The bulk reads the screening log and summaries use for query and verification status."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from screening.models import DataQuery, QueryStatus, SourceVerification
from screening.selectors import (
    QueryCounts,
    VerificationProgress,
    open_query_counts,
    verification_progress,
    verification_progress_by_site,
)
from screening.services import ScreeningChanges
from screening.services.changes import MedicationInput, ObservationInput
from tests.helpers import register, save, start

pytestmark = pytest.mark.django_db


def _query(screening: Any, user: Any, status: str) -> DataQuery:
    now = timezone.now()
    return DataQuery.objects.create(
        screening=screening,
        text="Please check.",
        status=status,
        raised_by=user,
        raised_at=now,
        status_changed_at=now,
    )


def _two_screenings(coordinator_a: Any, hmsc: Any, site_a: Any, site_b: Any, coord_b: Any) -> Any:
    first = start(coordinator_a, register(coordinator_a, hmsc, site_a))
    second = start(coord_b, register(coord_b, hmsc, site_b))
    save(
        coordinator_a,
        first,
        ScreeningChanges(
            observations=[
                ObservationInput(code="weight", value=60, unit="kg", observed_on=date(2026, 11, 20))
            ],
            medications=[
                MedicationInput(drug="denosumab", route="subcutaneous", start=date(2025, 1, 1))
            ],
        ),
    )
    return first, second


def test_open_query_counts_counts_open_and_answered_apart_in_one_query(
    coordinator_a: Any,
    coordinator_b: Any,
    monitor: Any,
    hmsc: Any,
    site_a: Any,
    site_b: Any,
    django_assert_num_queries: Any,
) -> None:
    first, second = _two_screenings(coordinator_a, hmsc, site_a, site_b, coordinator_b)
    _query(first, monitor, QueryStatus.OPEN)
    _query(first, monitor, QueryStatus.OPEN)
    _query(first, monitor, QueryStatus.ANSWERED)
    _query(first, monitor, QueryStatus.CLOSED)
    with django_assert_num_queries(1):
        counts = open_query_counts([first.pk, second.pk])
    assert counts == {first.pk: QueryCounts(open=2, answered=1), second.pk: QueryCounts()}
    assert counts[first.pk].unresolved == 3


def test_verification_progress_counts_standing_marks_over_every_saved_value(
    coordinator_a: Any,
    coordinator_b: Any,
    monitor: Any,
    hmsc: Any,
    site_a: Any,
    site_b: Any,
    django_assert_num_queries: Any,
) -> None:
    first, second = _two_screenings(coordinator_a, hmsc, site_a, site_b, coordinator_b)
    now = timezone.now()
    SourceVerification.objects.create(
        screening=first,
        target_shape="observation",
        target_key="weight",
        verified_by=monitor,
        verified_at=now,
    )
    # A mark cleared by a later change does not count.
    SourceVerification.objects.create(
        screening=first,
        target_shape="medication",
        target_key=str(first.medications.get().pk),
        verified_by=monitor,
        verified_at=now,
        cleared_at=now,
    )
    with django_assert_num_queries(5):
        progress = verification_progress([first.pk, second.pk])
    assert progress[first.pk] == VerificationProgress(verified=1, total=2)
    assert progress[first.pk].percent == 50
    assert progress[second.pk] == VerificationProgress(verified=0, total=0)
    assert not progress[second.pk].complete
    by_site = verification_progress_by_site([first.pk, second.pk])
    assert by_site == {
        site_a.pk: VerificationProgress(1, 2),
        site_b.pk: VerificationProgress(0, 0),
    }
