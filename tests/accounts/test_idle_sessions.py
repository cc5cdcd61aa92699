"""A signed-in session ends after the idle timeout, pushed on by requests, without a
database write on every request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def _session_writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"]
        and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]


def _expiry(client: Client) -> datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_requests_within_a_minute_write_no_session(coordinator_a: Any) -> None:
    client = Client()
    with time_machine.travel(START, tick=False):
        client.force_login(coordinator_a)
        client.get("/")
        expiry = _expiry(client)
    with time_machine.travel(START + timedelta(seconds=30), tick=False):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        assert _session_writes(queries) == []
        assert _expiry(client) == expiry
    with time_machine.travel(START + timedelta(seconds=90), tick=False):
        with CaptureQueriesContext(connection) as queries:
            client.get("/")
        assert len(_session_writes(queries)) == 1
        assert _expiry(client) == START + timedelta(seconds=90) + timedelta(minutes=30)


def test_an_active_person_stays_signed_in_and_an_idle_one_is_signed_out(
    coordinator_a: Any,
) -> None:
    client = Client()
    with time_machine.travel(START, tick=False):
        client.force_login(coordinator_a)
    # A request every 20 minutes for an hour keeps the session.
    for minutes in (20, 40, 60):
        with time_machine.travel(START + timedelta(minutes=minutes), tick=False):
            assert client.get("/").status_code == 200
    # 31 minutes of silence end it.
    with time_machine.travel(START + timedelta(minutes=91), tick=False):
        response = client.get("/")
        assert response.status_code == 302
        assert "/login/" in response["Location"]
