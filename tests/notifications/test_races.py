"""Two workers racing to make the same notification make one (PostgreSQL, real transactions)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from notifications.models import Delivery, Kind, Notification
from notifications.services import Note, notify, preference_set
from outbox.models import OutboxMessage
from tests.helpers import require_or_skip

NOTE = Note(kind=Kind.SIGNATURE_OVERDUE, key="signature_overdue:decision-1:2026-11-21", title="x")


@pytest.mark.django_db(transaction=True)
def test_racing_workers_make_one_notification_and_queue_one_email(coordinator_a: Any) -> None:
    require_or_skip(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    preference_set(user=coordinator_a, delivery=Delivery.IMMEDIATE)
    workers = 4
    start = threading.Barrier(workers)
    made: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            start.wait(timeout=10)
            made.append(len(notify(recipients=[coordinator_a], note=NOTE)))
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(made) == [0] * (workers - 1) + [1]
    assert Notification.objects.filter(recipient=coordinator_a).count() == 1
    assert OutboxMessage.objects.filter(task="notifications.tasks.email_notification").count() == 1
