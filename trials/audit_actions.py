"""Audit actions of trials: configuration, protocol versions and the catalogue."""

from django.utils.translation import gettext_lazy as _

from audit.registry import AuditAction, Kind, configuration_actions, register

register(
    *configuration_actions("trials.site"),
    *configuration_actions("trials.trial"),
    *configuration_actions("trials.trialsite"),
    *configuration_actions("trials.monitorassignment"),
    *configuration_actions("trials.quantity"),
    *configuration_actions("trials.drugclass"),
    *configuration_actions("trials.drug"),
    *configuration_actions("trials.referencerange"),
    *configuration_actions("trials.protocolversion", verbs=("changed", "deleted")),
    AuditAction(
        "trials.protocolversion.created",
        _("{who} imported {object} as a draft ({values})"),
        Kind.CONFIGURATION,
        model="trials.protocolversion",
    ),
    AuditAction(
        "trials.protocolversion.draft_replaced",
        _("{who} replaced the draft {object}: {changes}"),
        Kind.CONFIGURATION,
        model="trials.protocolversion",
    ),
    AuditAction(
        "trials.protocolversion.activated",
        _("{who} activated {object} for screening: {changes}"),
        Kind.CONFIGURATION,
        model="trials.protocolversion",
    ),
    AuditAction(
        "trials.protocolversion.signature_refused",
        _("{who} tried to sign the activation of {object}: the password {new[password]}"),
        Kind.CONFIGURATION,
        model="trials.protocolversion",
    ),
    AuditAction(
        "trials.protocolversion.superseded",
        _("{who} superseded {object}: {changes}"),
        Kind.CONFIGURATION,
        model="trials.protocolversion",
    ),
    AuditAction(
        "trials.protocolversion.exported",
        _("{who} exported the definition of {object} ({new[channel]})"),
        Kind.EXPORT,
        model="trials.protocolversion",
    ),
    AuditAction(
        "trials.catalogue.synced",
        _("{who} added the built-in catalogue's missing entries: {values}"),
        Kind.CONFIGURATION,
    ),
)
