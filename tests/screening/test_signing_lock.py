"""The e-signature form goes through the sign-in gate: it cannot be used to guess a
password, and a locked account cannot sign, even with the right password."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from accounts.models import LoginThrottle
from accounts.services import username_key
from audit.models import AuditEvent
from screening.models import Decision, Signature
from screening.services import decision_propose
from tests.helpers import PASSWORD

WRONG = "not-my-password-1"


@pytest.fixture
def proposed(coordinator_a: Any, hmsc_screening: Any) -> Decision:
    """A withdrawal the coordinator proposed; it waits for the investigator's signature."""
    return decision_propose(
        user=coordinator_a,
        screening=hmsc_screening,
        outcome="withdrawn",
        reason_category="declined",
    )


@pytest.fixture
def investigator(client: Client, investigator_a: Any) -> Client:
    client.force_login(investigator_a)
    return client


def sign(client: Client, screening: Any, password: str) -> Any:
    return client.post(f"/screening/{screening.pk}/sign/", {"password": password})


def refusals() -> list[str]:
    events = AuditEvent.objects.filter(action="screening.signature.refused").order_by("sequence")
    return [event.changes["password"]["new"] for event in events]


def test_thirty_three_wrong_passwords_lock_the_account_and_the_right_one_then_signs_nothing(
    investigator: Client, hmsc_screening: Any, proposed: Decision, settings: Any
) -> None:
    for attempt in range(1, 34):
        html = sign(investigator, hmsc_screening, WRONG).content.decode()
        if attempt < settings.LOGIN_FAILURE_LIMIT:
            assert "The password does not match; the decision was not signed." in html
        else:
            assert "Too many failed attempts; sign again after" in html
    response = sign(investigator, hmsc_screening, PASSWORD)
    page = response.content.decode()
    assert "Too many failed attempts; sign again after" in page
    # The unlock time is on the site's clock (Berlin: CET in November), UTC beside it.
    assert re.search(r"sign again after \d+ \w+ \d{4} \d\d:\d\d CET \(\d\d:\d\d UTC\)", page)
    assert not Signature.objects.exists()
    throttle = LoginThrottle.objects.get(username_key=username_key("inv.a"))
    assert throttle.locked_until is not None


def test_each_failure_is_audited_once_and_refusals_while_locked_are_counted(
    investigator: Client, hmsc_screening: Any, proposed: Decision, settings: Any
) -> None:
    for _ in range(33):
        sign(investigator, hmsc_screening, WRONG)
    sign(investigator, hmsc_screening, PASSWORD)
    limit = settings.LOGIN_FAILURE_LIMIT
    # One event per failure up to the lock, one for the lock, one for the first
    # refusal; the 28 later refusals are counted, not recorded one by one.
    assert refusals() == ["did not match"] * limit + ["was not checked: sign-in locked"]
    assert AuditEvent.objects.filter(action="accounts.login.locked").count() == 1
    assert not AuditEvent.objects.filter(action="accounts.login.failed").exists()
    failed = AuditEvent.objects.filter(action="screening.signature.refused").first()
    assert failed is not None
    assert failed.object_id == str(proposed.pk)
    assert failed.changes["failed_attempts"]["new"] == 1


def test_an_account_locked_at_the_login_cannot_sign_with_the_right_password(
    investigator: Client,
    hmsc_screening: Any,
    proposed: Decision,
    settings: Any,
) -> None:
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        Client().post("/login/", {"username": "inv.a", "password": WRONG})
    response = sign(investigator, hmsc_screening, PASSWORD)
    assert response.status_code == 200
    assert "Too many failed attempts; sign again after" in response.content.decode()
    assert not Signature.objects.exists()
    assert refusals() == ["was not checked: sign-in locked"]


def test_signing_failures_count_towards_the_login_lock(
    investigator: Client, hmsc_screening: Any, proposed: Decision, settings: Any
) -> None:
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign(investigator, hmsc_screening, WRONG)
    login = Client().post("/login/", {"username": "inv.a", "password": PASSWORD})
    assert "Too many failed attempts" in login.content.decode()


def test_a_right_password_after_a_few_failures_signs_and_clears_the_count(
    investigator: Client, hmsc_screening: Any, proposed: Decision
) -> None:
    for _ in range(3):
        sign(investigator, hmsc_screening, WRONG)
    response = sign(investigator, hmsc_screening, PASSWORD)
    assert response.status_code == 302
    assert Signature.objects.filter(decision=proposed).exists()
    assert not LoginThrottle.objects.filter(username_key=username_key("inv.a")).exists()
