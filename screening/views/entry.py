"""Screening data entry and the live eligibility panel.

The form is generated from the pinned protocol version's requirements; a save
goes through ``screening_save`` and the panel through ``evaluate_screening``
with the unsaved values as ``pending`` — nothing is written by the panel.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import can_sign
from screening.engine_bridge import definition_for, evaluate_screening, unasked
from screening.forms.entry import ScreeningEntryForm
from screening.forms.layout import Section, computed_values, entry_sections
from screening.forms.mapping import changes_from_form, initial_from_saved, site_ranges_for
from screening.models import Screening
from screening.selectors import screening_review
from screening.services.common import (
    ScreeningConflictError,
    ScreeningRuleError,
    ScreeningValidationError,
)
from screening.services.data import screening_save
from screening.validity import coded_inputs, form_notes
from screening.views.common import error_messages, identity_for, latest_result, screening_or_404


def _form(request: HttpRequest, screening: Screening, data: Any = None) -> Any:
    definition = definition_for(screening)
    requirements = definition.requirements()
    identity = identity_for(request.user, screening.candidate)
    ranges = site_ranges_for(screening, requirements, identity)
    initial, rows = initial_from_saved(screening, requirements, ranges)
    form = ScreeningEntryForm(
        data,
        requirements=requirements,
        initial=initial,
        rows=rows,
        can_judge=can_sign(request.user, site_id=screening.candidate.site_id),
        unasked=unasked(screening),
    )
    return form, definition, ranges, identity


def _render(
    request: HttpRequest,
    screening: Screening,
    form: ScreeningEntryForm,
    definition: Any,
    identity: Any,
    *,
    result: dict[str, Any] | None,
    alerts: list[str] | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    fixed = {"sex": screening.candidate.get_sex_display()}
    if identity is not None:
        fixed["date_of_birth"] = f"{identity.date_of_birth:%d %b %Y}"
    review = screening_review(screening)
    sections = _sections(form, definition, result, review, fixed=fixed)
    changed = [item for s in sections for item in s.items if item.changed(form)]
    errors = [e for s in sections for e in s.errors]
    return render(
        request,
        "screening/entry.html",
        {
            "screening": screening,
            "candidate": screening.candidate,
            "identity": identity,
            "form": form,
            "sections": sections,
            # A section with an error opens first when the page comes back refused;
            # else the one the user was in.
            "open_section": next(
                (s.code for s in sections if s.errors), _posted_section(request, sections)
            ),
            "field_errors": errors,
            "changed_items": changed,
            "changed_codes": {item.key for item in changed},
            "saved_codes": {item.key for s in sections for item in s.items if item.saved(form)},
            "computed": computed_values(_with_derived(screening, result)),
            "has_saved_data": screening.revision > 0,
            "result": result,
            "live": False,
            "site_zone": screening.candidate.site.time_zone,
            "alerts": alerts or [],
            "conflict": conflict,
            "review": review,
            "validity": form_notes(form, definition, screening_date=screening.screening_date),
            "answers_query": request.POST.get("answers_query", "")
            if request.method == "POST"
            else "",
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def screening_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """The generated data-entry form; a POST saves through ``screening_save``."""
    screening = screening_or_404(request, pk, enter=True)
    if request.method == "GET":
        form, definition, _, identity = _form(request, screening)
        return _render(
            request, screening, form, definition, identity, result=latest_result(screening)
        )
    form, definition, ranges, identity = _form(request, screening, request.POST)
    valid = form.is_valid()
    changes, origins = changes_from_form(form, ranges)
    if not valid:
        return _render(
            request,
            screening,
            form,
            definition,
            identity,
            result=_live(screening, changes),
            alerts=[
                gettext("Some values could not be read; nothing was saved. See the marked fields.")
            ],
        )
    try:
        outcome = screening_save(
            user=request.user,  # type: ignore[arg-type]
            screening=screening,
            changes=changes,
            expected_revision=form.cleaned_data["expected_revision"],
            reason=form.cleaned_data.get("reason") or "",
            reason_code=form.cleaned_data.get("reason_code") or "",
            answers_query=_answers_query(request),
            request=request,
        )
    except ScreeningConflictError as conflict:
        return _render(
            request,
            screening,
            form,
            definition,
            identity,
            result=_live(screening, changes),
            conflict=str(conflict),
            status=409,
        )
    except (ScreeningValidationError, ScreeningRuleError) as error:
        loose = form.add_service_errors(error_messages(error), origins)
        return _render(
            request,
            screening,
            form,
            definition,
            identity,
            result=_live(screening, changes),
            alerts=[gettext("Nothing was saved: correct the marked fields."), *loose],
        )
    if not outcome.saved:
        messages.info(request, gettext("Nothing had changed; nothing was saved."))
    else:
        messages.success(request, _saved_message(outcome))
    if "view_summary" in request.POST:
        return redirect("screening:summary", pk=screening.pk)
    # Back to the section the user saved from (the page opens it from the URL).
    url = reverse("screening:entry", kwargs={"pk": screening.pk})
    codes = {s.code for s in definition.requirements().sections}
    section = request.POST.get("entry_section", "")
    return redirect(f"{url}#section-{section}" if section in codes else url)


def _posted_section(request: HttpRequest, sections: list[Section]) -> str:
    """The section the user was in when they saved (``entry_section``), if it is one."""
    posted = request.POST.get("entry_section", "") if request.method == "POST" else ""
    return posted if any(s.code == posted for s in sections) else ""


def _sections(
    form: ScreeningEntryForm,
    definition: Any,
    result: dict[str, Any] | None,
    review: Any,
    *,
    fixed: dict[str, str] | None = None,
) -> list[Section]:
    queries = {code: sum(len(rv.queries) for rv in rvs) for code, rvs in review.by_spec.items()}
    return entry_sections(form, definition, fixed=fixed, result=result, queries=queries)


def _with_derived(screening: Screening, result: dict[str, Any] | None) -> dict[str, Any] | None:
    """``result``, or a fresh evaluation of the saved data when ``result`` was stored
    before evaluations carried their derived values."""
    if result is None or "derived" in result:
        return result
    try:
        return evaluate_screening(screening).to_dict()
    except (ValueError, ArithmeticError):
        return result


def _answers_query(request: HttpRequest) -> int | None:
    """The query the coordinator says the change answers ("in answer to query #N")."""
    chosen = request.POST.get("answers_query", "").strip()
    return int(chosen) if chosen.isdigit() else None


def _saved_message(outcome: Any) -> str:
    parts = [
        words % {"count": n}
        for n, words in (
            (outcome.created, gettext("%(count)s added")),
            (outcome.changed, gettext("%(count)s changed")),
            (outcome.removed, gettext("%(count)s removed")),
        )
        if n
    ]
    text = gettext("Saved: %(parts)s.") % {"parts": ", ".join(parts)}
    if outcome.signature_voided:
        text += " " + gettext("The investigator's signature is void: the screening needs review.")
    return text


def _live(screening: Screening, changes: Any) -> dict[str, Any] | None:
    try:
        return evaluate_screening(screening, pending=changes).to_dict()
    except (ValueError, ArithmeticError):
        return latest_result(screening)


@login_required
@require_POST
def screening_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The eligibility panel for what the form holds now, unsaved (htmx)."""
    screening = screening_or_404(request, pk, enter=True)
    form, definition, ranges, _ = _form(request, screening, request.POST)
    form.is_valid()
    changes, _ = changes_from_form(form, ranges)
    problem = ""
    try:
        result: dict[str, Any] | None = evaluate_screening(screening, pending=changes).to_dict()
    except (ValueError, ArithmeticError) as exc:
        result, problem = latest_result(screening), f"Could not evaluate what is typed: {exc}"
    sections = _sections(form, definition, result, screening_review(screening))
    return render(
        request,
        "screening/panel_response.html",
        {
            "screening": screening,
            "result": result,
            "live": True,
            "problem": problem,
            "sections": sections,
            "hints": [item.hint for s in sections for item in s.items if item.hint],
            "computed": computed_values(_with_derived(screening, result)).values(),
            "validity": form_notes(form, definition, screening_date=screening.screening_date),
            "validity_codes": coded_inputs(form),
            "site_zone": screening.candidate.site.time_zone,
        },
    )
