"""Risk-score checklists: ticked items, "none applies", changes with reasons, clearing."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from audit.models import AuditEvent
from screening.models import ScoreItems
from screening.services import ScreeningChanges, ScreeningValidationError
from screening.services.changes import changes_from_facts
from tests.helpers import example, save

pytestmark = pytest.mark.django_db


def _items(screening: Any) -> dict[str, list[str]]:
    return {s.score: sorted(s.items) for s in ScoreItems.objects.filter(screening=screening)}


def test_ticked_items_and_none_applies_are_both_recorded(
    coordinator_a: Any, nct_screening: Any
) -> None:
    changes = ScreeningChanges(score_items={"padua": ["previous_vte"], "caprini_2005": []})
    save(coordinator_a, nct_screening, changes)
    assert _items(nct_screening) == {"padua": ["previous_vte"], "caprini_2005": []}
    created = AuditEvent.objects.filter(action="screening.score_items.created")
    assert created.count() == 2


def test_unknown_items_and_checklists_are_refused_by_name(
    coordinator_a: Any, nct_screening: Any, hmsc_screening: Any
) -> None:
    with pytest.raises(ScreeningValidationError) as caught:
        save(coordinator_a, nct_screening, ScreeningChanges(score_items={"padua": ["nonsense"]}))
    assert caught.value.message_dict["score_items.padua"] == ["Not items of padua: nonsense."]
    with pytest.raises(ScreeningValidationError) as caught:
        save(coordinator_a, hmsc_screening, ScreeningChanges(score_items={"padua": []}))
    assert "not a checklist of this protocol" in caught.value.message_dict["score_items.padua"][0]
    assert not ScoreItems.objects.exists()


def test_a_saved_checklist_can_be_cleared_with_a_reason(
    coordinator_a: Any, nct_screening: Any
) -> None:
    facts = example("nct06495437-eligible")
    save(coordinator_a, nct_screening, replace(changes_from_facts(facts), judgments={}))
    assert nct_screening.evaluations.latest().status == "needs_review"
    clear = ScreeningChanges(score_items={"padua": None})
    with pytest.raises(ScreeningValidationError, match="reason"):
        save(coordinator_a, nct_screening, clear)
    assert "padua" in _items(nct_screening)
    save(coordinator_a, nct_screening, clear, reason_code="entered_in_error")
    assert "padua" not in _items(nct_screening)
    event = AuditEvent.objects.get(action="screening.score_items.removed")
    assert event.changes["padua"]["new"] is None
    assert event.changes["padua"]["old"]  # the items that were ticked, by name
    assert event.reason_code == "entered_in_error"
    # Not assessed any more: the score that needs it is unknown again.
    result = nct_screening.evaluations.latest().result
    missing = {m["code"] for c in result["criteria"] for m in c.get("missing", [])}
    assert "padua" in missing or "padua_score" in missing


def test_clearing_a_checklist_never_saved_changes_nothing(
    coordinator_a: Any, nct_screening: Any
) -> None:
    outcome = save(coordinator_a, nct_screening, ScreeningChanges(score_items={"padua": None}))
    assert not outcome.saved
    assert not AuditEvent.objects.filter(action__startswith="screening.score_items").exists()
