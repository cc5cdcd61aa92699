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
from screening.selectors import log_rows, screening_log, site_choices, trial_choices
from screening.views.downloads import log_download

PAGE_SIZE = 50


@login_required
def screening_log_view(request: HttpRequest) -> HttpResponseBase:
    roles = roles_of(request.user)  # type: ignore[arg-type]
    if not (roles.is_site_staff or roles.monitor):
        raise Http404("No screening log here.")
    form = ScreeningLogForm(
        request.GET or None, trials=trial_choices(request.user), sites=site_choices(request.user)
    )
    refused = form.is_bound and not form.is_valid()
    filters = {} if refused or not form.is_bound else form.cleaned_data
    if request.GET.get("format") and not refused:
        return log_download(request, request.GET["format"], filters)
    screenings = screening_log(request.user, **{k: v for k, v in filters.items() if v})
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
        status=400 if refused else 200,
    )
