"""Identities are encrypted at rest: checked in the database's raw rows, not through the models."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from audit.models import AuditEvent
from audit.story import visible_changes
from config.identitykeys import MASTER, IdentityKey, MasterKeyring, master_keyring_from_env
from screening.models import CandidateIdentity, Evaluation
from screening.selectors import candidates_for
from screening.services import IdentityData, candidate_identity_change
from screening.services.identity_scan import clear_identities, scan
from tests.helpers import register, start
from vault.crypto import SealBroken, UnknownMasterKey, normalise_name, unseal
from vault.models import DataKey

pytestmark = pytest.mark.django_db

NAME = "Zoë Quennell-Ashby"
BORN = date(1949, 7, 13)
HOSPITAL_NUMBER = "RXQ-4471-09"
PHONE = "+44 7700 900418"
EMAIL = "zoe.quennell@example.org"
NEEDLES = [NAME, "Quennell", "1949-07-13", HOSPITAL_NUMBER, PHONE, EMAIL]


def _registered(coordinator: Any, trial: Any, site: Any) -> Any:
    from screening.services import candidate_register

    return candidate_register(
        user=coordinator,
        trial=trial,
        site=site,
        identity=IdentityData(
            full_name=NAME,
            date_of_birth=BORN,
            hospital_number=HOSPITAL_NUMBER,
            phone=PHONE,
            email=EMAIL,
        ),
        sex="F",
    )


def _raw_rows(table: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return list(cursor.fetchall())


def test_the_identity_row_holds_ciphertext_and_keyed_hashes_only(
    coordinator_a: Any, hmsc: Any, site_a: Any
) -> None:
    candidate = _registered(coordinator_a, hmsc, site_a)
    rows = _raw_rows(CandidateIdentity._meta.db_table)
    assert len(rows) == 1
    text = " ".join(str(value) for value in rows[0])
    for needle in NEEDLES:
        assert needle not in text
    identity = CandidateIdentity.objects.get(candidate=candidate)
    assert identity.full_name_sealed.startswith("v1:")
    assert len(identity.name_index) == 64
    # Read through the model, the site's staff get the values back.
    assert (identity.full_name, identity.date_of_birth) == (NAME, BORN)
    assert (identity.hospital_number, identity.phone, identity.email) == (
        HOSPITAL_NUMBER,
        PHONE,
        EMAIL,
    )


def test_no_table_holds_the_identity_in_clear_after_screening_and_a_correction(
    coordinator_a: Any, hmsc: Any, site_a: Any
) -> None:
    candidate = _registered(coordinator_a, hmsc, site_a)
    screening = start(coordinator_a, candidate)
    candidate_identity_change(
        user=coordinator_a,
        candidate=candidate,
        identity=IdentityData(
            full_name=NAME, date_of_birth=date(1949, 7, 14), hospital_number=HOSPITAL_NUMBER
        ),
        sex="F",
        reason="Date of birth mistyped",
    )
    assert Evaluation.objects.filter(screening=screening).count() >= 2
    assert clear_identities() == []
    # The same scan finds what is there in clear: it is not blind.
    assert {o.table for o in scan(["HMSC100-A01-0001"])} >= {"screening_candidate"}


def test_evaluations_keep_the_age_not_the_date_of_birth(hmsc_screening: Any) -> None:
    evaluation = Evaluation.objects.filter(screening=hmsc_screening).latest("pk")
    assert evaluation.facts["age"] == 70
    assert "date_of_birth" not in evaluation.facts
    assert "1956-04-02" not in str(evaluation.facts) + str(evaluation.result)


def test_audited_identity_values_are_sealed_and_open_for_the_site_only(
    coordinator_a: Any, hmsc: Any, site_a: Any
) -> None:
    _registered(coordinator_a, hmsc, site_a)
    event = AuditEvent.objects.get(action="screening.candidate_identity.created")
    raw = " ".join(str(v) for v in _raw_rows(AuditEvent._meta.db_table)[-1])
    for needle in NEEDLES:
        assert needle not in raw
    assert visible_changes(event, reveal_identity=True)["full_name"]["new"] == NAME
    assert visible_changes(event, reveal_identity=False)["full_name"]["new"] == "(hidden: identity)"


def test_a_value_moved_to_another_field_or_candidate_does_not_open(
    coordinator_a: Any, hmsc: Any, site_a: Any
) -> None:
    first = _registered(coordinator_a, hmsc, site_a)
    second = register(coordinator_a, hmsc, site_a, name="Other Person")
    mine = CandidateIdentity.objects.get(candidate=first)
    theirs = CandidateIdentity.objects.get(candidate=second)
    with pytest.raises(SealBroken):
        unseal(first.data_key, mine.full_name_sealed, purpose="identity:email")
    with pytest.raises(SealBroken):
        unseal(second.data_key, mine.full_name_sealed, purpose="identity:full_name")
    # Swapped in the database, the row refuses to be read rather than show a wrong name.
    theirs.full_name_sealed = mine.full_name_sealed
    theirs.save(update_fields=["full_name_sealed"])
    with pytest.raises(SealBroken):
        CandidateIdentity.objects.get(pk=theirs.pk).values()


def test_the_audit_trail_refuses_an_identity_value_in_clear(
    coordinator_a: Any, hmsc_screening: Any
) -> None:
    from django.db import transaction

    from audit.services import audit_record

    identity = hmsc_screening.candidate.identity
    with pytest.raises(ValueError, match="sealed"), transaction.atomic():
        audit_record(
            actor=coordinator_a,
            action="screening.candidate_identity.changed",
            obj=identity,
            changes={"full_name": {"old": "A", "new": "B", "label": "Name"}},
            reason="test",
        )


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Zoë Quennell-Ashby", True),
        ("  zoe  QUENNELL ashby ", True),
        ("Zoe Quennell", False),  # exact match only, never a part of the name
        ("rxq 4471 09", True),  # separators and case aside
        ("RXQ-4471", False),
        ("HMSC100-A01-0001", True),  # the screening number, as before
        ("A01-0001", True),
    ],
)
def test_candidates_are_found_by_screening_number_and_exact_name_or_hospital_number(
    coordinator_a: Any, coordinator_b: Any, hmsc: Any, site_a: Any, typed: str, found: bool
) -> None:
    _registered(coordinator_a, hmsc, site_a)
    hits = candidates_for(coordinator_a, q=typed, names=True)
    assert hits.exists() is found
    # Another site's staff never find the candidate by name or number.
    assert not candidates_for(coordinator_b, q=NAME, names=True).exists()


def test_names_are_normalised_for_the_index() -> None:
    assert normalise_name("  Zoë  O'Brien-Smith ") == normalise_name("zoe obrien smith")
    assert normalise_name("Zoe Smith") != normalise_name("Smith Zoe")


# --- The master key and its rotation ---------------------------------------------------

OLD = "old-master-key-" + "a" * 40
NEW = "new-master-key-" + "b" * 40


def _keyring(current: str, *retired: str) -> MasterKeyring:
    return MasterKeyring(
        current=IdentityKey.from_text(current, purpose=MASTER),
        retired=tuple(IdentityKey.from_text(text, purpose=MASTER) for text in retired),
    )


def test_rotation_rewraps_every_data_key_and_identities_still_open(
    coordinator_a: Any, hmsc: Any, site_a: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    with override_settings(IDENTITY_MASTER_KEYS=_keyring(OLD)):
        candidate = _registered(coordinator_a, hmsc, site_a)
        register(coordinator_a, hmsc, site_a, name="Other Person")
    old_id = IdentityKey.from_text(OLD, purpose=MASTER).id
    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {old_id}
    before = {k.pk: bytes(k.wrapped) for k in DataKey.objects.all()}

    # During the rotation both keys are configured: everything opens.
    with override_settings(IDENTITY_MASTER_KEYS=_keyring(NEW, OLD)):
        assert CandidateIdentity.objects.get(candidate=candidate).full_name == NAME
        call_command("rotate_master_key", batch_size=1)
    assert "Re-wrapped 2 data key(s)" in capsys.readouterr().out
    new_id = IdentityKey.from_text(NEW, purpose=MASTER).id
    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {new_id}
    assert all(bytes(k.wrapped) != before[k.pk] for k in DataKey.objects.all())
    assert AuditEvent.objects.filter(action="screening.identity_keys.rewrapped").exists()

    # Afterwards the old key can go; the values (sealed with the same data keys) open.
    with override_settings(IDENTITY_MASTER_KEYS=_keyring(NEW)):
        identity = CandidateIdentity.objects.get(candidate=candidate)
        assert (identity.full_name, identity.date_of_birth) == (NAME, BORN)
        event = AuditEvent.objects.get(
            action="screening.candidate_identity.created", object_id=str(identity.pk)
        )
        assert visible_changes(event, reveal_identity=True)["email"]["new"] == EMAIL
    # Without the key that wrapped them, data keys cannot be opened, and it says which key.
    with override_settings(IDENTITY_MASTER_KEYS=_keyring(OLD)), pytest.raises(UnknownMasterKey):
        CandidateIdentity.objects.get(candidate=candidate).values()


def test_production_refuses_to_start_without_a_master_or_index_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("ELIGO_MASTER_KEY", "ELIGO_MASTER_KEY_FILE", "ELIGO_RETIRED_MASTER_KEYS"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ImproperlyConfigured, match="ELIGO_MASTER_KEY or ELIGO_MASTER_KEY_FILE"):
        master_keyring_from_env(debug=False, secret_key="s" * 50)
    from config.identitykeys import index_key_from_env

    monkeypatch.delenv("ELIGO_INDEX_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="ELIGO_INDEX_KEY must be set"):
        index_key_from_env(debug=False, secret_key="s" * 50)
    monkeypatch.setenv("ELIGO_MASTER_KEY", "short")
    with pytest.raises(ImproperlyConfigured, match="ELIGO_MASTER_KEY must be at least 32"):
        master_keyring_from_env(debug=False, secret_key="s" * 50)


def test_a_development_key_is_labelled_and_a_key_file_lists_retired_keys(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    for name in ("ELIGO_MASTER_KEY", "ELIGO_MASTER_KEY_FILE", "ELIGO_RETIRED_MASTER_KEYS"):
        monkeypatch.delenv(name, raising=False)
    development = master_keyring_from_env(debug=True, secret_key="s" * 50)
    assert development.current.development
    assert development.current.id.startswith("dev-")
    key_file = tmp_path / "master.keys"
    key_file.write_text(f"# newest first\n{NEW}\n{OLD}\n", encoding="utf-8")
    monkeypatch.setenv("ELIGO_MASTER_KEY_FILE", str(key_file))
    keyring = master_keyring_from_env(debug=False, secret_key="s" * 50)
    assert keyring.current.id == IdentityKey.from_text(NEW, purpose=MASTER).id
    assert [k.id for k in keyring.retired] == [IdentityKey.from_text(OLD, purpose=MASTER).id]
