"""Retention of candidates' identities: which are due for erasure under their trial's policy.

The policy is data on the trial (``Trial.screen_failure_retention_months``,
``Trial.enrolled_retention_months``). The daily review lists the candidates whose
identity is due and erases nothing: a data manager confirms on the retention page,
with a reason and their password, and the erasure is audited candidate by candidate
(``screening.services.erasure``). See docs/privacy.md.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.services import audit_record
from screening.models import (
    Candidate,
    RetentionDue,
    ScreeningStatus,
    Signature,
)
from screening.services.erasure import CLOSED_STATUSES
from trials.models import Trial

ENDED_BY_DECISION = (ScreeningStatus.SCREEN_FAILURE, ScreeningStatus.WITHDRAWN)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later; the 31st of a shorter month is its last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Due:
    candidate_id: int
    due_on: dt.date
    rule: str


def _due_for(candidate: Candidate, trial: Trial) -> Due | None:
    attempts = sorted(candidate.screenings.all(), key=lambda s: s.attempt)
    if not attempts or any(s.status not in CLOSED_STATUSES for s in attempts):
        return None
    latest = attempts[-1]
    zone = candidate.site.zone
    if latest.status in ENDED_BY_DECISION and trial.screen_failure_retention_months:
        months = trial.screen_failure_retention_months
        signature = (
            Signature.objects.filter(decision__screening=latest).order_by("-signed_at").first()
        )
        if signature is None:
            return None
        decided = signature.signed_at.astimezone(zone).date()
        outcome = ScreeningStatus(latest.status).label.lower()
        return Due(
            candidate.pk,
            add_months(decided, months),
            f"{outcome}: {months} months after the decision signed on {decided:%d %b %Y}",
        )
    if latest.status == ScreeningStatus.ENROLLED and trial.enrolled_retention_months:
        months = trial.enrolled_retention_months
        enrolment = getattr(latest, "enrolment", None)
        if enrolment is None:
            return None
        return Due(
            candidate.pk,
            add_months(enrolment.enrolled_on, months),
            f"enrolled: {months} months after enrolment on {enrolment.enrolled_on:%d %b %Y}",
        )
    return None


def identities_due() -> list[Due]:
    """Every candidate whose identity is due for erasure today (by its site's calendar)."""
    trials = Trial.objects.filter(
        Q(screen_failure_retention_months__isnull=False)
        | Q(enrolled_retention_months__isnull=False)
    )
    candidates = (
        Candidate.objects.filter(trial__in=trials, identity__erased_at__isnull=True)
        .select_related("trial", "site")
        .prefetch_related("screenings__enrolment")
    )
    found = []
    for candidate in candidates:
        due = _due_for(candidate, candidate.trial)
        if due is not None and due.due_on <= candidate.site.today():
            found.append(due)
    return found


@dataclass(frozen=True)
class ReviewOutcome:
    listed: int
    added: int
    removed: int


@transaction.atomic
def retention_review() -> ReviewOutcome:
    """Bring the list of identities due for erasure up to date; erases nothing.

    Adds the candidates newly due, drops those no longer due (erased, or screened
    again), and records one event saying how many are listed.
    """
    due = {d.candidate_id: d for d in identities_due()}
    listed = {row.candidate_id for row in RetentionDue.objects.select_for_update()}
    gone = listed - set(due)
    RetentionDue.objects.filter(candidate_id__in=gone).delete()
    now = timezone.now()
    new = [
        RetentionDue(candidate_id=d.candidate_id, due_on=d.due_on, rule=d.rule, listed_at=now)
        for candidate_id, d in sorted(due.items())
        if candidate_id not in listed
    ]
    RetentionDue.objects.bulk_create(new)
    audit_record(
        actor=None,
        action="screening.retention.listed",
        changes={
            "due": {"old": len(listed), "new": len(due), "label": "Identities due for erasure"}
        },
    )
    return ReviewOutcome(listed=len(due), added=len(new), removed=len(gone))
