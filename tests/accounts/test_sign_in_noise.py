"""Noise from unauthenticated clients cannot grow the permanent audit trail without bound.

Unknown usernames and attempts refused while locked are recorded once per client
address and window; the rest are counted and recorded as one event with the count
when the window ends (at the address's next attempt, or by the daily task).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from accounts.models import AddressThrottle
from accounts.tasks import purge_login_throttles
from audit.models import AuditEvent
from audit.story import told
from audit.verify import verify_chain
from tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 11, 12, 12, 0, tzinfo=dt.UTC)
ATTACKER = "203.0.113.7"


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def guess(username: str, address: str = ATTACKER) -> Any:
    return Client(REMOTE_ADDR=address).post(
        "/login/", {"username": username, "password": "a-guess-1"}
    )


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))


def test_a_hundred_and_fifty_guesses_from_one_address_leave_two_events_in_the_window(
    client: Client,
) -> None:
    for number in range(150):
        guess(f"user{number}")
    # The first failure, and the address's lock; the other 149 are only counted.
    assert actions() == ["accounts.login.failed", "accounts.address.locked"]
    assert AddressThrottle.objects.get(address=ATTACKER).quiet_count == 149


def test_the_count_is_recorded_when_the_address_comes_back_after_the_window(
    clock: Any,
) -> None:
    for number in range(30):
        guess(f"user{number}")
    clock.move_to(NOON + dt.timedelta(minutes=16))
    guess("user-after")
    repeated = AuditEvent.objects.get(action="accounts.login.repeated")
    assert repeated.changes["attempts"]["new"] == 29
    assert repeated.changes["address"]["new"] == ATTACKER
    assert told(repeated) == (
        "29 more failed or refused sign-in attempts from “203.0.113.7” between "
        "12 Nov 2026 12:00 UTC and 12 Nov 2026 12:00 UTC were counted rather than "
        "recorded one by one"
    )
    # The new window starts with its own first attempt on record.
    assert actions()[-2:] == ["accounts.login.repeated", "accounts.login.failed"]
    assert verify_chain().intact


def test_the_daily_task_records_the_count_of_an_address_that_never_comes_back(
    clock: Any,
) -> None:
    for number in range(7):
        guess(f"user{number}")
    clock.move_to(NOON + dt.timedelta(hours=1))
    purge_login_throttles()
    repeated = AuditEvent.objects.get(action="accounts.login.repeated")
    assert repeated.changes["attempts"]["new"] == 6
    assert not AddressThrottle.objects.exists()


def test_the_trail_grows_by_a_bounded_number_of_events_per_address_and_window(
    clock: Any, settings: Any
) -> None:
    per_window = []
    for window in range(4):
        before = AuditEvent.objects.count()
        for number in range(60):
            guess(f"user{window}-{number}")
        per_window.append(AuditEvent.objects.count() - before)
        clock.shift(dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES + 1))
    # The summary of the previous window, its first failure, the address's lock.
    assert max(per_window) <= 3


def test_refusals_of_a_locked_known_account_are_counted_too(
    coordinator_a: Any, settings: Any
) -> None:
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        Client(REMOTE_ADDR="198.51.100.20").post(
            "/login/", {"username": "coord.a", "password": "a-guess-1"}
        )
    for _ in range(50):
        Client(REMOTE_ADDR="198.51.100.20").post(
            "/login/", {"username": "coord.a", "password": PASSWORD}
        )
    assert actions().count("accounts.login.refused") == 1
    assert AddressThrottle.objects.get(address="198.51.100.20").quiet_count == 49


def test_failures_against_known_accounts_stay_recorded_one_by_one(
    coordinator_a: Any,
) -> None:
    """Guesses at a real account are what the trail is for: each is on record."""
    for _ in range(4):
        guess("coord.a")
    assert actions() == ["accounts.login.failed"] * 4
    assert AuditEvent.objects.last().object_id == str(coordinator_a.pk)  # type: ignore[union-attr]


def test_noise_from_one_address_is_counted_apart_from_another(db: Any) -> None:
    guess("nobody.1", address="203.0.113.7")
    guess("nobody.2", address="198.51.100.20")
    assert actions() == ["accounts.login.failed", "accounts.login.failed"]
