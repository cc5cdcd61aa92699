"""The activation of a protocol version records its reason and electronic signature.

The read-only trigger of 0003 now also guards who activated a version, when, why and
with what meaning: once a version is active, its approval is as fixed as its criteria.
"""

from django.db import migrations, models

GUARDED = (
    "source, definition, source_hash, label, trial or its activation "
    "(by, at, reason, meaning, printed name)"
)
OLD_GUARDED = "source, definition, source_hash, label or trial"

POSTGRES_CHANGED = """
        NEW.source IS DISTINCT FROM OLD.source
        OR NEW.definition IS DISTINCT FROM OLD.definition
        OR NEW.source_hash IS DISTINCT FROM OLD.source_hash
        OR NEW.label IS DISTINCT FROM OLD.label
        OR NEW.trial_id IS DISTINCT FROM OLD.trial_id"""

POSTGRES_ACTIVATION_CHANGED = """
        OR NEW.activated_by_id IS DISTINCT FROM OLD.activated_by_id
        OR NEW.activated_at IS DISTINCT FROM OLD.activated_at
        OR NEW.activation_reason IS DISTINCT FROM OLD.activation_reason
        OR NEW.activation_meaning IS DISTINCT FROM OLD.activation_meaning
        OR NEW.activation_printed_name IS DISTINCT FROM OLD.activation_printed_name"""


def _postgres(changed: str, guarded: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION trials_protocolversion_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION USING MESSAGE =
                'Protocol version ' || OLD.id || ' is ' || OLD.status || '; only drafts may be deleted.';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' AND ({changed}
    ) THEN
        RAISE EXCEPTION USING MESSAGE =
            'Protocol version ' || OLD.id || ' is ' || OLD.status || ' and read-only ({guarded}).';
    END IF;
    IF (OLD.status = 'superseded' AND NEW.status <> 'superseded')
        OR (OLD.status = 'active' AND NEW.status = 'draft') THEN
        RAISE EXCEPTION USING MESSAGE =
            'Protocol version ' || OLD.id || ' cannot go from ' || OLD.status || ' back to ' || NEW.status || '.';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


SQLITE_CHANGED = """
    NEW.source IS NOT OLD.source
    OR NEW.definition IS NOT OLD.definition
    OR NEW.source_hash IS NOT OLD.source_hash
    OR NEW.label IS NOT OLD.label
    OR NEW.trial_id IS NOT OLD.trial_id"""

SQLITE_ACTIVATION_CHANGED = """
    OR NEW.activated_by_id IS NOT OLD.activated_by_id
    OR NEW.activated_at IS NOT OLD.activated_at
    OR NEW.activation_reason IS NOT OLD.activation_reason
    OR NEW.activation_meaning IS NOT OLD.activation_meaning
    OR NEW.activation_printed_name IS NOT OLD.activation_printed_name"""


def _sqlite(changed: str, guarded: str) -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS trials_protocolversion_guard;",
        f"""
CREATE TRIGGER trials_protocolversion_guard
BEFORE UPDATE ON trials_protocolversion
WHEN OLD.status <> 'draft' AND ({changed}
    OR (OLD.status = 'superseded' AND NEW.status <> 'superseded')
    OR (OLD.status = 'active' AND NEW.status = 'draft')
)
BEGIN
    SELECT RAISE(ABORT, 'Protocol version is read-only once active ({guarded}; no way back to draft).');
END;
""",
    ]


def _run(schema_editor, *, postgres: str, sqlite: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(postgres)
    elif vendor == "sqlite":
        for statement in sqlite:
            schema_editor.execute(statement)


def guard_activation(apps, schema_editor):
    _run(
        schema_editor,
        postgres=_postgres(POSTGRES_CHANGED + POSTGRES_ACTIVATION_CHANGED, GUARDED),
        sqlite=_sqlite(SQLITE_CHANGED + SQLITE_ACTIVATION_CHANGED, GUARDED),
    )


def unguard_activation(apps, schema_editor):
    _run(
        schema_editor,
        postgres=_postgres(POSTGRES_CHANGED, OLD_GUARDED),
        sqlite=_sqlite(SQLITE_CHANGED, OLD_GUARDED),
    )


class Migration(migrations.Migration):
    dependencies = [("trials", "0005_catalogue_revision")]

    operations = [
        migrations.AddField(
            model_name="protocolversion",
            name="activation_reason",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="protocolversion",
            name="activation_meaning",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name="protocolversion",
            name="activation_printed_name",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.RunPython(guard_activation, unguard_activation),
    ]
