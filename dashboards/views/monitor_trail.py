"""The monitor's audit trail: what happened to the candidates and screenings of the
trials they monitor, pseudonymised, filterable, exportable as CSV."""

from __future__ import annotations

from functools import partial

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from accounts.access import can_view_monitor_trail
from audit.listing import render_events
from dashboards.monitor_trail import (
    MonitorTrailForm,
    monitor_trail_events,
    narrow,
    site_choices,
)


@login_required
def monitor_trail(request: HttpRequest) -> HttpResponseBase:
    """Monitors only; never an identity value or a staff member's address."""
    if not can_view_monitor_trail(request.user):
        raise Http404("No monitor trail here.")
    events = monitor_trail_events(request.user)
    return render_events(
        request,
        events,
        template="dashboards/monitor_trail.html",
        filename="monitor-trail.csv",
        extra={},
        name_object=True,
        reveal=lambda event: False,
        reveal_address=lambda event: False,
        form_class=partial(MonitorTrailForm, sites=site_choices(events)),
        narrow=narrow,
    )
