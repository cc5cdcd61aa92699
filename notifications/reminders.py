"""Reminders found by scanning the database (daily beat job), and the audit check's alarm.

Each reminder is one notification per recipient, keyed by (kind, thing, day-bucket):

- washout: the bucket is the day the washout ends, so coordinators hear once when it
  comes within the trial's ``washout_reminder_days`` and once on the day itself;
- signatures and queries: the bucket is the site's today, so an overdue decision or
  query is a reminder each day until it is signed or answered;
- the audit check: the bucket is the UTC day of the failed check;
- results to repeat: the bucket is the result's date, so coordinators hear once of each
  result too old for the screening, or that will be before a planned date of the
  protocol (a planned randomisation), and again only for a new result.

Messages name candidates by screening number only: they may leave the hospital by e-mail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from accounts.models import SiteRole, User
from notifications.models import Kind
from notifications.services import Note, notify
from screening.engine_bridge import definition_for
from screening.models import (
    OPEN_STATUSES,
    DataQuery,
    Decision,
    QueryStatus,
    Screening,
    ScreeningStatus,
)
from screening.services.reminders import washout_due, washout_reminders_send
from screening.validity import saved_notes

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReminderReport:
    washout: int = 0
    signature: int = 0
    query: int = 0
    results: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "washout": self.washout,
            "signature": self.signature,
            "query": self.query,
            "results": self.results,
        }


def site_staff(site_id: int, role: str) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, memberships__site_id=site_id, memberships__role=role
    ).distinct()


def _number(screening: Screening) -> str:
    label = screening.candidate.screening_number
    return label if screening.attempt == 1 else f"{label} (attempt {screening.attempt})"


def washout_notify() -> int:
    """Coordinators of the site hear of each washout ending within the trial's
    ``washout_reminder_days``, and again on the day; the audit trail records the
    reminder as before (``screening.washout.reminder``). Returns notifications made."""
    washout_reminders_send()
    made = 0
    for item in washout_due():
        screening = item.screening
        on_the_day = item.eligible_from == item.today
        kind = Kind.WASHOUT_TODAY if on_the_day else Kind.WASHOUT_SOON
        when = "today" if on_the_day else f"on {item.eligible_from:%d %b %Y}"
        note = Note(
            kind=kind,
            key=f"{kind}:screening-{screening.pk}:{item.eligible_from.isoformat()}",
            title=f"{_number(screening)}: washout ends {when}",
            body=(
                f"The washout of {_number(screening)} ({screening.candidate.trial.code}) "
                f"ends {when}: the candidate may be eligible from then."
            ),
            link=reverse("screening:summary", kwargs={"pk": screening.pk}),
        )
        recipients = site_staff(screening.candidate.site_id, SiteRole.COORDINATOR)
        made += len(notify(recipients=recipients, note=note))
    return made


def _site_today(cache: dict[int, date], site: Any) -> date:
    return cache.setdefault(site.pk, site.today())


def signature_notify() -> int:
    """Investigators of the site hear, each day, of each decision awaiting signature
    for more than the trial's ``signature_reminder_days``. Returns notifications made."""
    latest = Decision.objects.filter(screening=OuterRef("pk")).order_by("-proposed_at", "-pk")
    now = timezone.now()
    screenings = (
        Screening.objects.filter(status=ScreeningStatus.AWAITING_SIGNATURE)
        .annotate(
            decision_id=Subquery(latest.values("pk")[:1]),
            proposed_at=Subquery(latest.values("proposed_at")[:1]),
        )
        .filter(proposed_at__lte=now - timedelta(days=1))
        .select_related("candidate__site", "candidate__trial")
        .order_by("pk")
    )
    made = 0
    today: dict[int, date] = {}
    screening: Any
    for screening in screenings:
        trial = screening.candidate.trial
        waited = now - screening.proposed_at
        if waited <= timedelta(days=trial.signature_reminder_days):
            continue
        day = _site_today(today, screening.candidate.site)
        note = Note(
            kind=Kind.SIGNATURE_OVERDUE,
            key=f"{Kind.SIGNATURE_OVERDUE}:decision-{screening.decision_id}:{day.isoformat()}",
            title=f"{_number(screening)}: decision awaiting your signature for {waited.days} days",
            body=(
                f"The decision on {_number(screening)} ({trial.code}) was proposed "
                f"{waited.days} days ago and is not signed yet."
            ),
            link=reverse("screening:sign", kwargs={"pk": screening.pk}),
        )
        recipients = site_staff(screening.candidate.site_id, SiteRole.INVESTIGATOR)
        made += len(notify(recipients=recipients, note=note))
    return made


def query_notify() -> int:
    """The site's coordinators and whoever raised it hear, each day, of each query open
    (since it was raised or re-opened) for more than the trial's
    ``query_reminder_days``. Returns notifications made."""
    now = timezone.now()
    queries = (
        DataQuery.objects.filter(
            status=QueryStatus.OPEN, status_changed_at__lte=now - timedelta(days=1)
        )
        .select_related("screening__candidate__site", "screening__candidate__trial", "raised_by")
        .order_by("pk")
    )
    made = 0
    today: dict[int, date] = {}
    for query in queries:
        screening = query.screening
        trial = screening.candidate.trial
        waited = now - query.status_changed_at
        if waited <= timedelta(days=trial.query_reminder_days):
            continue
        day = _site_today(today, screening.candidate.site)
        note = Note(
            kind=Kind.QUERY_OVERDUE,
            key=f"{Kind.QUERY_OVERDUE}:query-{query.pk}:{day.isoformat()}",
            title=f"{_number(screening)}: query open for {waited.days} days",
            body=(
                f"A query on {_number(screening)} ({trial.code}) has been open for "
                f"{waited.days} days without an answer."
            ),
            link=reverse("screening:query", kwargs={"qid": query.pk}),
        )
        recipients = [
            *site_staff(screening.candidate.site_id, SiteRole.COORDINATOR),
            query.raised_by,
        ]
        made += len(notify(recipients=recipients, note=note))
    return made


def results_expiring_notify() -> int:
    """Coordinators of the site hear of each saved result of an open screening that is
    older than the protocol's validity window on the screening date, or will be before
    a planned date the protocol names (docs/user-guide.md, "Results too old"). Returns
    notifications made."""
    screenings = (
        Screening.objects.filter(status__in=OPEN_STATUSES)
        .select_related("candidate__site", "candidate__trial", "protocol_version")
        .order_by("pk")
    )
    made = 0
    coordinators: dict[int, list[User]] = {}  # per site, read once per run
    for screening in screenings:
        definition = definition_for(screening)
        notes = saved_notes(screening, definition)
        if not notes:
            continue
        dated = dict(
            screening.observations.filter(code__in=list(notes)).values_list("code", "observed_on")
        )
        labels = {s.code: s.label for s in definition.requirements().inputs()}
        site_id = screening.candidate.site_id
        if site_id not in coordinators:
            coordinators[site_id] = list(site_staff(site_id, SiteRole.COORDINATOR))
        for code, found in notes.items():
            on = dated.get(code)
            label = labels.get(code, code)
            note = Note(
                kind=Kind.RESULT_EXPIRING,
                key=f"{Kind.RESULT_EXPIRING}:screening-{screening.pk}:{code}:{on}",
                title=f"{_number(screening)}: {label} to repeat",
                body=f"{_number(screening)} ({screening.candidate.trial.code}), {label}: "
                f"{found.text}",
                link=reverse("screening:entry", kwargs={"pk": screening.pk}),
            )
            made += len(notify(recipients=coordinators[site_id], note=note))
    return made


def reminders_send() -> ReminderReport:
    """The daily scan: every kind of reminder due now."""
    return ReminderReport(
        washout=washout_notify(),
        signature=signature_notify(),
        query=query_notify(),
        results=results_expiring_notify(),
    )


def audit_failure_notify(*, summary: str) -> int:
    """Every data manager hears that the nightly audit check failed (once a day)."""
    day = timezone.now().date().isoformat()
    note = Note(
        kind=Kind.AUDIT_BROKEN,
        key=f"{Kind.AUDIT_BROKEN}:{day}",
        title="The nightly audit check failed",
        body=(
            f"{summary}\n\nRun `python manage.py verify_audit` and follow "
            "docs/operations.md (Verifying the chain)."
        ),
        link=reverse("audit:trail"),
    )
    recipients = User.objects.filter(Q(is_data_manager=True), is_active=True)
    return len(notify(recipients=recipients, note=note))


def on_chain_check_failed(sender: Any = None, *, summary: str = "", **kwargs: Any) -> None:
    """Receiver of ``audit.signals.chain_check_failed``."""
    made = audit_failure_notify(summary=summary)
    logger.info("Audit check failure: %d data managers notified", made)
