"""A screening's summary: who, status, the eligibility panel from saved data, the
data, and the decision with its signature — pseudonymised for monitors."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import can_raise_query, can_verify_source, can_view_history
from screening.engine_bridge import definition_for
from screening.models import Evaluation, Screening
from screening.pseudonymise import result_for
from screening.selectors import screening_review
from screening.services import workflow
from screening.services.common import latest_evaluation
from screening.services.rescreening import rescreen_timing
from screening.services.workflow import Action
from screening.validity import saved_notes
from screening.views.common import (
    decision_context,
    identity_for,
    latest_result,
    permissions,
    screening_or_404,
)
from screening.views.display import saved_blocks


def actions(user: Any, screening: Screening) -> dict[str, bool]:
    """Which buttons to offer: exactly what the state machine lets ``user`` do now."""
    perms = permissions(user, screening.candidate.site_id)
    offered = workflow.offered(screening, user)
    return {
        **perms,
        "can_edit": offered[Action.ENTER_DATA],
        "can_propose": offered[Action.PROPOSE],
        "can_sign_now": offered[Action.SIGN],
        "can_enrol": offered[Action.ENROL],
        "can_rescreen": offered[Action.RESCREEN],
        "can_history": can_view_history(
            user, site=screening.candidate.site, trial_id=screening.candidate.trial_id
        ),
        **review_actions(user, screening),
    }


def review_actions(user: Any, screening: Screening) -> dict[str, bool]:
    """The monitor's review: raise queries, verify values against source."""
    trial_id, site_id = screening.candidate.trial_id, screening.candidate.site_id
    return {
        "can_query": can_raise_query(user, trial_id=trial_id, site_id=site_id),
        "can_verify": can_verify_source(user, trial_id=trial_id, site_id=site_id),
    }


@login_required
def screening_summary(request: HttpRequest, pk: int) -> HttpResponse:
    screening = screening_or_404(request, pk)
    evaluation: Evaluation | None = latest_evaluation(screening)
    stored = evaluation.result if evaluation is not None else latest_result(screening)
    # Monitors read the age as a band and no value calculated from it.
    result = result_for(request.user, screening, stored)
    context = decision_context(screening)
    definition = definition_for(screening)
    attempts = screening.candidate.screenings.order_by("attempt")
    offered = actions(request.user, screening)
    timing = rescreen_timing(screening) if offered["can_rescreen"] else None
    return render(
        request,
        "screening/summary.html",
        {
            "screening": screening,
            "candidate": screening.candidate,
            "identity": identity_for(request.user, screening.candidate),
            "result": result,
            "evaluated_at": evaluation.created_at if evaluation else None,
            "blocks": saved_blocks(
                screening, definition.requirements(), saved_notes(screening, definition)
            ),
            "attempts": attempts,
            "enrolment": getattr(screening, "enrolment", None),
            "actions": offered,
            "timing": timing,
            "early": timing.early(screening.candidate.site.today()) if timing else [],
            "review": screening_review(screening),
            **context,
        },
    )
