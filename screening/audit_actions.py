"""Audit actions of screening: every event of a candidate's and a screening's story."""

from typing import Any

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from audit.registry import AuditAction, Kind, register


def _filled(template: Promise, **values: Any) -> Any:
    """``template % values``, translated when told rather than when declared."""
    return lazy(lambda: str(template) % {k: str(v) for k, v in values.items()}, str)()


def _data_actions(noun: str, model: str, what: Promise) -> list[AuditAction]:
    """Entered, corrected and removed, for one kind of screening data row."""
    return [
        AuditAction(
            f"screening.{noun}.created",
            _filled(_("{who} entered %(what)s: {values}"), what=what),
            Kind.ENTRY,
            model=model,
        ),
        AuditAction(
            f"screening.{noun}.changed",
            _("{who} changed {changes}"),
            Kind.CORRECTION,
            model=model,
            requires_reason=True,
        ),
        AuditAction(
            f"screening.{noun}.removed",
            _filled(_("{who} removed %(what)s: {removed}"), what=what),
            Kind.CORRECTION,
            model=model,
            requires_reason=True,
        ),
    ]


def _checklist_actions(noun: str, what: Promise) -> list[AuditAction]:
    """A history declared complete (first entry) or reopened (a change)."""
    return [
        AuditAction(
            f"screening.{noun}.completed",
            _filled(_("{who} recorded that the %(what)s was taken in full"), what=what),
            Kind.ENTRY,
            model="screening.screening",
        ),
        AuditAction(
            f"screening.{noun}.changed",
            _filled(_("{who} reopened the %(what)s: it is no longer complete"), what=what),
            Kind.CORRECTION,
            model="screening.screening",
            requires_reason=True,
        ),
    ]


def _review_actions() -> list[AuditAction]:
    """A monitor's queries and source verification (docs/monitor-review.md)."""
    query = "screening.dataquery"
    return [
        AuditAction(
            "screening.query.raised",
            _("{who} raised {object}: {values}"),
            Kind.REVIEW,
            model=query,
        ),
        AuditAction(
            "screening.query.answered",
            _("{who} answered {object}: {changes}"),
            Kind.REVIEW,
            model=query,
        ),
        AuditAction(
            "screening.query.closed",
            _("{who} closed {object}: {changes}"),
            Kind.REVIEW,
            model=query,
        ),
        AuditAction(
            "screening.query.reopened",
            _("{who} re-opened {object}: {changes}"),
            Kind.REVIEW,
            model=query,
        ),
        AuditAction(
            "screening.verification.recorded",
            _("{who} verified {object} against the source: {values}"),
            Kind.REVIEW,
            model="screening.sourceverification",
        ),
        AuditAction(
            "screening.verification.cleared",
            _("{who}'s change cleared the source verification of {object}: {changes}"),
            Kind.REVIEW,
            model="screening.sourceverification",
        ),
        AuditAction(
            "screening.verification.withdrawn",
            _("{who} withdrew the source verification of {object}: {changes}"),
            Kind.REVIEW,
            model="screening.sourceverification",
            requires_reason=True,
        ),
    ]


register(
    AuditAction(
        "screening.candidate.created",
        _("{who} registered candidate {object} ({values})"),
        Kind.IDENTITY,
        model="screening.candidate",
    ),
    AuditAction(
        "screening.candidate.changed",
        _("{who} changed {changes} of candidate {object}"),
        Kind.IDENTITY,
        model="screening.candidate",
        requires_reason=True,
    ),
    AuditAction(
        "screening.candidate_identity.created",
        _("{who} recorded the {object}: {values}"),
        Kind.IDENTITY,
        model="screening.candidateidentity",
        identity_all=True,
    ),
    AuditAction(
        "screening.candidate_identity.changed",
        _("{who} corrected the {object}: {changes}"),
        Kind.IDENTITY,
        model="screening.candidateidentity",
        identity_all=True,
        requires_reason=True,
    ),
    AuditAction(
        "screening.candidate_identity.erased",
        _("{who} erased the {object}: its data key was destroyed ({changes})"),
        Kind.IDENTITY,
        model="screening.candidateidentity",
        requires_reason=True,
    ),
    AuditAction(
        "screening.identity_erasure.refused",
        _("{who} tried to sign the erasure of identities: the password {new[password]}"),
        Kind.IDENTITY,
        model="accounts.user",
    ),
    AuditAction(
        "screening.retention.listed",
        _("Eligo listed the identities due for erasure by retention policy: {changes}"),
        Kind.IDENTITY,
    ),
    AuditAction(
        "screening.identity_keys.rewrapped",
        _("Eligo re-wrapped the candidates' data keys: {changes}"),
        Kind.SYSTEM,
    ),
    AuditAction(
        "screening.screening.created",
        _("{who} started screening {object}: {values}"),
        Kind.ENTRY,
        model="screening.screening",
    ),
    AuditAction(
        "screening.screening.rescreened",
        _("{who} started {object} as a rescreening: {values}"),
        Kind.ENTRY,
        model="screening.screening",
    ),
    *_data_actions("observation", "screening.observation", _("a value")),
    *_data_actions("medication", "screening.medicationexposure", _("a medication course")),
    *_data_actions("history_event", "screening.historyevent", _("a history event")),
    *_data_actions("score_items", "screening.scoreitems", _("a score checklist")),
    *_checklist_actions("medication_history", _("medication history")),
    *_checklist_actions("medical_history", _("medical history")),
    AuditAction(
        "screening.evaluation.recorded",
        _("Eligo evaluated the saved data: {changes}"),
        Kind.EVALUATION,
        model="screening.evaluation",
        quiet_sentence=_("Eligo evaluated the saved data: the result did not change"),
    ),
    AuditAction(
        "screening.decision.proposed",
        _("{who} proposed the decision: {values}"),
        Kind.DECISION,
        model="screening.decision",
    ),
    AuditAction(
        "screening.signature.refused",
        _("{who} tried to sign {object}: the password {new[password]}; nothing was signed"),
        Kind.DECISION,
        model="screening.decision",
    ),
    AuditAction(
        "screening.decision.signed",
        _(
            "{who} signed the decision with the meaning {new[meaning]}; status from "
            "{old[status]} to {new[status]}"
        ),
        Kind.DECISION,
        model="screening.signature",
        quiet_sentence=_("{who} signed {object}"),
    ),
    AuditAction(
        "screening.signature.voided",
        _(
            "{who}'s change voided the signature {old[signature]}; status from {old[status]} "
            "to {new[status]}"
        ),
        Kind.DECISION,
        model="screening.signature",
    ),
    AuditAction(
        "screening.enrolment.created",
        _("{who} enrolled the candidate: {values}"),
        Kind.ENROLMENT,
        model="screening.enrolment",
    ),
    *_review_actions(),
    AuditAction(
        "screening.washout.reminder",
        _("Eligo reminded the site that the washout ends on {new[eligible_from]}"),
        Kind.SYSTEM,
        model="screening.screening",
    ),
    AuditAction(
        "screening.amendment_impact.requested",
        _("{who} asked what {object} would change for the open screenings: {values}"),
        Kind.CONFIGURATION,
        model="screening.amendmentimpact",
    ),
    AuditAction(
        "screening.log.exported",
        _("{who} downloaded the screening log{filters}"),
        Kind.EXPORT,
    ),
    AuditAction(
        "screening.export.requested",
        _("{who} asked for an export of the screening log as {new[format]}{filters}"),
        Kind.EXPORT,
        model="screening.exportfile",
    ),
    AuditAction(
        "screening.export.built",
        _("{who} wrote {object}: {new[rows]} screening attempts"),
        Kind.SYSTEM,
        model="screening.exportfile",
    ),
    AuditAction(
        "screening.export.failed",
        _("{who} could not write {object}: {new[error]}"),
        Kind.SYSTEM,
        model="screening.exportfile",
    ),
    AuditAction(
        "screening.export.downloaded",
        _("{who} downloaded {object}{filters}"),
        Kind.EXPORT,
        model="screening.exportfile",
    ),
    AuditAction(
        "screening.export.expired",
        _("{who} deleted the file of {object}: it had expired"),
        Kind.SYSTEM,
        model="screening.exportfile",
    ),
    AuditAction(
        "screening.record.downloaded",
        _("{who} downloaded the signed eligibility record of {object}"),
        Kind.EXPORT,
        model="screening.screening",
    ),
)
