"""Two people saving the same observation at the same moment: neither edit is lost
silently. One is saved; the other gets a conflict and nothing of it is written."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from audit.models import AuditEvent
from screening.models import Observation, Screening
from screening.services import ScreeningChanges, ScreeningConflictError, screening_save
from tests.conftest import require_or_skip
from tests.screening.helpers import alt


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_edits_of_one_observation_do_not_lose_one(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    require_or_skip(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    revision = Screening.objects.get(pk=hmsc_screening.pk).revision
    start = threading.Barrier(2)
    saved: list[str] = []
    conflicts: list[str] = []
    failures: list[BaseException] = []

    def edit(user: Any, value: str) -> None:
        try:
            screening = Screening.objects.get(pk=hmsc_screening.pk)
            start.wait(timeout=30)
            screening_save(
                user=user,
                screening=screening,
                changes=ScreeningChanges(observations=[alt(value)]),
                expected_revision=revision,
            )
            saved.append(value)
        except ScreeningConflictError as conflict:
            conflicts.append(str(conflict))
        except BaseException as error:  # reported to the test thread below
            failures.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=edit, args=(coordinator_a, "95")),
        threading.Thread(target=edit, args=(investigator_a, "59")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not failures, failures
    assert len(saved) == 1
    assert len(conflicts) == 1
    assert "Nothing of yours was saved" in conflicts[0]
    assert Observation.objects.get(screening=hmsc_screening, code="alt").value_entered == saved[0]
    created = AuditEvent.objects.filter(action="screening.observation.created")
    assert created.count() == 1
    assert Screening.objects.get(pk=hmsc_screening.pk).revision == revision + 1
