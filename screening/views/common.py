"""What the screening views share: fetching through the access rules, and context.

Every fetch goes through ``for_user`` querysets (``accounts.access.screening_scope``)
and the ``accounts.access`` predicates, and anything a user may not see or do
answers 404 — outsiders never learn that a candidate exists.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest

from accounts.access import can_enter_data, can_see_identity, can_sign
from screening.engine_bridge import evaluate_screening
from screening.models import Candidate, CandidateIdentity, Screening
from screening.services.common import latest_evaluation


def screening_or_404(request: HttpRequest, pk: int, *, enter: bool = False) -> Screening:
    """The screening if the user may see it (``enter``: and enter its data)."""
    screening = (
        Screening.objects.for_user(request.user)
        .select_related(
            "candidate__trial", "candidate__site", "protocol_version", "previous", "updated_by"
        )
        .filter(pk=pk)
        .first()
    )
    if screening is None:
        raise Http404("No such screening.")
    if enter and not can_enter_data(request.user, site_id=screening.candidate.site_id):
        raise Http404("No such screening.")
    return screening


def candidate_or_404(request: HttpRequest, pk: int, *, enter: bool = False) -> Candidate:
    candidate = (
        Candidate.objects.for_user(request.user)
        .select_related("trial", "site")
        .filter(pk=pk)
        .first()
    )
    if candidate is None:
        raise Http404("No such candidate.")
    if enter and not can_enter_data(request.user, site_id=candidate.site_id):
        raise Http404("No such candidate.")
    return candidate


def identity_for(user: Any, candidate: Candidate) -> CandidateIdentity | None:
    """The candidate's identity — only ever for the staff of the candidate's site."""
    if not can_see_identity(user, site_id=candidate.site_id):
        return None
    return CandidateIdentity.objects.filter(candidate=candidate).first()


def permissions(user: Any, site_id: int) -> dict[str, bool]:
    return {
        "can_enter": can_enter_data(user, site_id=site_id),
        "can_sign": can_sign(user, site_id=site_id),
        "can_see_identity": can_see_identity(user, site_id=site_id),
    }


def error_messages(error: ValidationError) -> dict[str, list[str]]:
    """A service's ``ValidationError`` as field → messages (``__all__`` for the rest)."""
    if hasattr(error, "error_dict"):
        return {key: list(messages) for key, messages in error.message_dict.items()}
    return {"__all__": list(error.messages)}


def latest_result(screening: Screening) -> dict[str, Any] | None:
    """The result of the latest stored evaluation, or a fresh one from saved data."""
    evaluation = latest_evaluation(screening)
    if evaluation is not None:
        return dict(evaluation.result)
    try:
        return evaluate_screening(screening).to_dict()
    except (ValueError, ArithmeticError):
        return None


def decision_context(screening: Screening) -> dict[str, Any]:
    """The current decision and the earlier ones, newest first, for the decision panel."""
    decisions = list(
        screening.decisions.select_related(
            "proposed_by", "signature__signer", "signature__void__voided_by"
        ).order_by("-proposed_at", "-pk")
    )
    return {
        "decision": decisions[0] if decisions else None,
        "earlier_decisions": decisions[1:],
        "site_zone": screening.candidate.site.time_zone,
    }
