from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client


@pytest.mark.django_db
def test_it_reports_ok_with_the_database_reachable(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_it_answers_503_when_the_database_is_down(
    client: Client, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    from config import health

    settings.CELERY_TASK_ALWAYS_EAGER = True  # no broker check: only the database matters here

    class BrokenConnection:
        vendor = "broken"

        def cursor(self) -> Any:
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", BrokenConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": {"ok": False, "error": "OperationalError"}},
    }


@pytest.mark.django_db
def test_it_answers_503_when_the_configured_broker_is_unreachable(
    client: Client, settings: Any
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # Nothing listens on port 1 of the loopback address.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


@pytest.mark.django_db
def test_it_reports_a_reachable_broker(client: Client, settings: Any) -> None:
    from tests.conftest import require_or_skip

    require_or_skip(not settings.CELERY_TASK_ALWAYS_EAGER, "A Celery broker (CELERY_BROKER_URL)")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == {"ok": True}


@pytest.mark.django_db
def test_it_refuses_other_methods(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
