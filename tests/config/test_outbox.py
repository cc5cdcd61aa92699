"""Background work is recorded with the change that asks for it (the transactional outbox)
and handed to Celery after the commit, so a broker outage neither slows a save nor
loses its work. Without a real broker: the broker-down save points Celery at a closed
port; "the broker is back" is the embedded default, which runs the work in place.
The same story through Redis and a real worker is ``test_outbox_broker.py``."""

from __future__ import annotations

import importlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from config.celery import app
from outbox.dispatcher import (
    BACKOFF_LONGEST,
    backoff,
    broker_pause,
    dispatch_after_commit,
    outbox_dispatch,
    outbox_purge,
)
from outbox.models import OutboxMessage
from outbox.services import Message, outbox_enqueue
from outbox.tasks import dispatch_outbox
from screening.models import Evaluation
from screening.tasks import reevaluate_screening
from trials.models import ReferenceRange

CLOSED_PORT = "redis://127.0.0.1:1/0"
SCHEDULE = importlib.import_module("outbox.migrations.0002_dispatch_schedule")


@pytest.fixture(autouse=True)
def _no_pause() -> Iterator[None]:
    """Each test starts as if the broker had never been unreachable."""
    broker_pause.clear()
    yield
    broker_pause.clear()


@contextmanager
def _eager(eager: bool) -> Iterator[None]:
    """Celery with no broker (tasks run in place) or with one, whatever this run has."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    try:
        yield
    finally:
        app.conf.task_always_eager = before


@pytest.fixture
def in_place() -> Iterator[None]:
    """No broker: the embedded default."""
    with _eager(True):
        yield


@pytest.fixture
def broker_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A broker is configured but nothing answers on its port."""
    # Celery reads CELERY_BROKER_URL from the environment before its own settings.
    monkeypatch.setenv("CELERY_BROKER_URL", CLOSED_PORT)
    with _eager(False):
        yield


@pytest.fixture
def site_a_range(hmsc_screening: Any) -> ReferenceRange:
    """A reference range at the site of the open screening ``hmsc_screening``."""
    rng = ReferenceRange.objects.filter(site=hmsc_screening.candidate.site).first()
    assert rng is not None
    return rng


def _waiting() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(dispatched_at__isnull=True).order_by("pk"))


def _evaluations(screening: Any) -> int:
    return Evaluation.objects.filter(screening=screening).count()


# --- Recorded in the transaction of the change ----------------------------------------


def test_a_change_records_its_work_as_an_outbox_message(
    frozen_today: None, site_a_range: ReferenceRange, hmsc_screening: Any
) -> None:
    site_a_range.save()
    [message] = _waiting()
    assert message.task == reevaluate_screening.name
    assert message.arguments["screening_id"] == hmsc_screening.pk
    assert message.key == f"screening.reevaluate:{hmsc_screening.pk}"
    assert (message.attempts, message.last_error, message.revision) == (0, "", 1)


def test_a_change_rolled_back_leaves_no_work_and_hands_nothing_over(
    frozen_today: None,
    site_a_range: ReferenceRange,
    django_capture_on_commit_callbacks: Any,
) -> None:
    def change_that_fails() -> None:
        with transaction.atomic():
            site_a_range.save()
            assert len(_waiting()) == 1
            raise RuntimeError("the rest of the change failed")

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        change_that_fails()
    assert _waiting() == []
    assert callbacks == []


def test_the_same_work_asked_twice_in_one_change_is_one_message(
    frozen_today: None,
    site_a_range: ReferenceRange,
    hmsc_screening: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        site_a_range.save()
        first = _waiting()[0].arguments["changed_at"]
        site_a_range.save()
    [message] = _waiting()
    assert message.revision == 2
    # The newest change's time wins: an evaluation between the two saves is not enough.
    assert message.arguments["changed_at"] > first
    handed_over = [set(callback.args[0]) for callback in callbacks]
    assert handed_over == [{message.pk}, {message.pk}]


def test_a_task_takes_ids_and_strings_and_must_exist(db: Any) -> None:
    # What the type checker refuses, the outbox refuses at run time too.
    not_ids: list[Any] = [1.5, object(), [1, 2]]
    for value in not_ids:
        with pytest.raises(TypeError, match="ids and strings"):
            Message(task=reevaluate_screening.name, arguments={"screening_id": value})
    with pytest.raises(LookupError, match=r"no\.such\.task"):
        outbox_enqueue(messages=[Message(task="no.such.task")])
    assert _waiting() == []


# --- Handed over: in place without a broker -------------------------------------------


def test_without_a_broker_the_work_runs_on_commit_as_before(
    frozen_today: None,
    in_place: None,
    site_a_range: ReferenceRange,
    hmsc_screening: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    before = _evaluations(hmsc_screening)
    with django_capture_on_commit_callbacks(execute=True):
        site_a_range.save()
    assert _evaluations(hmsc_screening) == before + 1
    assert _waiting() == []
    assert OutboxMessage.objects.get().dispatched_at is not None


def test_the_dispatcher_marks_work_done_and_runs_it_once(
    frozen_today: None, in_place: None, site_a_range: ReferenceRange, hmsc_screening: Any
) -> None:
    site_a_range.save()
    before = _evaluations(hmsc_screening)
    assert outbox_dispatch().sent == 1
    assert _evaluations(hmsc_screening) == before + 1
    again = outbox_dispatch()
    assert (again.sent, again.failed) == (0, 0)
    assert _evaluations(hmsc_screening) == before + 1


def test_work_queued_again_while_it_was_running_is_not_marked_done(
    frozen_today: None,
    in_place: None,
    site_a_range: ReferenceRange,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site_a_range.save()
    run = reevaluate_screening.run

    def run_while_another_change_commits(**kwargs: Any) -> str:
        site_a_range.save()  # the same work asked for again while it runs
        return str(run(**kwargs))

    monkeypatch.setattr(reevaluate_screening, "run", run_while_another_change_commits)
    assert outbox_dispatch().sent == 1
    [message] = _waiting()
    assert message.revision == 2


def test_a_failing_task_backs_off_and_the_error_is_kept_and_logged(
    in_place: None, db: Any, caplog: pytest.LogCaptureFixture
) -> None:
    [pk] = outbox_enqueue(
        messages=[Message(task=reevaluate_screening.name, arguments={"screening_id": 999_999})]
    )
    report = outbox_dispatch()
    assert (report.sent, report.failed) == (0, 1)
    message = OutboxMessage.objects.get(pk=pk)
    assert message.dispatched_at is None
    assert message.attempts == 1
    assert "DoesNotExist" in message.last_error
    assert "failed in place" in caplog.text
    first_wait = message.available_at - timezone.now()
    assert timedelta(seconds=25) < first_wait <= backoff(1)
    # Not due yet: the beat job leaves it alone.
    assert outbox_dispatch().failed == 0
    with time_machine.travel(message.available_at + timedelta(seconds=1), tick=False):
        assert outbox_dispatch().failed == 1
        message.refresh_from_db()
        assert message.attempts == 2
        assert message.available_at - timezone.now() == backoff(2) == 2 * backoff(1)
    assert backoff(30) == backoff(10_000) == BACKOFF_LONGEST


def test_work_handed_over_long_ago_is_forgotten_and_waiting_work_never(db: Any) -> None:
    for key, days in (("old", 8), ("recent", 1)):
        OutboxMessage.objects.create(
            task=reevaluate_screening.name,
            key=key,
            dispatched_at=timezone.now() - timedelta(days=days),
        )
    OutboxMessage.objects.create(
        task=reevaluate_screening.name,
        key="waiting",
        created_at=timezone.now() - timedelta(days=30),
    )
    assert outbox_purge(older_than=timedelta(days=7)) == 1
    assert set(OutboxMessage.objects.values_list("key", flat=True)) == {"recent", "waiting"}


def test_with_a_broker_the_work_is_published_not_run_here(
    frozen_today: None,
    site_a_range: ReferenceRange,
    hmsc_screening: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CELERY_BROKER_URL", "memory://")  # kombu's in-process broker
    site_a_range.save()
    before = _evaluations(hmsc_screening)
    with _eager(False):
        assert outbox_dispatch().sent == 1
        assert outbox_dispatch().sent == 0
    assert _waiting() == []
    assert _evaluations(hmsc_screening) == before  # a worker will run it, not this process


def test_the_dispatcher_is_scheduled_every_minute_by_a_data_migration(db: Any) -> None:
    SCHEDULE.schedule(apps, None)
    SCHEDULE.schedule(apps, None)
    task = PeriodicTask.objects.get(name=SCHEDULE.TASK_NAME)
    assert task.task == dispatch_outbox.name == "outbox.tasks.dispatch_outbox"
    assert task.interval is not None
    assert (task.interval.every, task.interval.period) == (1, "minutes")
    assert PeriodicTask.objects.filter(task=dispatch_outbox.name).count() == 1


def test_the_command_hands_work_over_and_says_what_still_waits(in_place: None, db: Any) -> None:
    outbox_enqueue(
        messages=[Message(task=reevaluate_screening.name, arguments={"screening_id": 999_999})]
    )
    out = StringIO()
    call_command("dispatch_outbox", stdout=out)
    assert "backing off 1" in out.getvalue()
    assert "1 still wait" in out.getvalue()
    assert "DoesNotExist" in out.getvalue()


# --- The broker is down ------------------------------------------------------------------


def test_with_the_broker_down_a_commit_waits_a_moment_then_leaves_the_work_waiting(
    frozen_today: None, broker_down: None, site_a_range: ReferenceRange
) -> None:
    site_a_range.save()
    [message] = _waiting()
    started = time.monotonic()
    dispatch_after_commit([message.pk])
    assert time.monotonic() - started < 1.0
    message.refresh_from_db()
    assert message.dispatched_at is None
    assert message.attempts == 1
    assert message.last_error.startswith("Broker unreachable")
    # A broker that cannot be reached is not the message's fault: due at the next beat.
    assert message.available_at <= timezone.now()
    # The next commits in this process do not try again for a while.
    assert broker_pause.active
    dispatch_after_commit([message.pk])
    message.refresh_from_db()
    assert message.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_saving_a_reference_range_with_the_broker_down_is_fast_and_loses_nothing(
    frozen_today: None,
    broker_down: None,
    data_manager: Any,
    hmsc_screening: Any,
    site_a_range: ReferenceRange,
) -> None:
    """The reproduction: the save hung ~19 s, answered 500, and the work was lost."""
    client = Client()
    client.force_login(data_manager)
    before = _evaluations(hmsc_screening)
    started = time.monotonic()
    response = client.post(
        f"/admin/trials/referencerange/{site_a_range.pk}/change/",
        {"valid_to": "2026-12-31", "audit_reason": "The laboratory changes its method"},
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 302, response.content.decode()[:2000]
    assert elapsed < 2.0
    site_a_range.refresh_from_db()
    assert str(site_a_range.valid_to) == "2026-12-31"
    [message] = _waiting()
    assert message.arguments["screening_id"] == hmsc_screening.pk
    assert message.last_error.startswith("Broker unreachable")
    assert _evaluations(hmsc_screening) == before

    # The broker is back (here: the embedded default runs the work in place).
    with _eager(True):
        assert outbox_dispatch().sent == 1
        assert _evaluations(hmsc_screening) == before + 1
        assert outbox_dispatch().sent == 0
    assert _evaluations(hmsc_screening) == before + 1


def test_with_no_publish_time_commits_leave_all_work_to_beat(
    frozen_today: None, broker_down: None, site_a_range: ReferenceRange, settings: Any
) -> None:
    settings.OUTBOX_PUBLISH_TIMEOUT = 0
    site_a_range.save()
    [message] = _waiting()
    dispatch_after_commit([message.pk])
    message.refresh_from_db()
    assert (message.attempts, message.last_error) == (0, "")
    assert not broker_pause.active
