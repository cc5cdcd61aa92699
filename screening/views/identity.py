"""Correcting a candidate's identity: site staff only, with a reason, audited."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from screening.forms.candidates import IdentityForm
from screening.forms.decisions import add_errors
from screening.services import candidate_identity_change
from screening.views.common import candidate_or_404, error_messages, identity_for


@login_required
@require_http_methods(["GET", "POST"])
def candidate_identity_view(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = candidate_or_404(request, pk, enter=True)
    identity = identity_for(request.user, candidate)
    if identity is not None and identity.is_erased:
        messages.error(request, "This identity was erased: there is nothing left to correct.")
        return redirect("screening:candidate", pk=candidate.pk)
    initial = {
        "full_name": identity.full_name if identity else "",
        "date_of_birth": identity.date_of_birth if identity else None,
        "sex": candidate.sex,
        "hospital_number": identity.hospital_number if identity else "",
        "phone": identity.phone if identity else "",
        "email": identity.email if identity else "",
    }
    form = IdentityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = candidate_identity_change(
                user=request.user,  # type: ignore[arg-type]
                candidate=candidate,
                identity=form.identity(),
                sex=form.cleaned_data["sex"],
                reason=form.cleaned_data["reason"],
                reason_code=form.cleaned_data["reason_code"],
                request=request,
            )
        except ValidationError as error:  # field errors, or the missing reason
            add_errors(form, error_messages(error))
        else:
            messages.success(
                request,
                gettext("Identity corrected; open screenings were evaluated again.")
                if changed
                else gettext("Nothing changed."),
            )
            return redirect("screening:candidate", pk=candidate.pk)
    return render(
        request, "screening/candidate_identity.html", {"candidate": candidate, "form": form}
    )
