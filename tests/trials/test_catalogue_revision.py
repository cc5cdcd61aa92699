"""The catalogue revision counts committed changes to quantities, drug classes and drugs."""

from __future__ import annotations

import pytest
from django.db import transaction

from trials.catalogue import catalogue_changed, catalogue_revision
from trials.models import CatalogueRevision, Drug, DrugClass, Quantity

pytestmark = pytest.mark.django_db


def test_the_first_change_creates_the_counter() -> None:
    CatalogueRevision.objects.all().delete()
    assert catalogue_revision() == 0
    catalogue_changed()
    catalogue_changed()
    assert catalogue_revision() == 2


def test_saves_and_deletes_of_each_catalogue_table_count() -> None:
    start = catalogue_revision()
    quantity = Quantity.objects.create(code="sample_q", label="Sample", kind="measurement")
    drug_class = DrugClass.objects.create(code="sample_class", label="Sample class")
    drug = Drug.objects.create(code="sample_drug", label="Sample drug", classes=["sample_class"])
    for row in (drug, drug_class, quantity):
        row.delete()
    assert catalogue_revision() == start + 6


def test_a_change_rolled_back_is_not_counted() -> None:
    start = catalogue_revision()

    def failing_save() -> None:
        with transaction.atomic():
            Quantity.objects.create(code="sample_q", label="Sample", kind="measurement")
            raise RuntimeError("the save failed")

    with pytest.raises(RuntimeError):
        failing_save()
    assert catalogue_revision() == start
    assert not Quantity.objects.filter(code="sample_q").exists()


def test_a_number_reused_after_a_rollback_never_gives_the_same_stamp() -> None:
    """A cache filled inside a transaction that then rolled back must not be reused
    after another change commits the same revision number."""
    from trials.catalogue import catalogue_stamp

    inside: list[str] = []

    def change_then_fail() -> None:
        with transaction.atomic():
            catalogue_changed()
            inside.append(catalogue_stamp())
            raise RuntimeError("the save failed")

    with pytest.raises(RuntimeError):
        change_then_fail()
    catalogue_changed()
    after = catalogue_stamp()
    assert after.split(":")[0] == inside[0].split(":")[0]
    assert after != inside[0]
