"""Erasing candidates' identities: the data manager's page (retention list and look-up)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import can_erase_identity
from screening.forms.decisions import add_errors
from screening.forms.erasure import ErasureForm
from screening.models import Candidate, RetentionDue
from screening.services import erasure_refusal, identities_erase
from screening.services.erasure import ERASURE_MEANING
from screening.views.common import error_messages


@login_required
@require_http_methods(["GET", "POST"])
def erasure_view(request: HttpRequest) -> HttpResponse:
    """Identities due under the retention policies, and any candidate by screening number."""
    if not can_erase_identity(request.user):
        raise Http404("No such page.")
    due = list(RetentionDue.objects.select_related("candidate__trial", "candidate__site"))
    number = request.GET.get("number", "").strip()
    found = (
        Candidate.objects.select_related("trial", "site").filter(screening_number=number).first()
        if number
        else None
    )
    form = ErasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            erased = identities_erase(
                user=request.user,  # type: ignore[arg-type]
                candidates=list(form.cleaned_data["candidates"]),
                reason=form.cleaned_data["reason"],
                password=form.cleaned_data["password"],
                request=request,
            )
        except ValidationError as error:  # a refusal, the reason, or the signature
            add_errors(form, error_messages(error))
        else:
            messages.success(
                request,
                _("Identity erased: %(numbers)s.")
                % {"numbers": ", ".join(str(i.candidate) for i in erased)},
            )
            return redirect("screening:erasure")
    return render(
        request,
        "screening/erasure.html",
        {
            "form": form,
            "due": due,
            "number": number,
            "found": found,
            "found_refusal": erasure_refusal(found) if found is not None else None,
            "meaning": ERASURE_MEANING,
        },
    )
