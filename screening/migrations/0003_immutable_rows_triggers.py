"""Evaluations, decisions, signatures and signature voids are written once: enforce it in
the database too.

The models refuse saving over or deleting such rows; these triggers make sure nothing
else (the shell, a raw query, a future bug) can change what was signed or the snapshot
it was signed against. A correction is always a new row. PostgreSQL refuses UPDATE and
DELETE; SQLite refuses UPDATE only, because a DELETE trigger would break test-database
flushes (the same reason PostgreSQL gets no TRUNCATE trigger; production revokes
TRUNCATE from the application's role, docs/operations.md).
"""

from django.db import migrations

TABLES = (
    "screening_evaluation",
    "screening_decision",
    "screening_signature",
    "screening_signaturevoid",
)

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION screening_immutable_row() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE =
        TG_TABLE_NAME || ' rows are immutable: ' || lower(TG_OP) || ' of row ' || OLD.id
        || ' is refused. Record a new row instead.';
END;
$$ LANGUAGE plpgsql;
"""


def _postgres_up() -> list[str]:
    return [POSTGRES_FUNCTION] + [
        f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION screening_immutable_row();"
        for table in TABLES
    ]


def _postgres_down() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_immutable ON {table};" for table in TABLES] + [
        "DROP FUNCTION IF EXISTS screening_immutable_row();"
    ]


def _sqlite_up() -> list[str]:
    return [
        f"CREATE TRIGGER {table}_immutable BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} rows are immutable: update is refused. "
        "Record a new row instead.'); END;"
        for table in TABLES
    ]


def _sqlite_down() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_immutable;" for table in TABLES]


def _run(schema_editor, by_vendor):
    for statement in by_vendor.get(schema_editor.connection.vendor, list)():
        schema_editor.execute(statement)


def install(apps, schema_editor):
    _run(schema_editor, {"postgresql": _postgres_up, "sqlite": _sqlite_up})


def remove(apps, schema_editor):
    _run(schema_editor, {"postgresql": _postgres_down, "sqlite": _sqlite_down})


class Migration(migrations.Migration):
    dependencies = [("screening", "0002_washout_reminders")]

    operations = [migrations.RunPython(install, remove)]
