"""Reminders found by the daily scan, under frozen time: who hears of what, and once."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django_celery_beat.models import PeriodicTask

from audit.models import AuditEvent
from audit.tasks import verify_audit_chain
from notifications.models import Delivery, Kind, Notification
from notifications.services import preference_set
from notifications.tasks import send_reminders
from screening.services import ScreeningChanges, decision_propose
from screening.services.queries import query_raise
from tests.audit.conftest import append_only_triggers_disabled, run_sql
from tests.helpers import save
from tests.notifications.helpers import kinds_of
from tests.screening.helpers import washout_ending_soon

pytestmark = pytest.mark.django_db

SCHEDULE = importlib.import_module("notifications.migrations.0002_schedule_reminders_and_digest")


def _at(moment: str) -> Any:
    return time_machine.travel(datetime.fromisoformat(moment), tick=False)


@pytest.fixture
def washout(
    frozen_today: None, coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> Any:
    """Site A's screening, eligible from 26 Nov 2026 once the washout ends (today: 21 Nov)."""
    changes, replace = washout_ending_soon()
    save(coordinator_a, hmsc_screening, replace(changes, judgments={}))
    save(investigator_a, hmsc_screening, ScreeningChanges(judgments=changes.judgments))
    return hmsc_screening


@pytest.fixture
def others(coordinator_b: Any, monitor: Any, data_manager: Any) -> Iterator[list[Any]]:
    """People who must hear nothing of site A's screenings."""
    yield [coordinator_b, monitor, data_manager]
    for person in (coordinator_b, data_manager):
        assert kinds_of(person) == []


def test_washout_five_days_away_tells_the_sites_coordinators_once(
    washout: Any, coordinator_a: Any, investigator_a: Any, others: list[Any]
) -> None:
    assert send_reminders.apply().get()["washout"] == 1
    assert send_reminders() == {"washout": 0, "signature": 0, "query": 0, "results": 0}
    assert kinds_of(coordinator_a) == [Kind.WASHOUT_SOON]
    assert kinds_of(investigator_a) == []
    note = Notification.objects.get(recipient=coordinator_a)
    number = washout.candidate.screening_number
    assert note.title == f"{number}: washout ends on 26 Nov 2026"
    assert note.link == f"/screening/{washout.pk}/"
    assert note.key == f"washout_soon:screening-{washout.pk}:2026-11-26"
    # The audit trail's reminder (and so the dashboard's) is recorded as before, once.
    assert AuditEvent.objects.filter(action="screening.washout.reminder").count() == 1
    # On the day itself, once more; the days between, nothing.
    with _at("2026-11-24 06:00:00+00:00"):
        assert send_reminders()["washout"] == 0
    with _at("2026-11-26 06:00:00+00:00"):
        assert send_reminders()["washout"] == 1
        assert send_reminders()["washout"] == 0
    assert kinds_of(coordinator_a) == [Kind.WASHOUT_SOON, Kind.WASHOUT_TODAY]


def test_the_washout_horizon_is_the_trials(washout: Any, coordinator_a: Any) -> None:
    trial = washout.candidate.trial
    trial.washout_reminder_days = 3
    trial.save()
    assert send_reminders()["washout"] == 0
    with _at("2026-11-23 06:00:00+00:00"):
        assert send_reminders()["washout"] == 1
    assert kinds_of(coordinator_a) == [Kind.WASHOUT_SOON]


def test_a_decision_unsigned_past_the_trials_days_reminds_investigators_daily(
    frozen_today: None,
    coordinator_a: Any,
    investigator_a: Any,
    hmsc_screening: Any,
    others: list[Any],
) -> None:
    decision_propose(
        user=coordinator_a,
        screening=hmsc_screening,
        outcome="withdrawn",
        reason_category="declined",
    )
    with _at("2026-11-24 09:00:00+00:00"):  # under three days
        assert send_reminders()["signature"] == 0
    with _at("2026-11-24 10:00:00+00:00"):  # over three days
        assert send_reminders()["signature"] == 1
        assert send_reminders()["signature"] == 0
    with _at("2026-11-25 10:00:00+00:00"):  # the next day, again
        assert send_reminders()["signature"] == 1
    assert kinds_of(investigator_a) == [Kind.SIGNATURE_OVERDUE] * 2
    assert kinds_of(coordinator_a) == []
    note = Notification.objects.filter(recipient=investigator_a).first()
    assert note is not None
    assert note.link == f"/screening/{hmsc_screening.pk}/sign/"
    assert "awaiting your signature for 4 days" in note.title


def test_a_longer_signature_wait_is_per_trial(
    frozen_today: None, coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    trial = hmsc_screening.candidate.trial
    trial.signature_reminder_days = 10
    trial.save()
    decision_propose(
        user=coordinator_a,
        screening=hmsc_screening,
        outcome="withdrawn",
        reason_category="declined",
    )
    with _at("2026-11-30 10:00:00+00:00"):
        assert send_reminders()["signature"] == 0
    with _at("2026-12-02 10:00:00+00:00"):
        assert send_reminders()["signature"] == 1


def test_an_open_query_reminds_the_sites_coordinators_and_the_raiser(
    frozen_today: None,
    coordinator_a: Any,
    investigator_a: Any,
    monitor: Any,
    hmsc_screening: Any,
    others: list[Any],
) -> None:
    from trials.models import MonitorAssignment

    MonitorAssignment.objects.create(monitor=monitor, trial=hmsc_screening.candidate.trial)
    query = query_raise(user=monitor, screening=hmsc_screening, text="Consent date?")
    with _at("2026-11-28 09:00:00+00:00"):  # seven days: not more than seven
        assert send_reminders()["query"] == 0
    with _at("2026-11-28 10:00:00+00:00"):
        assert send_reminders()["query"] == 2
        assert send_reminders()["query"] == 0
    assert kinds_of(coordinator_a) == [Kind.QUERY_OVERDUE]
    assert kinds_of(monitor) == [Kind.QUERY_OVERDUE]
    assert kinds_of(investigator_a) == []
    assert (
        Notification.objects.filter(recipient=monitor).get().link
        == f"/screening/queries/{query.pk}/"
    )


def test_a_broken_audit_chain_tells_every_data_manager_and_logs_an_error(
    data_manager: Any, coordinator_a: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from accounts.models import User

    other = User.objects.create_user(username="dm2", full_name="D Two", is_data_manager=True)
    preference_set(user=coordinator_a, delivery=Delivery.DIGEST)
    preference_set(user=coordinator_a, delivery=Delivery.IMMEDIATE)
    with append_only_triggers_disabled():
        run_sql("UPDATE audit_auditevent SET reason = 'typo' WHERE sequence = 1")
    with caplog.at_level(logging.ERROR, logger="audit.tasks"):
        assert verify_audit_chain.apply().get()["intact"] is False
    assert any(
        "Audit chain broken" in r.message for r in caplog.records if r.levelno == logging.ERROR
    )
    assert kinds_of(data_manager) == [Kind.AUDIT_BROKEN]
    assert kinds_of(other) == [Kind.AUDIT_BROKEN]
    assert kinds_of(coordinator_a) == []
    assert "sequence 1" in Notification.objects.filter(recipient=data_manager).get().body
    verify_audit_chain.apply().get()  # the same day: no second notification
    assert Notification.objects.filter(kind=Kind.AUDIT_BROKEN).count() == 2


def test_reminders_and_the_digest_are_scheduled_daily_in_place_of_the_washout_job(
    db: Any,
) -> None:
    # The migrated database: one daily job for reminders, under the washout job's name.
    task = PeriodicTask.objects.get(name=SCHEDULE.REMINDERS)
    assert task.task == "notifications.tasks.send_reminders"
    assert (task.crontab.minute, task.crontab.hour) == ("0", "6")
    assert not PeriodicTask.objects.filter(task="screening.tasks.washout_reminders").exists()
    digest = PeriodicTask.objects.get(name=SCHEDULE.DIGEST)
    assert digest.task == "notifications.tasks.send_digests"
    assert (digest.crontab.minute, digest.crontab.hour) == ("0", "7")
    SCHEDULE.schedule(apps, None)  # running it again changes nothing
    assert PeriodicTask.objects.filter(task__startswith="notifications.").count() == 2
    SCHEDULE.unschedule(apps, None)
    assert PeriodicTask.objects.get(name=SCHEDULE.REMINDERS).task == (
        "screening.tasks.washout_reminders"
    )
    assert not PeriodicTask.objects.filter(name=SCHEDULE.DIGEST).exists()


def test_the_home_page_lists_washouts_within_the_trials_days_too(
    washout: Any, coordinator_a: Any
) -> None:
    from screening.selectors import screenings_needing_action

    def listed() -> bool:
        items = screenings_needing_action(coordinator_a)
        return any("washout_ending" in item.reasons for item in items)

    assert listed()  # five days away, within the default seven
    trial = washout.candidate.trial
    trial.washout_reminder_days = 3
    trial.save()
    assert not listed()


def test_a_result_too_old_for_the_screening_is_told_to_the_coordinators_once(
    frozen_today: None,
    coordinator_a: Any,
    investigator_a: Any,
    hmsc_screening: Any,
    others: list[Any],
) -> None:
    from datetime import date
    from decimal import Decimal

    from screening.services import ObservationInput

    old = ObservationInput(code="alt", value=Decimal(22), unit="U/L", observed_on=date(2026, 10, 1))
    save(coordinator_a, hmsc_screening, ScreeningChanges(observations=[old]))
    assert send_reminders()["results"] == 1
    assert send_reminders()["results"] == 0  # once per result
    (note,) = Notification.objects.filter(recipient=coordinator_a, kind=Kind.RESULT_EXPIRING)
    number = hmsc_screening.candidate.screening_number
    assert note.title.startswith(f"{number}: ")
    assert "to repeat" in note.title
    assert "Result of 1 Oct 2026 is older than the 30-day window" in note.body
    assert note.link == f"/screening/{hmsc_screening.pk}/data/"
    assert kinds_of(investigator_a) == []
    # A new result, still too old, is a new reminder; a valid one is none.
    older = ObservationInput(
        code="alt", value=Decimal(23), unit="U/L", observed_on=date(2026, 10, 2)
    )
    save(coordinator_a, hmsc_screening, ScreeningChanges(observations=[older]), reason="Typo")
    assert send_reminders()["results"] == 1
    fresh = ObservationInput(
        code="alt", value=Decimal(23), unit="U/L", observed_on=date(2026, 11, 19)
    )
    save(coordinator_a, hmsc_screening, ScreeningChanges(observations=[fresh]), reason="Repeated")
    assert send_reminders()["results"] == 0


def test_results_to_repeat_are_listed_on_the_coordinators_home(
    frozen_today: None, coordinator_a: Any, hmsc_screening: Any
) -> None:
    from datetime import date
    from decimal import Decimal

    from django.test import Client

    from screening.services import ObservationInput

    old = ObservationInput(code="alt", value=Decimal(22), unit="U/L", observed_on=date(2026, 10, 1))
    save(coordinator_a, hmsc_screening, ScreeningChanges(observations=[old]))
    client = Client()
    client.force_login(coordinator_a)
    assert 'data-testid="results-to-repeat"' not in client.get("/").content.decode()
    send_reminders()
    page = client.get("/").content.decode()
    assert 'data-testid="results-to-repeat"' in page
    assert f"/screening/{hmsc_screening.pk}/data/" in page
    assert "Result of 1 Oct 2026 is older than the 30-day window" in page
