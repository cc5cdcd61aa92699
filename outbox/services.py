"""Recording background work in the transaction of the change that asks for it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import F

from config.celery import app as celery_app
from outbox.dispatcher import dispatch_after_commit
from outbox.models import WAITING, OutboxMessage

Argument = int | str | bool | None
"""What a task takes: ids, codes and ISO 8601 strings. The task reads everything else
from the database when it runs, so it never acts on a stale copy."""

KEY_LENGTH = OutboxMessage._meta.get_field("key").max_length or 255
# Another transaction may insert the same key between our look and our insert; the
# next look then finds its row. Three rounds is more than two racing writers need.
_RACE_ROUNDS = 3


@dataclass(frozen=True)
class Message:
    """One task call to record.

    ``task``: the Celery task's registered name (``some_task.name``). ``arguments``:
    its keyword arguments. ``key``: names the work, so asking twice for the same work
    while it waits records it once (default: the task and its arguments).
    """

    task: str
    arguments: Mapping[str, Argument] = field(default_factory=dict)
    key: str = ""

    def __post_init__(self) -> None:
        for name, value in self.arguments.items():
            if not isinstance(name, str) or not isinstance(value, int | str | bool | None):
                raise TypeError(
                    f"{self.task}: argument {name!r} is a {type(value).__name__}; "
                    "tasks take ids and strings, not objects"
                )
        if len(self.work_key) > KEY_LENGTH:
            raise ValueError(f"{self.task}: key longer than {KEY_LENGTH} characters")

    @property
    def work_key(self) -> str:
        """The key the outbox files this work under."""
        if self.key:
            return self.key
        return f"{self.task}:{json.dumps(dict(self.arguments), sort_keys=True)}"


@transaction.atomic
def outbox_enqueue(*, messages: Iterable[Message]) -> list[int]:
    """Record these task calls in the current transaction; returns the outbox rows' ids.

    Nothing reaches the broker before the transaction commits: a rolled-back change
    leaves no work behind, and the save never waits on the broker. Once it commits the
    dispatcher tries to hand the work over (``outbox.dispatcher``); whatever it could
    not hand over waits for the every-minute beat job.

    A message whose key already waits updates that row (its arguments are replaced by
    the newest) instead of adding a second.
    """
    ids: list[int] = []
    for message in messages:
        if message.task not in celery_app.tasks:
            raise LookupError(f"No Celery task is registered as {message.task!r}")
        row_id = _record(message)
        if row_id not in ids:
            ids.append(row_id)
    if ids:
        # robust: whatever goes wrong handing work over must not fail a committed save.
        transaction.on_commit(partial(dispatch_after_commit, ids), robust=True)
    return ids


def _record(message: Message) -> int:
    key = message.work_key
    for _ in range(_RACE_ROUNDS):
        waiting = (
            OutboxMessage.objects.select_for_update()
            .filter(WAITING, key=key)
            .values_list("pk", flat=True)
            .first()
        )
        if waiting is not None:
            OutboxMessage.objects.filter(pk=waiting).update(
                task=message.task, arguments=dict(message.arguments), revision=F("revision") + 1
            )
            return waiting
        try:
            with transaction.atomic():
                row = OutboxMessage.objects.create(
                    task=message.task, arguments=dict(message.arguments), key=key
                )
        except IntegrityError:
            continue  # another transaction queued the same key first: update its row
        return row.pk
    raise RuntimeError(f"Could not record {key!r} in the outbox: writers kept racing")
