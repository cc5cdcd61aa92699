"""Correcting a candidate's identity: audited in full, shown only to the site's staff."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from audit.models import AuditEvent
from audit.story import visible_changes
from screening.models import Evaluation
from screening.services.candidates import IdentityData, candidate_identity_change
from tests.helpers import enter_example
from trials.models import MonitorAssignment

NEW = IdentityData(
    full_name="Erika Musterfrau", date_of_birth=date(1956, 4, 2), hospital_number="H-1"
)


def _change(user: Any, screening: Any, identity: IdentityData = NEW, **kwargs: Any) -> bool:
    return candidate_identity_change(
        user=user,
        candidate=screening.candidate,
        identity=identity,
        sex=kwargs.pop("sex", "F"),
        reason=kwargs.pop("reason", "Name misspelt at registration"),
        **kwargs,
    )


def test_a_correction_records_old_and_new_values_flagged_as_identity(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    assert _change(coordinator_a, hmsc_screening)
    event = AuditEvent.objects.get(action="screening.candidate_identity.changed")
    # Stored sealed with the candidate's data key; the site's staff read it in clear.
    stored = event.changes["full_name"]
    assert set(stored["old"]) == set(stored["new"]) == {"sealed", "key"}
    assert "Muster" not in str(event.changes)
    assert visible_changes(event, reveal_identity=True) == {
        "full_name": {
            "old": "Erika Mustermann",
            "new": "Erika Musterfrau",
            "label": "Name",
            "identity": True,
        }
    }
    assert event.reason == "Name misspelt at registration"


def test_a_correction_needs_a_reason(coordinator_a: Any, hmsc_screening: Any) -> None:
    with pytest.raises(ValidationError, match="reason"):
        _change(coordinator_a, hmsc_screening, reason="")


def test_saving_the_same_identity_changes_nothing(coordinator_a: Any, hmsc_screening: Any) -> None:
    same = IdentityData(
        full_name="Erika Mustermann", date_of_birth=date(1956, 4, 2), hospital_number="H-1"
    )
    before = AuditEvent.objects.count()
    assert not _change(coordinator_a, hmsc_screening, same)
    assert AuditEvent.objects.count() == before


def test_outsiders_cannot_correct_an_identity(coordinator_b: Any, hmsc_screening: Any) -> None:
    with pytest.raises(PermissionDenied):
        _change(coordinator_b, hmsc_screening)


def test_a_corrected_date_of_birth_re_evaluates_and_voids_a_signature(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    from screening.services import decision_propose, decision_sign
    from tests.conftest import PASSWORD

    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-eligible")
    hmsc_screening.refresh_from_db()
    decision = decision_propose(user=investigator_a, screening=hmsc_screening, outcome="eligible")
    decision_sign(user=investigator_a, decision=decision, password=PASSWORD)
    evaluations = Evaluation.objects.filter(screening=hmsc_screening).count()
    # Born 1930: 96 at screening, above the protocol's 85.
    older = IdentityData(
        full_name="Erika Mustermann", date_of_birth=date(1930, 4, 2), hospital_number="H-1"
    )
    _change(coordinator_a, hmsc_screening, older, reason="Date of birth from passport")
    hmsc_screening.refresh_from_db()
    assert hmsc_screening.status == "needs_review"
    latest = Evaluation.objects.filter(screening=hmsc_screening).order_by("-pk").first()
    assert Evaluation.objects.filter(screening=hmsc_screening).count() == evaluations + 1
    assert latest is not None
    assert latest.status == "ineligible"
    hmsc_screening.candidate.refresh_from_db()
    assert hmsc_screening.candidate.year_of_birth == 1930


def _history(client: Client, user: Any, screening: Any) -> str:
    identity = screening.candidate.identity
    client.force_login(user)
    response = client.get(f"/audit/screening.candidateidentity/{identity.pk}/")
    return response.content.decode() if response.status_code == 200 else str(response.status_code)


def test_site_staff_read_identity_values_in_the_history(
    client: Client, coordinator_a: Any, hmsc_screening: Any
) -> None:
    _change(coordinator_a, hmsc_screening)
    html = _history(client, coordinator_a, hmsc_screening)
    assert "Erika Mustermann" in html
    assert "Erika Musterfrau" in html


def test_a_monitor_reads_the_history_with_identity_hidden(
    client: Client, coordinator_a: Any, monitor: Any, hmsc_screening: Any
) -> None:
    _change(coordinator_a, hmsc_screening)
    assert _history(client, monitor, hmsc_screening) == "404"  # not assigned yet
    MonitorAssignment.objects.create(monitor=monitor, trial=hmsc_screening.candidate.trial)
    html = _history(client, monitor, hmsc_screening)
    assert "(hidden: identity)" in html
    assert "Mustermann" not in html
    assert "Musterfrau" not in html
    csv = client.get(
        f"/audit/screening.candidateidentity/{hmsc_screening.candidate.identity.pk}/?format=csv"
    )
    text = b"".join(csv.streaming_content).decode()  # type: ignore[attr-defined]
    assert "Muster" not in text
    assert "1956-04-02" not in text


def test_the_data_managers_trail_hides_identities(
    client: Client, coordinator_a: Any, data_manager: Any, hmsc_screening: Any
) -> None:
    _change(coordinator_a, hmsc_screening)
    client.force_login(data_manager)
    html = client.get("/audit/").content.decode()
    assert "(hidden: identity)" in html
    assert "Muster" not in html
    text = b"".join(client.get("/audit/?format=csv").streaming_content).decode()  # type: ignore[attr-defined]
    assert "Muster" not in text
    assert "H-1" not in text


def test_the_correction_page_saves_with_a_reason_and_refuses_without(
    client: Client, coordinator_a: Any, hmsc_screening: Any
) -> None:
    candidate = hmsc_screening.candidate
    client.force_login(coordinator_a)
    page = client.get(f"/screening/candidates/{candidate.pk}/")
    assert f"/screening/candidates/{candidate.pk}/identity/" in page.content.decode()
    form = {
        "full_name": "Erika Musterfrau",
        "date_of_birth": "1956-04-02",
        "sex": "F",
        "hospital_number": "H-1",
        "phone": "",
        "email": "",
    }
    refused = client.post(f"/screening/candidates/{candidate.pk}/identity/", form)
    assert refused.status_code == 200
    assert "reason" in refused.content.decode().lower()
    candidate.identity.refresh_from_db()
    assert candidate.identity.full_name == "Erika Mustermann"
    saved = client.post(
        f"/screening/candidates/{candidate.pk}/identity/",
        {**form, "reason_code": "transcription_error"},
    )
    assert saved.status_code == 302
    candidate.identity.refresh_from_db()
    assert candidate.identity.full_name == "Erika Musterfrau"
