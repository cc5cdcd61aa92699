"""Data queries: who raises, answers, closes and re-opens them, in which state, and
what the audit trail and the query's thread keep of each step."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from screening.models import QueryEntry, QueryStatus
from screening.services import ObservationInput, ScreeningChanges
from screening.services.queries import (
    QueryAction,
    offered,
    query_answer,
    query_close,
    query_raise,
    query_reopen,
)
from tests.helpers import save

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 19)


def _weight(value: str) -> ScreeningChanges:
    return ScreeningChanges(
        observations=[
            ObservationInput(code="weight", value=Decimal(value), unit="kg", observed_on=DAY)
        ]
    )


@pytest.fixture
def weighed(world: dict[str, Any]) -> dict[str, Any]:
    save(world["coordinator_a"], world["screening"], _weight("95"))
    return world


def _raise(world: dict[str, Any], target: str = "observation:weight") -> Any:
    return query_raise(
        user=world["monitor"],
        screening=world["screening"],
        text="Weight 95 kg: the source says 59 kg?",
        target=target,
    )


def test_a_monitor_raises_a_query_on_a_value_audited_with_its_words(
    weighed: dict[str, Any],
) -> None:
    query = _raise(weighed)
    assert (query.status, query.target_shape, query.target_key) == ("open", "observation", "weight")
    assert query.target_label == "Body weight"
    event = AuditEvent.objects.get(action="screening.query.raised")
    assert event.actor == weighed["monitor"]
    assert event.changes["text"]["new"] == "Weight 95 kg: the source says 59 kg?"
    assert event.record == f"screening.screening:{weighed['screening'].pk}"
    assert [e.kind for e in query.entries.all()] == ["raised"]


def test_a_query_on_the_whole_screening_and_on_a_value_not_yet_entered(
    weighed: dict[str, Any],
) -> None:
    whole = _raise(weighed, "screening:")
    assert whole.on_whole_screening
    missing = _raise(weighed, "observation:alt")
    assert missing.target_label == "ALT"


@pytest.mark.parametrize(
    "persona", ["coordinator_a", "investigator_a", "coordinator_b", "data_manager"]
)
def test_only_a_monitor_of_the_trial_raises_queries(weighed: dict[str, Any], persona: str) -> None:
    with pytest.raises(PermissionDenied):
        query_raise(user=weighed[persona], screening=weighed["screening"], text="?")
    assert not AuditEvent.objects.filter(action="screening.query.raised").exists()


def test_a_query_needs_words_within_the_limit_and_a_target_that_exists(
    weighed: dict[str, Any],
) -> None:
    with pytest.raises(ValidationError) as blank:
        query_raise(user=weighed["monitor"], screening=weighed["screening"], text="  ")
    assert blank.value.message_dict == {"text": ["Write the query."]}
    with pytest.raises(ValidationError) as long:
        query_raise(user=weighed["monitor"], screening=weighed["screening"], text="x" * 2001)
    assert "at most 2000" in long.value.message_dict["text"][0]
    with pytest.raises(ValidationError) as unknown:
        _raise(weighed, "medication:999999")
    assert "target" in unknown.value.message_dict


def test_the_life_cycle_open_answered_closed_reopened(weighed: dict[str, Any]) -> None:
    query = _raise(weighed)
    query_answer(user=weighed["coordinator_a"], query=query, text="Typo: it is 59 kg.")
    assert query.status == QueryStatus.ANSWERED
    query_reopen(user=weighed["monitor"], query=query, text="Please correct the value too.")
    assert query.status == QueryStatus.OPEN
    query_answer(user=weighed["investigator_a"], query=query, text="Corrected.")
    query_close(user=weighed["monitor"], query=query)
    query.refresh_from_db()
    assert query.status == QueryStatus.CLOSED
    kinds = list(query.entries.values_list("kind", "author__username"))
    assert kinds == [
        ("raised", "monitor"),
        ("answered", "coord.a"),
        ("reopened", "monitor"),
        ("answered", "inv.a"),
        ("closed", "monitor"),
    ]
    actions = list(
        AuditEvent.objects.filter(action__startswith="screening.query.")
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == [
        "screening.query.raised",
        "screening.query.answered",
        "screening.query.reopened",
        "screening.query.answered",
        "screening.query.closed",
    ]
    reopened = AuditEvent.objects.get(action="screening.query.reopened")
    assert reopened.changes["status"] == {"old": "Answered", "new": "Open", "label": "Status"}
    assert reopened.changes["text"]["new"] == "Please correct the value too."
    # A closed query can be re-opened; a closed one cannot be answered.
    with pytest.raises(ValidationError, match="Only an open query can be answered"):
        query_answer(user=weighed["coordinator_a"], query=query, text="More.")


@pytest.mark.parametrize(
    ("action", "status", "allowed"),
    [
        ("answer", "open", True),
        ("answer", "answered", False),
        ("answer", "closed", False),
        ("close", "open", True),
        ("close", "answered", True),
        ("close", "closed", False),
        ("reopen", "open", False),
        ("reopen", "answered", True),
        ("reopen", "closed", True),
    ],
)
def test_each_action_from_each_state(
    weighed: dict[str, Any], action: str, status: str, allowed: bool
) -> None:
    query = _raise(weighed)
    query.status = status
    query.save(update_fields=["status"])
    actor = weighed["coordinator_a" if action == "answer" else "monitor"]
    do = {"answer": query_answer, "close": query_close, "reopen": query_reopen}[action]
    assert offered(actor, query)[action] is allowed
    if allowed:
        do(user=actor, query=query, text="Words.")
        assert QueryEntry.objects.filter(query=query).count() == 2
    else:
        with pytest.raises(ValidationError):
            do(user=actor, query=query, text="Words.")
        assert QueryEntry.objects.filter(query=query).count() == 1


@pytest.mark.parametrize(
    ("persona", "action", "allowed"),
    [
        ("coordinator_a", "answer", True),
        ("investigator_a", "answer", True),
        ("coordinator_b", "answer", False),
        ("monitor", "answer", False),
        ("data_manager", "answer", False),
        ("coordinator_a", "close", False),
        ("coordinator_b", "close", False),
        ("monitor", "close", True),
        ("data_manager", "close", False),
        ("coordinator_a", "reopen", False),
    ],
)
def test_who_may_take_each_action(
    weighed: dict[str, Any], persona: str, action: str, allowed: bool
) -> None:
    query = _raise(weighed)
    if action == "reopen":
        query_answer(user=weighed["coordinator_a"], query=query, text="Done.")
    do = {"answer": query_answer, "close": query_close, "reopen": query_reopen}[action]
    assert offered(weighed[persona], query)[action] is allowed
    if allowed:
        do(user=weighed[persona], query=query, text="Words.")
    else:
        with pytest.raises(PermissionDenied):
            do(user=weighed[persona], query=query, text="Words.")


def test_another_monitor_may_not_close_but_a_data_manager_who_monitors_the_trial_may(
    weighed: dict[str, Any],
) -> None:
    from accounts.models import User
    from trials.models import MonitorAssignment

    query = _raise(weighed)
    other = User.objects.create_user(username="mon2", password="x", is_monitor=True)
    MonitorAssignment.objects.create(monitor=other, trial=weighed["trial"])
    assert not offered(other, query)[QueryAction.CLOSE]
    dm = weighed["data_manager"]
    dm.is_monitor = True
    dm.save()
    MonitorAssignment.objects.create(monitor=dm, trial=weighed["trial"])
    query_close(user=dm, query=query, text="Settled at the visit.")
    assert query.status == QueryStatus.CLOSED


def test_answering_and_reopening_need_words(weighed: dict[str, Any]) -> None:
    query = _raise(weighed)
    with pytest.raises(ValidationError) as answer:
        query_answer(user=weighed["coordinator_a"], query=query, text="")
    assert answer.value.message_dict == {"text": ["Write the answer."]}
    query_close(user=weighed["monitor"], query=query)
    with pytest.raises(ValidationError) as reopen:
        query_reopen(user=weighed["monitor"], query=query, text=" ")
    assert reopen.value.message_dict == {"text": ["Write the reason to re-open."]}


# --- A change in answer to a query --------------------------------------------------


def test_a_change_in_answer_to_a_query_names_it_and_joins_its_thread(
    weighed: dict[str, Any],
) -> None:
    query = _raise(weighed)
    save(
        weighed["coordinator_a"],
        weighed["screening"],
        _weight("59"),
        reason="Transcription error",
        answers_query=query.pk,
    )
    change = AuditEvent.objects.get(action="screening.observation.changed")
    assert change.reason == f"Transcription error (in answer to query #{query.pk})"
    entry = query.entries.get(kind="change")
    assert entry.audit_event == change
    assert "Body weight from 95 kg to 59 kg" in entry.text
    # Changing the value does not answer the query by itself: the site still says so.
    query.refresh_from_db()
    assert query.status == QueryStatus.OPEN


def test_a_change_that_misses_the_queried_value_is_refused_whole(
    weighed: dict[str, Any],
) -> None:
    query = _raise(weighed, "observation:alt")
    screening = weighed["screening"]
    with pytest.raises(ValidationError) as refused:
        save(
            weighed["coordinator_a"],
            screening,
            _weight("59"),
            reason="Typo",
            answers_query=query.pk,
        )
    assert "does not change ALT" in refused.value.message_dict["answers_query"][0]
    screening.refresh_from_db()
    assert screening.observations.get(code="weight").value_entered == "95"
    assert not query.entries.filter(kind="change").exists()


def test_a_change_cannot_answer_a_closed_query_or_another_screenings(
    weighed: dict[str, Any],
) -> None:
    query = _raise(weighed)
    query_close(user=weighed["monitor"], query=query)
    with pytest.raises(ValidationError) as closed:
        save(
            weighed["coordinator_a"],
            weighed["screening"],
            _weight("59"),
            reason="Typo",
            answers_query=query.pk,
        )
    assert closed.value.message_dict["answers_query"] == [
        f"Query #{query.pk} is not an open query of {weighed['screening']}."
    ]


def test_a_value_entered_in_answer_to_a_query_on_a_missing_value_names_the_query(
    weighed: dict[str, Any],
) -> None:
    query = _raise(weighed, "observation:alt")
    alt = ObservationInput(code="alt", value=Decimal("30"), unit="U/L", observed_on=DAY)
    save(
        weighed["coordinator_a"],
        weighed["screening"],
        ScreeningChanges(observations=[alt]),
        answers_query=query.pk,
    )
    created = AuditEvent.objects.get(
        action="screening.observation.created", object_repr__startswith="alt"
    )
    assert created.reason == f"In answer to query #{query.pk}"
    assert query.entries.get(kind="change").audit_event == created
