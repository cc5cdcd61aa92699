"""A result is judged against the site's range for that person on that day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from trials.catalogue import sync_builtin_catalogue
from trials.models import Quantity, ReferenceRange
from trials.selectors import reference_range_for


@pytest.fixture
def creatinine(db: Any) -> Quantity:
    sync_builtin_catalogue()
    return Quantity.objects.get(code="creatinine")


def _range(site: Any, quantity: Quantity, **fields: Any) -> ReferenceRange:
    defaults: dict[str, Any] = {"unit": "mg/dL", "valid_from": date(2020, 1, 1)}
    return ReferenceRange.objects.create(site=site, quantity=quantity, **{**defaults, **fields})


def _find(
    site: Any, sex: str | None = "F", age: int | None = 50, on: date = date(2026, 6, 1)
) -> Any:
    return reference_range_for(site=site, quantity_code="creatinine", sex=sex, age=age, on=on)


def test_a_sex_specific_range_beats_one_for_any_sex(site_a: Any, creatinine: Quantity) -> None:
    _range(site_a, creatinine, uln=Decimal("1.2"))
    women = _range(site_a, creatinine, sex="F", uln=Decimal("1.0"))
    men = _range(site_a, creatinine, sex="M", uln=Decimal("1.3"))
    assert _find(site_a, sex="F") == women
    assert _find(site_a, sex="M") == men


def test_an_unknown_sex_only_matches_a_range_for_any_sex(site_a: Any, creatinine: Quantity) -> None:
    _range(site_a, creatinine, sex="F", uln=Decimal("1.0"))
    assert _find(site_a, sex=None) is None
    anyone = _range(site_a, creatinine, uln=Decimal("1.2"))
    assert _find(site_a, sex=None) == anyone


def test_the_narrowest_age_band_that_contains_the_age_wins(
    site_a: Any, creatinine: Quantity
) -> None:
    adults = _range(site_a, creatinine, sex="F", age_min=18, uln=Decimal("1.0"))
    older = _range(site_a, creatinine, sex="F", age_min=65, age_max=120, uln=Decimal("1.1"))
    assert _find(site_a, age=64) == adults
    assert _find(site_a, age=65) == older
    assert _find(site_a, age=17) is None


def test_a_range_restricted_by_age_never_applies_when_age_is_unknown(
    site_a: Any, creatinine: Quantity
) -> None:
    _range(site_a, creatinine, sex="F", age_min=18, uln=Decimal("1.0"))
    assert _find(site_a, age=None) is None


def test_the_range_in_force_on_the_result_date_is_used(site_a: Any, creatinine: Quantity) -> None:
    old = _range(site_a, creatinine, uln=Decimal("1.1"), valid_to=date(2025, 12, 31))
    new = _range(site_a, creatinine, uln=Decimal("1.2"), valid_from=date(2026, 1, 1))
    assert _find(site_a, on=date(2025, 12, 31)) == old
    assert _find(site_a, on=date(2026, 1, 1)) == new
    assert _find(site_a, on=date(2019, 12, 31)) is None


def test_another_sites_ranges_are_never_used(
    site_a: Any, site_b: Any, creatinine: Quantity
) -> None:
    _range(site_b, creatinine, uln=Decimal("1.2"))
    assert _find(site_a) is None


def test_an_overlapping_range_is_refused_with_a_message(site_a: Any, creatinine: Quantity) -> None:
    _range(site_a, creatinine, uln=Decimal("1.1"))
    clash = ReferenceRange(
        site=site_a,
        quantity=creatinine,
        uln=Decimal("1.2"),
        unit="mg/dL",
        valid_from=date(2026, 1, 1),
    )
    with pytest.raises(ValidationError, match=r"overlaps .* close that one"):
        clash.full_clean()


def test_the_database_refuses_a_range_without_limits_or_with_lln_above_uln(
    site_a: Any, creatinine: Quantity
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        _range(site_a, creatinine)
    with pytest.raises(IntegrityError), transaction.atomic():
        _range(site_a, creatinine, lln=Decimal("2"), uln=Decimal("1"))
