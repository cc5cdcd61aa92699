"""Erasing a candidate's identity by destroying its data key (crypto-shredding).

A data manager erases, with a reason and their password again (an electronic
signature through the one sign-in gate). The candidate's data key is destroyed, so
every value sealed with it — the identity row and each identity value in the
append-only audit trail — is unreadable from then on; the ciphertext in the trail
stays, so the chain still verifies. The identity row keeps only who erased it, when
and why. The screening record stays: the screening number, sex, year of birth (the
age band), data, evaluations (which hold the age, never the date of birth),
decisions and signatures. See docs/privacy.md.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import can_erase_identity
from accounts.models import User
from accounts.services.gate import AttemptRefused, reauthenticate
from screening.models import Candidate, CandidateIdentity, RetentionDue, ScreeningStatus
from screening.services.common import ScreeningRuleError, audit
from screening.services.decisions import SignatureRefused
from vault.crypto import data_key_destroy

# A screening in one of these states is over: nothing more is entered or decided on it.
CLOSED_STATUSES = frozenset(
    {ScreeningStatus.SCREEN_FAILURE, ScreeningStatus.WITHDRAWN, ScreeningStatus.ENROLLED}
)
ERASURE_MEANING = (
    "I confirm that this candidate's identity is to be erased for good; "
    "the screening record stays, pseudonymised."
)


def erasure_refusal(candidate: Candidate) -> str | None:
    """Why the candidate's identity cannot be erased now, or ``None``.

    Every attempt must be over (screen failure, withdrawn or enrolled): a screening
    still going on needs the date of birth to be evaluated and the person to be
    contacted.
    """
    identity = CandidateIdentity.objects.filter(candidate=candidate).first()
    if identity is not None and identity.is_erased:
        return _("The identity of %(number)s was already erased.") % {"number": candidate}
    open_attempts = [
        s.attempt for s in candidate.screenings.all() if s.status not in CLOSED_STATUSES
    ]
    if open_attempts:
        return _(
            "%(number)s has a screening still going on (attempt %(attempts)s): "
            "close it (screen failure or withdrawal, signed) before erasing the identity."
        ) % {"number": candidate, "attempts": ", ".join(str(a) for a in open_attempts)}
    return None


def identities_erase(
    *,
    user: User,
    candidates: Sequence[Candidate],
    reason: str,
    password: str,
    request: HttpRequest | None = None,
) -> list[CandidateIdentity]:
    """Erase the identities of ``candidates``, signed with ``password``; all or none.

    Checked in this order, so that nothing is revealed to whoever may not erase and
    no password is asked for a request that would be refused anyway: the role, the
    reason, each candidate's state, then the password (a wrong one is audited and
    counts towards the sign-in lock). Each erasure is audited in the candidate's
    own story, all in one transaction.
    """
    if not can_erase_identity(user):
        raise PermissionDenied("Only a data manager erases identities.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for erasing.")}, code="required")
    if not candidates:
        raise ScreeningRuleError(_("Choose at least one candidate."), code="none_chosen")
    for candidate in candidates:
        refusal = erasure_refusal(candidate)
        if refusal is not None:
            raise ScreeningRuleError(refusal, code="not_erasable")
    _check_password(user, password, request)
    return _erase(user=user, candidates=candidates, reason=reason, request=request)


def _check_password(user: User, password: str, request: HttpRequest | None) -> None:
    try:
        reauthenticate(
            user=user,
            password=password,
            refused_action="screening.identity_erasure.refused",
            about=user,
            request=request,
        )
    except AttemptRefused as refusal:
        if refusal.locked_until is not None:
            raise SignatureRefused(
                _("Too many failed attempts; sign again after %(time)s UTC.")
                % {"time": refusal.until},
                code="locked",
                field="password",
            ) from None
        raise SignatureRefused(
            _("The password does not match; nothing was erased."),
            code="password",
            field="password",
        ) from None


@transaction.atomic
def _erase(
    *,
    user: User,
    candidates: Sequence[Candidate],
    reason: str,
    request: HttpRequest | None,
) -> list[CandidateIdentity]:
    erased = []
    now = timezone.now()
    for candidate in candidates:
        locked = Candidate.objects.select_for_update().select_related("data_key", "site")
        candidate = locked.get(pk=candidate.pk)
        # Checked again under the lock: a screening may have been rescreened meanwhile.
        refusal = erasure_refusal(candidate)
        if refusal is not None:
            raise ScreeningRuleError(refusal, code="not_erasable")
        identity = CandidateIdentity.objects.select_for_update().get(candidate=candidate)
        data_key_destroy(candidate.data_key)
        identity.forget(user=user, reason=reason, at=now)
        identity.save()
        RetentionDue.objects.filter(candidate=candidate).delete()
        audit(
            user=user,
            action="screening.candidate_identity.erased",
            obj=identity,
            site=candidate.site,
            changes={
                "identity": {"old": "recorded", "new": "erased", "label": "Identity"},
                "meaning": {"old": None, "new": ERASURE_MEANING, "label": "Meaning"},
            },
            reason=reason,
            request=request,
        )
        erased.append(identity)
    return erased
