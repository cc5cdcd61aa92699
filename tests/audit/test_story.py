"""The audit story: one event, one sentence a person reads at a glance."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from audit.models import AuditEvent
from audit.story import format_value, tell

TWO_PM = dt.datetime(2026, 11, 12, 14, 3, 27, tzinfo=dt.UTC)


def event(**fields: Any) -> AuditEvent:
    values: dict[str, Any] = {
        "sequence": 1,
        "occurred_at": TWO_PM,
        "actor_name": "Jane Doe",
        "actor_role": "coordinator",
        "site_name": "Site A",
        "object_type": "screening.observation",
        "object_id": "7",
        "object_repr": "ALT of A01-0007",
        "action": "screening.observation.changed",
        "changes": {"alt": {"old": "95", "new": "59", "label": "ALT", "unit": "U/L"}},
        "reason": "",
        "reason_code": "transcription_error",
    }
    values.update(fields)
    return AuditEvent(**values)


def test_a_change_reads_as_a_sentence_with_its_reason() -> None:
    assert tell(event()) == (
        "12 Nov 2026 14:03 UTC — Jane Doe (coordinator, Site A) changed ALT "
        "from 95 U/L to 59 U/L. Reason: transcription error"
    )


def test_the_reason_in_words_follows_the_pick_list() -> None:
    story = tell(event(reason="typed 95 for 59"))
    assert story.endswith("Reason: transcription error — typed 95 for 59")


def test_other_as_a_reason_shows_only_the_words() -> None:
    story = tell(event(reason_code="other", reason="lab phoned"))
    assert story.endswith("to 59 U/L. Reason: lab phoned")


def test_several_fields_are_listed_in_one_sentence() -> None:
    changes = {
        "alt": {"old": "95", "new": "59", "label": "ALT", "unit": "U/L"},
        "ast": {"old": "80", "new": "48", "label": "AST", "unit": "U/L"},
        "sampled_on": {"old": "2026-11-10", "new": "2026-11-11", "label": "sample date"},
    }
    assert (
        "changed ALT from 95 U/L to 59 U/L, AST from 80 U/L to 48 U/L and sample date "
        "from 10 Nov 2026 to 11 Nov 2026." in tell(event(changes=changes))
    )


def test_a_global_list_names_what_was_changed() -> None:
    assert "to 59 U/L (ALT of A01-0007)." in tell(event(), name_object=True)


def test_a_creation_lists_the_values_entered() -> None:
    story = tell(
        event(
            action="screening.observation.created",
            changes={"alt": {"old": None, "new": "95", "label": "ALT", "unit": "U/L"}},
            reason_code="",
        )
    )
    assert story == (
        "12 Nov 2026 14:03 UTC — Jane Doe (coordinator, Site A) entered a value: ALT 95 U/L."
    )


def test_a_removal_lists_the_values_removed() -> None:
    story = tell(
        event(
            action="screening.observation.removed",
            changes={"alt": {"old": "95", "new": None, "label": "ALT", "unit": "U/L"}},
            reason_code="entered_in_error",
        )
    )
    assert story == (
        "12 Nov 2026 14:03 UTC — Jane Doe (coordinator, Site A) removed a value: ALT 95 U/L. "
        "Reason: entered in error"
    )


def test_the_story_reads_on_the_sites_clock(site_a: Any) -> None:
    story = tell(event(site=site_a))  # Europe/Berlin: UTC+1 in November
    assert story.startswith("12 Nov 2026 15:03 CET — Jane Doe")


def test_a_deletion_names_what_was_deleted() -> None:
    story = tell(
        event(action="screening.observation.deleted", changes={}, reason_code="entered_in_error")
    )
    assert (
        "Jane Doe (coordinator, Site A) deleted ALT of A01-0007. Reason: entered in error" in story
    )


def test_events_without_a_person_are_eligos_own() -> None:
    story = tell(
        event(
            actor_name="",
            actor_role="",
            site_name="",
            action="screening.evaluation.created",
            changes={},
            reason_code="",
        )
    )
    assert story == "12 Nov 2026 14:03 UTC — Eligo created ALT of A01-0007."


def test_an_unfamiliar_action_is_still_told() -> None:
    story = tell(event(action="screening.decision.archived", changes={}, reason_code=""))
    assert (
        "Jane Doe (coordinator, Site A) recorded screening.decision.archived on ALT of A01-0007"
        in story
    )


def test_a_data_manager_is_named_by_role() -> None:
    story = tell(
        event(
            actor_name="Dora Datamanager",
            actor_role="data manager",
            site_name="",
            object_repr="A01 — Site A",
            action="trials.site.changed",
            changes={"name": {"old": "Site A", "new": "Site Alpha", "label": "name"}},
            reason_code="new_source_information",
        )
    )
    assert story == (
        "12 Nov 2026 14:03 UTC — Dora Datamanager (data manager) changed name from “Site A” "
        "to “Site Alpha” of A01 — Site A. Reason: new information from source document"
    )


@pytest.mark.parametrize(
    ("action", "changes", "object_repr", "told"),
    [
        ("accounts.login.succeeded", {}, "Jane Doe", "Jane Doe (coordinator, Site A) logged in."),
        ("accounts.logout", {}, "Jane Doe", "Jane Doe (coordinator, Site A) logged out."),
        ("accounts.password.changed", {}, "Jane Doe", "changed their password."),
        ("accounts.login.failed", {}, "Jane Doe", "A login as Jane Doe failed."),
        ("accounts.login.failed", {}, "", "A login with an unknown username failed."),
        ("accounts.login.refused", {}, "Jane Doe", "A login as Jane Doe was refused while locked."),
        (
            "accounts.login.locked",
            {"locked_until": {"old": None, "new": "2026-11-12T14:18:00+00:00"}},
            "Jane Doe",
            "Eligo locked logins as Jane Doe until 12 Nov 2026 14:18 UTC "
            "after repeated failed logins.",
        ),
    ],
)
def test_logins_and_logouts_are_told_plainly(
    action: str, changes: dict[str, Any], object_repr: str, told: str
) -> None:
    story = tell(event(action=action, changes=changes, object_repr=object_repr, reason_code=""))
    assert story.endswith(told)


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (None, "U/L", "blank"),
        ("", "", "blank"),
        (True, "", "yes"),
        (False, "", "no"),
        (3, "years", "3 years"),
        ("-3.2", "", "-3.2"),
        ("2026-11-12", "", "12 Nov 2026"),
        ("female", "", "“female”"),
        ({"id": 4, "text": "Denosumab"}, "", "Denosumab"),
        (["fracture", "fall"], "", "“fracture”, “fall”"),
    ],
)
def test_values_are_written_as_a_person_would(value: Any, unit: str, shown: str) -> None:
    assert format_value(value, unit) == shown
