"""Handing recorded work to Celery: right after the commit, and every minute from beat.

With a broker, a message is published with a short timeout and no retries; the
broker being down costs one timeout, after which this process stops trying on
commit for ``PAUSE_SECONDS`` and leaves the work to the beat job. With no broker
(the embedded default, ``task_always_eager``), the task runs here, in place.

A message that fails for its own sake (a task that raises when run in place, a
message the broker refuses) backs off: 30 s, 1 min, 2 min … up to 15 min between
attempts. A broker that cannot be reached is not the message's fault: the message
is retried as soon as the beat job runs again — which it only does once beat could
reach the broker.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from kombu.connection import Connection
from kombu.exceptions import OperationalError

from config.celery import app as celery_app
from outbox.models import WAITING, OutboxMessage

logger = logging.getLogger(__name__)

BATCH = 500
PAUSE_SECONDS = 30
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_LONGEST = timedelta(minutes=15)
_ERROR_LENGTH = 2000


@dataclass(frozen=True)
class DispatchReport:
    """``sent``: handed to the broker (or run in place); ``failed``: backing off;
    ``unreachable``: still waiting because the broker could not be reached."""

    sent: int = 0
    failed: int = 0
    unreachable: int = 0


class BrokerPause:
    """This process's memory that the broker was unreachable a moment ago, so that
    every commit during an outage does not wait for the timeout again."""

    def __init__(self) -> None:
        self._until = 0.0
        self._lock = threading.Lock()

    def start(self, seconds: float = PAUSE_SECONDS) -> None:
        with self._lock:
            self._until = time.monotonic() + seconds

    def clear(self) -> None:
        with self._lock:
            self._until = 0.0

    @property
    def active(self) -> bool:
        return time.monotonic() < self._until


broker_pause = BrokerPause()


def backoff(attempts: int) -> timedelta:
    """How long a message waits after its ``attempts``-th failure."""
    # Sixteen doublings are far past the longest wait; more would only overflow timedelta.
    doublings = min(max(attempts - 1, 0), 16)
    return min(BACKOFF_FIRST * (1 << doublings), BACKOFF_LONGEST)


def publish_timeout() -> float:
    """Seconds a commit may spend handing its work to the broker (0: never tries)."""
    return float(getattr(settings, "OUTBOX_PUBLISH_TIMEOUT", 0.5))


def dispatch_after_commit(ids: Collection[int]) -> None:
    """Run by ``transaction.on_commit``: hand over the work a change just recorded.

    Connecting and each message get ``OUTBOX_PUBLISH_TIMEOUT``, without retries; what
    is not handed over waits for the beat job. Registered ``robust``, so an error here
    is logged and never reaches the save, which has committed.
    """
    eager = celery_app.conf.task_always_eager
    timeout = publish_timeout()
    if not eager and (timeout <= 0 or broker_pause.active):
        return
    waiting = list(ids)
    for start in range(0, len(waiting), BATCH):
        report = outbox_dispatch(ids=waiting[start : start + BATCH], timeout=timeout)
        if report.unreachable:
            return


def outbox_dispatch(
    *, ids: Collection[int] | None = None, limit: int = BATCH, timeout: float | None = None
) -> DispatchReport:
    """Hand waiting messages to Celery: those in ``ids`` (whatever their back-off), or
    up to ``limit`` of those due. ``timeout``: seconds for the broker connection
    (default ``CELERY_BROKER_CONNECTION_TIMEOUT``)."""
    if celery_app.conf.task_always_eager:
        return _run_in_place(list(_due(ids)[:limit]))
    return _publish(ids, limit, timeout or float(celery_app.conf.broker_connection_timeout))


def outbox_purge(*, older_than: timedelta) -> int:
    """Forget messages handed over more than ``older_than`` ago; returns how many."""
    cutoff = timezone.now() - older_than
    deleted, _ = OutboxMessage.objects.filter(dispatched_at__lt=cutoff).delete()
    return deleted


def _due(ids: Collection[int] | None) -> QuerySet[OutboxMessage]:
    rows = OutboxMessage.objects.filter(WAITING)
    if ids is None:
        rows = rows.filter(available_at__lte=timezone.now())
    else:
        rows = rows.filter(pk__in=list(ids))
    return rows.order_by("available_at", "pk")


def _task_id(row: OutboxMessage) -> str:
    # The same message handed over twice (a crash between publishing and marking it)
    # carries the same id, which makes the duplicate easy to see in the worker's log.
    return f"outbox-{row.pk}-{row.revision}"


def _run_in_place(rows: Iterable[OutboxMessage]) -> DispatchReport:
    sent = failed = 0
    for row in rows:
        task = celery_app.tasks.get(row.task)
        if task is None:
            _failed(row, f"No Celery task is registered as {row.task!r}")
            failed += 1
            continue
        result = task.apply(kwargs=row.arguments, task_id=_task_id(row), throw=False)
        if result.failed():
            logger.error(
                "Outbox: %s (%s) failed in place, attempt %d:\n%s",
                row.task,
                row.key,
                row.attempts + 1,
                result.traceback,
            )
            _failed(row, f"{type(result.result).__name__}: {result.result}")
            failed += 1
        else:
            _done(row)
            sent += 1
    return DispatchReport(sent=sent, failed=failed)


def _broker_connection(timeout: float) -> Connection:
    options: dict[str, Any] = {
        **(celery_app.conf.broker_transport_options or {}),
        "max_retries": 0,  # one try: what fails waits in the outbox, not in a request
    }
    if str(celery_app.conf.broker_url).startswith(("redis://", "rediss://")):
        options.update(socket_connect_timeout=timeout, socket_timeout=timeout)
    connection: Connection = celery_app.connection_for_write(
        connect_timeout=timeout, transport_options=options
    )
    return connection


def _publish(ids: Collection[int] | None, limit: int, timeout: float) -> DispatchReport:
    sent = failed = 0
    handled: set[int] = set()
    # The rows stay locked while they are published, so two dispatchers (a commit and the
    # beat job) never hand over the same message; SKIP LOCKED lets each take its own.
    with transaction.atomic():
        rows = list(_due(ids).select_for_update(skip_locked=True)[:limit])
        if not rows:
            return DispatchReport()
        connection = _broker_connection(timeout)
        unreachable = (OperationalError, OSError, *connection.connection_errors)
        try:
            with connection:
                for row in rows:
                    try:
                        celery_app.send_task(
                            row.task,
                            kwargs=row.arguments,
                            task_id=_task_id(row),
                            connection=connection,
                            retry=False,
                            ignore_result=True,
                        )
                    except unreachable:
                        raise
                    except Exception as exc:  # this message, not the broker
                        logger.exception("Outbox: the broker refused %s (%s)", row.task, row.key)
                        _failed(row, f"{type(exc).__name__}: {exc}")
                        failed += 1
                    else:
                        _done(row)
                        sent += 1
                    handled.add(row.pk)
        except unreachable as exc:
            waiting = [row for row in rows if row.pk not in handled]
            _unreachable(waiting, exc)
            return DispatchReport(sent=sent, failed=failed, unreachable=len(waiting))
    broker_pause.clear()
    return DispatchReport(sent=sent, failed=failed)


def _done(row: OutboxMessage) -> None:
    # Only the revision that was sent: a message queued again meanwhile still waits.
    OutboxMessage.objects.filter(pk=row.pk, revision=row.revision).update(
        dispatched_at=timezone.now()
    )


def _failed(row: OutboxMessage, error: str) -> None:
    attempts = row.attempts + 1
    now: datetime = timezone.now()
    OutboxMessage.objects.filter(pk=row.pk).update(
        attempts=attempts,
        last_error=error[:_ERROR_LENGTH],
        available_at=now + backoff(attempts),
    )


def _unreachable(rows: list[OutboxMessage], exc: BaseException) -> None:
    broker_pause.start()
    error = f"Broker unreachable: {type(exc).__name__}: {exc}"[:_ERROR_LENGTH]
    OutboxMessage.objects.filter(pk__in=[row.pk for row in rows]).update(
        attempts=F("attempts") + 1, last_error=error
    )
    logger.warning(
        "Outbox: the broker could not be reached (%s); %d messages wait for the next try",
        exc,
        len(rows),
    )
