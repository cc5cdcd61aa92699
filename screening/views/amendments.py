"""A data manager's forecast of what a protocol version would change for the open
screenings of its trial: asked from the version's preview or activation page, written
by a worker, shown with its progress. Screening numbers, outcomes and criterion ids
only — no clinical value, nothing identifying (docs/amendment-impact.md)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from accounts.access import can_configure
from screening.models import AmendmentImpact
from screening.services.amendments import amendment_impact_request
from screening.tasks import queue_amendment_impact
from trials.models import ProtocolVersion

SHOWN = 500  # changed screenings listed on the page; the counts cover them all


@login_required
@require_http_methods(["GET", "POST"])
def amendment_impact_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_configure(request.user):
        raise Http404("No such page.")
    version = get_object_or_404(ProtocolVersion.objects.select_related("trial"), pk=pk)
    if request.method == "POST":
        amendment_impact_request(
            user=request.user,  # type: ignore[arg-type]
            version=version,
            queue=queue_amendment_impact,
            request=request,
        )
        messages.info(
            request, gettext("The forecast is being made; this page follows its progress.")
        )
        return redirect("screening:amendment_impact", pk=version.pk)
    impact = (
        AmendmentImpact.objects.filter(version=version)
        .select_related("compared_to", "requested_by")
        .first()
    )
    return render(
        request,
        "screening/amendment_impact.html",
        {
            "version": version,
            "impact": impact,
            "shown": impact.changed[:SHOWN] if impact else [],
        },
    )
