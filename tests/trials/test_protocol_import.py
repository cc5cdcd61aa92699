"""Importing, versioning, activating and exporting protocol definitions."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from tests.conftest import PASSWORD, require_or_skip
from tests.trials.helpers import DEFINITION
from trials.models import ProtocolStatus, ProtocolVersion, Trial
from trials.services.protocols import (
    ProtocolVersionError,
    protocol_export,
    protocol_import,
    protocol_version_activate,
    protocol_version_activate_unsigned,
    source_hash,
)

pytestmark = pytest.mark.django_db


def _import(text: str = DEFINITION, **kwargs: Any) -> Any:
    return protocol_import(text=text, source_name="demo1.yaml", user=None, **kwargs)


def test_importing_creates_the_trial_and_a_draft() -> None:
    outcome = _import()
    assert outcome.result == "created"
    assert outcome.trial_created
    trial = Trial.objects.get(code="DEMO1")
    assert (trial.title, trial.registry_id, trial.sponsor) == (
        "A small demonstration trial",
        "NCT00000001",
        "Demo Sponsor",
    )
    version = outcome.version
    assert version.status == ProtocolStatus.DRAFT
    assert version.label == "1.0"
    assert version.source == DEFINITION
    assert version.definition["criteria"][1]["rule"] == "alt >= 2 x ULN"
    assert version.source_hash == source_hash(DEFINITION)


def test_importing_the_same_content_again_changes_nothing() -> None:
    first = _import()
    relaid = "# the same definition, laid out differently\n" + DEFINITION.replace(
        'protocol_version: "1.0"', "protocol_version: '1.0'"
    )
    second = _import(relaid)
    assert second.result == "unchanged"
    assert second.version.pk == first.version.pk
    assert ProtocolVersion.objects.count() == 1
    assert ProtocolVersion.objects.get().source == DEFINITION


def test_changed_content_replaces_a_draft_of_the_same_label() -> None:
    first = _import()
    second = _import(
        DEFINITION.replace("65 years.", "65 years (inclusive).").replace("and 65", "and 64")
    )
    assert second.result == "updated"
    assert second.version.pk == first.version.pk
    assert "and 64" in ProtocolVersion.objects.get().source


def test_changed_content_under_an_active_label_is_refused_and_writes_nothing() -> None:
    _import(activate=True)
    with pytest.raises(
        ProtocolVersionError, match=r"version 1\.0 is active and read-only; give the amended"
    ):
        _import(DEFINITION.replace("and 65", "and 70"))
    assert "and 65" in ProtocolVersion.objects.get().source


def test_activating_an_amendment_supersedes_the_previous_version() -> None:
    v1 = _import(activate=True).version
    v2 = _import(DEFINITION.replace('"1.0"', '"2.0"').replace("and 65", "and 70")).version
    assert v2.status == ProtocolStatus.DRAFT
    protocol_version_activate_unsigned(version=v2, reason="Amendment approved.")
    v1.refresh_from_db()
    assert v1.status == ProtocolStatus.SUPERSEDED
    assert v1.superseded_at is not None
    assert list(Trial.objects.get().versions.active()) == [v2]


def test_only_a_draft_can_be_activated() -> None:
    version = _import(activate=True).version
    with pytest.raises(ProtocolVersionError, match="is active; only a draft can be activated"):
        protocol_version_activate_unsigned(version=version, reason="Again.")


def test_export_then_import_round_trips_to_the_same_hash(tmp_path: Path) -> None:
    version = _import(activate=True).version
    exported = tmp_path / "exported.yaml"
    call_command("export_protocol", "DEMO1", "--output", str(exported), stderr=StringIO())
    assert source_hash(exported.read_text()) == version.source_hash
    out = StringIO()
    call_command("import_protocol", str(exported), stdout=out)
    assert "Unchanged: DEMO1 version 1.0" in out.getvalue()
    assert ProtocolVersion.objects.count() == 1


def test_export_writes_the_active_version_to_standard_output() -> None:
    _import(activate=True)
    out = StringIO()
    call_command("export_protocol", "DEMO1", stdout=out)
    assert out.getvalue() == DEFINITION
    assert protocol_export(ProtocolVersion.objects.get()) == DEFINITION


def test_export_names_a_missing_version() -> None:
    _import()
    with pytest.raises(CommandError, match="DEMO1 has no active version"):
        call_command("export_protocol", "DEMO1", stdout=StringIO())
    with pytest.raises(CommandError, match=r"DEMO1 has no version 9\.9"):
        call_command("export_protocol", "DEMO1", "--version", "9.9", stdout=StringIO())


def test_the_import_command_activates_on_request(tmp_path: Path) -> None:
    path = tmp_path / "demo1.yaml"
    path.write_text(DEFINITION)
    out = StringIO()
    call_command(
        "import_protocol", str(path), "--activate", "--effective-date", "2026-01-15", stdout=out
    )
    assert "Created draft DEMO1 version 1.0 (new trial); activated." in out.getvalue()
    version = ProtocolVersion.objects.get()
    assert version.status == ProtocolStatus.ACTIVE
    assert str(version.effective_date) == "2026-01-15"


class TestReadOnlyVersions:
    """The database itself refuses to change what screenings were checked against."""

    def test_an_active_versions_definition_cannot_be_changed(self) -> None:
        version = _import(activate=True).version
        with pytest.raises(DatabaseError, match="read-only"), transaction.atomic():
            ProtocolVersion.objects.filter(pk=version.pk).update(source="changed")
        version.refresh_from_db()
        assert version.source == DEFINITION

    def test_a_superseded_version_cannot_come_back(self) -> None:
        v1 = _import(activate=True).version
        protocol_version_activate_unsigned(
            version=_import(DEFINITION.replace('"1.0"', '"2.0"')).version, reason="Amendment."
        )
        with pytest.raises(DatabaseError), transaction.atomic():
            ProtocolVersion.objects.filter(pk=v1.pk).update(status=ProtocolStatus.ACTIVE)

    def test_an_active_version_cannot_go_back_to_draft(self) -> None:
        version = _import(activate=True).version
        with pytest.raises(DatabaseError), transaction.atomic():
            ProtocolVersion.objects.filter(pk=version.pk).update(status=ProtocolStatus.DRAFT)

    def test_a_draft_may_still_change(self) -> None:
        version = _import().version
        ProtocolVersion.objects.filter(pk=version.pk).update(source_name="renamed.yaml")
        version.refresh_from_db()
        assert version.source_name == "renamed.yaml"

    def test_an_active_version_cannot_be_deleted_on_postgresql(self) -> None:
        # SQLite has no DELETE trigger (it would break test flushes); CI runs PostgreSQL.
        require_or_skip(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
        version = _import(activate=True).version
        with pytest.raises(DatabaseError, match="only drafts may be deleted"), transaction.atomic():
            ProtocolVersion.objects.filter(pk=version.pk).delete()


def test_imports_and_activations_are_audited(data_manager: Any) -> None:
    from audit.models import AuditEvent
    from trials.catalogue import sync_builtin_catalogue

    sync_builtin_catalogue()  # as a fresh installation's first import would
    before = AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True).last()
    v1 = protocol_import(text=DEFINITION, source_name="demo1.yaml", user=data_manager).version
    protocol_version_activate(
        version=v1, user=data_manager, password=PASSWORD, reason="First version."
    )
    v2 = protocol_import(
        text=DEFINITION.replace('"1.0"', '"2.0"'), source_name="v2.yaml", user=data_manager
    ).version
    protocol_version_activate(
        version=v2, user=data_manager, password=PASSWORD, reason="Amendment approved."
    )
    events = AuditEvent.objects.filter(sequence__gt=before or 0).order_by("sequence")
    actions = list(events.values_list("action", "object_id"))
    assert actions == [
        ("trials.trial.created", str(v1.trial_id)),
        ("trials.protocolversion.created", str(v1.pk)),
        ("trials.protocolversion.activated", str(v1.pk)),
        ("trials.protocolversion.created", str(v2.pk)),
        ("trials.protocolversion.superseded", str(v1.pk)),
        ("trials.protocolversion.activated", str(v2.pk)),
    ]
    assert AuditEvent.objects.filter(actor=data_manager).count() == 6


def test_a_refused_import_leaves_no_audit_event() -> None:
    from audit.models import AuditEvent

    _import(activate=True)
    before = AuditEvent.objects.count()
    with pytest.raises(ProtocolVersionError):
        _import(DEFINITION.replace("and 65", "and 70"))
    assert AuditEvent.objects.count() == before
