"""The screening log: every attempt the user may see, pseudonymised, filterable, and
exportable as CSV (the export is audited)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.roles import roles_of
from audit.services import audit_record
from screening.export import log_csv_response
from screening.forms.candidates import ScreeningLogForm
from screening.selectors import log_filter_choices, log_rows, screening_log

PAGE_SIZE = 50
EXPORT_ACTION = "screening.log.exported"


@login_required
def screening_log_view(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    roles = roles_of(request.user)  # type: ignore[arg-type]
    if not (roles.is_site_staff or roles.monitor):
        raise Http404("No screening log here.")
    trials, sites = log_filter_choices(request.user)
    form = ScreeningLogForm(request.GET or None, trials=trials, sites=sites)
    valid = form.is_valid()
    filters = form.cleaned_data if valid else {}
    screenings = screening_log(request.user, **{k: v for k, v in filters.items() if v})
    if request.GET.get("format") == "csv" and (valid or not request.GET):
        return _export(request, screenings, filters)
    page = Paginator(screenings, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "screening/log.html",
        {
            "form": form,
            "page": page,
            "rows": list(log_rows(page.object_list)),
            "query": query.urlencode(),
        },
        status=200 if valid or not request.GET else 400,
    )


def _export(
    request: HttpRequest, screenings: QuerySet[Any], filters: dict[str, Any]
) -> StreamingHttpResponse:
    chosen = {k: str(v) for k, v in filters.items() if v}
    with transaction.atomic():
        audit_record(
            actor=request.user,  # type: ignore[arg-type]
            action=EXPORT_ACTION,
            changes={"filters": {"old": None, "new": chosen or None, "label": "Filters"}},
            request=request,
        )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    rows = log_rows(screenings.iterator(chunk_size=500))
    return log_csv_response(rows, f"screening-log-{stamp}.csv")
