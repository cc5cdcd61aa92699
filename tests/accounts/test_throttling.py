"""Repeated failed logins lock the username for a while; every step is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from accounts.models import AddressThrottle, LoginThrottle
from audit.canonical import canonical_json, canonical_value
from audit.models import AuditEvent
from audit.verify import verify_chain
from tests.conftest import PASSWORD

WRONG = "wrong-password-1"
QUARTER_PAST_TWO = dt.datetime(2026, 11, 12, 14, 17, tzinfo=dt.UTC)
INVALID = "Please enter a correct username and password"


def log_in(client: Client, username: str, password: str) -> Any:
    return client.post("/login/", {"username": username, "password": password})


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))


def everything_stored() -> str:
    """The audit trail, as text, for searching."""
    return canonical_json(canonical_value(list(AuditEvent.objects.values())))


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(QUARTER_PAST_TWO, tick=False) as traveller:
        yield traveller


def test_four_failures_only_ask_for_the_right_password(
    client: Client, coordinator_a: Any, clock: Any
) -> None:
    for _ in range(4):
        assert INVALID in log_in(client, "coord.a", WRONG).content.decode()
    response = log_in(client, "coord.a", PASSWORD)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_the_fifth_failure_locks_the_username_with_a_clear_message(
    client: Client, coordinator_a: Any, clock: Any
) -> None:
    for _ in range(4):
        log_in(client, "coord.a", WRONG)
    html = log_in(client, "coord.a", WRONG).content.decode()
    assert "Too many failed attempts; try again after 14:32 UTC." in html


def test_a_locked_username_is_refused_even_with_the_right_password(
    client: Client, coordinator_a: Any, clock: Any
) -> None:
    for _ in range(5):
        log_in(client, "coord.a", WRONG)
    clock.move_to(QUARTER_PAST_TWO + dt.timedelta(minutes=14, seconds=59))
    html = log_in(client, "coord.a", PASSWORD).content.decode()
    assert "Too many failed attempts; try again after 14:32 UTC." in html
    assert "_auth_user_id" not in client.session


def test_the_lock_ends_after_the_window(client: Client, coordinator_a: Any, clock: Any) -> None:
    for _ in range(5):
        log_in(client, "coord.a", WRONG)
    clock.move_to(QUARTER_PAST_TWO + dt.timedelta(minutes=15, seconds=1))
    assert log_in(client, "coord.a", PASSWORD).status_code == 302
    assert "_auth_user_id" in client.session
    assert not LoginThrottle.objects.exists()


def test_failures_older_than_the_window_are_forgotten(
    client: Client, coordinator_a: Any, clock: Any
) -> None:
    for _ in range(4):
        log_in(client, "coord.a", WRONG)
    clock.move_to(QUARTER_PAST_TWO + dt.timedelta(minutes=15, seconds=1))
    assert INVALID in log_in(client, "coord.a", WRONG).content.decode()
    assert log_in(client, "coord.a", PASSWORD).status_code == 302


def test_changing_the_case_of_the_username_does_not_dodge_the_lock(
    client: Client, coordinator_a: Any, clock: Any
) -> None:
    for username in ["coord.a", "COORD.A", "Coord.A", "coord.A", " coord.a"]:
        log_in(client, username, WRONG)
    html = log_in(client, "coord.a", PASSWORD).content.decode()
    assert "Too many failed attempts" in html


def test_the_limit_and_the_lockout_are_configurable(
    client: Client, coordinator_a: Any, clock: Any, settings: Any
) -> None:
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_LOCKOUT_MINUTES = 60
    log_in(client, "coord.a", WRONG)
    html = log_in(client, "coord.a", WRONG).content.decode()
    assert "try again after 15:17 UTC" in html


def test_failures_lockouts_and_logins_are_audited(
    client: Client, coordinator_a: Any, clock: Any
) -> None:
    for _ in range(5):
        log_in(client, "coord.a", WRONG)
    log_in(client, "coord.a", PASSWORD)
    clock.move_to(QUARTER_PAST_TWO + dt.timedelta(minutes=16))
    log_in(client, "coord.a", PASSWORD)
    client.post("/logout/")
    assert actions() == [
        *["accounts.login.failed"] * 5,
        "accounts.login.locked",
        "accounts.login.refused",
        "accounts.login.succeeded",
        "accounts.logout",
    ]
    failed = AuditEvent.objects.filter(action="accounts.login.failed").last()
    assert failed is not None
    assert failed.actor is None
    assert failed.object_id == str(coordinator_a.pk)
    assert failed.changes["failed_attempts"]["new"] == 5
    locked = AuditEvent.objects.get(action="accounts.login.locked")
    assert locked.changes["locked_until"]["new"] == "2026-11-12T14:32:00+00:00"
    succeeded = AuditEvent.objects.get(action="accounts.login.succeeded")
    assert succeeded.actor == coordinator_a
    assert succeeded.client_address == "127.0.0.1"
    assert len(succeeded.request_id) == 36
    assert verify_chain().intact


def test_no_password_is_ever_stored(client: Client, coordinator_a: Any, clock: Any) -> None:
    for _ in range(5):
        log_in(client, "coord.a", WRONG)
    log_in(client, "coord.a", PASSWORD)
    log_in(client, PASSWORD, WRONG)  # a password typed into the username field
    stored = everything_stored() + canonical_json(
        list(LoginThrottle.objects.values_list("username_key", flat=True))
    )
    assert WRONG not in stored
    assert PASSWORD not in stored


def test_unknown_usernames_are_locked_too_without_being_recorded(
    client: Client, db: Any, clock: Any
) -> None:
    for _ in range(5):
        log_in(client, "no.such.person", WRONG)
    assert "Too many failed attempts" in log_in(client, "no.such.person", WRONG).content.decode()
    # Noise from an unknown username: the first failure is recorded, the rest counted
    # (tests/accounts/test_sign_in_noise.py follows the count to the trail).
    events = list(AuditEvent.objects.all())
    assert [event.action for event in events] == ["accounts.login.failed"]
    assert all(event.object_id == "" and event.actor is None for event in events)
    assert "no.such.person" not in everything_stored()


def test_one_locked_username_does_not_lock_another(
    client: Client, coordinator_a: Any, investigator_a: Any, clock: Any
) -> None:
    for _ in range(5):
        log_in(client, "coord.a", WRONG)
    assert log_in(client, "inv.a", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_stale_throttles_are_forgotten_and_live_ones_kept(client: Client, clock: Any) -> None:
    from django.conf import settings

    from accounts.tasks import purge_login_throttles

    window = dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    log_in(client, "typo.name", WRONG)  # fails, then is never used again
    clock.shift(window / 2)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        log_in(client, "locked.name", WRONG)
    log_in(client, "recent.name", WRONG)
    clock.shift(window / 2 + dt.timedelta(minutes=1))  # the typo's failure has left the window
    assert LoginThrottle.objects.count() == 3
    assert purge_login_throttles.apply().get() == 1  # in place, with or without a broker
    assert LoginThrottle.objects.count() == 2
    clock.shift(window * 2)  # the lock has ended and the recent failure is old
    # Two usernames' throttles, and the client address's (its failures are old too).
    assert purge_login_throttles() == 3
    assert not LoginThrottle.objects.exists()
    assert not AddressThrottle.objects.exists()


def test_the_purge_is_scheduled_daily_by_a_data_migration(db: Any) -> None:
    import importlib

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    schedule = importlib.import_module("accounts.migrations.0003_purge_login_throttles_schedule")
    schedule.schedule(apps, None)
    schedule.schedule(apps, None)
    task = PeriodicTask.objects.get(name=schedule.TASK_NAME)
    assert task.task == "accounts.tasks.purge_login_throttles"
    assert (task.crontab.minute, task.crontab.hour) == ("15", "3")
