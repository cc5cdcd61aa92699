"""The installation-wide audit trail, for data managers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.audit.conftest import rename_site


@pytest.mark.parametrize("persona", ["coordinator_a", "investigator_a", "coordinator_b", "monitor"])
def test_only_data_managers_see_the_audit_trail(
    client: Client, personas: dict[str, Any], persona: str
) -> None:
    client.force_login(personas[persona])
    assert client.get("/audit/").status_code == 404
    assert "Audit trail</a>" not in client.get("/").content.decode()


def test_data_managers_find_the_trail_in_the_menu(client: Client, data_manager: Any) -> None:
    client.force_login(data_manager)
    assert 'href="/audit/">Audit trail</a>' in client.get("/").content.decode()


def test_the_trail_lists_every_event_naming_what_changed(
    client: Client, data_manager: Any, site_a: Any, site_b: Any
) -> None:
    rename_site(site_a, "Site Alpha", actor=data_manager)
    rename_site(site_b, "Site Bravo", actor=data_manager)
    client.force_login(data_manager)
    html = client.get("/audit/").content.decode()
    assert "changed Name from “Site A” to “Site Alpha” of A01 — Site Alpha" in html
    assert "changed Name from “Site B” to “Site Bravo” of B01 — Site Bravo" in html


def test_the_trail_is_paginated(client: Client, data_manager: Any, site_a: Any) -> None:
    for number in range(55):
        rename_site(site_a, f"Site A{number}", actor=data_manager)
    client.force_login(data_manager)
    first = client.get("/audit/").content.decode()
    assert "55 events, newest first" in first
    assert "Page 1 of 2" in first
    assert 'id="event-55"' in first
    second = client.get("/audit/", {"page": 2}).content.decode()
    assert 'id="event-5"' in second
    assert 'id="event-6"' not in second


def test_the_trail_exports_everything_filtered_as_csv(
    client: Client, data_manager: Any, coordinator_a: Any, site_a: Any, site_b: Any
) -> None:
    rename_site(site_a, "Site Alpha", actor=data_manager)
    rename_site(site_b, "Site Bravo", actor=coordinator_a)
    client.force_login(data_manager)
    response = client.get("/audit/", {"format": "csv", "person": coordinator_a.pk})
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 2
    assert "Site Bravo" in lines[1]
