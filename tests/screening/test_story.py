"""The story of a screening is complete, plain and the same for everyone who may read it.

A full path — registration, every value of a seed example, a correction with its
reason, the judgments, a proposal, a refused signature, a signature, enrolment —
then the screening's history page and its CSV, as the coordinator, the
investigator and the monitor read them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from audit.registry import Kind
from audit.selectors import story_events
from screening.services import (
    ObservationInput,
    ScreeningChanges,
    SignatureRefused,
    decision_propose,
    decision_sign,
    screening_enrol,
)
from screening.services.changes import changes_from_facts
from tests.helpers import PASSWORD, SCREENING_DATE, TODAY, example, save

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned_monitor(monitor: Any, hmsc_screening: Any) -> Any:
    from trials.models import MonitorAssignment

    MonitorAssignment.objects.create(monitor=monitor, trial=hmsc_screening.candidate.trial)
    return monitor


@pytest.fixture
def full_path(coordinator_a: Any, investigator_a: Any, hmsc_screening: Any) -> Any:
    screening = hmsc_screening
    changes = changes_from_facts(example("hmsc100-eligible"))
    save(coordinator_a, screening, replace(changes, judgments={}))
    save(
        coordinator_a,
        screening,
        ScreeningChanges(
            observations=[
                ObservationInput(
                    code="weight", value=Decimal("58.9"), unit="kg", observed_on=SCREENING_DATE
                )
            ]
        ),
        reason="Re-weighed without shoes",
        reason_code="transcription_error",
    )
    save(investigator_a, screening, ScreeningChanges(judgments=changes.judgments))
    screening.refresh_from_db()
    decision = decision_propose(user=coordinator_a, screening=screening, outcome="eligible")
    with pytest.raises(SignatureRefused):
        decision_sign(user=investigator_a, decision=decision, password="not my password")
    decision_sign(user=investigator_a, decision=decision, password=PASSWORD)
    screening.refresh_from_db()
    screening_enrol(
        user=coordinator_a, screening=screening, enrolled_on=TODAY, randomisation_number="R-007"
    )
    screening.refresh_from_db()
    return screening


def _page(user: Any, screening: Any, **query: str) -> str:
    client = Client()
    client.force_login(user)
    url = reverse("screening:history", kwargs={"pk": screening.pk})
    response = client.get(url, {"order": "oldest", **query})
    assert response.status_code == 200
    return response.content.decode()


def _sentences(html: str) -> list[str]:
    items = re.findall(r'<li class="border-start[^>]*>\s*<div>(.*?)</div>', html, re.S)
    return [re.sub(r"\s+", " ", item).strip() for item in items]


def test_every_event_of_the_screening_and_its_candidate_is_in_its_story(
    full_path: Any, coordinator_a: Any, investigator_a: Any, assigned_monitor: Any
) -> None:
    screening = full_path
    expected = AuditEvent.objects.filter(
        record__in=[
            f"screening.screening:{screening.pk}",
            f"screening.candidate:{screening.candidate_id}",
        ]
    ).count()
    assert expected == story_events(screening, screening.candidate).count()
    assert expected > 40  # values, evaluations, decisions: a whole screening
    for reader in (coordinator_a, investigator_a, assigned_monitor):
        html = _page(reader, screening)
        assert f"{expected} events, oldest first" in html


def test_the_story_reads_as_plain_sentences(full_path: Any, coordinator_a: Any) -> None:
    pages = []
    page_number = 1
    while True:
        html = _page(coordinator_a, full_path, page=str(page_number))
        pages.extend(_sentences(html))
        if f"page={page_number + 1}" not in html:
            break
        page_number += 1
    story = "\n".join(pages)
    # Times on the site's clock (Berlin), never raw action codes or field codes.
    assert re.search(r"\d+ Nov 2026 \d\d:\d\d CET — ", story)
    assert "screening.observation" not in story
    assert "_" not in re.sub(r"\S+@\S+", "", story)
    assert "registered candidate HMSC100-A01-0001" in story
    assert "entered a value: Body weight" in story
    assert re.search(
        r"changed Body weight from [\d.]+ kg to 58\.9 kg.*Reason: transcription error — "
        r"Re-weighed without shoes",
        story,
    )
    assert "entered a medication course" in story
    assert "Ian Investigator (investigator, Site A) entered a value" in story  # a judgment
    assert "recorded that the medication history was taken in full" in story
    assert "proposed the decision: Outcome “Eligible” and Status “Awaiting signature”" in story
    assert "tried to sign" in story
    assert "the password “did not match”; nothing was signed" in story
    assert "signed the decision with the meaning “I confirm this candidate meets all" in story
    assert "status from “Awaiting signature” to “Eligible”" in story
    assert "enrolled the candidate" in story
    assert "R-007" in story
    assert "Eligo evaluated the saved data" in story


def test_monitors_read_the_same_story_without_the_candidates_identity(
    full_path: Any, coordinator_a: Any, assigned_monitor: Any
) -> None:
    staff = _page(coordinator_a, full_path, kind=Kind.IDENTITY)
    monitor = _page(assigned_monitor, full_path, kind=Kind.IDENTITY)
    name = full_path.candidate.identity.full_name
    assert name in staff
    assert name not in monitor
    assert "(hidden: identity)" in monitor
    assert len(_sentences(staff)) == len(_sentences(monitor)) > 0


def test_the_story_filters_by_kind(full_path: Any, coordinator_a: Any) -> None:
    corrections = _sentences(_page(coordinator_a, full_path, kind=Kind.CORRECTION))
    assert corrections
    assert all(" changed " in s or " removed " in s for s in corrections)
    decisions = _sentences(_page(coordinator_a, full_path, kind=Kind.DECISION))
    assert any("proposed the decision" in s for s in decisions)
    assert any("tried to sign" in s for s in decisions)
    assert not any("entered a value" in s for s in decisions)


def test_the_csv_tells_the_same_story_and_its_download_is_recorded(
    full_path: Any, assigned_monitor: Any
) -> None:
    client = Client()
    client.force_login(assigned_monitor)
    url = reverse("screening:history", kwargs={"pk": full_path.pk})
    before = story_events(full_path, full_path.candidate).count()
    response = client.get(url, {"format": "csv", "order": "oldest"})
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    header, rows = rows[0], rows[1:]
    assert len(rows) == before
    stories = [row[header.index("story")] for row in rows]
    assert any("enrolled the candidate" in s for s in stories)
    assert full_path.candidate.identity.full_name not in body
    download = AuditEvent.objects.filter(action="audit.trail.exported").get()
    assert download.record == f"screening.screening:{full_path.pk}"
    assert download.actor == assigned_monitor
