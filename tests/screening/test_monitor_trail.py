"""The monitor's audit trail: the stories of the candidates of the trials they monitor,
at their sites, pseudonymised, filterable, and exportable as an audited CSV."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from screening.services import IdentityData, candidate_identity_change
from tests.helpers import register, start

pytestmark = pytest.mark.django_db

URL = reverse("audit:monitor_trail")


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def trail_csv(client: Client, **params: str) -> list[dict[str, str]]:
    response = client.get(URL, {**params, "format": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def trial_world(
    coordinator_a: Any,
    coordinator_b: Any,
    monitor: Any,
    hmsc: Any,
    nct: Any,
    site_a: Any,
    site_b: Any,
) -> dict[str, Any]:
    """HMSC100 screened at sites A and B, NCT06495437 at site A; the monitor monitors
    HMSC100 only. The site A candidate's name and date of birth were corrected."""
    from trials.models import MonitorAssignment

    a = start(coordinator_a, register(coordinator_a, hmsc, site_a, name="Erika Mustermann"))
    b = start(coordinator_b, register(coordinator_b, hmsc, site_b, name="Berta Beispiel"))
    other = start(coordinator_a, register(coordinator_a, nct, site_a, name="Otto Other"))
    candidate_identity_change(
        user=coordinator_a,
        candidate=a.candidate,
        identity=IdentityData(
            full_name="Erika Musterfrau", date_of_birth=date(1956, 4, 3), hospital_number="H-9"
        ),
        sex="F",
        reason="",
        reason_code="transcription_error",
    )
    MonitorAssignment.objects.create(monitor=monitor, trial=hmsc)
    return {"a": a, "b": b, "other": other}


def test_the_monitor_reads_the_stories_of_their_trials_only(
    monitor: Any, trial_world: dict[str, Any]
) -> None:
    rows = trail_csv(client_for(monitor))
    objects = {row["object"] for row in rows}
    a, b, other = trial_world["a"], trial_world["b"], trial_world["other"]
    assert a.candidate.screening_number in objects
    assert b.candidate.screening_number in objects
    assert other.candidate.screening_number not in objects
    assert not any(row["action"].startswith("accounts.") for row in rows)
    page = client_for(monitor).get(URL).content.decode()
    assert "Monitor trail" in page
    assert a.candidate.screening_number in page


def test_a_monitor_of_some_sites_sees_those_sites_only(
    monitor: Any, site_a: Any, trial_world: dict[str, Any]
) -> None:
    assignment = monitor.monitor_assignments.get()
    assignment.sites.set([site_a])
    sites = {row["site"] for row in trail_csv(client_for(monitor))}
    assert sites == {site_a.name}


def test_no_identity_value_or_staff_address_reaches_the_monitor(
    monitor: Any, coordinator_a: Any, trial_world: dict[str, Any]
) -> None:
    client = client_for(monitor)
    rows = trail_csv(client)
    text = client.get(URL).content.decode() + " ".join(" ".join(r.values()) for r in rows)
    for secret in (
        "Erika Mustermann",
        "Erika Musterfrau",
        "Berta Beispiel",
        "1956-04-02",
        "1956-04-03",
        "2 Apr 1956",
        "H-9",
    ):
        assert secret not in text, secret
    assert {row["client_address"] for row in rows} == {""}
    # The correction is there, told without its values.
    assert any(row["action"] == "screening.candidate_identity.changed" for row in rows)


def test_filters_narrow_the_trail_and_travel_into_the_audited_csv(
    monitor: Any, site_b: Any, trial_world: dict[str, Any]
) -> None:
    client = client_for(monitor)
    a, b = trial_world["a"], trial_world["b"]
    by_site = trail_csv(client, site=site_b.code)
    assert by_site
    assert {row["site"] for row in by_site} == {site_b.name}
    number = a.candidate.screening_number
    by_screening = trail_csv(client, screening=number)
    assert by_screening
    assert b.candidate.screening_number not in {row["object"] for row in by_screening}
    entries = trail_csv(client, kind="identity")
    assert entries
    assert {row["action"].split(".")[1] for row in entries} <= {"candidate", "candidate_identity"}
    assert trail_csv(client, date_from="2999-01-01") == []
    page = client.get(URL, {"screening": number}).content.decode()
    assert b.candidate.screening_number not in page
    event = AuditEvent.objects.filter(action="audit.trail.exported").order_by("sequence")[1]
    assert event.actor == monitor
    assert event.changes["filters"]["new"] == {"screening": number}


def test_only_monitors_have_a_monitor_trail(
    coordinator_a: Any, data_manager: Any, trial_world: dict[str, Any]
) -> None:
    for reader in (coordinator_a, data_manager):
        assert client_for(reader).get(URL).status_code == 404
        assert client_for(reader).get(URL, {"format": "csv"}).status_code == 404
    assert not AuditEvent.objects.filter(action="audit.trail.exported").exists()
