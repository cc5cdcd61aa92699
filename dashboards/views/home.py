"""The home page: one panel per role the user holds, with what needs doing."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.roles import roles_of
from notifications.selectors import results_to_repeat
from screening.selectors import (
    monitor_log,
    open_queries_at_sites,
    screenings_awaiting_judgment,
    screenings_awaiting_signature,
    screenings_needing_action,
)
from trials.models import Site


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page: one panel per role the user holds, with what needs doing."""
    roles = roles_of(request.user)  # type: ignore[arg-type]
    sites = Site.objects.filter(id__in=roles.site_ids)
    context: dict[str, object] = {"user_roles": roles, "sites": sites}
    if roles.is_site_staff:
        items = screenings_needing_action(request.user)
        context["action"] = {
            reason: [i for i in items if reason in i.reasons]
            for reason in (
                "incomplete",
                "awaiting_judgment",
                "awaiting_signature",
                "needs_review",
                "washout_ending",
            )
        }
        context["open_queries"] = list(open_queries_at_sites(request.user)[:20])
        context["results_to_repeat"] = results_to_repeat(request.user)
    if roles.investigator_site_ids:
        context["to_sign"] = list(screenings_awaiting_signature(request.user))
        context["to_judge"] = screenings_awaiting_judgment(request.user)
    if roles.monitor:
        context["log"] = monitor_log(request.user)
    return render(request, "accounts/home.html", context)
