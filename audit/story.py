"""Audit events told as sentences a coordinator or a monitor reads at a glance.

"12 Nov 2026 15:03 CET — Jane Doe (coordinator, Site A) changed ALT from
95 U/L to 59 U/L. Reason: transcription error"

Each action's sentence is declared once, in the registry (``audit/registry.py``);
labels and units come from the event's ``changes``, names from the text copied
when it was recorded, so the story reads the same after renames. The time is
the site's clock (select the event's ``site`` with it).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from audit import registry
from audit.models import AuditEvent, ReasonCode
from config.zones import format_date, format_moment
from vault.crypto import ERASED, EnvelopeOpener, is_envelope

HIDDEN = "(hidden: identity)"
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
_MEASURE = re.compile(r"^-?\d+(\.\d+)? \S+$")  # "90 µmol/L": a value with its unit
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_REASONS = dict(ReasonCode.choices)


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
    elif isinstance(value, str) and (_DECIMAL.match(value) or _MEASURE.match(value)):
        text = value
    elif isinstance(value, str) and _DATE.match(value):
        return format_date(dt.date.fromisoformat(value))
    elif isinstance(value, str) and _DATETIME.match(value):
        try:
            return format_moment(dt.datetime.fromisoformat(value), None)
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
    are stored in full, as any audited change must be, sealed with the candidate's
    data key and flagged ``"identity": true``; only the candidate's own site staff
    read them, and nobody once the identity is erased ("(erased)").
    """
    masked: dict[str, Any] = {}
    opener = EnvelopeOpener() if reveal_identity else None
    for field, change in event.changes.items():
        if isinstance(change, Mapping) and change.get("identity"):
            change = {
                **change,
                **{
                    side: _identity_value(change[side], field, side, opener)
                    for side in ("old", "new")
                    if change.get(side) is not None
                },
            }
        masked[field] = change
    return masked


def _identity_value(value: Any, field: str, side: str, opener: EnvelopeOpener | None) -> Any:
    """An identity value as this reader may see it: in clear, erased, or hidden.

    Identity values are stored sealed with the candidate's data key (``vault``);
    events recorded before they were sealed hold them as they were typed.
    """
    if opener is None:
        return HIDDEN
    if is_envelope(value):
        return opener.open(value, field=field, side=side)
    return value


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
    return value if value in (HIDDEN, ERASED) else format_value(value, unit)


def _field_values(changes: Mapping[str, Any]) -> list[str]:
    """The values given, for a creation: a field left blank is not worth a word."""
    parts = []
    for field, change in sorted(changes.items()):
        if isinstance(change, Mapping) and change.get("new") not in (None, "", []):
            label = change.get("label") or field
            parts.append(f"{label} {_shown(change.get('new'), change.get('unit', ''))}")
    return parts


def _joined(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _subject(event: AuditEvent) -> str:
    return event.object_repr or event.object_type or str(_("a record"))


class _Shown(dict[str, str]):
    """Field → value as shown; a field the event does not carry reads "blank"."""

    def __missing__(self, key: str) -> str:
        return str(_("blank"))


def _login_target(event: AuditEvent) -> str:
    # Unknown usernames are not stored: people type passwords into that field.
    if event.object_repr:
        return str(_("as %(user)s")) % {"user": event.object_repr}
    return str(_("with an unknown username"))


def _filters(changes: Mapping[str, Any]) -> str:
    chosen = (changes.get("filters") or {}).get("new") or {}
    if not isinstance(chosen, Mapping) or not chosen:
        return ""
    return " (" + ", ".join(f"{name} {value}" for name, value in sorted(chosen.items())) + ")"


def _context(event: AuditEvent, changes: Mapping[str, Any]) -> dict[str, Any]:
    fields = {name: c for name, c in changes.items() if isinstance(c, Mapping)}
    old, new = _Shown(), _Shown()
    for name, change in fields.items():
        unit = change.get("unit", "")
        old[name] = _shown(change.get("old"), unit)
        new[name] = _shown(change.get("new"), unit)
    removed = [
        f"{c.get('label') or name} {_shown(c.get('old'), c.get('unit', ''))}"
        for name, c in sorted(fields.items())
        if c.get("old") is not None
    ]
    return {
        "who": who(event),
        "object": _subject(event),
        "changes": _joined(_field_changes(fields)),
        "values": _joined(_field_values(fields)),
        "removed": _joined(removed),
        "old": old,
        "new": new,
        "login": _login_target(event),
        "filters": _filters(changes),
    }


def _generic(event: AuditEvent, changes: Mapping[str, Any]) -> str:
    """For events whose action is no longer declared: told from the verb."""
    context = _context(event, changes)
    verb = event.action.rsplit(".", 1)[-1]
    who_, subject = context["who"], context["object"]
    if verb == "changed" and context["changes"]:
        return f"{who_} changed {context['changes']} of {subject}"
    if verb == "created":
        values = f" with {context['values']}" if context["values"] else ""
        return f"{who_} created {subject}{values}"
    if verb == "deleted":
        return f"{who_} deleted {subject}"
    return f"{who_} recorded {event.action} on {subject}"


def told(event: AuditEvent, *, name_object: bool = False, reveal_identity: bool = True) -> str:
    """What happened, without the time and the reason: the declared sentence, filled.

    ``name_object`` names what the event is about when the sentence does not
    (lists mixing many records, such as the installation-wide trail).
    """
    changes = visible_changes(event, reveal_identity=reveal_identity)
    declared = registry.find(event.action)
    if declared is None:
        return _generic(event, changes)
    template = str(declared.sentence)
    if declared.quiet_sentence and not any(isinstance(c, Mapping) for c in changes.values()):
        template = str(declared.quiet_sentence)
    try:
        text = template.format_map(_context(event, changes))
    except (KeyError, IndexError, ValueError):
        return _generic(event, changes)
    if name_object and "{object}" not in template and event.object_repr:
        text = f"{text} ({event.object_repr})"
    return text[:1].upper() + text[1:]


def reason_text(event: AuditEvent) -> str:
    """``transcription error — typed 95 for 59``; the pick-list and the words."""
    code = "" if event.reason_code == ReasonCode.OTHER else event.reason_code
    label = str(_REASONS.get(code, code)).lower() if code else ""
    return " — ".join(part for part in (label, event.reason) if part)


def when(event: AuditEvent) -> str:
    """The moment on the clock of the event's site ("3 Dec 2026 10:14 CET"); UTC without one."""
    zone = event.site.zone if event.site_id is not None and event.site is not None else None
    return format_moment(event.occurred_at, zone)


def tell(event: AuditEvent, *, name_object: bool = False, reveal_identity: bool = True) -> str:
    """One event as one sentence a monitor can read aloud, with its time and reason.

    "3 Dec 2026 10:14 CET — Alice Coordinator (coordinator, Site A) changed
    Creatinine from 1.05 mg/dL to 0.95 mg/dL. Reason: transcription error"

    ``reveal_identity`` false hides identity values (see ``visible_changes``).
    """
    what = told(event, name_object=name_object, reveal_identity=reveal_identity)
    sentence = f"{when(event)} — {what}."
    reason = reason_text(event)
    return f"{sentence} {_('Reason:')} {reason}" if reason else sentence
