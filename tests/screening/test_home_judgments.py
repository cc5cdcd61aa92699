"""The investigator's home lists the screenings that wait on their judgments, beside the
decisions awaiting their signature; the coordinator's home shows a screening whose data
is all in as waiting for the investigator, not as "no screening in progress"."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from django.test import Client
from django.utils.html import escape

from screening.selectors import screenings_awaiting_judgment, screenings_needing_action
from screening.services import ScreeningChanges
from screening.services.changes import changes_from_facts
from tests.helpers import example, save

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_in(coordinator_a: Any, hmsc_screening: Any) -> Any:
    """The eligible example's data entered by the coordinator, judgments left open.
    Returns the judgments the investigator still has to give."""
    changes = changes_from_facts(example("hmsc100-eligible"))
    outcome = save(coordinator_a, hmsc_screening, replace(changes, judgments={}))
    assert outcome.evaluation.status == "needs_review"
    return changes.judgments


def test_a_screening_with_open_judgments_waits_on_the_investigator(
    data_in: Any, investigator_a: Any, coordinator_a: Any, hmsc_screening: Any
) -> None:
    [item] = screenings_awaiting_judgment(investigator_a)
    assert item.screening == hmsc_screening
    labels = [j["label"] for j in hmsc_screening.evaluations.newest_first()[0].pending_judgments]
    assert list(item.pending) == labels
    assert len(item.pending) == len(data_in)
    # Not a signer: the coordinator has no judgments to give.
    assert screenings_awaiting_judgment(coordinator_a) == []


def test_answered_judgments_leave_the_list(
    data_in: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    save(investigator_a, hmsc_screening, ScreeningChanges(judgments=data_in))
    assert screenings_awaiting_judgment(investigator_a) == []


def test_the_coordinator_sees_it_waiting_for_the_investigator(
    data_in: Any, coordinator_a: Any, coordinator_b: Any, hmsc_screening: Any
) -> None:
    [item] = screenings_needing_action(coordinator_a)
    assert item.screening == hmsc_screening
    assert item.reasons == ("awaiting_judgment",)
    assert screenings_needing_action(coordinator_b) == []


def test_the_investigators_home_page_names_the_screening_and_its_judgments(
    data_in: Any, investigator_a: Any, hmsc_screening: Any, client: Client
) -> None:
    client.force_login(investigator_a)
    page = client.get("/").content.decode()
    number = hmsc_screening.candidate.screening_number
    assert "Judgments to answer" in page
    listed = page.split('data-testid="to-judge"')[1].split("Awaiting your signature")[0]
    assert number in listed
    assert f"/screening/{hmsc_screening.pk}/data/" in listed
    for label in screenings_awaiting_judgment(investigator_a)[0].pending:
        assert escape(label) in listed
    assert "No judgment awaits you." not in page


def test_the_investigators_home_page_says_when_nothing_waits(
    investigator_a: Any, client: Client
) -> None:
    client.force_login(investigator_a)
    page = client.get("/").content.decode()
    assert "No judgment awaits you." in page
