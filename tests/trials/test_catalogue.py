"""The catalogue in the database round-trips to the engine's catalogue."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from eligibility import default_catalogue
from trials.catalogue import current_catalogue, sync_builtin_catalogue
from trials.models import Drug, DrugClass, Quantity

pytestmark = pytest.mark.django_db


def test_an_empty_database_uses_the_builtin_catalogue() -> None:
    assert current_catalogue() == default_catalogue()


def test_syncing_copies_every_builtin_entry_and_round_trips_exactly() -> None:
    added = sync_builtin_catalogue()
    builtin = default_catalogue()
    assert added == len(builtin.quantities) + len(builtin.drug_classes) + len(builtin.drugs)
    assert Quantity.objects.count() == len(builtin.quantities)
    assert current_catalogue() == builtin


def test_syncing_again_adds_nothing_and_keeps_edits() -> None:
    sync_builtin_catalogue()
    Quantity.objects.filter(code="alt").update(soft_high=Decimal("2500"), label="ALT (SGPT)")
    assert sync_builtin_catalogue() == 0
    alt = current_catalogue().quantities["alt"]
    assert alt.label == "ALT (SGPT)"
    assert alt.soft.high == Decimal("2500")


def test_a_drug_added_by_a_data_manager_reaches_the_engine() -> None:
    sync_builtin_catalogue()
    Drug.objects.create(
        code="minodronic_acid",
        label="minodronic acid",
        atc="M05BA11",
        classes=["bisphosphonate"],
        routes=["oral"],
    )
    catalogue = current_catalogue()
    assert "minodronic_acid" in {d.code for d in catalogue.drugs_in("bisphosphonate")}


def test_a_broken_catalogue_entry_is_reported_with_its_path() -> None:
    from eligibility import CatalogueError

    sync_builtin_catalogue()
    DrugClass.objects.create(code="broken_class", label="Broken", includes=["no_such_class"])
    with pytest.raises(CatalogueError, match="no_such_class"):
        current_catalogue()


def test_derived_quantities_keep_their_calculator(db: Any) -> None:
    sync_builtin_catalogue()
    bmi = Quantity.objects.get(code="bmi")
    assert bmi.kind == "derived"
    assert bmi.extra["calculator"] == "bmi"
    assert current_catalogue().quantities["bmi"].inputs == {"weight": "weight", "height": "height"}
