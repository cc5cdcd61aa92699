"""The audit action registry: every kind of event Eligo records, declared once.

Each app declares its actions in its own ``audit_actions.py`` (imported when
the app is ready): the dotted code stored on the event, the model the event is
about, the sentence that tells it, the kind a reader filters by, which of its
fields carry a candidate's identity, and whether it needs a reason.
``audit.services.audit_record`` refuses a code that is not declared here, so a
new write path cannot slip into the trail under a name nobody can read.

Sentences are ``str.format`` templates over the event, with:

``{who}``      the actor, with role and site ("Alice Coordinator (coordinator, Site A)")
``{object}``   what the event is about, as it was named when recorded
``{changes}``  "ALT from 95 U/L to 59 U/L and AST from 40 U/L to 38 U/L"
``{values}``   "ALT 95 U/L and AST 40 U/L" (the new values, for creations)
``{removed}``  the old values, for removals
``{old[f]}``   one field's old value as shown, ``{new[f]}`` its new value
``{login}``    "as jdoe" or "with an unknown username" (login events)
``{filters}``  " (site A01, status eligible)": the filters of an export, if any
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a reader filters a story by."""

    ENTRY = "entry", _("Data entered")
    CORRECTION = "correction", _("Corrections")
    EVALUATION = "evaluation", _("Evaluations")
    DECISION = "decision", _("Decisions and signatures")
    ENROLMENT = "enrolment", _("Enrolment")
    REVIEW = "review", _("Queries and source verification")
    IDENTITY = "identity", _("Candidate and identity")
    EXPORT = "export", _("Exports and downloads")
    ACCESS = "access", _("Logins and passwords")
    CONFIGURATION = "configuration", _("Configuration")
    SYSTEM = "system", _("Eligo's own checks")


@dataclass(frozen=True)
class AuditAction:
    """One declared kind of audit event."""

    code: str
    sentence: str | Promise
    kind: Kind
    model: str = ""
    # Told instead of ``sentence`` when the event records no field changes.
    quiet_sentence: str | Promise = ""
    identity_fields: frozenset[str] = field(default_factory=frozenset)
    identity_all: bool = False
    requires_reason: bool = False

    def is_identity(self, field_name: str) -> bool:
        return self.identity_all or field_name in self.identity_fields


class UnregisteredAction(LookupError):
    """An event was about to be recorded under a code nobody declared."""


_REGISTRY: dict[str, AuditAction] = {}


def register(*actions: AuditAction) -> None:
    """Declare actions; declaring the same code twice differently is a mistake."""
    for action in actions:
        if not action.code or action.code.strip(".") != action.code or " " in action.code:
            raise ValueError(
                f"An audit action is dotted words such as 'trials.site.changed', "
                f"not {action.code!r}."
            )
        known = _REGISTRY.get(action.code)
        if known is not None and known != action:
            raise ValueError(f"Audit action {action.code!r} is declared twice, differently.")
        _REGISTRY[action.code] = action


def get(code: str) -> AuditAction:
    """The declared action, or :class:`UnregisteredAction`."""
    try:
        return _REGISTRY[code]
    except KeyError:
        raise UnregisteredAction(
            f"Audit action {code!r} is not declared: add it to the app's audit_actions.py."
        ) from None


def find(code: str) -> AuditAction | None:
    """The declared action, or ``None`` (an event recorded before its code was renamed)."""
    return _REGISTRY.get(code)


def all_actions() -> list[AuditAction]:
    return sorted(_REGISTRY.values(), key=lambda action: action.code)


def configuration_actions(
    model: str, *, verbs: Iterable[str] = ("created", "changed", "deleted")
) -> list[AuditAction]:
    """The three actions the configuration admin records for ``app_label.model``."""
    sentences = {
        "created": _("{who} added {object} with {values}"),
        "changed": _("{who} changed {changes} of {object}"),
        "deleted": _("{who} deleted {object}"),
    }
    return [
        AuditAction(
            code=f"{model}.{verb}",
            sentence=sentences[verb],
            kind=Kind.CONFIGURATION,
            model=model,
            requires_reason=verb == "changed",
        )
        for verb in verbs
    ]
