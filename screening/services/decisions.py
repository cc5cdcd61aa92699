"""Decisions and electronic signatures (21 CFR Part 11 style).

A decision is proposed (by a coordinator or an investigator), then signed by
an investigator of the site, who types their password again. Decisions and
signatures are never edited: a changed mind is a new decision, and changed data
voids the signature standing on it.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from accounts.services import AttemptRefused, reauthenticate
from config.zones import format_moment
from screening.criteria_words import failing_words
from screening.engine_bridge import definition_for
from screening.models import (
    Decision,
    Evaluation,
    Outcome,
    ReasonCategory,
    Screening,
    Signature,
    SignatureVoid,
)
from screening.services.common import (
    ScreeningRuleError,
    ScreeningValidationError,
    audit,
    latest_evaluation,
    lock_screening,
    require_data_entry,
)
from screening.services.validation import Problems
from screening.services.workflow import Action, check, current_decision, find, move

MEANINGS = {
    Outcome.ELIGIBLE: (
        "I confirm this candidate meets all eligibility criteria of {trial} protocol version "
        "{version}."
    ),
    Outcome.SCREEN_FAILURE: (
        "I confirm this candidate is a screen failure for the reasons recorded."
    ),
    Outcome.WITHDRAWN: "I confirm this candidate is withdrawn from screening.",
}


class SignatureRefused(ScreeningRuleError):
    """The password did not match, or sign-in is locked: audited, nothing is signed."""


def standing_signature(screening: Screening) -> Signature | None:
    decision = current_decision(screening)
    signature: Signature | None = getattr(decision, "signature", None) if decision else None
    if signature is None or signature.is_void:
        return None
    return signature


def _check_proposal(
    screening: Screening,
    evaluation: Evaluation,
    outcome: str,
    reason_category: str,
    failed_criteria: list[str],
    reason_text: str,
) -> None:
    p = Problems()
    if outcome not in Outcome.values:
        p.add("outcome", "Choose eligible, screen failure or withdrawn.", "choice")
    if outcome == Outcome.ELIGIBLE and evaluation.status not in ("eligible", "needs_review"):
        blocking = ", ".join(evaluation.blocking) or "none"
        missing = len(evaluation.result.get("missing", []))
        p.add(
            "outcome",
            f"Eligible can be proposed only when every criterion is met; the evaluation is "
            f"{evaluation.status} (blocking: {blocking}; facts missing: {missing}).",
            "not_eligible",
        )
    if outcome == Outcome.ELIGIBLE and (reason_category or failed_criteria):
        p.add("reason_category", "An eligible decision has no failure reasons.")
    criteria_failure = (outcome, reason_category) == (Outcome.SCREEN_FAILURE, "criteria")
    if criteria_failure and not failed_criteria:
        p.add("failed_criteria", "Name the criteria the candidate fails.", "required")
    if outcome != Outcome.ELIGIBLE and reason_category not in ReasonCategory.values:
        p.add("reason_category", "Choose why: criteria, declined, lost to follow-up or other.")
    known = {c.id for c in definition_for(screening).criteria}
    unknown = [c for c in failed_criteria if c not in known]
    if unknown:
        p.add("failed_criteria", f"Not criteria of this protocol: {', '.join(unknown)}.")
    if reason_category == ReasonCategory.OTHER and not reason_text.strip():
        p.add("reason_text", "Describe the reason.", "required")
    if p:
        raise ScreeningValidationError(p.errors)


@transaction.atomic
def decision_propose(
    *,
    user: User,
    screening: Screening,
    outcome: str,
    reason_category: str = "",
    failed_criteria: Sequence[str] | None = None,
    reason_text: str = "",
    request: HttpRequest | None = None,
) -> Decision:
    """Propose an outcome, resting on the latest evaluation.

    A screen failure for criteria with no criteria named takes the blocking
    criteria of the latest evaluation.
    """
    require_data_entry(user, screening)
    locked = lock_screening(screening)
    row = check(Action.PROPOSE, screening=locked, user=user)
    evaluation = latest_evaluation(locked)
    if evaluation is None:
        raise ScreeningRuleError(f"{locked} has not been evaluated yet.", code="not_evaluated")
    if outcome == Outcome.SCREEN_FAILURE and not reason_category:
        reason_category = ReasonCategory.CRITERIA
    criteria = list(failed_criteria or ())
    if outcome == Outcome.SCREEN_FAILURE and reason_category == ReasonCategory.CRITERIA:
        criteria = criteria or list(evaluation.blocking)
    _check_proposal(locked, evaluation, outcome, reason_category, criteria, reason_text)
    if row.voids_signature:
        # A new decision on a signed screening: the old signature stops standing
        # first, in an event of its own, before the new proposal awaits its own.
        void_standing_signature(
            screening=locked,
            user=user,
            reason=str(Outcome(outcome).label),
            cause="A new decision was proposed",
            request=request,
        )
        row = check(Action.PROPOSE, screening=locked, user=user)
    decision = Decision.objects.create(
        screening=locked,
        outcome=outcome,
        reason_category=reason_category if outcome != Outcome.ELIGIBLE else "",
        failed_criteria=criteria,
        reason_text=reason_text.strip(),
        evaluation=evaluation,
        proposed_by=user,
        proposed_at=timezone.now(),
    )
    status = move(locked, row)
    category = ReasonCategory(decision.reason_category).label if decision.reason_category else ""
    audit(
        user=user,
        action=row.audit_action,
        obj=decision,
        site=locked.candidate.site,
        changes={
            "outcome": {"old": None, "new": str(Outcome(outcome).label), "label": "Outcome"},
            "reason_category": {"old": None, "new": str(category), "label": "Why"},
            "failed_criteria": {
                "old": None,
                "new": failing_words(criteria),
                "label": "Criteria not met / excluded",
            },
            "reason_text": {"old": None, "new": decision.reason_text, "label": "Reason"},
            **status,
        },
        request=request,
    )
    screening.status = locked.status
    return decision


def _check_password(
    user: User, decision: Decision, password: str, request: HttpRequest | None
) -> None:
    """The signer's password, through the sign-in gate: counted with every other
    attempt, refused without a look while the account or the address is locked, and
    each refusal audited once about the decision (committed before it is raised, so
    that a failed signing attempt stays on the record)."""
    try:
        reauthenticate(
            user=user,
            password=password,
            refused_action="screening.signature.refused",
            about=decision,
            request=request,
        )
    except AttemptRefused as refusal:
        if refusal.locked_until is not None:
            # On the clock of the site where the investigator signs, with UTC beside it.
            zone = decision.screening.candidate.site.zone
            raise SignatureRefused(
                gettext("Too many failed attempts; sign again after %(time)s.")
                % {"time": format_moment(refusal.locked_until, zone, with_utc=True)},
                code="locked",
                field="password",
            ) from None
        raise SignatureRefused(
            gettext("The password does not match; the decision was not signed."),
            code="password",
            field="password",
        ) from None


def decision_sign(
    *, user: User, decision: Decision, password: str, request: HttpRequest | None = None
) -> Signature:
    """Sign a proposed decision: an investigator of the site, with their password again."""
    screening = decision.screening
    # Who may sign is settled before the password is looked at.
    check(Action.SIGN, screening=screening, user=user)
    _check_password(user, decision, password, request)
    return _sign(user=user, decision=decision, request=request)


@transaction.atomic
def _sign(*, user: User, decision: Decision, request: HttpRequest | None) -> Signature:
    locked = lock_screening(decision.screening)
    current = current_decision(locked)
    if current is None or current.pk != decision.pk:
        raise ScreeningRuleError("A newer decision was proposed; sign that one.", code="outdated")
    row = check(Action.SIGN, screening=locked, user=user)
    # A decision always rests on an evaluation, so there is a latest one.
    evaluation = latest_evaluation(locked) or decision.evaluation
    if decision.outcome == Outcome.ELIGIBLE:
        pending = [j["label"] for j in evaluation.pending_judgments]
        if evaluation.status != "eligible" or pending:
            detail = f"judgments pending: {', '.join(pending)}" if pending else evaluation.status
            raise ScreeningRuleError(
                f"Eligible can be signed only when every criterion is met and every judgment "
                f"is answered; the latest evaluation is {evaluation.status} ({detail}).",
                code="not_eligible",
            )
    version = locked.protocol_version
    meaning = MEANINGS[Outcome(decision.outcome)].format(
        trial=locked.candidate.trial.code, version=version.label
    )
    signature = Signature.objects.create(
        decision=decision,
        signer=user,
        evaluation=evaluation,
        printed_name=user.get_full_name(),
        meaning=meaning,
        signed_at=timezone.now(),
    )
    status = move(locked, row)
    audit(
        user=user,
        action=row.audit_action,
        obj=signature,
        site=locked.candidate.site,
        changes={
            "printed_name": {"old": None, "new": signature.printed_name, "label": "Signed by"},
            "meaning": {"old": None, "new": meaning, "label": "Meaning"},
            **status,
        },
        request=request,
    )
    decision.screening.status = locked.status
    return signature


def void_standing_signature(
    *,
    screening: Screening,
    user: User | None,
    reason: str,
    cause: str = "Data changed after signing",
    request: HttpRequest | None = None,
) -> bool:
    """Void the signature standing on the current decision, if any; the screening
    then needs review. Call inside the transaction that changed the data."""
    signature = standing_signature(screening)
    if signature is None:
        return False
    row = find(Action.ENTER_DATA, screening.status)
    if row is None or not row.voids_signature:
        # An enrolled screening keeps its signature: enrolment rests on it.
        return False
    status = move(screening, row)
    event = audit(
        user=user,
        action=row.audit_action,
        obj=signature,
        site=screening.candidate.site,
        changes={
            "signature": {"old": str(signature), "new": "void", "label": "Signature"},
            **status,
        },
        reason=f"{cause}: {reason}",
        request=request,
    )
    SignatureVoid.objects.create(
        signature=signature,
        voided_at=event.occurred_at,
        voided_by=user,
        reason=f"{cause}: {reason}",
        audit_event=event,
    )
    return True
