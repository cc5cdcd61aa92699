"""Proposing and signing decisions; rescreening; enrolment. Each view calls one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_http_methods

from accounts.access import can_sign
from screening.criteria_words import kind_word
from screening.engine_bridge import definition_for
from screening.forms.decisions import DecisionForm, EnrolForm, RescreenForm, SignForm, add_errors
from screening.models import Outcome, Screening
from screening.services import (
    MEANINGS,
    ScreeningRuleError,
    ScreeningValidationError,
    current_decision,
    decision_propose,
    decision_sign,
    screening_enrol,
    screening_rescreen,
)
from screening.services.common import latest_evaluation
from screening.services.rescreening import CarrySection, carry_sections, rescreen_timing
from screening.views.common import (
    decision_context,
    error_messages,
    identity_for,
    latest_result,
    screening_or_404,
)


def _page(request: HttpRequest, template: str, screening: Screening, **extra: Any) -> HttpResponse:
    return render(
        request,
        template,
        {
            "screening": screening,
            "candidate": screening.candidate,
            "identity": identity_for(request.user, screening.candidate),
            "site_zone": screening.candidate.site.time_zone,
            **extra,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_propose_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Propose eligible / screen failure / withdrawn; failing criteria come pre-ticked."""
    screening = screening_or_404(request, pk, enter=True)
    definition = definition_for(screening)
    language = get_language()
    criteria = [
        (c.id, f"{c.id} — {kind_word(c.id)}: {c.text_in(language).splitlines()[0][:140]}")
        for c in definition.criteria
    ]
    evaluation = latest_evaluation(screening)
    blocking = evaluation.blocking if evaluation is not None else []
    initial = {
        "outcome": Outcome.SCREEN_FAILURE if blocking else Outcome.ELIGIBLE,
        "reason_category": "criteria" if blocking else "",
        "failed_criteria": blocking,
    }
    form = DecisionForm(request.POST or None, criteria=criteria, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        outcome = d["outcome"]
        try:
            decision_propose(
                user=request.user,  # type: ignore[arg-type]
                screening=screening,
                outcome=outcome,
                reason_category="" if outcome == Outcome.ELIGIBLE else d["reason_category"],
                failed_criteria=d["failed_criteria"] if outcome == Outcome.SCREEN_FAILURE else [],
                reason_text=d["reason_text"],
                request=request,
            )
        except (ScreeningValidationError, ScreeningRuleError) as error:
            add_errors(form, error_messages(error))
        else:
            if can_sign(request.user, site_id=screening.candidate.site_id):
                messages.success(request, gettext("Decision proposed. Sign it to make it stand."))
                return redirect("screening:sign", pk=screening.pk)
            messages.success(
                request, gettext("Decision proposed; it awaits an investigator's signature.")
            )
            return redirect("screening:summary", pk=screening.pk)
    return _page(
        request,
        "screening/decision.html",
        screening,
        form=form,
        result=latest_result(screening),
        live=False,
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_sign_view(request: HttpRequest, pk: int) -> HttpResponse:
    """An investigator signs the proposed decision, typing their password again."""
    screening = screening_or_404(request, pk, enter=True)
    if not can_sign(request.user, site_id=screening.candidate.site_id):
        raise Http404("No such screening.")
    decision = current_decision(screening)
    if decision is None or hasattr(decision, "signature"):
        messages.info(request, gettext("There is no proposed decision awaiting a signature."))
        return redirect("screening:summary", pk=screening.pk)
    form = SignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decision_sign(
                user=request.user,  # type: ignore[arg-type]
                decision=decision,
                password=form.cleaned_data["password"],
                request=request,
            )
        except (ScreeningValidationError, ScreeningRuleError) as error:
            add_errors(form, error_messages(error))
        else:
            messages.success(
                request,
                gettext("Signed: %(outcome)s.") % {"outcome": decision.get_outcome_display()},
            )
            return redirect("screening:summary", pk=screening.pk)
    meaning = MEANINGS[Outcome(decision.outcome)].format(
        trial=screening.candidate.trial.code, version=screening.protocol_version.label
    )
    return _page(
        request,
        "screening/sign.html",
        screening,
        form=form,
        pending=decision,
        meaning=meaning,
        result=latest_result(screening),
        live=False,
        **decision_context(screening),
    )


def _carry_labels(sections: list[CarrySection]) -> list[tuple[str, str]]:
    return [(item.code, item.label) for section in sections for item in section.items]


@login_required
@require_http_methods(["GET", "POST"])
def screening_rescreen_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the next attempt. The page says how the last one ended and from when the
    candidate could be eligible; an early rescreening asks for a confirmation and a
    reason (the service decides what is early)."""
    screening = screening_or_404(request, pk, enter=True)
    today = screening.candidate.site.today()
    sections = carry_sections(screening, on=today)
    timing = rescreen_timing(screening)
    form = RescreenForm(request.POST or None, carry=_carry_labels(sections), today=today)
    early = timing.early(today)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        early = timing.early(d["screening_date"])
        try:
            attempt = screening_rescreen(
                user=request.user,  # type: ignore[arg-type]
                screening=screening,
                screening_date=d["screening_date"],
                consent_date=d["consent_date"],
                carry=set(d["carry"]),
                confirm_early=d["confirm_early"],
                early_reason=d["early_reason"],
                request=request,
            )
        except (ScreeningValidationError, ScreeningRuleError) as error:
            add_errors(form, error_messages(error))
        else:
            messages.success(
                request, gettext("Attempt %(attempt)s started.") % {"attempt": attempt.attempt}
            )
            return redirect("screening:entry", pk=attempt.pk)
    carried = set(form["carry"].value() or ())
    return _page(
        request,
        "screening/rescreen.html",
        screening,
        form=form,
        timing=timing,
        early=early,
        sections=[
            (section, [(item, item.code in carried) for item in section.items])
            for section in sections
        ],
    )


@login_required
@require_http_methods(["GET", "POST"])
def screening_enrol_view(request: HttpRequest, pk: int) -> HttpResponse:
    screening = screening_or_404(request, pk, enter=True)
    form = EnrolForm(request.POST or None, today=screening.candidate.site.today())
    if request.method == "POST" and form.is_valid():
        try:
            screening_enrol(
                user=request.user,  # type: ignore[arg-type]
                screening=screening,
                enrolled_on=form.cleaned_data["enrolled_on"],
                randomisation_number=form.cleaned_data["randomisation_number"],
                request=request,
            )
        except (ScreeningValidationError, ScreeningRuleError) as error:
            add_errors(form, error_messages(error))
        else:
            messages.success(
                request, gettext("%(candidate)s is enrolled.") % {"candidate": screening.candidate}
            )
            return redirect("screening:summary", pk=screening.pk)
    return _page(
        request, "screening/enrol.html", screening, form=form, **decision_context(screening)
    )
