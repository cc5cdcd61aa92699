"""The story of one screening: every event of the attempt, its candidate and its
decisions, told in sentences, oldest first, filterable and downloadable."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.text import slugify

from accounts.access import address_revealer, identity_revealer
from audit.listing import render_events
from audit.selectors import story_events
from screening.views.common import identity_for, screening_or_404


@login_required
def screening_history(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Everyone who may see the screening reads its whole story; identity values
    only show to the candidate's own site staff (monitors read it pseudonymised)."""
    screening = screening_or_404(request, pk)
    candidate = screening.candidate
    events = story_events(screening, candidate)
    filename = f"audit-{slugify(candidate.screening_number)}-attempt-{screening.attempt}.csv"
    return render_events(
        request,
        events,
        template="screening/history.html",
        filename=filename,
        extra={
            "screening": screening,
            "candidate": candidate,
            "identity": identity_for(request.user, candidate),
        },
        name_object=False,
        reveal=identity_revealer(request.user),
        reveal_address=address_revealer(request.user),
        exported=screening,
        default_order="oldest",
    )
