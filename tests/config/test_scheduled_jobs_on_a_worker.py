"""Every job the beat schedule runs, run once by a real worker through the real broker:
each is found by its registered name and finishes without an error on a database with
a screening in it."""

from __future__ import annotations

from typing import Any

import pytest

from config.celery import app

# The jobs the migrations schedule (docs/operations.md, "Scheduled tasks"); each runs
# with its defaults. (The rows the migrations create are not read here: a test that
# commits empties every table when it ends, schedule included.)
SCHEDULED = (
    "outbox.tasks.dispatch_outbox",
    "audit.tasks.verify_audit_chain",
    "accounts.tasks.purge_login_throttles",
    "screening.tasks.purge_exports",
    "screening.tasks.retention_review",
    "notifications.tasks.send_reminders",
    "notifications.tasks.send_digests",
)


@pytest.mark.broker
def test_every_scheduled_job_runs_on_a_worker(
    celery_worker: Any, frozen_today: None, hmsc_screening: Any
) -> None:
    for name in SCHEDULED:
        assert name in app.tasks, f"no task registered as {name}"
        result = app.send_task(name)
        result.get(timeout=60)  # re-raises the job's own error
        assert result.successful(), name
