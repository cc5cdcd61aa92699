"""Work done by Eligo itself rather than a person: reminders and re-evaluation."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from screening.models import OPEN_STATUSES, Screening, ScreeningStatus
from screening.selectors import with_latest_evaluation
from screening.services.common import audit, latest_evaluation, lock_screening, record_evaluation

REMINDER_ACTION = "screening.washout.reminder"


def washout_reminders_send(*, within_days: int = 7) -> int:
    """Record one reminder per screening whose washout ends today or within
    ``within_days`` days (from its latest evaluation's ``eligible_from``).

    A screening is reminded once per date: running twice a day, or on each day
    of the window, adds nothing. "Today" is the screening's site's today.
    """
    # Every site's today lies within a day of UTC's: select that wider window,
    # then keep each screening whose date falls in its own site's window.
    utc_today = timezone.now().date()
    candidates = with_latest_evaluation(
        Screening.objects.filter(rescreened_by__isnull=True).exclude(
            status__in=[ScreeningStatus.ENROLLED, ScreeningStatus.WITHDRAWN]
        )
    ).filter(
        latest_eligible_from__gte=utc_today - timedelta(days=1),
        latest_eligible_from__lte=utc_today + timedelta(days=within_days + 1),
    )
    site_today: dict[int, date] = {}
    count = 0
    for screening in candidates.select_related("candidate__site"):
        site = screening.candidate.site
        today = site_today.setdefault(site.pk, site.today())
        if not today <= screening.latest_eligible_from <= today + timedelta(days=within_days):
            continue
        day = screening.latest_eligible_from.isoformat()
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
