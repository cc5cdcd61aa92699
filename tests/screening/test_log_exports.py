"""The screening log's downloads in every format: what each file holds, that it holds
nothing identifying, that it is safe to open in a spreadsheet, that it carries the
log's filters and that each download is audited."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from audit.story import tell
from screening.export_formats import DATE, DATETIME, INTEGER, Column, Table, csv_lines
from screening.models import CandidateIdentity
from screening.services import decision_propose, decision_sign, screening_enrol
from tests.conftest import PASSWORD
from tests.helpers import enter_example, register, start

pytestmark = pytest.mark.django_db

URL = reverse("screening:log")
DANGEROUS = ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx")


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def download(client: Client, fmt: str, **params: str) -> Any:
    response = client.get(URL, {**params, "format": fmt})
    assert response.status_code == 200, response.content[:500]
    return response


def body_of(response: Any) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return bytes(response.content)


def csv_rows(response: Any) -> list[dict[str, str]]:
    body = body_of(response)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def failed(coordinator_a: Any, investigator_a: Any, hmsc_screening: Any) -> Any:
    """hMSC100 at site A: a signed screen failure on criterion E8b."""
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-washout")
    decision = decision_propose(
        user=coordinator_a,
        screening=hmsc_screening,
        outcome="screen_failure",
        reason_category="criteria",
        failed_criteria=["E8b"],
    )
    decision_sign(user=investigator_a, decision=decision, password=PASSWORD)
    hmsc_screening.refresh_from_db()
    return hmsc_screening


@pytest.fixture
def enrolled(coordinator_a: Any, investigator_a: Any, nct_screening: Any) -> Any:
    """NCT06495437 at site A, eligible and enrolled with a hostile randomisation number."""
    enter_example(coordinator_a, investigator_a, nct_screening, "nct06495437-eligible")
    decision = decision_propose(user=coordinator_a, screening=nct_screening, outcome="eligible")
    decision_sign(user=investigator_a, decision=decision, password=PASSWORD)
    screening_enrol(
        user=coordinator_a,
        screening=nct_screening,
        enrolled_on=date(2026, 11, 21),
        randomisation_number="=HYPERLINK(1)",
    )
    nct_screening.refresh_from_db()
    return nct_screening


# --- CSV ----------------------------------------------------------------------------


def test_csv_is_utf8_with_a_bom_and_ascii_age_bands(coordinator_a: Any, failed: Any) -> None:
    response = download(client_for(coordinator_a), "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    (row,) = csv_rows(response)
    candidate = failed.candidate
    upper = failed.screening_date.year - candidate.year_of_birth
    assert row["age_band"] == f"{upper - 1}-{upper}"
    assert "\u2013" not in body_of(download(client_for(coordinator_a), "csv")).decode("utf-8-sig")
    assert row["screening_date"] == failed.screening_date.isoformat()


def test_every_formula_start_is_neutralised_in_csv() -> None:
    table = Table((Column("value"),), [(text,) for text in DANGEROUS])
    lines = list(csv.reader(io.StringIO("".join(csv_lines(table)).removeprefix("\ufeff"))))
    assert [line[0] for line in lines[1:]] == ["'" + text for text in DANGEROUS]


def test_typed_values_become_iso_text_in_csv() -> None:
    columns = (Column("n", INTEGER), Column("d", DATE), Column("t", DATETIME), Column("x"))
    moment = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
    table = Table(columns, [(3, date(2026, 11, 21), moment, None)])
    text = "".join(csv_lines(table)).removeprefix("\ufeff")
    assert text.splitlines()[1] == "3,2026-11-21,2026-11-21T09:30:00.000000+00:00,"


def test_csv_names_no_candidate(
    coordinator_a: Any, monitor: Any, failed: Any, enrolled: Any
) -> None:
    from trials.models import MonitorAssignment

    for screening in (failed, enrolled):
        MonitorAssignment.objects.get_or_create(monitor=monitor, trial=screening.candidate.trial)
    identities = CandidateIdentity.objects.filter(
        candidate__in=[failed.candidate, enrolled.candidate]
    )
    for reader in (coordinator_a, monitor):
        text = body_of(download(client_for(reader), "csv")).decode("utf-8-sig")
        for identity in identities:
            assert identity.full_name not in text
            assert identity.date_of_birth.isoformat() not in text
        assert failed.candidate.screening_number in text
    assert "'=HYPERLINK(1)" in text


def test_the_log_filters_are_carried_into_the_csv_and_audited(
    coordinator_a: Any, nct: Any, site_a: Any, failed: Any
) -> None:
    later = start(
        coordinator_a, register(coordinator_a, nct, site_a), screening_date=date(2026, 11, 21)
    )
    rows = csv_rows(download(client_for(coordinator_a), "csv", trial="NCT06495437"))
    assert [r["screening_number"] for r in rows] == [later.candidate.screening_number]
    event = AuditEvent.objects.filter(action="screening.log.exported").latest("sequence")
    assert event.actor == coordinator_a
    assert event.changes["filters"]["new"] == {"trial": "NCT06495437"}
    assert event.changes["format"]["new"] == "csv"
    assert event.changes["rows"]["new"] == 1
    assert re.search(r"downloaded the screening log \(trial NCT06495437\)", tell(event))
