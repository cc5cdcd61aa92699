"""One way to show a list of audit events: filtered, paged, told, and exported.

The installation-wide trail, one object's history and a screening's story all
render through :func:`render_events`. Downloading a list as CSV is itself an
export of audited data, so it is recorded (``audit.trail.exported``) before a
byte is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.paginator import Paginator
from django.db import models, transaction
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render

from audit.csv_export import csv_response
from audit.forms import AuditFilterForm
from audit.models import AuditEvent
from audit.selectors import action_choices, filter_events, person_choices
from audit.services import audit_record
from audit.story import tell

PAGE_SIZE = 50


def render_events(
    request: HttpRequest,
    events: models.QuerySet[AuditEvent],
    *,
    template: str,
    filename: str,
    extra: dict[str, object],
    name_object: bool,
    reveal: Callable[[AuditEvent], bool],
    reveal_address: Callable[[AuditEvent], bool] = lambda event: False,
    exported: models.Model | None = None,
    default_order: str = "newest",
    form_class: Callable[..., AuditFilterForm] = AuditFilterForm,
    narrow: Callable[[models.QuerySet[AuditEvent], dict[str, Any]], models.QuerySet[AuditEvent]]
    | None = None,
) -> HttpResponseBase:
    """The events as a page, or as CSV with ``?format=csv`` (the download audited,
    about ``exported`` when given). A story reads oldest first; a trail newest first.
    ``reveal(event)`` says whether the reader may see the event's identity values,
    ``reveal_address(event)`` its client address (unless told, nobody does).
    ``form_class`` may add filters of its own, which ``narrow(events, filters)``
    applies; they are recorded with an export like the others."""
    data = request.GET.copy()
    data.setdefault("order", default_order)
    form = form_class(data, actions=action_choices(events), people=person_choices(events))
    filters = form.filters()
    selected = filter_events(events, filters).select_related("site")
    if narrow is not None:
        selected = narrow(selected, filters)
    if request.GET.get("format") == "csv":
        # The download is recorded first; it lists what there was before it.
        last = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
        selected = selected.filter(sequence__lte=last or 0)
        _record_export(request, filters, exported, count=selected.count())
        return csv_response(selected, filename, reveal=reveal, reveal_address=reveal_address)
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


def _record_export(
    request: HttpRequest, filters: dict[str, Any], exported: models.Model | None, *, count: int
) -> None:
    chosen = {name: str(value) for name, value in filters.items() if name != "order"}
    with transaction.atomic():
        audit_record(
            actor=request.user,  # type: ignore[arg-type]
            action="audit.trail.exported",
            obj=exported,
            changes={
                "filters": {"old": None, "new": chosen, "label": "Filters"},
                "events": {"old": None, "new": count, "label": "Events"},
            },
            request=request,
        )
