"""The screening log: who sees which attempts, pseudonymised; filters; the CSV export,
audited and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from screening.models import CandidateIdentity
from screening.services import (
    ScreeningChanges,
    decision_propose,
    decision_sign,
    screening_enrol,
)
from tests.conftest import PASSWORD
from tests.helpers import enter_example, register, save, start

pytestmark = pytest.mark.django_db

URL = reverse("screening:log")


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def export(client: Client, **params: str) -> list[dict[str, str]]:
    response = client.get(URL, {**params, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    # UTF-8 with a byte-order mark, so that Excel on Windows reads it as UTF-8.
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def enrolled(coordinator_a: Any, investigator_a: Any, hmsc_screening: Any) -> Any:
    """hMSC100 at site A: eligible, signed and enrolled with a hostile randomisation number."""
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-eligible")
    decision = decision_propose(user=coordinator_a, screening=hmsc_screening, outcome="eligible")
    decision_sign(user=investigator_a, decision=decision, password=PASSWORD)
    screening_enrol(
        user=coordinator_a,
        screening=hmsc_screening,
        enrolled_on=date(2026, 11, 21),
        randomisation_number="=HYPERLINK(1)",
    )
    hmsc_screening.refresh_from_db()
    return hmsc_screening


def test_a_row_per_attempt_with_its_evaluation_decision_signature_and_enrolment(
    coordinator_a: Any, enrolled: Any
) -> None:
    (row,) = export(client_for(coordinator_a))
    candidate = enrolled.candidate
    assert row["screening_number"] == candidate.screening_number
    assert (row["trial"], row["site"], row["attempt"]) == ("HMSC100", "A01", "1")
    assert row["status"] == "enrolled"
    assert row["latest_evaluation"] == "eligible"
    assert (row["criteria_not_met"], row["criteria_excluded"]) == ("", "")
    assert (row["decision"], row["signed_by"]) == ("eligible", "Ian Investigator")
    assert row["signature_void"] == "no"
    assert row["enrolled_on"] == "2026-11-21"
    assert row["randomisation_number"] == "'=HYPERLINK(1)"  # not a formula in a spreadsheet


def test_no_identity_leaves_the_site_and_outsiders_see_nothing(
    coordinator_a: Any, coordinator_b: Any, monitor: Any, data_manager: Any, enrolled: Any
) -> None:
    from trials.models import MonitorAssignment

    MonitorAssignment.objects.create(monitor=monitor, trial=enrolled.candidate.trial)
    identity = CandidateIdentity.objects.get(candidate=enrolled.candidate)
    for reader in (coordinator_a, monitor):
        page = client_for(reader).get(URL).content.decode()
        assert enrolled.candidate.screening_number in page
        assert identity.full_name not in page
        rows = export(client_for(reader))
        assert [r["screening_number"] for r in rows] == [enrolled.candidate.screening_number]
        flat = " ".join(" ".join(r.values()) for r in rows)
        assert identity.full_name not in flat
        assert identity.date_of_birth.isoformat() not in flat
    assert export(client_for(coordinator_b)) == []
    assert client_for(data_manager).get(URL).status_code == 404


def test_failing_criteria_and_a_voided_signature_are_shown(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-washout")
    decision = decision_propose(
        user=coordinator_a,
        screening=hmsc_screening,
        outcome="screen_failure",
        reason_category="criteria",
        failed_criteria=["E8b"],
    )
    decision_sign(user=investigator_a, decision=decision, password=PASSWORD)
    (row,) = export(client_for(coordinator_a))
    assert row["latest_evaluation"] == "ineligible"
    # An exclusion criterion that applies is "excluded", not "not met".
    assert "E8b" in row["criteria_excluded"].split()
    assert "E8b" not in row["criteria_not_met"].split()
    assert row["eligible_from"]
    assert (row["decision"], row["decision_reason"]) == ("screen_failure", "criteria")
    assert row["signature_void"] == "no"
    save(
        coordinator_a,
        hmsc_screening,
        ScreeningChanges(answers={"high_fall_risk": "yes"}),
        reason_code="transcription_error",
    )
    (row,) = export(client_for(coordinator_a))
    assert row["signature_void"] == "yes"
    assert row["status"] == "needs_review"


def test_filters_narrow_the_log_and_a_bad_range_is_refused_by_name(
    coordinator_a: Any, hmsc: Any, nct: Any, site_a: Any, hmsc_screening: Any
) -> None:
    later = start(
        coordinator_a, register(coordinator_a, nct, site_a), screening_date=date(2026, 11, 21)
    )
    client = client_for(coordinator_a)
    assert len(export(client)) == 2
    assert [r["trial"] for r in export(client, trial="NCT06495437")] == ["NCT06495437"]
    assert [r["screening_date"] for r in export(client, since="2026-11-21")] == [
        later.screening_date.isoformat()
    ]
    assert export(client, status="enrolled") == []
    response = client.get(URL, {"since": "2026-11-21", "until": "2026-11-01", "format": "csv"})
    assert response.status_code == 400
    assert "Screened until must be on or after 21 Nov 2026." in response.content.decode()


def test_each_download_is_audited_with_its_filters(coordinator_a: Any, hmsc_screening: Any) -> None:
    export(client_for(coordinator_a), trial="HMSC100")
    event = AuditEvent.objects.get(action="screening.log.exported")
    assert event.actor == coordinator_a
    assert event.changes["filters"]["new"] == {"trial": "HMSC100"}
    from audit.story import tell

    assert tell(event).endswith("Alice Coordinator downloaded the screening log (trial HMSC100).")
    client_for(coordinator_a).get(URL)  # looking at the page is not an export
    assert AuditEvent.objects.filter(action="screening.log.exported").count() == 1
