"""Dashboard selectors: what needs action at a site, what awaits a signature, and a
candidate's attempts — with washout ends surfacing from the latest evaluation."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from screening.selectors import (
    screenings_awaiting_signature,
    screenings_needing_action,
)
from screening.services import ScreeningChanges, decision_propose
from tests.helpers import enter_example, save
from tests.screening.helpers import washout_ending_soon

pytestmark = pytest.mark.django_db


def test_an_incomplete_screening_needs_action_at_its_site_only(
    coordinator_a: Any, coordinator_b: Any, monitor: Any, hmsc_screening: Any
) -> None:
    items = screenings_needing_action(coordinator_a)
    assert [(i.screening, i.reasons) for i in items] == [(hmsc_screening, ("incomplete",))]
    assert screenings_needing_action(coordinator_b) == []
    assert screenings_needing_action(monitor) == []


def test_a_washout_ending_this_week_surfaces_with_its_date(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    changes, replace = washout_ending_soon()
    save(coordinator_a, hmsc_screening, replace(changes, judgments={}))
    outcome = save(investigator_a, hmsc_screening, ScreeningChanges(judgments=changes.judgments))
    assert outcome.evaluation.status == "ineligible"
    # A year after the last dose on 2025-11-25, the RANKL-inhibitor washout is over.
    assert outcome.evaluation.eligible_from == date(2026, 11, 26)
    [item] = screenings_needing_action(coordinator_a)
    assert item.reasons == ("washout_ending",)
    assert item.eligible_from == date(2026, 11, 26)
    assert screenings_needing_action(coordinator_a, today=date(2026, 11, 10)) == []


def test_the_investigator_sees_what_awaits_their_signature(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    assert not screenings_awaiting_signature(investigator_a).exists()
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-eligible")
    decision_propose(user=coordinator_a, screening=hmsc_screening, outcome="eligible")
    [waiting] = screenings_awaiting_signature(investigator_a)
    assert waiting == hmsc_screening
    assert waiting.latest_status == "eligible"
    assert not screenings_awaiting_signature(coordinator_a).exists()
