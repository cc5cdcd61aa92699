"""Every job the beat schedule runs, run once by a real worker through the real broker:
each is found by its registered name, takes the schedule's own arguments, and finishes
without an error on a database with a screening in it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django_celery_beat.models import PeriodicTask

from config.celery import app


@pytest.mark.broker
def test_every_scheduled_job_runs_on_a_worker(
    celery_worker: Any, frozen_today: None, hmsc_screening: Any
) -> None:
    jobs = list(PeriodicTask.objects.filter(enabled=True).order_by("name"))
    names = {job.task for job in jobs}
    # The schedule the migrations create: a job dropped or renamed is seen here.
    assert {
        "audit.tasks.verify_audit_chain",
        "notifications.tasks.send_reminders",
        "notifications.tasks.send_digests",
        "outbox.tasks.dispatch_outbox",
        "screening.tasks.purge_exports",
        "screening.tasks.retention_review",
        "accounts.tasks.purge_login_throttles",
    } <= names
    for job in jobs:
        assert job.task in app.tasks, f"{job.name}: no task registered as {job.task}"
        result = app.send_task(
            job.task, args=json.loads(job.args or "[]"), kwargs=json.loads(job.kwargs or "{}")
        )
        result.get(timeout=60)  # re-raises the job's own error
        assert result.successful(), job.name
