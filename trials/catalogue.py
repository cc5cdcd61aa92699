"""The catalogue in the database, and the engine ``Catalogue`` built from it.

The engine ships its built-in catalogue as data. ``sync_builtin_catalogue``
copies entries the database does not have yet (it never overwrites what a data
manager has edited); ``current_catalogue`` builds the engine's catalogue from
the tables, taking questions, event types and routes — which protocol
definitions extend themselves — from the built-in data.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import uuid
from decimal import Decimal
from importlib import resources
from typing import Any

import yaml
from django.db import IntegrityError, transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone

from audit.services import audit_record
from config.builtcache import BuiltCache
from eligibility import Catalogue, plain_number
from trials.models import CatalogueRevision, Drug, DrugClass, Quantity

QUANTITY_COLUMNS = (
    "code",
    "label",
    "kind",
    "section",
    "unit",
    "units",
    "precision",
    "analyte",
    "validity_days",
)


def builtin_catalogue_data() -> dict[str, Any]:
    """The engine's built-in catalogue as plain data (a copy the caller may change)."""
    return copy.deepcopy(_builtin_catalogue())


@functools.cache
def _builtin_catalogue() -> dict[str, Any]:
    # The file ships with the code: read and parsed once per process.
    text = resources.files("eligibility").joinpath("data/catalogue.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def _limit(entry: dict[str, Any], which: str, side: str) -> Decimal | None:
    value = (entry.get(which) or {}).get(side)
    return None if value is None else Decimal(str(value))


def _quantity_row(entry: dict[str, Any]) -> dict[str, Any]:
    columns = {key: entry[key] for key in QUANTITY_COLUMNS if entry.get(key) is not None}
    columns["analyte"] = columns.get("analyte") or ""
    columns["unit"] = columns.get("unit") or ""
    extra = {k: v for k, v in entry.items() if k not in {*QUANTITY_COLUMNS, "hard", "soft"}}
    return {
        **columns,
        "hard_low": _limit(entry, "hard", "low"),
        "hard_high": _limit(entry, "hard", "high"),
        "soft_low": _limit(entry, "soft", "low"),
        "soft_high": _limit(entry, "soft", "high"),
        "extra": extra,
    }


@transaction.atomic
@transaction.atomic
def sync_builtin_catalogue(*, user: Any = None) -> int:
    """Add built-in entries missing from the database; return how many were added.

    The rows are inserted together, counted as one catalogue change and recorded
    as one audit event listing the codes added (``user`` is ``None`` when Eligo
    does it on its own, on a fresh installation)."""
    data = builtin_catalogue_data()
    have = set(Quantity.objects.values_list("code", flat=True))
    quantities = [
        Quantity(**_quantity_row(entry))
        for entry in data.get("quantities", [])
        if entry["code"] not in have
    ]
    have = set(DrugClass.objects.values_list("code", flat=True))
    classes = [
        DrugClass(
            code=entry["code"],
            label=entry["label"],
            atc=entry.get("atc", []),
            includes=entry.get("includes", []),
            note=entry.get("note", ""),
        )
        for entry in data.get("drug_classes", [])
        if entry["code"] not in have
    ]
    have = set(Drug.objects.values_list("code", flat=True))
    drugs = [
        Drug(
            code=entry["code"],
            label=entry["label"],
            atc=entry.get("atc") or "",
            classes=entry.get("classes", []),
            routes=entry.get("routes", []),
            prednisolone_equivalent_mg=_decimal(entry.get("prednisolone_equivalent_mg")),
        )
        for entry in data.get("drugs", [])
        if entry["code"] not in have
    ]
    Quantity.objects.bulk_create(quantities)
    DrugClass.objects.bulk_create(classes)
    Drug.objects.bulk_create(drugs)
    added = len(quantities) + len(classes) + len(drugs)
    if added:
        audit_record(
            actor=user,
            action="trials.catalogue.synced",
            changes={
                name: {"old": None, "new": sorted(row.code for row in rows), "label": label}
                for name, label, rows in (
                    ("quantities", "Quantities", quantities),
                    ("drug_classes", "Drug classes", classes),
                    ("drugs", "Drugs", drugs),
                )
                if rows
            },
            reason="Built-in catalogue entries missing from the database",
        )
        catalogue_changed()
    return added


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _limits(low: Decimal | None, high: Decimal | None) -> dict[str, str] | None:
    if low is None and high is None:
        return None
    return {
        k: v for k, v in (("low", plain_number(low)), ("high", plain_number(high))) if v is not None
    }


def quantity_entry(quantity: Quantity) -> dict[str, Any]:
    entry: dict[str, Any] = {
        **quantity.extra,
        "code": quantity.code,
        "label": quantity.label,
        "kind": quantity.kind,
        "section": quantity.section,
        "precision": quantity.precision,
    }
    if quantity.unit:
        entry["unit"] = quantity.unit
    if quantity.units:
        entry["units"] = list(quantity.units)
    if quantity.analyte:
        entry["analyte"] = quantity.analyte
    if quantity.validity_days is not None:
        entry["validity_days"] = quantity.validity_days
    for name, low, high in (
        ("hard", quantity.hard_low, quantity.hard_high),
        ("soft", quantity.soft_low, quantity.soft_high),
    ):
        limits = _limits(low, high)
        if limits:
            entry[name] = limits
    return entry


def catalogue_data() -> dict[str, Any]:
    """The catalogue as plain data: database rows where there are any."""
    data = builtin_catalogue_data()
    quantities = [quantity_entry(q) for q in Quantity.objects.order_by("pk")]
    if quantities:
        data["quantities"] = quantities
    classes = [
        {"code": c.code, "label": c.label, "atc": list(c.atc), "includes": list(c.includes)}
        | ({"note": c.note} if c.note else {})
        for c in DrugClass.objects.order_by("pk")
    ]
    if classes:
        data["drug_classes"] = classes
    drugs = []
    for d in Drug.objects.order_by("pk"):
        entry: dict[str, Any] = {
            "code": d.code,
            "label": d.label,
            "classes": list(d.classes),
            "routes": list(d.routes),
        }
        if d.atc:
            entry["atc"] = d.atc
        if d.prednisolone_equivalent_mg is not None:
            entry["prednisolone_equivalent_mg"] = plain_number(d.prednisolone_equivalent_mg)
        drugs.append(entry)
    if drugs:
        data["drugs"] = drugs
    return data


_BUILT: BuiltCache[str, Catalogue] = BuiltCache(maxsize=4)


def current_catalogue() -> Catalogue:
    """The engine catalogue as configured in this installation.

    Reading the rows is cheap; checking them into a ``Catalogue`` is not (every unit,
    calculator and class is validated). Built catalogues are kept by a hash of their
    content, so the same rows are checked once per process and a changed row can
    never be served from the cache.
    """
    return keyed_catalogue()[1]


def keyed_catalogue() -> tuple[str, Catalogue]:
    """The current catalogue with the hash of its content: what a cache of anything
    built from it keys on, whatever transaction or process made the rows."""
    data = catalogue_data()
    key = hashlib.sha256(
        json.dumps(data, sort_keys=True, default=str, ensure_ascii=False).encode()
    ).hexdigest()
    return key, _BUILT.get_or_build(key, lambda: Catalogue.from_dict(data))


def catalogue_revision() -> int:
    """How many times the catalogue has changed (0: never)."""
    number = CatalogueRevision.objects.filter(pk=1).values_list("number", flat=True).first()
    return number or 0


def catalogue_stamp() -> str:
    """What a cache of anything built from the catalogue keys on: the revision number
    and the random token of the change that made it ("0:" before any change). A change
    rolled back and another committed later may share a number, never a token."""
    row = CatalogueRevision.objects.filter(pk=1).values_list("number", "token").first()
    return f"{row[0]}:{row[1]}" if row else "0:"


def catalogue_changed() -> None:
    """Count one change to the catalogue, inside the writer's transaction (so a change
    rolled back is not counted), and tell the receivers of ``catalogue_was_changed``."""
    now = timezone.now()
    token = uuid.uuid4().hex
    bump = {"number": F("number") + 1, "changed_at": now, "token": token}
    if not CatalogueRevision.objects.filter(pk=1).update(**bump):
        try:
            with transaction.atomic():
                CatalogueRevision.objects.create(pk=1, number=1, changed_at=now, token=token)
        except IntegrityError:  # another writer created it first
            CatalogueRevision.objects.filter(pk=1).update(**bump)
    catalogue_was_changed.send(sender=CatalogueRevision)


catalogue_was_changed = Signal()
"""Sent once per catalogue change (a saved or deleted quantity, drug class or drug, or a
sync of the built-in entries), inside the writer's transaction."""
