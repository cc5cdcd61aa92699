"""The help pages: an index and one page per area, for everyone signed in."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from dashboards.help import BY_SLUG, TOPICS


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "help/index.html", {"topics": TOPICS})


@login_required
def topic(request: HttpRequest, slug: str) -> HttpResponse:
    found = BY_SLUG.get(slug)
    if found is None:
        raise Http404("No such help page.")
    return render(request, f"help/{found.slug}.html", {"topic": found, "topics": TOPICS})
