"""Database triggers that refuse to change or remove audit events.

PostgreSQL refuses UPDATE and DELETE. SQLite refuses UPDATE only: a DELETE
trigger would break the test runner's flush (``DELETE FROM``), and for the
same reason PostgreSQL gets no TRUNCATE trigger. Production revokes UPDATE,
DELETE and TRUNCATE from the application's role (docs/operations.md).
"""

from django.db import migrations

POSTGRESQL_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit events are append-only: % on % is refused', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$
    """,
    """
    CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()
    """,
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_refuse_change()",
]
SQLITE_FORWARD = [
    """
    CREATE TRIGGER audit_auditevent_no_update
    BEFORE UPDATE ON audit_auditevent
    BEGIN
        SELECT RAISE(ABORT, 'audit events are append-only: UPDATE on audit_auditevent is refused');
    END
    """,
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS audit_auditevent_no_update"]

STATEMENTS = {
    "postgresql": (POSTGRESQL_FORWARD, POSTGRESQL_BACKWARD),
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
}


def _run(schema_editor, index):
    statements = STATEMENTS.get(schema_editor.connection.vendor)
    if statements is None:
        raise RuntimeError(
            f"Eligo has no append-only trigger for {schema_editor.connection.vendor}; "
            "the audit trail supports PostgreSQL and SQLite."
        )
    for sql in statements[index]:
        # No parameters: the SQL has literal percent signs (RAISE formats).
        schema_editor.execute(sql, params=None)


def forward(apps, schema_editor):
    _run(schema_editor, 0)


def backward(apps, schema_editor):
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
