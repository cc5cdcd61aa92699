from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from audit.canonical import compute_hash
from audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from audit.registry import AuditAction, Kind, UnregisteredAction, register
from audit.services import audit_record
from audit.verify import verify_chain
from tests.audit.conftest import rename_site


def test_appending_builds_an_intact_chain(chain_of_five: list[AuditEvent]) -> None:
    events = list(AuditEvent.objects.order_by("sequence"))
    assert [event.sequence for event in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    assert all(compute_hash(event) == event.hash for event in events)
    head = AuditChainHead.objects.get()
    assert (head.last_sequence, head.last_hash) == (5, events[-1].hash)
    report = verify_chain()
    assert report.intact
    assert report.events == 5
    assert report.summary() == f"OK: 5 events, chain intact (last hash {events[-1].hash})"


def test_an_event_keeps_who_where_and_what_as_text(site_a: Any, coordinator_a: Any) -> None:
    event = rename_site(site_a, "Site Alpha", actor=coordinator_a)
    event.refresh_from_db()
    assert event.actor_name == "Alice Coordinator"
    assert event.actor_role == "coordinator"
    assert event.site_name == "Site Alpha"
    assert event.object_type == "trials.site"
    assert event.object_id == str(site_a.pk)
    assert event.changes == {"name": {"old": "Site A", "new": "Site Alpha", "label": "Name"}}
    assert event.reason_code == "new_source_information"


def test_the_hash_survives_the_round_trip_through_the_database(site_a: Any) -> None:
    with transaction.atomic():
        event = audit_record(
            actor=None,
            action="tests.values.recorded",
            obj=site_a,
            changes={"alt": {"old": Decimal("95.0"), "new": Decimal("59"), "label": "ALT — Zoë"}},
        )
    stored = AuditEvent.objects.get(sequence=event.sequence)
    assert stored.changes["alt"] == {"old": "95.0", "new": "59", "label": "ALT — Zoë"}
    assert compute_hash(stored) == stored.hash == event.hash


def test_a_failed_change_rolls_its_audit_event_back(site_a: Any, data_manager: Any) -> None:
    rename_site(site_a, "Site Alpha", actor=data_manager)

    def rename_then_fail() -> None:
        with transaction.atomic():
            rename_site(site_a, "Site Beta", actor=data_manager)
            raise RuntimeError("lab system down")

    with pytest.raises(RuntimeError, match="lab system down"):
        rename_then_fail()
    site_a.refresh_from_db()
    assert site_a.name == "Site Alpha"
    assert AuditEvent.objects.count() == 1
    assert AuditChainHead.objects.get().last_sequence == 1
    assert rename_site(site_a, "Site Gamma", actor=data_manager).sequence == 2
    assert verify_chain().intact


def test_a_missing_chain_head_is_rebuilt_from_the_last_event(
    chain_of_five: list[AuditEvent], site_a: Any
) -> None:
    AuditChainHead.objects.all().delete()
    event = rename_site(site_a, "Site Six")
    assert event.sequence == 6
    assert event.prev_hash == chain_of_five[-1].hash
    assert verify_chain().intact


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused(site_a: Any) -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor=None, action="trials.site.viewed", obj=site_a)
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize("action", ["", "site changed", ".trials.site", "trials.site."])
def test_an_action_must_be_dotted_words(action: str) -> None:
    with pytest.raises(ValueError, match="dotted words"):
        register(AuditAction(action, "{who} did it", Kind.SYSTEM))


@pytest.mark.parametrize("action", ["trials.site.viewed", "trials.site.removed", "site changed"])
def test_an_undeclared_action_is_refused(site_a: Any, action: str) -> None:
    with pytest.raises(UnregisteredAction, match="not declared"), transaction.atomic():
        audit_record(actor=None, action=action, obj=site_a)
    assert AuditEvent.objects.count() == 0


def test_an_action_about_another_model_is_refused(site_a: Any) -> None:
    with pytest.raises(ValueError, match=r"is about trials\.trial"), transaction.atomic():
        audit_record(actor=None, action="trials.trial.changed", obj=site_a)


def test_an_unknown_reason_code_is_refused(site_a: Any) -> None:
    with pytest.raises(ValueError, match="Unknown reason code"), transaction.atomic():
        audit_record(actor=None, action="trials.site.changed", reason_code="bored")
