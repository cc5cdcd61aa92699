"""Work done by Eligo itself rather than a person: reminders and re-evaluation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit.models import AuditEvent
from screening.models import OPEN_STATUSES, Screening, ScreeningStatus
from screening.selectors import with_latest_evaluation
from screening.services.common import audit, latest_evaluation, lock_screening, record_evaluation
from trials.models import Trial

REMINDER_ACTION = "screening.washout.reminder"


@dataclass(frozen=True)
class WashoutDue:
    """An open screening whose washout ends on ``eligible_from``, between its site's
    ``today`` and its trial's reminder horizon."""

    screening: Screening
    eligible_from: date
    today: date


def washout_due(*, within_days: int | None = None) -> list[WashoutDue]:
    """The open screenings whose washout ends (latest evaluation's ``eligible_from``)
    today or within ``within_days`` days — by default each trial's own
    ``washout_reminder_days``. "Today" is each screening's site's today."""
    horizon = within_days
    if horizon is None:
        horizon = Trial.objects.aggregate(days=Max("washout_reminder_days"))["days"] or 0
    # Every site's today lies within a day of UTC's: select that wider window,
    # then keep each screening whose date falls in its own site's window.
    utc_today = timezone.now().date()
    candidates = with_latest_evaluation(
        Screening.objects.filter(rescreened_by__isnull=True).exclude(
            status__in=[ScreeningStatus.ENROLLED, ScreeningStatus.WITHDRAWN]
        )
    ).filter(
        latest_eligible_from__gte=utc_today - timedelta(days=1),
        latest_eligible_from__lte=utc_today + timedelta(days=horizon + 1),
    )
    site_today: dict[int, date] = {}
    due = []
    for screening in candidates.select_related("candidate__site", "candidate__trial").order_by(
        "pk"
    ):
        site = screening.candidate.site
        today = site_today.setdefault(site.pk, site.today())
        days = screening.candidate.trial.washout_reminder_days if within_days is None else horizon
        if today <= screening.latest_eligible_from <= today + timedelta(days=days):
            due.append(WashoutDue(screening, screening.latest_eligible_from, today))
    return due


def washout_reminders_send(*, within_days: int | None = None) -> int:
    """Record one reminder per screening whose washout ends today or within
    ``within_days`` days (default: its trial's ``washout_reminder_days``).

    A screening is reminded once per date: running twice a day, or on each day
    of the window, adds nothing. "Today" is the screening's site's today.
    """
    count = 0
    for item in washout_due(within_days=within_days):
        screening = item.screening
        day = item.eligible_from.isoformat()
        already = AuditEvent.objects.filter(
            action=REMINDER_ACTION,
            object_type="screening.screening",
            object_id=str(screening.pk),
            changes__eligible_from__new=day,
        ).exists()
        if already:
            continue
        with transaction.atomic():
            audit(
                user=None,
                action=REMINDER_ACTION,
                obj=screening,
                site=screening.candidate.site,
                changes={
                    "eligible_from": {"old": None, "new": day, "label": "Washout ends"},
                    "status": {"old": None, "new": screening.status, "label": "Status"},
                },
            )
        count += 1
    return count


@transaction.atomic
def screening_reevaluate(*, screening_id: int, changed_at: datetime | None = None) -> str:
    """Evaluate an open screening again (after a catalogue or reference-range
    change) and keep the snapshot. Closed screenings keep their last evaluation:
    a signed decision rests on it.

    ``changed_at``: when the change that asked for this happened. An evaluation
    recorded since then already saw it (many changes committed together queue the
    same screening many times), so nothing more is recorded: ``"current"``.
    """
    screening = lock_screening(Screening(pk=screening_id))
    if screening.status not in OPEN_STATUSES:
        return "skipped"
    if changed_at is not None:
        latest = latest_evaluation(screening)
        if latest is not None and latest.created_at > changed_at:
            return "current"
    return record_evaluation(screening=screening, user=None).status
