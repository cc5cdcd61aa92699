"""The screening log: every attempt the user may see, pseudonymised, filterable, and
exportable in every format of ``screening.log_formats`` (``?format=``; each export is
audited by ``screening.services.exports``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render

from accounts.roles import roles_of
from screening.forms.candidates import ScreeningLogForm
from screening.selectors import (
    criterion_choices,
    log_entries,
    log_page,
    log_sort,
    site_choices,
    trial_choices,
    version_choices,
)
from screening.views.downloads import log_download

PAGE_SIZE = 50


@login_required
def screening_log_view(request: HttpRequest) -> HttpResponseBase:
    roles = roles_of(request.user)  # type: ignore[arg-type]
    if not (roles.is_site_staff or roles.monitor):
        raise Http404("No screening log here.")
    user = request.user
    form = ScreeningLogForm(
        request.GET or None,
        trials=trial_choices(user),
        sites=site_choices(user),
        versions=version_choices(user),
        criteria=criterion_choices(user),
    )
    refused = form.is_bound and not form.is_valid()
    filters = {} if refused or not form.is_bound else form.cleaned_data
    if request.GET.get("format") and not refused:
        return log_download(request, request.GET["format"], filters)
    entries = log_entries(user, **{k: v for k, v in filters.items() if v})
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    unsorted = query.copy()
    unsorted.pop("sort", None)
    sort, descending = log_sort(filters.get("sort") or "")
    return render(
        request,
        "screening/log.html",
        {
            "form": form,
            "page": page,
            "entries": log_page(page.object_list),
            "query": query.urlencode(),
            "unsorted": unsorted.urlencode(),
            "sort": sort,
            "descending": descending,
        },
        status=400 if refused else 200,
    )
