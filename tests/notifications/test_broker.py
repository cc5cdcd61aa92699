"""The daily reminders through the real broker and a real worker: the scan runs on the
worker, the e-mail it queues through the outbox goes over the broker once the scan's
transaction commits, and a second run the same day adds nothing."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from notifications.models import Delivery, Kind, Notification
from notifications.services import preference_set
from notifications.tasks import send_reminders
from outbox.dispatcher import broker_pause
from outbox.models import OutboxMessage
from screening.services import ScreeningChanges
from tests.helpers import save
from tests.screening.helpers import washout_ending_soon


def _eventually(condition: Callable[[], bool], seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.broker
def test_reminders_and_their_email_run_on_a_worker_once(
    celery_worker: Any,
    frozen_today: None,
    coordinator_a: Any,
    investigator_a: Any,
    hmsc_screening: Any,
) -> None:
    broker_pause.clear()
    changes, replace = washout_ending_soon()
    save(coordinator_a, hmsc_screening, replace(changes, judgments={}))
    save(investigator_a, hmsc_screening, ScreeningChanges(judgments=changes.judgments))
    preference_set(user=coordinator_a, delivery=Delivery.IMMEDIATE)
    mail.outbox.clear()

    assert send_reminders.delay().get(timeout=30) == {
        "washout": 1,
        "signature": 0,
        "query": 0,
        "results": 0,
    }
    assert Notification.objects.get(recipient=coordinator_a).kind == Kind.WASHOUT_SOON
    assert _eventually(lambda: len(mail.outbox) == 1)
    assert hmsc_screening.candidate.screening_number in mail.outbox[0].subject
    assert _eventually(
        lambda: not OutboxMessage.objects.filter(dispatched_at__isnull=True).exists()
    )

    assert send_reminders.delay().get(timeout=30) == {
        "washout": 0,
        "signature": 0,
        "query": 0,
        "results": 0,
    }
    assert not _eventually(lambda: len(mail.outbox) > 1, seconds=2)
    assert Notification.objects.count() == 1
