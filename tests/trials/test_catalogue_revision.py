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
