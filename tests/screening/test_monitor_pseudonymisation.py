"""Monitors never see a candidate's exact age, date of birth or name — anywhere.

Full screenings of both seed trials are built through the real services (data,
judgments, a corrected date of birth, a signed decision), the monitor is assigned,
and then every page and export a monitor can reach is fetched and scanned: the
summary, the print record and its PDF, the screening log and its CSV, the histories
and their CSVs, the home page, the candidate list and detail, and the pages that
answer a monitor with 404. None may state an exact age ("Age 70 years", "(from …,
70 years)"), a value calculated from the age (eGFR, Padua, Caprini), the date of
birth in any common format, or the name and contact details. The same pages fetched
by the site's coordinator DO show the exact age, the date of birth and the name —
which proves that the scan finds what it looks for.
"""

from __future__ import annotations

import copy
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from screening.log_formats import FORMATS as LOG_FORMATS
from screening.log_formats import export_writer
from screening.models import CandidateIdentity, Evaluation, ExportFile, Screening
from screening.services import (
    IdentityData,
    candidate_identity_change,
    candidate_register,
    decision_propose,
    decision_sign,
)
from screening.services.exports import log_export_build
from screening.services.queries import query_answer, query_raise
from tests.helpers import PASSWORD, enter_example, start

pytestmark = pytest.mark.django_db


@dataclass
class Person:
    """One candidate as the test knows them: who they are and what must stay hidden."""

    screening: Screening
    name: str
    born: date
    ages: set[int]  # every exact age an evaluation of theirs has stated
    derived: list[str]  # patterns of values calculated from the age
    earlier_births: list[date] = field(default_factory=list)
    contact: tuple[str, ...] = ()


# Screening-app pages and where the scan reaches them; the guard test below fails when
# a new page is added to the URL configuration and not to the scan.
SCANNED = {
    "queries",
    "query",
    "query_raise",
    "verify",
    "unverify",
    "amendment_impact",
    "candidates",
    "log",
    "candidate",
    "summary",
    "history",
    "record",
    "record_pdf",
    "entry",
    "panel",
    "decision",
    "sign",
    "rescreen",
    "enrol",
    "identity",
    "register",
    "exports",
    "export",
    "export_download",
    "erasure",
}


def _body(response: Any) -> str:
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        content = b"".join(response.streaming_content) if response.streaming else response.content
        sheets = load_workbook(io.BytesIO(content)).worksheets
        return "\n".join(
            " ".join("" if v is None else str(v) for v in row)
            for sheet in sheets
            for row in sheet.iter_rows(values_only=True)
        )
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    if response.get("Content-Type") == "application/pdf":
        reader = PdfReader(io.BytesIO(response.content))
        return " ".join(page.extract_text() for page in reader.pages)
    return str(response.content.decode())


def _words(text: str) -> str:
    return " ".join(text.split())


def _dates(day: date) -> list[str]:
    """A date written every way someone might write one."""
    return [
        day.isoformat(),
        f"{day.day} {day:%b %Y}",
        f"{day:%d %b %Y}",
        f"{day.day} {day:%B %Y}",
        f"{day:%b} {day.day}, {day.year}",
        f"{day:%B} {day.day}, {day.year}",
        f"{day:%d/%m/%Y}",
        f"{day:%m/%d/%Y}",
        f"{day:%d.%m.%Y}",
        f"{day.day}.{day.month}.{day.year}",
        f"{day:%Y%m%d}",
        f"{day:%Y/%m/%d}",
    ]


def leaks(text: str, person: Person) -> list[str]:
    """Everything in ``text`` that identifies ``person`` beyond the monitor's view.

    Texts are read with their white space folded and also with none at all: a PDF
    breaks lines anywhere ("Age 70\\nyears", "Erika Muster-\\nmann")."""
    found: list[str] = []
    spaced = _words(text)
    squeezed = re.sub(r"\s+", "", text)
    for age in sorted(person.ages):
        # An exact age; the band "69–70" is what a monitor may see, so a number right
        # after a dash (or part of a longer number) is not one.
        patterns = [rf"(?<![\d–.\-])\b{age} ?(years?|yrs?|y/o)\b", rf"\bage[: ]+{age}\b(?![–\-\d])"]
        for pattern in patterns:
            for match in re.finditer(pattern, spaced, re.IGNORECASE):
                found.append(
                    f"exact age: …{spaced[max(0, match.start() - 60) : match.end() + 20]}…"
                )
        squeezed_pattern = rf"(?<![\d–.\-]){age}(years?|yrs?)"
        for match in re.finditer(squeezed_pattern, squeezed, re.IGNORECASE):
            found.append(f"exact age: …{squeezed[max(0, match.start() - 40) : match.end() + 10]}…")
    for pattern in person.derived:
        for match in re.finditer(pattern, spaced):
            found.append(f"value from the age: …{spaced[match.start() : match.end() + 40]}…")
    for day in (person.born, *person.earlier_births):
        for written in _dates(day):
            if written in spaced or written.replace(" ", "") in squeezed:
                found.append(f"date of birth: {written}")
    for secret in (person.name, *person.contact):
        if secret in spaced or secret.replace(" ", "") in squeezed:
            found.append(f"identity: {secret}")
    return found


def _register(coordinator: Any, trial: Any, site: Any, **identity: Any) -> Any:
    sex = identity.pop("sex")
    return candidate_register(
        user=coordinator, trial=trial, site=site, identity=IdentityData(**identity), sex=sex
    )


@pytest.fixture
def people(
    protocols: dict[str, Any], coordinator_a: Any, investigator_a: Any, site_a: Any, monitor: Any
) -> list[Person]:
    """Both seed trials screened at site A, the monitor assigned to both.

    Erika's date of birth was first typed as 25 Nov 1956 (69 on the screening date)
    and corrected to 2 Apr 1956 (70): both exact ages were stated by an evaluation
    and both birth dates are in the audit trail. Her eligible decision is signed."""
    from trials.models import MonitorAssignment

    hmsc, nct = protocols["HMSC100"].trial, protocols["NCT06495437"].trial
    erika_contact = ("HN-40417", "+49 30 5550417", "erika.m@example.org")
    erika = _register(
        coordinator_a,
        hmsc,
        site_a,
        sex="F",
        full_name="Erika Mustermann",
        date_of_birth=date(1956, 11, 25),
        hospital_number=erika_contact[0],
        phone=erika_contact[1],
        email=erika_contact[2],
    )
    erika_screening = start(coordinator_a, erika)
    enter_example(coordinator_a, investigator_a, erika_screening, "hmsc100-eligible")
    candidate_identity_change(
        user=coordinator_a,
        candidate=erika,
        identity=IdentityData(
            full_name="Erika Mustermann",
            date_of_birth=date(1956, 4, 2),
            hospital_number=erika_contact[0],
            phone=erika_contact[1],
            email=erika_contact[2],
        ),
        sex="F",
        reason="",
        reason_code="transcription_error",
    )
    decision = decision_propose(user=coordinator_a, screening=erika_screening, outcome="eligible")
    decision_sign(user=investigator_a, decision=decision, password=PASSWORD)

    max_contact = ("HN-60615", "+49 30 5550615")
    max_ = _register(
        coordinator_a,
        nct,
        site_a,
        sex="M",
        full_name="Maximilian Beispiel",
        date_of_birth=date(1975, 6, 15),
        hospital_number=max_contact[0],
        phone=max_contact[1],
    )
    max_screening = start(coordinator_a, max_)
    enter_example(coordinator_a, investigator_a, max_screening, "nct06495437-eligible")

    for trial in (hmsc, nct):
        MonitorAssignment.objects.create(monitor=monitor, trial=trial)
    # A query on each, answered by the site, so that the review pages have a thread.
    for screening in (erika_screening, max_screening):
        query = query_raise(
            user=monitor,
            screening=screening,
            text="Please confirm the weight.",
            target="screening:",
        )
        query_answer(user=coordinator_a, query=query, text="Confirmed against the chart.")
    for screening in (erika_screening, max_screening):
        screening.refresh_from_db()
    # The monitor's own exports, written as a worker writes them.
    for file_format in ("csv", "xlsx", "sdtm-ie"):
        export = ExportFile.objects.create(owner=monitor, file_format=file_format, rows_total=2)
        write, extension = export_writer(file_format)
        log_export_build(export_id=export.pk, write=write, extension=extension)
    return [
        Person(
            screening=erika_screening,
            name="Erika Mustermann",
            born=date(1956, 4, 2),
            ages={69, 70},
            derived=[r"eGFR \(CKD-EPI 2021\) \d", r"\(from [\d.]+ mg/dL"],
            earlier_births=[date(1956, 11, 25)],
            contact=erika_contact,
        ),
        Person(
            screening=max_screening,
            name="Maximilian Beispiel",
            born=date(1975, 6, 15),
            ages={51},
            derived=[r"Padua Prediction Score \d", r"Caprini score \(2005\) \d"],
            contact=max_contact,
        ),
    ]


def _pages(person: Person) -> list[tuple[str, str]]:
    """(method, url) of every page and export about ``person`` and of the lists."""
    s = person.screening
    c = s.candidate
    identity = CandidateIdentity.objects.get(candidate=c)
    evaluation = Evaluation.objects.filter(screening=s).order_by("-pk").first()
    assert evaluation is not None
    decision = s.decisions.order_by("-pk").first()

    def screening_url(name: str) -> str:
        return reverse(f"screening:{name}", kwargs={"pk": s.pk})

    pages = [
        ("get", reverse("home")),
        ("get", reverse("screening:candidates")),
        ("get", reverse("screening:candidates") + f"?q={c.screening_number}"),
        ("get", reverse("screening:log")),
        *(("get", reverse("screening:log") + f"?format={f}") for f in LOG_FORMATS),
        ("get", reverse("screening:exports")),
        *(
            ("get", reverse(f"screening:{name}", args=[export.pk]))
            for export in ExportFile.objects.all()
            for name in ("export", "export_download")
        ),
        ("get", reverse("screening:register")),
        ("get", reverse("screening:candidate", kwargs={"pk": c.pk})),
        ("get", reverse("screening:identity", kwargs={"pk": c.pk})),
        *(("get", screening_url(name)) for name in ("summary", "record", "record_pdf")),
        ("get", screening_url("history")),
        ("get", screening_url("history") + "?format=csv"),
        *(("get", screening_url(name)) for name in ("entry", "decision", "sign", "rescreen")),
        ("get", screening_url("enrol")),
        ("post", screening_url("panel")),
        ("get", reverse("audit:trail")),
        ("get", reverse("screening:erasure") + f"?number={c.screening_number}"),
        ("get", reverse("screening:queries")),
        ("get", reverse("screening:queries") + "?status=answered"),
        ("get", screening_url("query_raise")),
        ("post", screening_url("verify")),
        ("post", screening_url("unverify")),
        ("get", reverse("screening:amendment_impact", args=[s.protocol_version_id])),
        *(("get", reverse("screening:query", kwargs={"qid": q.pk})) for q in s.queries.all()),
        ("get", reverse("audit:monitor_trail")),
        ("get", reverse("audit:monitor_trail") + "?format=csv"),
        ("get", reverse("audit:monitor_trail") + f"?screening={c.screening_number}"),
    ]
    objects = [
        ("screening.candidate", c.pk),
        ("screening.candidateidentity", identity.pk),
        ("screening.screening", s.pk),
        ("screening.evaluation", evaluation.pk),
    ]
    if decision is not None:
        objects.append(("screening.decision", decision.pk))
    for object_type, pk in objects:
        history = reverse("audit:history", args=[object_type, str(pk)])
        pages += [("get", history), ("get", history + "?format=csv")]
    return pages


def _fetch(client: Client, method: str, url: str) -> tuple[int, str]:
    response = client.post(url, {}) if method == "post" else client.get(url)
    assert response.status_code < 500, url
    return response.status_code, _body(response)


def test_no_page_or_export_a_monitor_can_reach_states_an_exact_age_birth_date_or_name(
    people: list[Person], monitor: Any
) -> None:
    client = Client()
    client.force_login(monitor)
    reached: set[str] = set()
    found: dict[str, list[str]] = {}
    for person in people:
        for method, url in _pages(person):
            status, text = _fetch(client, method, url)
            if status == 200:
                reached.add(url)
            for other in people:
                if problems := leaks(text, other):
                    found.setdefault(f"{method.upper()} {url}", []).extend(problems)
    assert not found, "\n".join(
        f"{page}: {problem}" for page, ps in found.items() for problem in ps
    )
    # The scan read the pages a monitor works with, not a row of 404s.
    for person in people:
        s = person.screening
        for name in ("summary", "record", "record_pdf", "history", "query_raise"):
            assert reverse(f"screening:{name}", kwargs={"pk": s.pk}) in reached, name
        for query in s.queries.all():
            assert reverse("screening:query", kwargs={"qid": query.pk}) in reached
    assert reverse("screening:queries") in reached
    assert reverse("screening:log") + "?format=csv" in reached
    assert reverse("audit:monitor_trail") + "?format=csv" in reached


def test_the_monitor_reads_the_age_band_and_the_age_criteria_without_the_age(
    people: list[Person], monitor: Any
) -> None:
    client = Client()
    client.force_login(monitor)
    erika, max_ = people
    summary = _words(
        _fetch(client, "get", reverse("screening:summary", args=[erika.screening.pk]))[1]
    )
    assert "age 69–70" in summary
    assert "Age (69–70 years, exact age withheld) is between 45 years and 85 years" in summary
    assert (
        "eGFR (CKD-EPI 2021) (value withheld: calculated from the age) is not below 60" in summary
    )
    # Clinical values and their dates are not identity: they stay.
    assert "Body weight 58.4 kg on 2026-11-20 is at least 40.0 kg" in summary
    record = _words(_fetch(client, "get", reverse("screening:record", args=[max_.screening.pk]))[1])
    assert "Male · age 50–51" in record
    assert "Age (50–51 years, exact age withheld) is between 35 years and 65 years" in record
    assert "Padua Prediction Score (value withheld: calculated from the age) is below 4" in record
    assert "BMI 26.4 kg/m² (from 78.0 kg, 172.0 cm)" in record
    log_csv = _fetch(client, "get", reverse("screening:log") + "?format=csv")[1]
    # The CSV writes the band with a plain hyphen, read alike in every spreadsheet.
    assert "69-70" in log_csv
    assert "50-51" in log_csv


def test_the_site_staff_see_the_exact_age_the_birth_date_and_the_name(
    people: list[Person], coordinator_a: Any
) -> None:
    """The same scan on the coordinator's pages finds what it looks for."""
    client = Client()
    client.force_login(coordinator_a)
    for person in people:
        s = person.screening
        for name in ("summary", "record", "record_pdf"):
            text = _fetch(client, "get", reverse(f"screening:{name}", args=[s.pk]))[1]
            problems = leaks(text, person)
            assert any(p.startswith("exact age") for p in problems), (name, person.name)
            assert any(p.startswith("value from the age") for p in problems), (name, person.name)
            assert any(p.startswith("identity") for p in problems), (name, person.name)
            assert any(p.startswith("date of birth") for p in problems), (name, person.name)
        history = _fetch(client, "get", reverse("screening:history", args=[s.pk]) + "?format=csv")
        assert any(p.startswith("identity") for p in leaks(history[1], person))
    erika = people[0]
    dob_history = _fetch(
        client,
        "get",
        reverse(
            "audit:history",
            args=["screening.candidateidentity", str(erika.screening.candidate.identity.pk)],
        ),
    )[1]
    assert "25 Nov 1956" in dob_history
    assert "2 Apr 1956" in dob_history


def test_every_screening_page_is_in_the_scan() -> None:
    from screening.urls import urlpatterns

    names = {p.name for p in urlpatterns if isinstance(p, URLPattern)}
    assert names == SCANNED, names ^ SCANNED


# --- The presentation function itself --------------------------------------------------


def test_staff_read_the_result_as_stored_and_the_stored_result_never_changes(
    people: list[Person], coordinator_a: Any, monitor: Any
) -> None:
    from screening.pseudonymise import result_for

    screening = people[0].screening
    evaluation = Evaluation.objects.filter(screening=screening).order_by("-pk").first()
    assert evaluation is not None
    stored = copy.deepcopy(evaluation.result)
    assert result_for(coordinator_a, screening, evaluation.result) == stored
    shown = result_for(monitor, screening, evaluation.result)
    assert shown is not None
    assert shown != stored
    evaluation.refresh_from_db()
    assert evaluation.result == stored
    # Only the sentences change: outcomes, ids, dates and the protocol's words stay.
    for mine, theirs in zip(shown["criteria"], stored["criteria"], strict=True):
        for key in ("id", "kind", "text", "rule", "outcome", "condition", "eligible_from"):
            assert mine[key] == theirs[key]
    assert {k: v for k, v in shown.items() if k != "criteria"} == {
        k: v for k, v in stored.items() if k != "criteria"
    }


def test_unknown_wording_is_withheld_phrase_by_phrase(
    people: list[Person],
) -> None:
    from screening.engine_bridge import definition_for
    from screening.pseudonymise import Pseudonymiser, age_derived

    screening = people[1].screening
    catalogue = definition_for(screening).catalogue
    codes = {q.code for q in age_derived(catalogue)}
    assert {"age", "egfr", "padua_score", "caprini_score", "frax_hip_gc_adjusted"} <= codes
    assert not codes & {"bmi", "years_since_menopause", "t_score_total_hip_nhanes", "homa_ir"}
    view = Pseudonymiser.build(age_derived(catalogue), band="50–51", ages=(50, 51))
    # A score known only in part still carries the age's points.
    assert view.text("Padua Prediction Score between 1 and 2: BMI not recorded") == (
        "Padua Prediction Score (range withheld: calculated from the age): BMI not recorded"
    )
    assert view.text("Age 51 years is above the plausible 105 years") == (
        "Age (50–51 years, exact age withheld) is above the plausible 105 years"
    )
    frax = "FRAX hip fracture, glucocorticoid-adjusted"
    assert view.text(f"{frax} 3.1% (from 2.8%, 7.5 mg/day, 51 years) is below 3%") == (
        f"{frax} (value withheld: calculated from the age) is below 3%"
    )
    withheld = "[withheld: states the age or a value calculated from it]"
    assert view.text("Candidate is 50 years old; BMI 26.4 kg/m²") == f"{withheld}; BMI 26.4 kg/m²"
    # The other durations, and the band itself, are not an exact age.
    for kept in (
        "Years since final menstrual period 20 years is at least 2 years",
        "aged 50–51 years",
    ):
        assert view.text(kept) == kept
    # The protocol's own words are the same for every candidate and stay as written.
    result = {
        "screening_date": "2026-11-20",
        "criteria": [
            {
                "text": "Aged 51 years or more",
                "rule": "age >= 51 years",
                "reasons": ["Age 51 years is at least 51 years"],
            }
        ],
    }
    shown = view.result(result)
    assert shown["criteria"][0]["text"] == "Aged 51 years or more"
    assert shown["criteria"][0]["rule"] == "age >= 51 years"
    assert shown["criteria"][0]["reasons"] == [
        "Age (50–51 years, exact age withheld) is at least 51 years"
    ]
