"""A screening log of 10,000 attempts, exported in every format through the real broker
and a real worker, each file opened and read back."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from copy import copy
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from audit.models import AuditEvent
from screening.log_formats import FORMATS
from screening.models import (
    Candidate,
    CandidateIdentity,
    Decision,
    Evaluation,
    ExportFile,
    Screening,
    ScreeningNumberCounter,
    Signature,
)
from screening.services import decision_propose, decision_sign, screening_number
from tests.conftest import PASSWORD
from tests.helpers import enter_example
from vault.models import DataKey

ATTEMPTS = 10_000


def _copies(template: Any, count: int, each: Callable[[Any, int], None]) -> list[Any]:
    """``count`` unsaved copies of ``template``, ``each(copy, n)`` setting what differs."""
    made = []
    for n in range(count):
        row = copy(template)
        row.pk = None
        row._state = type(template._state)()
        each(row, n)
        made.append(row)
    return made


def clone_screen_failures(template: Screening, total: int) -> None:
    """``total - 1`` more candidates at the template's site, each screened and failed
    exactly as the template was (same evaluation, decision and signature), under new
    screening numbers, inserted in bulk; the site's number counter follows."""
    candidate = template.candidate
    identity = CandidateIdentity.objects.get(candidate=candidate)
    evaluation = Evaluation.objects.filter(screening=template).order_by("-created_at").first()
    decision = Decision.objects.get(screening=template)
    signature = Signature.objects.get(decision=decision)
    more = total - 1
    first = candidate.sequence + 1

    def candidate_fields(row: Any, n: int) -> None:
        row.sequence = first + n
        row.screening_number = screening_number(candidate.trial, candidate.site, first + n)
        row.data_key = keys[n]  # each candidate has a key of its own

    with transaction.atomic():
        # The copies' identities are the template's ciphertext, bound to the template's
        # key: unreadable under theirs, which suits a test of exports that name nobody.
        keys = DataKey.objects.bulk_create(
            [
                DataKey(
                    wrapped=candidate.data_key.wrapped,
                    master_key_id=candidate.data_key.master_key_id,
                    created_at=candidate.data_key.created_at,
                )
                for _ in range(more)
            ],
            batch_size=1000,
        )
        candidates = Candidate.objects.bulk_create(
            _copies(candidate, more, candidate_fields), batch_size=1000
        )
        CandidateIdentity.objects.bulk_create(
            _copies(identity, more, lambda row, n: setattr(row, "candidate", candidates[n])),
            batch_size=1000,
        )
        screenings = Screening.objects.bulk_create(
            _copies(template, more, lambda row, n: setattr(row, "candidate", candidates[n])),
            batch_size=1000,
        )
        evaluations = Evaluation.objects.bulk_create(
            _copies(evaluation, more, lambda row, n: setattr(row, "screening", screenings[n])),
            batch_size=500,
        )

        def decision_fields(row: Any, n: int) -> None:
            row.screening, row.evaluation = screenings[n], evaluations[n]

        decisions = Decision.objects.bulk_create(
            _copies(decision, more, decision_fields), batch_size=1000
        )

        def signature_fields(row: Any, n: int) -> None:
            row.decision, row.evaluation = decisions[n], evaluations[n]

        Signature.objects.bulk_create(_copies(signature, more, signature_fields), batch_size=1000)
        ScreeningNumberCounter.objects.filter(trial=candidate.trial, site=candidate.site).update(
            last_number=first + more - 1
        )


def _finished(export_id: int, seconds: float = 240) -> ExportFile:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        export = ExportFile.objects.get(pk=export_id)
        if export.done:
            return export
        time.sleep(0.5)
    raise AssertionError(f"Export {export_id} not done after {seconds} s")


def _read(name: str, content: bytes) -> list[list[str]]:
    """The file's table as text rows: CSV parsed, XLSX read, PDF text lines."""
    if name == "xlsx":
        sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
        return [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    if name == "pdf":
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
        return [line.split() for line in text.splitlines()]
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.broker
def test_ten_thousand_attempts_export_in_every_format_through_the_worker(
    celery_worker: Any,
    frozen_today: None,
    fresh_definitions: None,
    coordinator_a: Any,
    investigator_a: Any,
    hmsc_screening: Any,
    settings: Any,
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
    hmsc_screening.refresh_from_db()
    clone_screen_failures(hmsc_screening, ATTEMPTS)
    numbers = set(Candidate.objects.values_list("screening_number", flat=True))
    assert len(numbers) == ATTEMPTS
    identity = CandidateIdentity.objects.get(candidate=hmsc_screening.candidate)

    client = Client()
    client.force_login(coordinator_a)
    for name in FORMATS:
        started = time.monotonic()
        response = client.get(reverse("screening:log"), {"format": name, "trial": "HMSC100"})
        assert response.status_code == 302, name
        export = _finished(ExportFile.objects.latest("pk").pk)
        assert export.status == "ready", (name, export.error)
        assert (export.rows_total, export.rows_done) == (ATTEMPTS, ATTEMPTS)
        page = client.get(reverse("screening:export", args=[export.pk])).content.decode()
        assert f"{ATTEMPTS} of {ATTEMPTS} screening attempts written" in page
        download = client.get(reverse("screening:export_download", args=[export.pk]))
        assert download.status_code == 200
        content = b"".join(download.streaming_content)
        rows = _read(name, content)
        text = "\n".join(" ".join(row) for row in rows)
        assert identity.full_name not in text
        if name in ("csv", "xlsx"):
            assert rows[0][0] == "screening_number"
            assert {row[0] for row in rows[1:]} == numbers
        elif name == "sdtm-ie":
            e8b = [row for row in rows[1:] if row[4] == "E8B"]
            assert len(e8b) == ATTEMPTS
        elif name == "sdtm-ds":
            assert len(rows) == ATTEMPTS + 1
            assert {row[5] for row in rows[1:]} == {"SCREEN FAILURE"}
        elif name == "pdf":
            assert hmsc_screening.candidate.screening_number in text
            assert f"HMSC100-A01-{ATTEMPTS:04d}" in text
        assert time.monotonic() - started < timedelta(minutes=3).total_seconds(), name
    assert AuditEvent.objects.filter(action="screening.export.built").count() == len(FORMATS)
    assert AuditEvent.objects.filter(action="screening.export.downloaded").count() == len(FORMATS)
