"""Audit events told as sentences a coordinator or a monitor reads at a glance.

"12 Nov 2026 14:03 UTC — Jane Doe (coordinator, Site A) changed ALT from
95 U/L to 59 U/L. Reason: transcription error"

Pure functions of the stored event: labels and units come from the event's
``changes``, names from the text copied when it was recorded, so the story
reads the same after renames and never touches the database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from audit.models import AuditEvent, ReasonCode

HIDDEN = "(hidden: identity)"
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_REASONS = dict(ReasonCode.choices)


def format_moment(moment: dt.datetime) -> str:
    """``12 Nov 2026 14:03 UTC``."""
    moment = moment.astimezone(dt.UTC)
    return f"{moment.day} {moment:%b %Y %H:%M} UTC"


def format_value(value: Any, unit: str = "") -> str:
    """A stored (canonical) value as a person would write it."""
    if value is None or value == "":
        return "blank"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, Mapping):
        text = str(value.get("text", value))
    elif isinstance(value, list):
        return ", ".join(format_value(item) for item in value) or "none"
    elif isinstance(value, str) and _DECIMAL.match(value):
        text = value
    elif isinstance(value, str) and _DATE.match(value):
        day = dt.date.fromisoformat(value)
        return f"{day.day} {day:%b %Y}"
    elif isinstance(value, str) and _DATETIME.match(value):
        try:
            return format_moment(dt.datetime.fromisoformat(value))
        except ValueError:
            return f"“{value}”"
    else:
        return f"“{value}”"
    return f"{text} {unit}" if unit else text


def who(event: AuditEvent) -> str:
    """``Jane Doe (coordinator, Site A)``; Eligo itself when nobody acted."""
    name = event.actor_name or "Eligo"
    context = ", ".join(part for part in (event.actor_role, event.site_name) if part)
    return f"{name} ({context})" if context else name


def visible_changes(event: AuditEvent, *, reveal_identity: bool) -> dict[str, Any]:
    """The event's changes, identity values replaced for readers who may not see them.

    Changes to a candidate's identity (name, date of birth, contact details)
    are stored in full, as any audited change must be, and flagged
    ``"identity": true``; only the candidate's own site staff read them.
    """
    if reveal_identity:
        return dict(event.changes)
    masked: dict[str, Any] = {}
    for field, change in event.changes.items():
        if isinstance(change, Mapping) and change.get("identity"):
            change = {
                **change,
                **{side: HIDDEN for side in ("old", "new") if change.get(side) is not None},
            }
        masked[field] = change
    return masked


def _field_changes(changes: Mapping[str, Any]) -> list[str]:
    parts = []
    for field, change in sorted(changes.items()):
        if not isinstance(change, Mapping):
            continue
        label = change.get("label") or field
        unit = change.get("unit", "")
        old = _shown(change.get("old"), unit)
        new = _shown(change.get("new"), unit)
        parts.append(f"{label} from {old} to {new}")
    return parts


def _shown(value: Any, unit: str) -> str:
    return HIDDEN if value == HIDDEN else format_value(value, unit)


def _field_values(changes: Mapping[str, Any]) -> list[str]:
    parts = []
    for field, change in sorted(changes.items()):
        if isinstance(change, Mapping) and change.get("new") is not None:
            label = change.get("label") or field
            parts.append(f"{label} {_shown(change.get('new'), change.get('unit', ''))}")
    return parts


def _joined(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _subject(event: AuditEvent) -> str:
    return event.object_repr or event.object_type or "a record"


def _changed(event: AuditEvent, name_object: bool, changes: Mapping[str, Any]) -> str:
    fields = _joined(_field_changes(changes))
    if not fields:
        return f"{who(event)} changed {_subject(event)}"
    suffix = f" of {_subject(event)}" if name_object else ""
    return f"{who(event)} changed {fields}{suffix}"


def _created(event: AuditEvent, name_object: bool, changes: Mapping[str, Any]) -> str:
    values = _joined(_field_values(changes))
    text = f"{who(event)} created {_subject(event)}"
    return f"{text} with {values}" if values else text


def _deleted(event: AuditEvent, name_object: bool, changes: Mapping[str, Any]) -> str:
    return f"{who(event)} deleted {_subject(event)}"


def _login_target(event: AuditEvent) -> str:
    # Unknown usernames are not stored: people type passwords into that field.
    return f"as {event.object_repr}" if event.object_repr else "with an unknown username"


def _login_locked(event: AuditEvent, name_object: bool) -> str:
    until = event.changes.get("locked_until", {}).get("new")
    when = f" until {format_value(until)}" if until else ""
    return f"Eligo locked logins {_login_target(event)}{when} after repeated failed logins"


def _recorded(event: AuditEvent, name_object: bool) -> str:
    return f"{who(event)} recorded {event.action} on {_subject(event)}"


def _recorded_with_changes(event: AuditEvent, name_object: bool, changes: Mapping[str, Any]) -> str:
    return _recorded(event, name_object)


_VERBS: dict[str, Callable[[AuditEvent, bool, Mapping[str, Any]], str]] = {
    "changed": _changed,
    "created": _created,
    "deleted": _deleted,
}
_ACTIONS: dict[str, Callable[[AuditEvent, bool], str]] = {
    "accounts.login.succeeded": lambda event, _: f"{who(event)} logged in",
    "accounts.logout": lambda event, _: f"{who(event)} logged out",
    "accounts.password.changed": lambda event, _: f"{who(event)} changed their password",
    "accounts.login.failed": lambda event, _: f"A login {_login_target(event)} failed",
    "accounts.login.refused": lambda event, _: (
        f"A login {_login_target(event)} was refused while locked"
    ),
    "accounts.login.locked": _login_locked,
    "screening.log.exported": lambda event, _: _log_exported(event),
}


def _log_exported(event: AuditEvent) -> str:
    filters = event.changes.get("filters", {}).get("new") or {}
    chosen = ", ".join(f"{name} {value}" for name, value in sorted(filters.items()))
    return f"{who(event)} downloaded the screening log" + (f" ({chosen})" if chosen else "")


def reason_text(event: AuditEvent) -> str:
    """``transcription error — typed 95 for 59``; the pick-list and the words."""
    code = "" if event.reason_code == ReasonCode.OTHER else event.reason_code
    label = str(_REASONS.get(code, code)).lower() if code else ""
    return " — ".join(part for part in (label, event.reason) if part)


def tell(event: AuditEvent, *, name_object: bool = False, reveal_identity: bool = True) -> str:
    """One event as one sentence; ``name_object`` adds what was changed (global lists).

    ``reveal_identity`` false hides identity values (see ``visible_changes``).
    """
    verb = event.action.rsplit(".", 1)[-1]
    action = _ACTIONS.get(event.action)
    if action is not None:
        told = action(event, name_object)
    else:
        changes = visible_changes(event, reveal_identity=reveal_identity)
        told = _VERBS.get(verb, _recorded_with_changes)(event, name_object, changes)
    sentence = f"{format_moment(event.occurred_at)} — {told}."
    reason = reason_text(event)
    return f"{sentence} Reason: {reason}" if reason else sentence
