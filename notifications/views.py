"""One's own notifications: the list, marking read, and how to be told.

Every page shows the signed-in person's own notifications only; another person's
is not found (404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_POST

from notifications.forms import PreferenceForm
from notifications.selectors import notifications_of
from notifications.services import delivery_of, mark_all_read, mark_read, preference_set

PAGE_SIZE = 25


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    form = PreferenceForm(initial={"delivery": delivery_of(request.user)})  # type: ignore[arg-type]
    return render(request, "notifications/list.html", {"page": page, "form": form})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one read; with ``open``, go on to what it is about."""
    row = mark_read(user=request.user, notification_id=pk)  # type: ignore[arg-type]
    if row is None:
        raise Http404("No such notification.")
    opens = "open" in request.POST and row.link
    if opens and url_has_allowed_host_and_scheme(row.link, allowed_hosts=None):
        return redirect(row.link)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = mark_all_read(user=request.user)  # type: ignore[arg-type]
    messages.success(
        request,
        ngettext(
            "%(count)d notification marked read.", "%(count)d notifications marked read.", count
        )
        % {"count": count},
    )
    return redirect("notifications:list")


@login_required
@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose one of the ways to be told."))
        return redirect("notifications:list")
    preference = preference_set(user=request.user, delivery=form.cleaned_data["delivery"])  # type: ignore[arg-type]
    messages.success(
        request, gettext("Saved: %(delivery)s.") % {"delivery": preference.get_delivery_display()}
    )
    return redirect("notifications:list")
