"""Writing the audit trail: the one way an event is added.

Every write of screening and configuration data calls ``audit_record`` inside
its own transaction, so the event commits or rolls back with the change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone, translation

from audit import registry
from audit.canonical import canonical_value, compute_hash
from audit.keys import audit_keys
from audit.middleware import client_address, request_id_of
from audit.models import AuditChainHead, AuditEvent, ReasonCode
from audit.scope import record_key, scope_of
from vault.crypto import is_envelope

if TYPE_CHECKING:
    from accounts.models import User

# The trail knows no site model: a site is anything with a ``pk`` and a ``name``.
Site = Any
ChangeSet = dict[str, dict[str, Any]]


def english(text: Any) -> str:
    """``text`` (a label, maybe lazy) in Eligo's default language, for a value the trail
    records: stored words do not depend on the language of the person acting
    (docs/languages.md)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    site: Site | None = None,
    changes: Mapping[str, Mapping[str, Any]] | None = None,
    reason: str = "",
    reason_code: str = "",
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one event to the chain and return it.

    Must run inside the transaction that makes the change (``transaction.atomic``):
    opening a transaction here instead would commit the event apart from a
    change already committed, or leave an event for a change rolled back. The
    chain head stays locked until that transaction ends, so keep it short.

    ``actor`` is ``None`` for Eligo's own events (scheduled tasks, failed
    logins whose author is unknown). ``action`` must be declared in the
    registry (``audit/registry.py``); an action declared as needing a reason
    refuses field changes without one. ``site`` defaults to the site the
    object declares (``audit_scope``), and the event is filed under the record
    whose story it belongs to.
    """
    # Labels handed over lazily and the names of records are written in Eligo's default
    # language, whatever the language of the person acting: the trail reads the same for
    # everyone (docs/languages.md).
    with translation.override(settings.LANGUAGE_CODE):
        return _audit_record(
            actor=actor,
            action=action,
            obj=obj,
            site=site,
            changes=changes,
            reason=reason,
            reason_code=reason_code,
            request=request,
        )


def _audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    site: Site | None = None,
    changes: Mapping[str, Mapping[str, Any]] | None = None,
    reason: str = "",
    reason_code: str = "",
    request: HttpRequest | None = None,
) -> AuditEvent:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "audit_record must be called inside the transaction of the change it records "
            "(wrap the change and the call in transaction.atomic())."
        )
    declared = registry.get(action)
    if declared.model and obj is not None and obj._meta.label_lower != declared.model:
        raise ValueError(
            f"Audit action {action!r} is about {declared.model}, not {obj._meta.label_lower}."
        )
    if reason_code and reason_code not in ReasonCode.values:
        raise ValueError(f"Unknown reason code {reason_code!r}.")
    changes = canonical_value(_mark_identity(declared, changes or {}))
    if declared.requires_reason:
        require_reason(changes, reason, reason_code=reason_code)
    scope = scope_of(obj)
    if site is None:
        site = scope.site
    record = scope.record if scope.record is not None else obj
    # A site deleted in this very change is named on its event, not linked to it:
    # the link would point at a row that no longer exists when the change commits.
    linked_site = site
    if site is not None and site is obj and not type(site).objects.filter(pk=site.pk).exists():
        linked_site = None

    event = AuditEvent(
        actor=actor,
        actor_name=actor.get_full_name() if actor is not None else "",
        actor_role=actor_role_label(actor, site),
        site=linked_site,
        site_name=site.name if site is not None else "",
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        record=record_key(record),
        action=action,
        changes=changes,
        reason=reason.strip(),
        reason_code=reason_code,
        request_id=request_id_of(request) if request is not None else "",
        client_address=client_address(request) if request is not None else "",
    )
    head = _locked_chain_head()
    event.sequence = head.last_sequence + 1
    # Taken under the lock, so time never runs backwards along the chain, and
    # set before hashing, because the hash covers it.
    event.occurred_at = timezone.now()
    event.prev_hash = head.last_hash
    # Signed with the current key, kept outside the database: whoever can write
    # to the database but has not got the key cannot forge or rewrite events.
    event.key_id = audit_keys().current.id
    event.hash = compute_hash(event)
    event.save()
    head.last_sequence = event.sequence
    head.last_hash = event.hash
    head.save(update_fields=["last_sequence", "last_hash"])
    return event


def _mark_identity(
    declared: registry.AuditAction, changes: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """Flag the changes the action declares as a candidate's identity.

    Their values must come sealed (``vault.crypto.sealed_envelope``): the trail is
    append-only, so a value written in clear could never be erased.
    """
    marked: dict[str, Any] = {}
    for name, change in changes.items():
        if not declared.is_identity(name):
            marked[name] = dict(change)
            continue
        for side in ("old", "new"):
            value = change.get(side)
            if value is not None and not is_envelope(value):
                raise ValueError(
                    f"Audit action {declared.code!r}: identity value {name}.{side} must be "
                    "sealed with the candidate's data key, never recorded in clear."
                )
        marked[name] = {**change, "identity": True}
    return marked


def _locked_chain_head() -> AuditChainHead:
    """Lock the chain head, creating it from the chain if it is missing.

    The head is derived data: a fresh database (or one a test runner has
    flushed) has none, and the last event says where the chain stands.
    """
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    last = AuditEvent.objects.order_by("-sequence").first()
    defaults = {"last_sequence": last.sequence, "last_hash": last.hash} if last else {}
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1, defaults=defaults)
    return head


def actor_role_label(actor: User | None, site: Site | None) -> str:
    """The role the actor acted in, in lower-case words, as the story prints it.

    The actor says it (``role_label_at``): the trail knows nothing of roles."""
    if actor is None:
        return ""
    return str(actor.role_label_at(site))


def diff_fields(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    labels: Mapping[str, str] | None = None,
    *,
    units: Mapping[str, str] | None = None,
) -> ChangeSet:
    """Field-level ``{"field": {"old", "new", "label"[, "unit"]}}`` for what differs.

    Values are compared in canonical form, so ``Decimal("95.0")`` and
    ``Decimal("95")`` differ (the precision entered is part of the record)
    while two equal dates do not. A field missing on one side is ``None``
    there: ``before={}`` describes a creation.
    """
    labels = labels or {}
    units = units or {}
    changes: ChangeSet = {}
    for field in sorted(set(before) | set(after)):
        old = canonical_value(before.get(field))
        new = canonical_value(after.get(field))
        if old == new:
            continue
        entry: dict[str, Any] = {"old": old, "new": new, "label": labels.get(field, field)}
        if field in units:
            entry["unit"] = units[field]
        changes[field] = entry
    return changes


def require_reason(
    changes: Mapping[str, Any] | None, reason: str, *, reason_code: str = ""
) -> None:
    """Refuse a change to data already saved that comes without a reason.

    A pick-list reason is enough on its own, except "other", which needs words.
    """
    if not changes:
        return
    if reason.strip():
        return
    if reason_code and reason_code != ReasonCode.OTHER:
        return
    message = (
        "Describe the reason for this change."
        if reason_code == ReasonCode.OTHER
        else "Give a reason for changing data that was already saved."
    )
    raise ValidationError({"reason": message}, code="reason_required")


# --- Configuration records ---------------------------------------------------------
# Bookkeeping Django writes on its own: a login is audited as a login, not as a
# change of the user; a password hash is never audited (setting one is).
UNAUDITED_FIELDS = frozenset({"password", "last_login", "date_joined"})


def _shown(obj: models.Model, field: Any) -> Any:
    """A field's value in its display form: a choice's label, a related record's name."""
    if field.many_to_many:
        return sorted(str(related) for related in getattr(obj, field.name).all())
    if field.is_relation:
        related = getattr(obj, field.name, None)
        return None if related is None else str(related)
    if field.choices:
        value = getattr(obj, field.attname)
        return None if value in (None, "") else str(dict(field.flatchoices).get(value, value))
    return getattr(obj, field.attname)


def snapshot(obj: models.Model, *, fields: Any = None) -> dict[str, Any]:
    """The audited fields of ``obj`` as a person reads them (``fields`` narrows them)."""
    if obj.pk is None:
        return {}
    concrete = [*obj._meta.concrete_fields, *obj._meta.many_to_many]
    return {
        f.name: _shown(obj, f)
        for f in concrete
        if f.name not in UNAUDITED_FIELDS
        and not f.primary_key
        and (fields is None or f.name in fields)
    }


def field_labels(obj: models.Model) -> dict[str, str]:
    return {
        f.name: str(getattr(f, "verbose_name", f.name)).capitalize() for f in obj._meta.get_fields()
    }


def configuration_record(
    *,
    actor: User | None,
    obj: models.Model,
    verb: str,
    before: dict[str, Any],
    after: dict[str, Any] | None = None,
    reason: str = "",
    reason_code: str = "",
    request: HttpRequest | None = None,
) -> AuditEvent | None:
    """A configuration record created, changed or deleted (``app.model.<verb>``):
    only real changes, in the fields' display form; ``None`` when nothing changed."""
    if after is None:
        after = {} if verb == "deleted" else snapshot(obj)
    changes = diff_fields(before, after, field_labels(obj))
    if verb == "changed" and not changes:
        return None
    return audit_record(
        actor=actor,
        action=f"{obj._meta.label_lower}.{verb}",
        obj=obj,
        changes=changes,
        reason=reason or ("Entered in configuration" if verb != "changed" else ""),
        reason_code=reason_code,
        request=request,
    )
