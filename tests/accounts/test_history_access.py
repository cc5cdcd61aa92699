"""Who reads which history: data managers only the configuration they manage, and staff
IP addresses only data managers and the site's own staff."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from accounts.models import LoginThrottle
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

STAFF_ADDRESS = "10.20.30.40"


def status(client: Client, object_type: str, object_id: Any) -> int:
    return client.get(f"/audit/{object_type}/{object_id}/").status_code


def test_a_data_manager_reads_the_history_of_configuration(world: dict[str, Any]) -> None:
    dm = client_for(world, "data_manager")
    assert status(dm, "trials.site", world["site_a"].pk) == 200
    assert status(dm, "accounts.user", world["coordinator_a"].pk) == 200
    assert status(dm, "trials.trial", world["trial"].pk) == 200


def test_and_of_nothing_else(world: dict[str, Any]) -> None:
    dm = client_for(world, "data_manager")
    group = Group.objects.create(name="Editors")
    throttle = LoginThrottle.objects.create(username_key="k")
    assert status(dm, "screening.candidate", world["candidate"].pk) == 404
    assert status(dm, "screening.screening", world["screening"].pk) == 404
    assert status(dm, "auth.group", group.pk) == 404
    assert status(dm, "accounts.loginthrottle", throttle.pk) == 404
    assert status(dm, "sessions.session", dm.session.session_key) == 404
    assert status(dm, "audit.auditchainhead", 1) == 404


def _history_csv(client: Client, screening: Any) -> list[dict[str, str]]:
    response = client.get(f"/screening/{screening.pk}/history/?format=csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def proposed_from_the_ward(world: dict[str, Any]) -> Any:
    """Site A's coordinator proposes a decision from a ward PC: an event with an address."""
    coordinator = client_for(world, "coordinator_a")
    response = coordinator.post(
        f"/screening/{world['screening'].pk}/decision/",
        {"outcome": "withdrawn", "reason_category": "declined"},
        REMOTE_ADDR=STAFF_ADDRESS,
    )
    assert response.status_code == 302
    return world["screening"]


def test_monitors_do_not_see_staff_addresses(
    world: dict[str, Any], proposed_from_the_ward: Any
) -> None:
    rows = _history_csv(client_for(world, "monitor"), proposed_from_the_ward)
    assert rows
    assert {row["client_address"] for row in rows} == {""}


def test_the_sites_own_staff_and_data_managers_do(
    world: dict[str, Any], proposed_from_the_ward: Any
) -> None:
    rows = _history_csv(client_for(world, "coordinator_a"), proposed_from_the_ward)
    assert STAFF_ADDRESS in {row["client_address"] for row in rows}
    trail = client_for(world, "data_manager").get("/audit/?format=csv")
    text = b"".join(trail.streaming_content).decode()  # type: ignore[attr-defined]
    assert STAFF_ADDRESS in text
