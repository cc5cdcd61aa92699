"""The printable signed eligibility record: every criterion with its verbatim text,
outcome and the values used, the decision and its signature manifestation, protocol
and engine versions — as a print page and as a PDF whose download is audited."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEvent
from screening.models import Evaluation
from screening.services import (
    ObservationInput,
    ScreeningChanges,
    decision_propose,
    decision_sign,
)
from tests.helpers import PASSWORD, enter_example, save

pytestmark = pytest.mark.django_db

MEANING = "I confirm this candidate meets all eligibility criteria of HMSC100"
SIGNED_AT = "2026-12-01T21:37:58+00:00"  # 22:37:58 in Berlin (CET)


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, screening: Any) -> str:
    return reverse(f"screening:{name}", kwargs={"pk": screening.pk})


def words(text: str) -> str:
    """Text with its line breaks and runs of spaces as single spaces."""
    return " ".join(text.split())


def squeezed(text: str) -> str:
    """Text without any white space: a PDF breaks long lines anywhere, also after a
    hyphen ("anti-\nosteoporosis"), so long passages are compared without it."""
    return re.sub(r"\s+", "", text)


def pdf_text(response: Any) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return words(" ".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def signed(coordinator_a: Any, investigator_a: Any, hmsc_screening: Any) -> Any:
    """The eligible example, proposed by the coordinator and signed by the investigator
    at 21:37:58 UTC on 1 Dec 2026."""
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-eligible")
    with time_machine.travel(SIGNED_AT, tick=False):
        decision = decision_propose(
            user=coordinator_a, screening=hmsc_screening, outcome="eligible"
        )
        decision_sign(user=investigator_a, decision=decision, password=PASSWORD)
    hmsc_screening.refresh_from_db()
    return hmsc_screening


@pytest.fixture
def assigned_monitor(monitor: Any, hmsc: Any) -> Any:
    from trials.models import MonitorAssignment

    MonitorAssignment.objects.create(monitor=monitor, trial=hmsc)
    return monitor


def signed_evaluation(screening: Any) -> Evaluation:
    evaluation: Evaluation = screening.decisions.get().signature.evaluation
    return evaluation


def test_the_pdf_carries_every_criterion_the_decision_and_the_signature(
    coordinator_a: Any, signed: Any
) -> None:
    text = pdf_text(client_of(coordinator_a).get(url("record_pdf", signed)))
    evaluation = signed_evaluation(signed)
    criteria = evaluation.result["criteria"]
    assert len(criteria) > 20
    flat = squeezed(text)
    for criterion in criteria:
        assert re.search(rf"\b{criterion['id']}\b", text), criterion["id"]
        assert squeezed(criterion["text"]) in flat, criterion["id"]
        for reason in criterion["reasons"]:
            assert squeezed(reason) in flat, (criterion["id"], reason)
    # Every criterion of the eligible example passes: inclusions "Met", exclusions
    # "Not excluded".
    inclusions = sum(c["kind"] == "inclusion" for c in criteria)
    assert text.count("✓ Met") == inclusions
    assert text.count("✓ Not excluded") == len(criteria) - inclusions
    # The values used, as the engine stated them.
    assert "Body weight 58.4 kg on 2026-11-20 is at least 40.0 kg" in text
    assert "Eligible" in text
    assert "Electronically signed by Ian Investigator" in text
    assert "1 Dec 2026 22:37:58 CET (21:37:58 UTC)" in text
    assert "site time zone Europe/Berlin" in text
    assert MEANING in text
    assert f"Protocol version {signed.protocol_version.label}" in text
    assert f"Engine version {evaluation.engine_version}" in text
    assert "HMSC100-A01-0001" in text
    assert "Erika Mustermann" in text  # site staff see the name, as on the summary
    assert "Site A" in text
    assert "Printed 21 Nov 2026" in text
    assert "by Alice Coordinator" in text


def test_downloading_the_pdf_is_recorded_at_the_candidates_site(
    coordinator_a: Any, site_a: Any, signed: Any
) -> None:
    client_of(coordinator_a).get(url("record_pdf", signed))
    event = AuditEvent.objects.get(action="screening.record.downloaded")
    assert event.actor == coordinator_a
    assert event.site == site_a
    assert event.object_type == "screening.screening"
    assert event.object_id == str(signed.pk)
    # The print page is read, not taken away: it records nothing.
    client_of(coordinator_a).get(url("record", signed))
    assert AuditEvent.objects.filter(action="screening.record.downloaded").count() == 1


def test_a_monitor_gets_a_pseudonymised_record(assigned_monitor: Any, signed: Any) -> None:
    text = pdf_text(client_of(assigned_monitor).get(url("record_pdf", signed)))
    assert "HMSC100-A01-0001" in text
    assert "Pseudonymised" in text
    assert "Erika" not in text
    assert "Mustermann" not in text
    assert "1956" not in text  # nor the date of birth
    assert "Electronically signed by Ian Investigator" in text
    page = client_of(assigned_monitor).get(url("record", signed)).content.decode()
    assert "Mustermann" not in page
    assert AuditEvent.objects.filter(
        action="screening.record.downloaded", actor=assigned_monitor
    ).exists()


def test_an_outsider_gets_404_and_nothing_is_recorded(coordinator_b: Any, signed: Any) -> None:
    outsider = client_of(coordinator_b)
    assert outsider.get(url("record", signed)).status_code == 404
    assert outsider.get(url("record_pdf", signed)).status_code == 404
    assert not AuditEvent.objects.filter(action="screening.record.downloaded").exists()


def test_the_print_page_has_no_forms_buttons_or_navigation(coordinator_a: Any, signed: Any) -> None:
    response = client_of(coordinator_a).get(url("record", signed))
    assert response.status_code == 200
    page = response.content.decode()
    for tag in ("<form", "<button", "<nav", "<a ", "<script", "<input"):
        assert tag not in page, tag
    assert 'data-testid="record-signature"' in page
    assert "1 Dec 2026 22:37:58 CET (21:37:58 UTC)" in page
    assert 'datetime="2026-12-01T21:37:58+00:00"' in page
    for criterion in signed_evaluation(signed).result["criteria"]:
        assert f'data-criterion="{criterion["id"]}"' in page


def test_the_summary_links_to_the_record(coordinator_a: Any, signed: Any) -> None:
    summary = client_of(coordinator_a).get(url("summary", signed)).content.decode()
    assert "Print signed record" in summary
    assert url("record", signed) in summary
    assert url("record_pdf", signed) in summary


def test_an_unsigned_record_says_so(coordinator_a: Any, hmsc_screening: Any) -> None:
    page = client_of(coordinator_a).get(url("record", hmsc_screening)).content.decode()
    assert 'data-testid="record-unsigned"' in page
    assert "No decision yet." in page
    assert 'data-testid="record-signature"' not in page
    summary = client_of(coordinator_a).get(url("summary", hmsc_screening)).content.decode()
    assert "Print eligibility record" in summary
    assert "Print signed record" not in summary


def test_a_voided_signature_is_printed_as_void(coordinator_a: Any, signed: Any) -> None:
    change = ScreeningChanges(
        observations=(
            ObservationInput(
                code="alt", value=Decimal("23"), unit="U/L", observed_on=date(2026, 11, 10)
            ),
        )
    )
    with time_machine.travel("2026-12-02T08:05:00+00:00", tick=False):
        save(coordinator_a, signed, change, reason="lab re-reported", reason_code="lab_re_reported")
    text = pdf_text(client_of(coordinator_a).get(url("record_pdf", signed)))
    assert "This signature is void." in text
    assert "Voided on 2 Dec 2026 09:05:00 CET (08:05:00 UTC)" in text
    assert "Electronically signed by Ian Investigator" in text  # what was signed stays told
    # The criteria shown are the latest evaluation's, with the corrected value.
    assert "ALT 23 U/L" in text
