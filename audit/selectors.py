"""Reading the audit trail: which events, filtered how."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q

from audit import registry
from audit.models import AuditEvent
from audit.scope import record_key, scope_of

# The longest type and id the trail can record: anything longer names nothing in it.
_OBJECT_TYPE_LENGTH = AuditEvent._meta.get_field("object_type").max_length or 0
_OBJECT_ID_LENGTH = AuditEvent._meta.get_field("object_id").max_length or 0


@dataclass(frozen=True)
class AuditedObject:
    """An object whose history is asked for; it may no longer exist."""

    object_type: str
    object_id: str
    instance: models.Model | None
    site: Any
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
    if not _could_be_recorded(object_type, object_id):
        return None
    app_label, _, model_name = object_type.partition(".")
    try:
        model = apps.get_model(app_label, model_name)
    except (LookupError, ValueError):
        return None
    if model._meta.swapped:
        return None  # replaced by another model (auth.user): it has no table to ask
    object_type = model._meta.label_lower
    try:
        instance = model._default_manager.filter(pk=object_id).first()
    except (ValueError, TypeError, models.ObjectDoesNotExist):
        instance = None
    latest = events_about(object_type, object_id).order_by("-sequence").first()
    if instance is None and latest is None:
        return None
    # An object that names no site itself belongs to the site its events were
    # recorded at (a deleted object's site comes from its latest event too).
    recorded_site = latest.site if latest is not None else None
    if instance is not None:
        scope = scope_of(instance)
        site, label, trial_id = scope.site or recorded_site, str(instance), scope.trial_id
    else:
        site, trial_id = recorded_site, None
        label = latest.object_repr if latest is not None else ""
    return AuditedObject(object_type, object_id, instance, site, label, trial_id)


def _could_be_recorded(object_type: str, object_id: str) -> bool:
    """Whether the trail could name this object at all: ids and types fit its columns,
    and no NUL (which PostgreSQL cannot even compare)."""
    fits = len(object_type) <= _OBJECT_TYPE_LENGTH and len(object_id) <= _OBJECT_ID_LENGTH
    return fits and "\x00" not in object_type + object_id


def events_about(object_type: str, object_id: str) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=object_type, object_id=object_id)


def story_events(*records: models.Model) -> models.QuerySet[AuditEvent]:
    """Every event filed under these records' stories, and every event about them.

    The second half finds events recorded before events were filed under a story.
    """
    clause = Q(pk__in=[])
    for record in records:
        clause |= Q(record=record_key(record))
        clause |= Q(object_type=record._meta.label_lower, object_id=str(record.pk))
    return AuditEvent.objects.filter(clause)


def filter_events(
    events: models.QuerySet[AuditEvent], filters: dict[str, Any]
) -> models.QuerySet[AuditEvent]:
    """Apply the filter form's cleaned data: kind, action, person, UTC date range, order."""
    kind = filters.get("kind")
    if kind:
        events = events.filter(
            action__in=[a.code for a in registry.all_actions() if a.kind == kind]
        )
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
    if date_to and date_to < dt.date.max:  # up to the last day there is: no upper bound
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
