"""The screening log's downloads in every format: what each file holds, that it holds
nothing identifying, that it is safe to open in a spreadsheet, that it carries the
log's filters and that each download is audited."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from audit.story import tell
from config.celery import app
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


# --- XLSX ---------------------------------------------------------------------------


def get_column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter as letter

    return str(letter(index))


def workbook_of(response: Any) -> Any:
    from openpyxl import load_workbook

    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert ".xlsx" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(body_of(response)))


def test_xlsx_has_typed_cells_a_frozen_header_and_an_autofilter(
    coordinator_a: Any, failed: Any, enrolled: Any
) -> None:
    sheet = workbook_of(download(client_for(coordinator_a), "xlsx")).active
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["screening_number", "trial", "site", "attempt"]
    assert sheet.freeze_panes == "A2"
    last_column = get_column_letter(len(header))
    assert sheet.auto_filter.ref == f"A1:{last_column}{sheet.max_row}"
    rows = {
        row[0]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(2, values_only=True)
    }
    assert set(rows) == {failed.candidate.screening_number, enrolled.candidate.screening_number}
    row = rows[enrolled.candidate.screening_number]
    assert row["attempt"] == 1  # a number, not the text "1"
    assert row["screening_date"] == datetime.combine(enrolled.screening_date, datetime.min.time())
    assert row["enrolled_on"] == datetime(2026, 11, 21)  # noqa: DTZ001 - Excel has no zones
    assert isinstance(rows[failed.candidate.screening_number]["signed_at_utc"], datetime)
    assert re.fullmatch(r"\d+-\d+", row["age_band"])
    # Text is text: the hostile randomisation number is no formula in the workbook.
    hostile = [c for r in sheet.iter_rows(2) for c in r if c.value == "=HYPERLINK(1)"]
    assert [c.data_type for c in hostile] == ["s"]


def test_xlsx_names_no_candidate_and_carries_the_filters(
    monitor: Any, failed: Any, enrolled: Any
) -> None:
    from trials.models import MonitorAssignment

    MonitorAssignment.objects.create(monitor=monitor, trial=failed.candidate.trial)
    sheet = workbook_of(download(client_for(monitor), "xlsx", trial="HMSC100")).active
    values = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert failed.candidate.screening_number in values
    assert enrolled.candidate.screening_number not in values  # another trial: filtered out
    identity = CandidateIdentity.objects.get(candidate=failed.candidate)
    assert not any(identity.full_name in v for v in values)
    event = AuditEvent.objects.get(action="screening.log.exported")
    assert (event.actor, event.changes["format"]["new"]) == (monitor, "xlsx")
    assert event.changes["filters"]["new"] == {"trial": "HMSC100"}


# --- SDTM ---------------------------------------------------------------------------


def test_sdtm_ie_has_one_row_per_criterion_not_met(coordinator_a: Any, failed: Any) -> None:
    rows = csv_rows(download(client_for(coordinator_a), "sdtm-ie"))
    assert list(rows[0]) == [
        "STUDYID", "DOMAIN", "USUBJID", "IESEQ", "IETESTCD", "IETEST", "IECAT",
        "IEORRES", "IESTRESC", "IEDTC",
    ]  # fmt: skip
    subject = f"HMSC100-{failed.candidate.screening_number}"
    assert {r["USUBJID"] for r in rows} == {subject}
    assert [r["IESEQ"] for r in rows] == [str(n) for n in range(1, len(rows) + 1)]
    e8b = next(r for r in rows if r["IETESTCD"] == "E8B")
    assert e8b["IECAT"] == "EXCLUSION"
    assert (e8b["IEORRES"], e8b["IESTRESC"]) == ("Y", "Y")
    assert 0 < len(e8b["IETEST"]) <= 200
    assert e8b["IEDTC"] == failed.screening_date.isoformat()
    assert all(len(r["IETESTCD"]) <= 8 for r in rows)
    event = AuditEvent.objects.get(action="screening.log.exported")
    assert event.changes["format"]["new"] == "sdtm-ie"


def test_sdtm_ds_lists_signed_screen_failures_only(
    coordinator_a: Any, failed: Any, enrolled: Any
) -> None:
    rows = csv_rows(download(client_for(coordinator_a), "sdtm-ds"))
    (row,) = rows
    assert row["USUBJID"] == f"HMSC100-{failed.candidate.screening_number}"
    assert (row["DOMAIN"], row["DSSEQ"], row["DSDECOD"]) == ("DS", "1", "SCREEN FAILURE")
    assert row["DSTERM"] == "ELIGIBILITY CRITERIA NOT MET"
    assert (row["DSCAT"], row["DSEPOCH"]) == ("DISPOSITION EVENT", "SCREENING")
    assert date.fromisoformat(row["DSSTDTC"])


def test_an_unknown_format_is_refused_by_name(coordinator_a: Any, failed: Any) -> None:
    response = client_for(coordinator_a).get(URL, {"format": "docx"})
    assert response.status_code == 400
    assert "format must be one of csv, xlsx" in response.content.decode()
    assert not AuditEvent.objects.filter(action="screening.log.exported").exists()


# --- Exports built by a worker ----------------------------------------------------


@pytest.fixture
def small_threshold(settings: Any) -> Iterator[Any]:
    """Any log of more than one attempt is built in the background, by the task run in
    place as with no broker (the real broker and worker are in test_large_exports), so
    the test reads the finished export whether or not this run has a broker."""
    settings.EXPORT_BACKGROUND_ROWS = 1
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield settings
    finally:
        app.conf.task_always_eager = before


def ask_in_background(
    client: Client, django_capture_on_commit_callbacks: Any, **params: str
) -> Any:
    from screening.models import ExportFile

    # The outbox hands the task over on commit; without a broker it runs in place.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(URL, params)
    assert response.status_code == 302
    export = ExportFile.objects.latest("pk")
    assert response["Location"] == reverse("screening:export", args=[export.pk])
    export.refresh_from_db()
    return export


def test_a_large_export_is_built_by_a_worker_for_its_owner_alone(
    small_threshold: Any,
    coordinator_a: Any,
    investigator_a: Any,
    coordinator_b: Any,
    failed: Any,
    enrolled: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    owner = client_for(coordinator_a)
    export = ask_in_background(owner, django_capture_on_commit_callbacks, format="xlsx", site="A01")
    assert (export.status, export.rows_total, export.rows_done) == ("ready", 2, 2)
    assert export.filters == {"site": "A01"}
    requested = AuditEvent.objects.get(action="screening.export.requested")
    assert requested.actor == coordinator_a
    assert requested.changes["filters"]["new"] == {"site": "A01"}
    assert requested.changes["format"]["new"] == "xlsx"
    assert AuditEvent.objects.get(action="screening.export.built").actor is None
    page = owner.get(reverse("screening:export", args=[export.pk])).content.decode()
    assert "Ready to download" in page
    link = reverse("screening:export_download", args=[export.pk])
    assert link in page
    # Nobody else learns it exists, nor downloads it; the owner's download is audited.
    for other in (investigator_a, coordinator_b):
        assert client_for(other).get(link).status_code == 404
        assert (
            client_for(other).get(reverse("screening:export", args=[export.pk])).status_code == 404
        )
    assert not AuditEvent.objects.filter(action="screening.export.downloaded").exists()
    sheet = workbook_of(owner.get(link)).active
    assert sheet.max_row == 3
    downloaded = AuditEvent.objects.get(action="screening.export.downloaded")
    assert downloaded.actor == coordinator_a
    assert downloaded.changes["rows"]["new"] == 2
    assert export.filters == downloaded.changes["filters"]["new"]


def test_expired_exports_lose_their_file(
    small_threshold: Any,
    coordinator_a: Any,
    failed: Any,
    enrolled: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    import time_machine

    from screening.services.exports import export_path
    from screening.tasks import purge_exports

    client = client_for(coordinator_a)
    export = ask_in_background(client, django_capture_on_commit_callbacks, format="csv")
    path = export_path(export)
    assert path.read_bytes().startswith(b"\xef\xbb\xbfscreening_number,")
    assert purge_exports() == 0  # not yet
    with time_machine.travel(export.expires_at, tick=False):
        assert purge_exports() == 1
    export.refresh_from_db()
    assert (export.status, export.file_name) == ("expired", "")
    assert not path.exists()
    assert AuditEvent.objects.filter(action="screening.export.expired").count() == 1
    link = reverse("screening:export_download", args=[export.pk])
    assert client.get(link).status_code == 404
    page = client.get(reverse("screening:export", args=[export.pk])).content.decode()
    assert "has expired" in page


def test_an_export_that_cannot_be_written_says_so(
    small_threshold: Any,
    coordinator_a: Any,
    failed: Any,
    enrolled: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from screening import export_formats

    def broken(*args: Any, **kwargs: Any) -> int:
        raise OSError("disk full")

    monkeypatch.setattr("screening.log_formats.write_xlsx", broken)
    assert export_formats.write_xlsx is not broken
    export = ask_in_background(
        client_for(coordinator_a), django_capture_on_commit_callbacks, format="xlsx"
    )
    assert export.status == "failed"
    assert "disk full" in export.error
    event = AuditEvent.objects.get(action="screening.export.failed")
    assert "disk full" in event.changes["error"]["new"]
    assert list(export_formats_dir_files(export)) == []
    page = client_for(coordinator_a).get(reverse("screening:export", args=[export.pk]))
    assert "could not be written" in page.content.decode()


def export_formats_dir_files(export: Any) -> list[Any]:
    from django.conf import settings

    folder = settings.EXPORT_DIR
    return sorted(folder.glob(f"export-{export.pk}-*")) if folder.exists() else []


# --- PDF ----------------------------------------------------------------------------


def test_pdf_holds_the_trial_summary_with_charts_and_the_filtered_log(
    monitor: Any, failed: Any, enrolled: Any
) -> None:
    from pypdf import PdfReader

    from trials.models import MonitorAssignment

    for screening in (failed, enrolled):
        MonitorAssignment.objects.get_or_create(monitor=monitor, trial=screening.candidate.trial)
    response = download(client_for(monitor), "pdf", trial="HMSC100")
    assert response["Content-Type"] == "application/pdf"
    assert ".pdf" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(body_of(response)))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Summary of HMSC100" in text
    assert "Registered (pre-screened)" in text
    assert "E8b —" in text  # the screen failures by criterion, with the criterion's text
    assert "Screening attempts (1)" in text
    assert failed.candidate.screening_number in text
    assert enrolled.candidate.screening_number not in text  # another trial: filtered out
    assert "Summary of NCT06495437" not in text
    for screening in (failed, enrolled):
        identity = CandidateIdentity.objects.get(candidate=screening.candidate)
        assert identity.full_name not in text
        assert identity.date_of_birth.isoformat() not in text
    event = AuditEvent.objects.get(action="screening.log.exported")
    assert (event.actor, event.changes["format"]["new"]) == (monitor, "pdf")
    assert event.changes["filters"]["new"] == {"trial": "HMSC100"}


# --- Candidates registered, not yet screened ------------------------------------------


def test_every_format_lists_candidates_whose_screening_has_not_started(
    coordinator_a: Any, hmsc: Any, site_a: Any, failed: Any
) -> None:
    from openpyxl import load_workbook
    from pypdf import PdfReader

    waiting = register(coordinator_a, hmsc, site_a, name="Wanda Waiting")
    client = client_for(coordinator_a)
    rows = csv_rows(download(client, "csv"))
    assert [(r["screening_number"], r["status"]) for r in rows] == [
        (failed.candidate.screening_number, failed.status),
        (waiting.screening_number, "not_started"),
    ]
    last = rows[-1]
    assert (last["attempt"], last["screening_date"], last["decision"]) == ("", "", "")
    assert re.fullmatch(r"\d+-\d+", last["age_band"])
    event = AuditEvent.objects.filter(action="screening.log.exported").latest("sequence")
    assert event.changes["rows"]["new"] == 2

    sheet = load_workbook(io.BytesIO(body_of(download(client, "xlsx")))).active
    assert [c.value for c in sheet[3]][:4] == [waiting.screening_number, "HMSC100", "A01", None]

    pdf = PdfReader(io.BytesIO(body_of(download(client, "pdf"))))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Screening attempts (1)" in text
    assert "1 registered candidate whose screening has not started" in text
    assert waiting.screening_number in text
    assert "Wanda" not in text

    ds = csv_rows(download(client, "sdtm-ds"))
    assert waiting.screening_number not in {r.get("USUBJID", "") for r in ds}
    assert all(waiting.screening_number not in "".join(r.values()) for r in ds)


def test_filters_that_only_attempts_meet_leave_out_the_candidates_not_started(
    coordinator_a: Any, hmsc: Any, site_a: Any, failed: Any
) -> None:
    waiting = register(coordinator_a, hmsc, site_a)
    client = client_for(coordinator_a)
    by_status = csv_rows(download(client, "csv", status="not_started"))
    assert [r["screening_number"] for r in by_status] == [waiting.screening_number]
    by_date = csv_rows(download(client, "csv", since=failed.screening_date.isoformat()))
    assert [r["screening_number"] for r in by_date] == [failed.candidate.screening_number]
