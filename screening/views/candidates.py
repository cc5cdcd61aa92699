"""Candidates: the list (searchable, pseudonymised for monitors), registration,
and one candidate's attempts with the start of their first screening."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from accounts.access import can_see_identity
from accounts.roles import roles_of
from screening.forms.candidates import (
    CandidateRegisterForm,
    CandidateSearchForm,
    ScreeningStartForm,
)
from screening.forms.decisions import add_errors
from screening.models import CandidateIdentity
from screening.selectors import candidates_for, registrable_trial_sites, trial_choices
from screening.services import (
    ScreeningRuleError,
    ScreeningValidationError,
    candidate_register,
    screening_start,
)
from screening.views.common import candidate_or_404, error_messages, identity_for, permissions

PAGE_SIZE = 25


@login_required
def candidate_list(request: HttpRequest) -> HttpResponse:
    """The candidates the user may see; names only beside their own sites' candidates."""
    roles = roles_of(request.user)  # type: ignore[arg-type]
    if not (roles.is_site_staff or roles.monitor):
        raise Http404("No candidates here.")
    names = roles.is_site_staff
    form = CandidateSearchForm(request.GET or None, trials=trial_choices(request.user), names=names)
    filters = form.cleaned_data if form.is_valid() else {}
    candidates = candidates_for(
        request.user,
        q=(filters.get("q") or "").strip(),
        status=filters.get("status") or "",
        trial=filters.get("trial") or "",
        names=names,
    )
    page = Paginator(candidates, PAGE_SIZE).get_page(request.GET.get("page"))
    identities = {
        i.candidate_id: i
        # An erased identity shows as the pseudonymised row a monitor sees.
        for i in CandidateIdentity.objects.select_related("candidate__data_key").filter(
            candidate__in=[c for c in page if can_see_identity(request.user, site_id=c.site_id)],
            erased_at__isnull=True,
        )
    }
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "screening/candidate_list.html",
        {
            "form": form,
            "page": page,
            "identities": identities,
            "show_identity": names,
            "can_register": registrable_trial_sites(request.user).exists(),
            "query": query.urlencode(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def candidate_register_view(request: HttpRequest) -> HttpResponse:
    trial_sites = registrable_trial_sites(request.user)
    if not roles_of(request.user).is_site_staff:  # type: ignore[arg-type]
        raise Http404("No registration here.")
    form = CandidateRegisterForm(request.POST or None, trial_sites=trial_sites)
    if request.method == "POST" and form.is_valid():
        link = form.cleaned_data["trial_site"]
        try:
            candidate = candidate_register(
                user=request.user,  # type: ignore[arg-type]
                trial=link.trial,
                site=link.site,
                identity=form.identity(),
                sex=form.cleaned_data["sex"],
                request=request,
            )
        except (ScreeningValidationError, ScreeningRuleError) as error:
            add_errors(form, error_messages(error))
        else:
            messages.success(
                request,
                gettext("Registered with screening number %(number)s.")
                % {"number": candidate.screening_number},
            )
            return redirect("screening:candidate", pk=candidate.pk)
    return render(
        request,
        "screening/candidate_register.html",
        {"form": form, "has_sites": trial_sites.exists()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One candidate: identity (site staff only), attempts, and the first screening's start."""
    candidate = candidate_or_404(request, pk)
    perms = permissions(request.user, candidate.site_id)
    attempts = list(candidate.screenings.order_by("attempt"))
    form = None
    if perms["can_enter"] and not attempts:
        form = ScreeningStartForm(request.POST or None, today=candidate.site.today())
        if request.method == "POST" and form.is_valid():
            try:
                screening = screening_start(
                    user=request.user,  # type: ignore[arg-type]
                    candidate=candidate,
                    screening_date=form.cleaned_data["screening_date"],
                    consent_date=form.cleaned_data["consent_date"],
                    request=request,
                )
            except (ScreeningValidationError, ScreeningRuleError) as error:
                add_errors(form, error_messages(error))
            else:
                messages.success(request, gettext("Screening started: enter the screening data."))
                return redirect("screening:entry", pk=screening.pk)
    elif request.method == "POST":
        raise Http404("Nothing to start here.")
    return render(
        request,
        "screening/candidate_detail.html",
        {
            "candidate": candidate,
            "identity": identity_for(request.user, candidate),
            "attempts": attempts,
            "form": form,
            **perms,
        },
    )
