"""Rows that are written once and never changed: evaluations, decisions, signatures.

A correction is a new row with a reason, never an edit, so the model refuses to
save over an existing row or delete one, and its queryset refuses bulk updates
and deletes. (The audit trail has the same rule with its own chain logic;
these rows have no chain, so they share this smaller mechanism.)
"""

from __future__ import annotations

from typing import Any, NoReturn, TypeVar

from django.db import models


class ImmutableRowError(RuntimeError):
    """An attempt to change or delete a row that is immutable by design."""


_M = TypeVar("_M", bound=models.Model)


def _refuse(model: type[models.Model] | models.Model, what: str) -> NoReturn:
    name = model._meta.verbose_name_plural
    raise ImmutableRowError(
        f"{str(name).capitalize()} are immutable: {what} is refused. "
        "Record a new row through a screening service instead."
    )


class ImmutableQuerySet(models.QuerySet[_M]):
    def update(self, **kwargs: Any) -> NoReturn:
        _refuse(self.model, "updating")

    def delete(self) -> NoReturn:
        _refuse(self.model, "deleting")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(self.model, "updating")

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(self.model, "updating")


class ImmutableModel(models.Model):
    """Abstract base: inserted once, then read only."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse(self, "saving over an existing row")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(self, "deleting")
