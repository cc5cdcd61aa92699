"""History of one audited object, and the installation-wide audit trail."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.text import slugify

from accounts.access import (
    address_revealer,
    can_view_audit_trail,
    can_view_history,
    identity_revealer,
)
from audit.listing import render_events
from audit.models import AuditEvent
from audit.selectors import events_about, find_audited_object


@login_required
def history(request: HttpRequest, object_type: str, object_id: str) -> HttpResponseBase:
    """The story of one object, newest or oldest first, filterable, exportable."""
    audited = find_audited_object(object_type, object_id)
    # Unknown objects and objects the user may not see look the same: 404.
    if audited is None or not can_view_history(
        request.user,
        site=audited.site,
        trial_id=audited.trial_id,
        object_type=audited.object_type,
    ):
        raise Http404("No history found.")
    events = events_about(audited.object_type, audited.object_id)
    filename = f"audit-{slugify(audited.object_type)}-{slugify(audited.object_id)}.csv"
    return render_events(
        request,
        events,
        template="audit/history.html",
        filename=filename,
        extra={"audited": audited},
        name_object=False,
        reveal=identity_revealer(request.user),
        reveal_address=address_revealer(request.user),
        exported=audited.instance,
    )


@login_required
def trail(request: HttpRequest) -> HttpResponseBase:
    """Every event in the installation, for data managers."""
    if not can_view_audit_trail(request.user):
        raise Http404("No audit trail here.")
    return render_events(
        request,
        AuditEvent.objects.all(),
        template="audit/trail.html",
        filename="audit-trail.csv",
        extra={},
        name_object=True,
        reveal=identity_revealer(request.user),
        reveal_address=address_revealer(request.user),
    )
