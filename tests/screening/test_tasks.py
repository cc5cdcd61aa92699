"""Background work: daily washout reminders and re-evaluation after a catalogue change."""

from __future__ import annotations

import importlib
from datetime import date
from typing import Any

import pytest
from django.apps import apps
from django_celery_beat.models import PeriodicTask

from audit.models import AuditEvent
from screening.models import Evaluation
from screening.services import ScreeningChanges
from screening.tasks import reevaluate_screening, washout_reminders
from tests.screening.conftest import save
from tests.screening.test_dashboards import washout_ending_soon

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


def test_reevaluation_records_a_new_snapshot_of_an_open_screening(
    hmsc_screening: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from screening.tasks import queue_reevaluation

    with django_capture_on_commit_callbacks(execute=True):
        queue_reevaluation([hmsc_screening.pk])
    assert Evaluation.objects.filter(screening=hmsc_screening).count() == 2
    assert reevaluate_screening(hmsc_screening.pk) == "incomplete"
    latest = Evaluation.objects.filter(screening=hmsc_screening).latest()
    assert latest.created_by is None
