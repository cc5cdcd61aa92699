"""Rows that are written once and never changed: audit events, evaluations,
decisions, signatures, their voids.

A correction is a new row with a reason, never an edit, so the model refuses to
save over an existing row or delete one, and its queryset refuses bulk updates,
deletes and update-or-create. One mechanism for every such row; a subclass names
its own error and hint (the audit trail's events are "append-only" and also
refuse bulk inserts, which would skip the chain). Database triggers refuse the
same below the ORM.
"""

from __future__ import annotations

from typing import Any, NoReturn, TypeVar

from django.db import models


class ImmutableRowError(RuntimeError):
    """An attempt to change or delete a row that is immutable by design."""

    adjective = "immutable"


_M = TypeVar("_M", bound=models.Model)


def refuse(model: type[models.Model] | models.Model, what: str) -> NoReturn:
    kind = model if isinstance(model, type) else type(model)
    error: type[ImmutableRowError] = getattr(kind, "immutable_error", ImmutableRowError)
    hint: str = getattr(kind, "immutable_hint", "Record a new row through a service instead.")
    name = str(kind._meta.verbose_name_plural).capitalize()
    raise error(f"{name} are {error.adjective}: {what} is refused. {hint}")


class ImmutableQuerySet(models.QuerySet[_M]):
    def update(self, **kwargs: Any) -> NoReturn:
        refuse(self.model, "updating")

    def delete(self) -> NoReturn:
        refuse(self.model, "deleting")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        refuse(self.model, "updating")

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        refuse(self.model, "updating")


class ImmutableModel(models.Model):
    """Abstract base: inserted once, then read only."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            refuse(self, "saving over an existing row")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        refuse(self, "deleting")
