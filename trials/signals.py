"""Every change to the catalogue counts a new catalogue revision (``trials.catalogue``)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from trials.catalogue import catalogue_changed
from trials.models import Drug, DrugClass, Quantity


def _changed(sender: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # loading fixtures
        return
    catalogue_changed()


def connect() -> None:
    for model in (Quantity, DrugClass, Drug):
        post_save.connect(_changed, sender=model, dispatch_uid=f"catalogue-{model.__name__}-save")
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"catalogue-{model.__name__}-delete"
        )
