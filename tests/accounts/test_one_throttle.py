"""One throttle for every typed password: login, password change and the signature
that activates a protocol version share one count per account and one per client
address; a lock refuses them all, and every failure is audited once."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import subprocess
import sys
from typing import Any

import pytest
import time_machine
from django.test import Client, RequestFactory

from accounts.models import AddressThrottle, LoginThrottle
from accounts.services import client_network, username_key
from audit.models import AuditEvent
from tests.helpers import PASSWORD, ROOT
from tests.trials.helpers import DEFINITION
from trials.models import ProtocolStatus, ProtocolVersion
from trials.services.protocols import protocol_import

pytestmark = pytest.mark.django_db

WRONG = "wrong-password-1"
NEW_PASSWORD = "a-much-newer-staple-horse"
NOON = dt.datetime(2026, 11, 12, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def log_in(username: str, password: str, address: str = "127.0.0.1") -> Any:
    return Client(REMOTE_ADDR=address).post("/login/", {"username": username, "password": password})


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change_password(client: Client, old: str) -> Any:
    return client.post(
        "/password/",
        {"old_password": old, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))


# --- Password change --------------------------------------------------------------------


def test_the_password_change_form_cannot_be_used_to_guess(
    coordinator_a: Any, settings: Any
) -> None:
    client = signed_in(coordinator_a)
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        html = change_password(client, WRONG).content.decode()
        assert "Your old password was entered incorrectly" in html
    html = change_password(client, WRONG).content.decode()
    assert "Too many failed attempts; try again after 12:15 UTC." in html
    # Locked: even the right password changes nothing.
    html = change_password(client, PASSWORD).content.decode()
    assert "Too many failed attempts; try again after 12:15 UTC." in html
    coordinator_a.refresh_from_db()
    assert coordinator_a.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="accounts.password.changed").exists()


def test_each_wrong_current_password_is_audited_once(coordinator_a: Any) -> None:
    change_password(signed_in(coordinator_a), WRONG)
    assert actions() == ["accounts.password.change_refused"]
    event = AuditEvent.objects.get()
    assert (event.actor, event.object_id) == (coordinator_a, str(coordinator_a.pk))
    assert event.changes["password"]["new"] == "did not match"
    assert WRONG not in str(event.changes)


def test_an_account_locked_at_the_login_cannot_change_its_password(
    coordinator_a: Any, settings: Any
) -> None:
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        log_in("coord.a", WRONG)
    html = change_password(signed_in(coordinator_a), PASSWORD).content.decode()
    assert "Too many failed attempts" in html
    coordinator_a.refresh_from_db()
    assert coordinator_a.check_password(PASSWORD)


# --- Activation of a protocol version -----------------------------------------------------


@pytest.fixture
def draft(db: Any) -> ProtocolVersion:
    return protocol_import(text=DEFINITION, source_name="demo1.yaml", user=None).version


def activate(client: Client, version: ProtocolVersion, password: str) -> Any:
    return client.post(
        f"/admin/trials/protocolversion/{version.pk}/activate/",
        {"reason": "Approved.", "password": password},
    )


def test_a_wrong_activation_password_is_audited_once(
    data_manager: Any, draft: ProtocolVersion
) -> None:
    activate(signed_in(data_manager), draft, WRONG)
    # Once, as the refused signature: not a second time as a failed login.
    assert actions()[-1:] == ["trials.protocolversion.signature_refused"]
    assert "accounts.login.failed" not in actions()
    throttle = LoginThrottle.objects.get(username_key=username_key("dm"))
    assert len(throttle.recent_failures) == 1


def test_an_account_locked_at_the_login_cannot_activate(
    data_manager: Any, draft: ProtocolVersion, settings: Any
) -> None:
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        log_in("dm", WRONG)
    html = activate(signed_in(data_manager), draft, PASSWORD).content.decode()
    assert "Too many failed attempts; sign again after 12:15 UTC." in html
    draft.refresh_from_db()
    assert draft.status == ProtocolStatus.DRAFT


# --- One count for every purpose ----------------------------------------------------------


def test_failures_anywhere_add_up_to_one_lock(
    data_manager: Any, draft: ProtocolVersion, settings: Any
) -> None:
    settings.LOGIN_FAILURE_LIMIT = 3
    client = signed_in(data_manager)
    log_in("dm", WRONG)
    change_password(client, WRONG)
    html = activate(client, draft, WRONG).content.decode()
    assert "Too many failed attempts; sign again after 12:15 UTC." in html
    assert "Too many failed attempts" in log_in("dm", PASSWORD).content.decode()


# --- Per client address -------------------------------------------------------------------


def test_one_address_is_locked_after_too_many_failures_whatever_the_usernames(
    coordinator_a: Any, investigator_a: Any, settings: Any
) -> None:
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    for number in range(6):
        log_in(f"guess.{number}", WRONG, address="203.0.113.7")
    # The right password of a real account is refused from that address...
    refused = log_in("coord.a", PASSWORD, address="203.0.113.7")
    assert "Too many failed attempts; try again after 12:15 UTC." in refused.content.decode()
    # ... and accepted from anywhere else.
    assert log_in("coord.a", PASSWORD, address="198.51.100.20").status_code == 302
    locked = AuditEvent.objects.get(action="accounts.address.locked")
    assert locked.changes["address"]["new"] == "203.0.113.7"
    assert locked.client_address == "203.0.113.7"


def test_one_address_cannot_keep_more_than_a_few_accounts_locked(
    personas: dict[str, Any], settings: Any
) -> None:
    """Anyone can lock a known account by failing as it; one address can lock at most
    LOGIN_ADDRESS_FAILURE_LIMIT / LOGIN_FAILURE_LIMIT of them per window."""
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 10
    for username in ["coord.a", "inv.a", "coord.b", "monitor"]:
        for _ in range(5):
            log_in(username, WRONG, address="203.0.113.7")
    locked = LoginThrottle.objects.filter(locked_until__isnull=False)
    assert set(locked.values_list("username_key", flat=True)) == {
        username_key("coord.a"),
        username_key("inv.a"),
    }
    assert log_in("coord.b", PASSWORD, address="198.51.100.20").status_code == 302
    assert log_in("monitor", PASSWORD, address="198.51.100.20").status_code == 302


def test_a_right_password_does_not_reset_the_address_count(
    coordinator_a: Any, settings: Any
) -> None:
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 4
    for _ in range(3):
        log_in("somebody.else", WRONG, address="203.0.113.7")
    assert log_in("coord.a", PASSWORD, address="203.0.113.7").status_code == 302
    log_in("somebody.else", WRONG, address="203.0.113.7")
    assert AddressThrottle.objects.get(address="203.0.113.7").locked_until is not None


def test_the_address_lock_ends_after_the_window(
    coordinator_a: Any, settings: Any, clock: Any
) -> None:
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for _ in range(3):
        log_in("guess", WRONG, address="203.0.113.7")
    clock.move_to(NOON + dt.timedelta(minutes=15, seconds=1))
    assert log_in("coord.a", PASSWORD, address="203.0.113.7").status_code == 302


def test_an_ipv6_client_is_counted_by_its_64_network() -> None:
    def network(address: str) -> str:
        return client_network(RequestFactory().get("/", REMOTE_ADDR=address))

    assert network("2001:db8:1:2::1") == network("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert network("2001:db8:1:3::1") == "2001:db8:1:3::/64"
    assert network("::ffff:192.0.2.1") == "192.0.2.1"
    assert network("192.0.2.1") == "192.0.2.1"
    assert network("not an address") == "unknown"
    assert ipaddress.ip_network(network("2001:db8::5")).prefixlen == 64


def test_the_limits_and_the_link_lifetime_come_from_the_environment() -> None:
    env = {
        **os.environ,
        "DEBUG": "true",
        "LOGIN_ADDRESS_FAILURE_LIMIT": "40",
        "PASSWORD_LINK_HOURS": "48",
    }
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import config.settings as s; "
            "print(s.LOGIN_ADDRESS_FAILURE_LIMIT, s.PASSWORD_RESET_TIMEOUT)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert shown.stdout.split() == ["40", str(48 * 3600)]
