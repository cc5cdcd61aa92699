"""Writes of protocol versions: import, activate, export.

A definition is validated by the engine against this installation's catalogue
before anything is written; on any error nothing is written at all. A data
manager activates a version by signing it (``protocol_version_activate``); the
command line activates without a signature but never without a reason
(``protocol_version_activate_unsigned``, docs/decisions.md).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Literal

import yaml
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import can_configure
from accounts.models import User
from accounts.services import AttemptRefused, reauthenticate
from audit.services import audit_record, configuration_record
from config.builtcache import BuiltCache
from eligibility import ProtocolDefinition, load_definition
from trials.catalogue import keyed_catalogue, sync_builtin_catalogue
from trials.models import ProtocolStatus, ProtocolVersion, Quantity, Trial

# The meaning of a data manager's signature on an activation (21 CFR 11.50(a)(3)). Stored
# as written here, in English, like the meanings of eligibility signatures.
APPROVAL_MEANING = "approved for screening"


class ProtocolVersionError(ValueError):
    """A protocol-version operation that the versioning rules forbid.

    ``field`` names the form field the problem is about, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class SignatureRefused(ProtocolVersionError):
    """The password did not match, or sign-in is locked: audited, nothing activated."""


@dataclass(frozen=True)
class ImportOutcome:
    version: ProtocolVersion
    result: Literal["created", "updated", "unchanged"]
    trial_created: bool
    activated: bool

    def describe(self) -> str:
        what = {
            "created": "Created draft",
            "updated": "Updated draft",
            "unchanged": "Unchanged:",
        }[self.result]
        text = f"{what} {self.version.trial.code} version {self.version.label}"
        if self.trial_created:
            text += " (new trial)"
        if self.activated:
            text += "; activated"
        return text + "."


@lru_cache(maxsize=32)
def _document_json(text: str) -> str:
    """The definition's data as JSON text (dates become ISO strings), parsed once per
    text: import reads it for the stored copy and for the content hash."""
    return json.dumps(yaml.safe_load(text), default=str)


def definition_data(text: str) -> Any:
    """The definition as JSON-ready data (dates become ISO strings); a fresh copy."""
    return json.loads(_document_json(text))


def source_hash(text: str) -> str:
    """SHA-256 of the definition's canonical JSON: layout and comments do not count."""
    canonical = json.dumps(
        definition_data(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# Definitions checked against a catalogue, kept by what they were built from: the text,
# its source's name (errors and reasons name it) and the catalogue's content. A
# definition is immutable, so every reader shares one; a failed load is never kept.
_LOADED: BuiltCache[tuple[str, str, str], ProtocolDefinition] = BuiltCache(maxsize=32)


def validate_definition(text: str, *, source_name: str) -> ProtocolDefinition:
    """Load with the engine; raises ``eligibility.DefinitionError`` naming line and reason."""
    catalogue_key, catalogue = keyed_catalogue()
    key = (hashlib.sha256(text.encode("utf-8")).hexdigest(), source_name, catalogue_key)
    return _LOADED.get_or_build(
        key, lambda: load_definition(text, source=source_name, catalogue=catalogue)
    )


def load_version(version: ProtocolVersion) -> ProtocolDefinition:
    """The engine's definition of a stored version."""
    return validate_definition(version.source, source_name=version.source_name or str(version))


@transaction.atomic
def protocol_import(
    *,
    text: str,
    source_name: str,
    user: User | None,
    activate: bool = False,
    activation_reason: str = "",
    effective_date: date | None = None,
) -> ImportOutcome:
    """Import a definition: a new draft when its content is new, nothing when it is not.

    Re-importing a label whose draft exists replaces the draft; re-importing a
    label that is active or superseded with different content is refused (an
    amendment needs its own label).

    ``activate`` activates the draft too, unsigned, for the command line and the
    demonstration data only (``user`` is then ``None``): a person in Eligo activates
    by signing on the confirmation page. ``activation_reason`` defaults to naming
    the file imported.
    """
    if activate and user is not None:
        raise ProtocolVersionError(
            _(
                "A data manager activates a version by signing it: import the draft, "
                "then activate it from its preview."
            )
        )
    if not Quantity.objects.exists():
        sync_builtin_catalogue()  # a fresh installation: start from the built-in catalogue
    definition = validate_definition(text, source_name=source_name)
    digest = source_hash(text)
    trial, trial_created = Trial.objects.get_or_create(
        code=definition.trial_code,
        defaults={
            "title": definition.title,
            "registry_id": definition.registry_id or "",
            "sponsor": definition.sponsor or "",
        },
    )
    if trial_created:
        audit_record(
            actor=user,
            action="trials.trial.created",
            obj=trial,
            changes={
                "code": {"old": None, "new": trial.code, "label": "Code"},
                "title": {"old": None, "new": trial.title, "label": "Title"},
            },
        )
    # Serialise concurrent imports and activations of the same trial.
    Trial.objects.select_for_update().filter(pk=trial.pk).first()
    version = trial.versions.filter(label=definition.version).first()
    result: Literal["created", "updated", "unchanged"]
    if version is None:
        version = ProtocolVersion.objects.create(
            trial=trial,
            label=definition.version,
            effective_date=effective_date,
            source=text,
            source_name=source_name,
            source_hash=digest,
            definition=definition_data(text),
            created_by=user,
            created_at=timezone.now(),
        )
        audit_record(
            actor=user,
            action="trials.protocolversion.created",
            obj=version,
            changes={
                "label": {"old": None, "new": version.label, "label": "Version"},
                "source_hash": {"old": None, "new": digest, "label": "Definition hash"},
                "source_name": {"old": None, "new": source_name, "label": "Imported from"},
            },
        )
        result = "created"
    elif version.source_hash == digest:
        result = "unchanged"
    elif version.is_read_only:
        raise ProtocolVersionError(
            f"{source_name}: {trial.code} version {version.label} is {version.status} and "
            "read-only; give the amended definition a new protocol_version label."
        )
    else:
        # A draft is not yet in use: replacing it is part of drafting, not a correction.
        audit_record(
            actor=user,
            action="trials.protocolversion.draft_replaced",
            obj=version,
            changes={
                "source_hash": {
                    "old": version.source_hash,
                    "new": digest,
                    "label": "Definition hash",
                },
                "source_name": {
                    "old": version.source_name,
                    "new": source_name,
                    "label": "Imported from",
                },
            },
        )
        version.source = text
        version.source_name = source_name
        version.source_hash = digest
        version.definition = definition_data(text)
        if effective_date is not None:
            version.effective_date = effective_date
        version.save(
            update_fields=["source", "source_name", "source_hash", "definition", "effective_date"]
        )
        result = "updated"
    activated = False
    if activate and version.status == ProtocolStatus.DRAFT:
        protocol_version_activate_unsigned(
            version=version,
            reason=activation_reason or f"Activated on import of {source_name}.",
        )
        activated = True
    return ImportOutcome(
        version=version, result=result, trial_created=trial_created, activated=activated
    )


def protocol_version_activate(
    *,
    version: ProtocolVersion,
    user: User,
    password: str,
    reason: str,
    request: HttpRequest | None = None,
) -> ProtocolVersion:
    """A data manager makes a draft the trial's active version, signing with their password.

    The signature manifests the printed name, the time (UTC) and the meaning
    "approved for screening"; the reason is required. The password goes through the
    sign-in gate (``accounts.services.reauthenticate``): a wrong one activates
    nothing, is audited once (committed, so the attempt stays on the record) and
    counts towards the user's sign-in lock; while a lock holds, the password is not
    even checked.
    """
    if not can_configure(user):
        raise PermissionDenied("Only a data manager activates protocol versions.")
    reason = reason.strip()
    if not reason:
        raise ProtocolVersionError(
            _("Give the reason for activating this version."), field="reason"
        )
    try:
        reauthenticate(
            user=user,
            password=password,
            refused_action="trials.protocolversion.signature_refused",
            about=version,
            request=request,
        )
    except AttemptRefused as refusal:
        if refusal.locked_until is not None:
            raise SignatureRefused(
                _("Too many failed attempts; sign again after %(time)s UTC.")
                % {"time": refusal.until},
                field="password",
            ) from None
        raise SignatureRefused(
            _("The password does not match; the version was not activated."),
            field="password",
        ) from None
    return _activate(
        version=version,
        actor=user,
        reason=reason,
        meaning=APPROVAL_MEANING,
        printed_name=user.get_full_name(),
        request=request,
    )


def protocol_version_activate_unsigned(*, version: ProtocolVersion, reason: str) -> ProtocolVersion:
    """Activate a draft from the command line (``import_protocol --activate``, demo data).

    Whoever runs a management command holds the server's shell, which a password typed
    there would not restrain, so this activation carries a reason but no signature, no
    actor and no printed name (docs/decisions.md).
    """
    reason = reason.strip()
    if not reason:
        raise ProtocolVersionError(
            _("Give the reason for activating this version."), field="reason"
        )
    return _activate(version=version, actor=None, reason=reason, meaning="", printed_name="")


@transaction.atomic
def _activate(
    *,
    version: ProtocolVersion,
    actor: User | None,
    reason: str,
    meaning: str,
    printed_name: str,
    request: HttpRequest | None = None,
) -> ProtocolVersion:
    """Make a draft the trial's active version; the previous active one is superseded.

    The definition is checked again first: the catalogue may have changed since
    the draft was imported.
    """
    Trial.objects.select_for_update().filter(pk=version.trial_id).first()
    version.refresh_from_db()
    if version.status != ProtocolStatus.DRAFT:
        raise ProtocolVersionError(
            f"{version.trial.code} version {version.label} is {version.status}; "
            "only a draft can be activated."
        )
    load_version(version)
    now = timezone.now()
    for previous in ProtocolVersion.objects.filter(
        trial_id=version.trial_id, status=ProtocolStatus.ACTIVE
    ):
        previous.status = ProtocolStatus.SUPERSEDED
        previous.superseded_at = now
        previous.save(update_fields=["status", "superseded_at"])
        audit_record(
            actor=actor,
            action="trials.protocolversion.superseded",
            obj=previous,
            changes={"status": {"old": "active", "new": "superseded", "label": "Status"}},
            reason=reason,
            request=request,
        )
    version.status = ProtocolStatus.ACTIVE
    version.activated_by = actor
    version.activated_at = now
    version.activation_reason = reason
    version.activation_meaning = meaning
    version.activation_printed_name = printed_name
    version.save(
        update_fields=[
            "status",
            "activated_by",
            "activated_at",
            "activation_reason",
            "activation_meaning",
            "activation_printed_name",
        ]
    )
    changes: dict[str, dict[str, Any]] = {
        "status": {"old": "draft", "new": "active", "label": "Status"}
    }
    if meaning:
        changes["printed_name"] = {"old": None, "new": printed_name, "label": "Signed by"}
        changes["meaning"] = {"old": None, "new": meaning, "label": "Meaning"}
    audit_record(
        actor=actor,
        action="trials.protocolversion.activated",
        obj=version,
        changes=changes,
        reason=reason,
        request=request,
    )
    return version


@transaction.atomic
def protocol_version_delete_draft(
    *, user: User, version: ProtocolVersion, request: HttpRequest | None = None
) -> None:
    """Delete a draft that will never be activated; active and superseded versions stay
    forever (screenings are pinned to them). The deletion is audited with the draft's
    label and source, so the trail still says what was thrown away."""
    if not can_configure(user):
        raise PermissionDenied(_("Only a data manager deletes draft protocol versions."))
    Trial.objects.select_for_update().filter(pk=version.trial_id).first()
    version.refresh_from_db()
    if version.status != ProtocolStatus.DRAFT:
        raise ProtocolVersionError(
            _("%(trial)s version %(label)s is %(status)s; only a draft can be deleted.")
            % {"trial": version.trial.code, "label": version.label, "status": version.status}
        )
    before = {"label": version.label, "source_name": version.source_name, "status": "draft"}
    pk = version.pk
    version.delete()
    version.pk = pk  # deleting cleared it; the event names what was deleted
    configuration_record(
        actor=user,
        obj=version,
        verb="deleted",
        before=before,
        reason="Draft deleted in configuration",
        request=request,
    )


def protocol_export(version: ProtocolVersion) -> str:
    """The definition as imported: importing it again changes nothing."""
    return version.source
