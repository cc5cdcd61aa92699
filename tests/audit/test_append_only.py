from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from audit.models import AppendOnlyError, AuditEvent
from tests.audit.conftest import run_sql
from tests.conftest import require_or_skip


def test_the_model_refuses_to_save_over_an_event(chain_of_five: list[AuditEvent]) -> None:
    event = AuditEvent.objects.get(sequence=3)
    event.reason = "nothing to see here"
    with pytest.raises(AppendOnlyError, match="append-only"):
        event.save()


def test_the_model_refuses_to_delete_an_event(chain_of_five: list[AuditEvent]) -> None:
    with pytest.raises(AppendOnlyError, match="append-only"):
        AuditEvent.objects.get(sequence=3).delete()


@pytest.mark.parametrize(
    "attempt",
    [
        lambda events: events.update(reason="rewritten"),
        lambda events: events.delete(),
        lambda events: events.bulk_update(list(events), ["reason"]),
        lambda events: events.bulk_create([AuditEvent(action="forged.event")]),
    ],
    ids=["update", "delete", "bulk_update", "bulk_create"],
)
def test_the_queryset_refuses_bulk_writes(chain_of_five: list[AuditEvent], attempt: Any) -> None:
    with pytest.raises(AppendOnlyError, match="append-only"):
        attempt(AuditEvent.objects.all())
    assert AuditEvent.objects.count() == 5


def test_the_database_refuses_a_raw_update(chain_of_five: list[AuditEvent]) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        run_sql("UPDATE audit_auditevent SET reason = 'rewritten' WHERE sequence = 3")
    assert AuditEvent.objects.get(sequence=3).reason == ""


def test_postgresql_refuses_a_raw_delete(chain_of_five: list[AuditEvent]) -> None:
    require_or_skip(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        run_sql("DELETE FROM audit_auditevent WHERE sequence = 3")
    assert AuditEvent.objects.count() == 5


def _append_only_triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger"
                " WHERE tgrelid = 'audit_auditevent'::regclass AND NOT tgisinternal"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master"
                " WHERE type = 'trigger' AND tbl_name = 'audit_auditevent'"
            )
        return {name for (name,) in cursor.fetchall()}


EXPECTED_TRIGGERS = {
    "postgresql": {"audit_auditevent_append_only"},
    "sqlite": {"audit_auditevent_no_update"},
}


@pytest.mark.django_db(transaction=True)
def test_adding_the_key_id_column_keeps_the_append_only_triggers() -> None:
    # Rebuilding the table (as Django's SQLite schema editor does for a column
    # with a default) would drop its triggers; the key id is added in place.
    expected = EXPECTED_TRIGGERS[connection.vendor]
    executor = MigrationExecutor(connection)
    executor.migrate([("audit", "0004_event_record")])
    assert _append_only_triggers() == expected
    executor = MigrationExecutor(connection)
    executor.migrate([("audit", "0005_event_key_id")])
    assert _append_only_triggers() == expected
    columns = {
        c.name
        for c in connection.introspection.get_table_description(
            connection.cursor(), "audit_auditevent"
        )
    }
    assert "key_id" in columns
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert _append_only_triggers() == expected
