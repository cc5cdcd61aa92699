"""Background work: daily washout reminders and re-evaluation after a catalogue change."""

from __future__ import annotations

import importlib
from datetime import date
from typing import Any

import pytest
from django.apps import apps
from django_celery_beat.models import PeriodicTask

from audit.models import AuditEvent
from outbox.models import OutboxMessage
from screening.models import Evaluation
from screening.services import ScreeningChanges
from screening.tasks import reevaluate_screening, washout_reminders
from tests.helpers import save
from tests.screening.helpers import washout_ending_soon

pytestmark = pytest.mark.django_db

SCHEDULE = importlib.import_module("screening.migrations.0002_washout_reminders")


def test_a_reminder_is_recorded_once_per_washout_end(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    assert washout_reminders() == 0
    changes, replace = washout_ending_soon()
    save(coordinator_a, hmsc_screening, replace(changes, judgments={}))
    save(investigator_a, hmsc_screening, ScreeningChanges(judgments=changes.judgments))
    assert washout_reminders.apply().get() == 1  # in place, with or without a broker
    assert washout_reminders() == 0
    event = AuditEvent.objects.get(action="screening.washout.reminder")
    assert event.actor is None
    assert event.changes["eligible_from"]["new"] == date(2026, 11, 26).isoformat()
    assert event.site == hmsc_screening.candidate.site


def test_reminders_are_scheduled_daily_by_a_data_migration(db: Any) -> None:
    SCHEDULE.schedule(apps, None)
    SCHEDULE.schedule(apps, None)
    task = PeriodicTask.objects.get(name=SCHEDULE.TASK_NAME)
    assert task.task == "screening.tasks.washout_reminders"
    assert (task.crontab.minute, task.crontab.hour) == ("0", "6")
    assert PeriodicTask.objects.filter(task="screening.tasks.washout_reminders").count() == 1


def _queued() -> list[int]:
    """The screening ids of re-evaluations waiting in the outbox (recorded with the change,
    handed to a worker once it commits)."""
    waiting = OutboxMessage.objects.filter(
        task=reevaluate_screening.name, dispatched_at__isnull=True
    ).order_by("pk")
    return [message.arguments["screening_id"] for message in waiting]


def test_reevaluation_records_a_new_snapshot_of_an_open_screening(hmsc_screening: Any) -> None:
    from screening.tasks import queue_reevaluation

    queue_reevaluation([hmsc_screening.pk])
    assert _queued() == [hmsc_screening.pk]
    # The worker's side, in place whether or not a broker is configured.
    arguments = OutboxMessage.objects.get(task=reevaluate_screening.name).arguments
    assert reevaluate_screening.apply(kwargs=arguments).get() == "incomplete"
    assert Evaluation.objects.filter(screening=hmsc_screening).count() == 2
    latest = Evaluation.objects.filter(screening=hmsc_screening).latest()
    assert latest.created_by is None
    # The same change handed over again (many rows saved together) records nothing more.
    assert reevaluate_screening.apply(kwargs=arguments).get() == "current"
    assert Evaluation.objects.filter(screening=hmsc_screening).count() == 2
    # Without a time, or for a later change, it evaluates again.
    assert reevaluate_screening(hmsc_screening.pk) == "incomplete"
    assert Evaluation.objects.filter(screening=hmsc_screening).count() == 3


def test_a_catalogue_change_queues_every_open_screening(
    hmsc_screening: Any, nct_screening: Any
) -> None:
    from trials.models import Quantity

    quantity = Quantity.objects.get(code="alt")
    quantity.soft_high = quantity.soft_high
    quantity.save()
    assert sorted(_queued()) == sorted([hmsc_screening.pk, nct_screening.pk])


def test_a_reference_range_change_queues_open_screenings_at_its_site_only(
    hmsc_screening: Any,
) -> None:
    from trials.models import ReferenceRange

    here = ReferenceRange.objects.filter(site=hmsc_screening.candidate.site).first()
    elsewhere = ReferenceRange.objects.exclude(site=hmsc_screening.candidate.site).first()
    assert here is not None
    assert elsewhere is not None
    elsewhere.save()
    assert _queued() == []
    here.save()
    assert _queued() == [hmsc_screening.pk]


def test_a_decided_screening_is_not_queued_again(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    from tests.helpers import sign_withdrawal
    from trials.models import Quantity

    sign_withdrawal(coordinator_a, investigator_a, hmsc_screening)
    Quantity.objects.get(code="alt").save()
    assert hmsc_screening.pk not in _queued()
