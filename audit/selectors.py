"""Reading the audit trail: which events, filtered how."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q

from audit.models import AuditEvent
from trials.models import Site


@dataclass(frozen=True)
class AuditedObject:
    """An object whose history is asked for; it may no longer exist."""

    object_type: str
    object_id: str
    instance: models.Model | None
    site: Site | None
    label: str
    trial_id: int | None = None

    @property
    def app_label(self) -> str:
        return self.object_type.split(".", 1)[0]


def find_audited_object(object_type: str, object_id: str) -> AuditedObject | None:
    """Resolve ``app_label.model`` and an id; ``None`` when nothing is known of it.

    A deleted object keeps its history: its site and name then come from the
    latest event about it.
    """
    app_label, _, model_name = object_type.partition(".")
    try:
        model = apps.get_model(app_label, model_name)
    except (LookupError, ValueError):
        return None
    object_type = model._meta.label_lower
    try:
        instance = model._default_manager.filter(pk=object_id).first()
    except (ValueError, TypeError, models.ObjectDoesNotExist):
        instance = None
    latest = events_about(object_type, object_id).order_by("-sequence").first()
    if instance is None and latest is None:
        return None
    # An object that names no site itself (say, a screening, whose site is its
    # candidate's) belongs to the site its events were recorded at.
    recorded_site = latest.site if latest is not None else None
    if instance is not None:
        site, label = site_of(instance) or recorded_site, str(instance)
    else:
        site, label = recorded_site, latest.object_repr if latest is not None else ""
    return AuditedObject(
        object_type, object_id, instance, site, label, trial_of(instance) if instance else None
    )


# Paths from screening data to its trial, nearest first.
_TRIAL_PATHS = (
    "trial_id",
    "candidate.trial_id",
    "screening.candidate.trial_id",
    "decision.screening.candidate.trial_id",
    "signature.decision.screening.candidate.trial_id",
)


def trial_of(instance: models.Model) -> int | None:
    """The trial an object's data belongs to, when it belongs to one."""
    for path in _TRIAL_PATHS:
        value: Any = instance
        for part in path.split("."):
            value = getattr(value, part, None)
            if value is None:
                break
        if isinstance(value, int):
            return value
    return None


def site_of(instance: models.Model) -> Site | None:
    """The site an object belongs to: itself, its ``site``, or none."""
    if isinstance(instance, Site):
        return instance
    site = getattr(instance, "site", None)
    return site if isinstance(site, Site) else None


def events_about(object_type: str, object_id: str) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=object_type, object_id=object_id)


def filter_events(
    events: models.QuerySet[AuditEvent], filters: dict[str, Any]
) -> models.QuerySet[AuditEvent]:
    """Apply the filter form's cleaned data: action, person, UTC date range, order."""
    action = filters.get("action")
    if action:
        # "accounts.login" matches accounts.login.failed and the rest of its family.
        events = events.filter(Q(action=action) | Q(action__startswith=f"{action}."))
    person = filters.get("person")
    if person == "system":
        events = events.filter(actor__isnull=True)
    elif person:
        events = events.filter(actor_id=person)
    date_from: dt.date | None = filters.get("date_from")
    if date_from:
        events = events.filter(occurred_at__gte=_utc_midnight(date_from))
    date_to: dt.date | None = filters.get("date_to")
    if date_to:
        events = events.filter(occurred_at__lt=_utc_midnight(date_to + dt.timedelta(days=1)))
    order = "sequence" if filters.get("order") == "oldest" else "-sequence"
    return events.order_by(order)


def _utc_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def action_choices(events: models.QuerySet[AuditEvent]) -> list[str]:
    return list(events.order_by("action").values_list("action", flat=True).distinct())


def person_choices(events: models.QuerySet[AuditEvent]) -> list[tuple[str, str]]:
    """The people who appear in these events, by the name they had at the time."""
    people: dict[str, str] = {}
    rows = events.order_by().values_list("actor_id", "actor_name").distinct()
    for actor_id, actor_name in rows:
        key = "system" if actor_id is None else str(actor_id)
        people.setdefault(key, actor_name or "Eligo (no person)")
    return sorted(people.items(), key=lambda item: item[1].lower())
