"""Starting a screening attempt and enrolling an eligible, signed one."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import can_enter_data
from accounts.models import User
from screening.models import Candidate, CandidateIdentity, Enrolment, Outcome, Screening
from screening.services.common import (
    ScreeningRuleError,
    ScreeningValidationError,
    audit,
    lock_screening,
    record_evaluation,
    require_data_entry,
)
from screening.services.validation import Problems, day_refusal
from screening.services.workflow import Action, check, current_decision, move
from trials.models import ProtocolVersion, Trial, TrialSite
from trials.selectors import active_version


def check_dates(screening_date: date, consent_date: date, *, today: date) -> None:
    """Refuse implausible dates, and dates after ``today`` — the site's today, where the
    dates were written down."""
    p = Problems()
    for key, label, day in (
        ("screening_date", _("Screening date"), screening_date),
        ("consent_date", _("Consent date"), consent_date),
    ):
        refusal = day_refusal(day, label)
        if refusal is not None:
            p.add(key, refusal, "implausible_date")
    if p:
        raise ScreeningValidationError(p.errors)
    if screening_date > today:
        p.add("screening_date", f"Screening date {screening_date} is in the future.", "future")
    if consent_date > today:
        p.add("consent_date", f"Consent date {consent_date} is in the future.", "future")
    if consent_date > screening_date:
        p.add(
            "consent_date",
            f"Consent ({consent_date}) must come before screening ({screening_date}): no "
            "screening procedure happens before consent.",
            "after_screening",
        )
    if p:
        raise ScreeningValidationError(p.errors)


def version_to_screen(trial: Trial) -> ProtocolVersion:
    """The trial's active protocol version, which a new attempt is pinned to."""
    version = active_version(trial)
    if version is None:
        raise ScreeningRuleError(
            f"{trial.code} has no active protocol version, so screening cannot start; "
            "a data manager must activate one first.",
            code="no_active_version",
        )
    return version


def check_site_screens(candidate: Candidate) -> None:
    """The candidate's site screens for the trial, and the candidate is still known:
    a person whose identity was erased is screened again only as a new registration."""
    link = TrialSite.objects.filter(trial_id=candidate.trial_id, site_id=candidate.site_id).first()
    if link is None or not link.active:
        raise ScreeningRuleError(
            f"{candidate.trial.code} is not screening at site {candidate.site.code}.",
            code="site_inactive",
        )
    if CandidateIdentity.objects.filter(candidate=candidate, erased_at__isnull=False).exists():
        raise ScreeningRuleError(
            f"The identity of {candidate} was erased: register the person again to screen "
            "them anew.",
            code="erased",
        )


@transaction.atomic
def screening_start(
    *,
    user: User,
    candidate: Candidate,
    screening_date: date,
    consent_date: date,
    request: HttpRequest | None = None,
) -> Screening:
    """Start the candidate's first attempt, pinned to the trial's active version.

    Later attempts are rescreenings (``screening_rescreen``), linked to the last.
    """
    if not candidate.pk:
        raise ValueError("Register the candidate first.")
    Candidate.objects.select_for_update().filter(pk=candidate.pk).first()
    if not can_enter_data(user, site_id=candidate.site_id):
        raise PermissionDenied("Only staff of the candidate's site start its screening.")
    check_site_screens(candidate)
    if candidate.screenings.exists():
        raise ScreeningRuleError(
            f"{candidate} already has a screening attempt; a new one is a rescreening.",
            code="already_started",
        )
    version = version_to_screen(candidate.trial)
    check_dates(screening_date, consent_date, today=candidate.site.today())
    now = timezone.now()
    screening = Screening.objects.create(
        candidate=candidate,
        attempt=1,
        protocol_version=version,
        screening_date=screening_date,
        consent_date=consent_date,
        created_by=user,
        created_at=now,
        updated_by=user,
        updated_at=now,
    )
    audit(
        user=user,
        action="screening.screening.created",
        obj=screening,
        site=candidate.site,
        changes={
            "protocol_version": {"old": None, "new": version.label, "label": "Protocol version"},
            "screening_date": {"old": None, "new": screening_date, "label": "Screening date"},
            "consent_date": {"old": None, "new": consent_date, "label": "Consent date"},
        },
        request=request,
    )
    record_evaluation(screening=screening, user=user, request=request)
    return screening


@transaction.atomic
def screening_enrol(
    *,
    user: User,
    screening: Screening,
    enrolled_on: date,
    randomisation_number: str = "",
    request: HttpRequest | None = None,
) -> Enrolment:
    """Enrol an eligible screening whose eligible decision is signed and stands."""
    require_data_entry(user, screening)
    locked = lock_screening(screening)
    row = check(Action.ENROL, screening=locked, user=user)
    decision = current_decision(locked)
    signature = getattr(decision, "signature", None) if decision is not None else None
    if (
        decision is None
        or decision.outcome != Outcome.ELIGIBLE
        or signature is None
        or signature.is_void
    ):
        raise ScreeningRuleError(
            f"Only an eligible screening with a signed eligibility decision can be enrolled; "
            f"{locked} has none standing.",
            code="not_eligible",
        )
    p = Problems()
    site = locked.candidate.site
    if enrolled_on > site.today():
        p.add("enrolled_on", f"Enrolment date {enrolled_on} is in the future.", "future")
    if enrolled_on < locked.screening_date:
        p.add(
            "enrolled_on",
            f"Enrolment date {enrolled_on} is before the screening date {locked.screening_date}.",
            "before_screening",
        )
    signed_on = timezone.localtime(signature.signed_at, timezone=site.zone).date()
    if enrolled_on < signed_on:
        p.add(
            "enrolled_on",
            f"Enrolment date {enrolled_on} is before the eligibility decision was signed "
            f"({signed_on}, site time).",
            "before_signature",
        )
    if p:
        raise ScreeningValidationError(p.errors)
    enrolment = Enrolment.objects.create(
        screening=locked,
        enrolled_on=enrolled_on,
        randomisation_number=randomisation_number.strip(),
        recorded_by=user,
        recorded_at=timezone.now(),
    )
    status = move(locked, row)
    audit(
        user=user,
        action=row.audit_action,
        obj=enrolment,
        site=locked.candidate.site,
        changes={
            "enrolled_on": {"old": None, "new": enrolled_on, "label": "Enrolled on"},
            "randomisation_number": {
                "old": None,
                "new": enrolment.randomisation_number,
                "label": "Randomisation number",
            },
            **status,
        },
        request=request,
    )
    screening.status = locked.status
    return enrolment
