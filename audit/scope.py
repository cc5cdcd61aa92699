"""What an audited record says about itself: its site, its trial, its story.

Audited models implement ``audit_scope()``; the trail then files each event
under the record's site (who may read it) and under the record whose story it
belongs to (a value entered in a screening belongs to that screening's story),
without the audit app knowing anything of the models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from django.db import models


@dataclass(frozen=True)
class AuditScope:
    """``site``: the Site the record belongs to (``None``: no site). ``trial_id``:
    its trial, if any. ``record``: the record whose story tells it (itself when
    ``None``)."""

    site: Any = None
    trial_id: int | None = None
    record: models.Model | None = None


@runtime_checkable
class Audited(Protocol):
    def audit_scope(self) -> AuditScope: ...


def scope_of(obj: models.Model | None) -> AuditScope:
    """The record's own scope; a record that declares none has no site or trial."""
    if isinstance(obj, Audited):
        return obj.audit_scope()
    return AuditScope()


def record_key(obj: models.Model | None) -> str | None:
    """``app_label.model:pk`` of the record a story is told of."""
    if obj is None or obj.pk is None:
        return None
    return f"{obj._meta.label_lower}:{obj.pk}"
