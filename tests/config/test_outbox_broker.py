"""A broker outage through the real broker and a real worker: a reference range saved
while nothing answers on the broker's port is saved at once, and its work is done
exactly once when the broker is back (``tests/config/test_outbox.py`` covers the
outbox's rules without a broker)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from celery.signals import task_success
from django.test import Client

from outbox.dispatcher import broker_pause
from outbox.models import OutboxMessage
from outbox.tasks import dispatch_outbox
from screening.models import Evaluation
from screening.tasks import reevaluate_screening
from trials.models import ReferenceRange

CLOSED_PORT = "redis://127.0.0.1:1/0"


def _evaluations(*screenings: Any) -> list[int]:
    return [Evaluation.objects.filter(screening=s).count() for s in screenings]


def _eventually(condition: Callable[[], bool], seconds: float = 30) -> bool:
    """Whether ``condition`` holds within ``seconds`` (the worker runs in its own thread)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.fixture
def reevaluations() -> Iterator[list[int]]:
    """The screening ids of the re-evaluations the worker has completed, in order."""
    done: list[int] = []

    def completed(sender: Any = None, **kwargs: Any) -> None:
        if sender is not None and sender.name == reevaluate_screening.name:
            done.append(sender.request.kwargs["screening_id"])

    task_success.connect(completed, weak=False, dispatch_uid="outbox-test-reevaluations")
    yield done
    task_success.disconnect(dispatch_uid="outbox-test-reevaluations")


def _close(client: Client, rng: ReferenceRange, last_day: str) -> tuple[int, float]:
    """Save the range with a last day, through the admin; the status and the seconds it took."""
    started = time.monotonic()
    response = client.post(
        f"/admin/trials/referencerange/{rng.pk}/change/",
        {"valid_to": last_day, "audit_reason": "The laboratory changes its method"},
    )
    return response.status_code, time.monotonic() - started


@pytest.mark.broker
def test_work_saved_while_the_broker_was_down_is_done_once_when_it_is_back(
    celery_worker: Any,
    reevaluations: list[int],
    frozen_today: None,
    data_manager: Any,
    hmsc_screening: Any,
    nct_screening: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broker_pause.clear()
    site = hmsc_screening.candidate.site
    rng = ReferenceRange.objects.filter(site=site).first()
    assert rng is not None
    client = Client()
    client.force_login(data_manager)
    open_screenings = sorted([hmsc_screening.pk, nct_screening.pk])
    before = _evaluations(hmsc_screening, nct_screening)

    with monkeypatch.context() as down:
        # Celery reads CELERY_BROKER_URL from the environment before its own settings;
        # the worker keeps the connection it already has.
        down.setenv("CELERY_BROKER_URL", CLOSED_PORT)
        status, seconds = _close(client, rng, "2026-12-31")
    assert status == 302
    assert seconds < 2.0
    waiting = OutboxMessage.objects.filter(dispatched_at__isnull=True)
    assert sorted(m.arguments["screening_id"] for m in waiting) == open_screenings
    assert all(m.last_error.startswith("Broker unreachable") for m in waiting)
    assert _evaluations(hmsc_screening, nct_screening) == before
    assert reevaluations == []

    # The broker is back: beat's every-minute job hands the work to the worker.
    assert dispatch_outbox.delay().get(timeout=30)["sent"] == 2
    assert _eventually(lambda: len(reevaluations) >= 2)
    assert sorted(reevaluations) == open_screenings
    assert _evaluations(hmsc_screening, nct_screening) == [count + 1 for count in before]
    assert not OutboxMessage.objects.filter(dispatched_at__isnull=True).exists()
    # Running it again hands over nothing, and nothing more runs.
    assert dispatch_outbox.delay().get(timeout=30)["sent"] == 0
    assert not _eventually(lambda: len(reevaluations) > 2, seconds=2)
    assert _evaluations(hmsc_screening, nct_screening) == [count + 1 for count in before]

    # Half a minute later commits try the broker again, and the work goes straight over.
    broker_pause.clear()
    status, seconds = _close(client, rng, "2026-12-30")
    assert status == 302
    assert seconds < 2.0
    assert _eventually(lambda: len(reevaluations) >= 4)
    assert sorted(reevaluations[2:]) == open_screenings
    assert _evaluations(hmsc_screening, nct_screening) == [count + 2 for count in before]
    assert OutboxMessage.objects.filter(dispatched_at__isnull=False).count() == 4
