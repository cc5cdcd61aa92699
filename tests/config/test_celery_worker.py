"""A task travels through the real broker to a real worker and back."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest

from config.tasks import worker_health
from tests.helpers import ROOT


@pytest.mark.broker
def test_a_worker_runs_a_task_sent_through_the_broker(celery_worker: Any) -> None:
    from accounts.models import User

    User.objects.create_user(username="someone", password="irrelevant-here-1", full_name="Some One")
    result = worker_health.delay().get(timeout=30)
    assert result["users"] == 1
    assert result["database"] in {"postgresql", "sqlite"}
    # The worker really consumed it: a result that came from the backend, not an eager call.
    assert not worker_health.app.conf.task_always_eager


def test_without_a_broker_tasks_run_eagerly_in_the_calling_process() -> None:
    """The embedded default needs no broker: a task sent with .delay() runs in place."""
    env = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
    env["DATABASE_URL"] = "sqlite:///:memory:"
    script = (
        "import django; django.setup();"
        "from django.core.management import call_command; call_command('migrate', verbosity=0);"
        "from config.tasks import worker_health; r = worker_health.delay();"
        "print(worker_health.app.conf.broker_url, r.get())"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "memory:// {'database': 'sqlite', 'users': 0}"
