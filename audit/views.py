"""History of one audited object, and the installation-wide audit trail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.text import slugify

from accounts.access import can_view_audit_trail, can_view_history, reveals_identity
from accounts.backends import DATA_MANAGER_APPS
from audit.export import csv_response
from audit.forms import AuditFilterForm
from audit.models import AuditEvent
from audit.selectors import (
    action_choices,
    events_about,
    filter_events,
    find_audited_object,
    person_choices,
)
from audit.story import tell

PAGE_SIZE = 50


def identity_revealer(user: Any) -> Callable[[AuditEvent], bool]:
    """Identity values show only to staff of the event's own site."""
    return lambda event: reveals_identity(user, site_id=event.site_id)


@login_required
def history(request: HttpRequest, object_type: str, object_id: str) -> HttpResponseBase:
    """The story of one object, newest or oldest first, filterable, exportable."""
    audited = find_audited_object(object_type, object_id)
    # Unknown objects and objects the user may not see look the same: 404.
    if audited is None or not can_view_history(
        request.user,
        site=audited.site,
        trial_id=audited.trial_id,
        configuration=audited.app_label in DATA_MANAGER_APPS,
    ):
        raise Http404("No history found.")
    events = events_about(audited.object_type, audited.object_id)
    filename = f"audit-{slugify(audited.object_type)}-{slugify(audited.object_id)}.csv"
    return _render_events(
        request,
        events,
        template="audit/history.html",
        filename=filename,
        extra={"audited": audited},
        name_object=False,
    )


@login_required
def trail(request: HttpRequest) -> HttpResponseBase:
    """Every event in the installation, for data managers."""
    if not can_view_audit_trail(request.user):
        raise Http404("No audit trail here.")
    return _render_events(
        request,
        AuditEvent.objects.all(),
        template="audit/trail.html",
        filename="audit-trail.csv",
        extra={},
        name_object=True,
    )


def _render_events(
    request: HttpRequest,
    events: models.QuerySet[AuditEvent],
    *,
    template: str,
    filename: str,
    extra: dict[str, object],
    name_object: bool,
) -> HttpResponseBase:
    form = AuditFilterForm(
        request.GET, actions=action_choices(events), people=person_choices(events)
    )
    filters = form.filters()
    selected = filter_events(events, filters)
    reveal = identity_revealer(request.user)
    if request.GET.get("format") == "csv":
        return csv_response(selected, filename, reveal=reveal)
    page = Paginator(selected, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    context = {
        **extra,
        "form": form,
        "page": page,
        "stories": [
            (event, tell(event, name_object=name_object, reveal_identity=reveal(event)))
            for event in page
        ],
        "query": query.urlencode(),
        "oldest_first": filters.get("order") == "oldest",
    }
    return render(request, template, context)
