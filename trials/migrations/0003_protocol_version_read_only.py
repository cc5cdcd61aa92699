"""Make active and superseded protocol versions read-only in the database itself.

The service layer refuses such changes with a clear message; these triggers
make sure nothing else (the shell, a raw query, a future bug) can change what a
screening was checked against. SQLite gets the UPDATE trigger only: a DELETE
trigger would break test-database flushes, and foreign keys from screenings
already protect versions in use.
"""

from django.db import migrations

GUARDED = "source, definition, source_hash, label or trial"

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION trials_protocolversion_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION USING MESSAGE =
                'Protocol version ' || OLD.id || ' is ' || OLD.status || '; only drafts may be deleted.';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' AND (
        NEW.source IS DISTINCT FROM OLD.source
        OR NEW.definition IS DISTINCT FROM OLD.definition
        OR NEW.source_hash IS DISTINCT FROM OLD.source_hash
        OR NEW.label IS DISTINCT FROM OLD.label
        OR NEW.trial_id IS DISTINCT FROM OLD.trial_id
    ) THEN
        RAISE EXCEPTION USING MESSAGE =
            'Protocol version ' || OLD.id || ' is ' || OLD.status || ' and read-only ({GUARDED}).';
    END IF;
    IF (OLD.status = 'superseded' AND NEW.status <> 'superseded')
        OR (OLD.status = 'active' AND NEW.status = 'draft') THEN
        RAISE EXCEPTION USING MESSAGE =
            'Protocol version ' || OLD.id || ' cannot go from ' || OLD.status || ' back to ' || NEW.status || '.';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER trials_protocolversion_guard
    BEFORE UPDATE OR DELETE ON trials_protocolversion
    FOR EACH ROW EXECUTE FUNCTION trials_protocolversion_guard();
"""

POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS trials_protocolversion_guard ON trials_protocolversion;
DROP FUNCTION IF EXISTS trials_protocolversion_guard();
"""

SQLITE_UP = f"""
CREATE TRIGGER trials_protocolversion_guard
BEFORE UPDATE ON trials_protocolversion
WHEN OLD.status <> 'draft' AND (
    NEW.source IS NOT OLD.source
    OR NEW.definition IS NOT OLD.definition
    OR NEW.source_hash IS NOT OLD.source_hash
    OR NEW.label IS NOT OLD.label
    OR NEW.trial_id IS NOT OLD.trial_id
    OR (OLD.status = 'superseded' AND NEW.status <> 'superseded')
    OR (OLD.status = 'active' AND NEW.status = 'draft')
)
BEGIN
    SELECT RAISE(ABORT, 'Protocol version is read-only once active ({GUARDED}; no way back to draft).');
END;
"""

SQLITE_DOWN = "DROP TRIGGER IF EXISTS trials_protocolversion_guard;"


def _run(schema_editor, sql_by_vendor):
    sql = sql_by_vendor.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


def install(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP})


def uninstall(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN})


class Migration(migrations.Migration):
    dependencies = [("trials", "0002_trials_protocols_catalogues")]

    operations = [migrations.RunPython(install, uninstall)]
