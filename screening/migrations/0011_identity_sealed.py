"""Candidates' identities encrypted at rest, each with a data key of its own.

Existing identities are sealed in place and their clear columns dropped. Events
and evaluations recorded before this migration are append-only and keep what they
recorded: see docs/privacy.md, "Upgrading a database that holds identities".
"""

from datetime import date

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

FIELDS = ("full_name", "date_of_birth", "hospital_number", "phone", "email")


def seal_existing(apps, schema_editor):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from vault.crypto import hospital_number_index, name_index, seal_bytes, wrap

    Candidate = apps.get_model("screening", "Candidate")
    CandidateIdentity = apps.get_model("screening", "CandidateIdentity")
    DataKey = apps.get_model("vault", "DataKey")
    master = settings.IDENTITY_MASTER_KEYS.current
    for candidate in Candidate.objects.filter(data_key__isnull=True).iterator():
        secret = AESGCM.generate_key(bit_length=256)
        key = DataKey.objects.create(
            wrapped=wrap(secret, master), master_key_id=master.id, created_at=timezone.now()
        )
        candidate.data_key = key
        candidate.save(update_fields=["data_key"])
        identity = CandidateIdentity.objects.filter(candidate=candidate).first()
        if identity is None:
            continue
        for name in FIELDS:
            value = getattr(identity, name)
            text = value.isoformat() if isinstance(value, date) else (value or "")
            sealed = seal_bytes(secret, key.pk, text, purpose=f"identity:{name}") if text else ""
            setattr(identity, f"{name}_sealed", sealed)
        identity.name_index = name_index(identity.full_name)
        identity.hospital_number_index = hospital_number_index(identity.hospital_number)
        identity.save()


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0010_amendment_impact"),
        ("vault", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="candidate",
            name="data_key",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="candidate",
                to="vault.datakey",
            ),
        ),
        *[
            migrations.AddField(
                model_name="candidateidentity",
                name=f"{name}_sealed",
                field=models.TextField(blank=True, default=""),
                preserve_default=False,
            )
            for name in FIELDS
        ],
        migrations.AddField(
            model_name="candidateidentity",
            name="name_index",
            field=models.CharField(blank=True, db_index=True, default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="candidateidentity",
            name="hospital_number_index",
            field=models.CharField(blank=True, db_index=True, default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="candidateidentity",
            name="erased_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="candidateidentity",
            name="erased_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="candidateidentity",
            name="erasure_reason",
            field=models.TextField(blank=True, default=""),
            preserve_default=False,
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop, elidable=False),
        *[migrations.RemoveField(model_name="candidateidentity", name=name) for name in FIELDS],
        migrations.AlterField(
            model_name="candidate",
            name="data_key",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="candidate",
                to="vault.datakey",
            ),
        ),
    ]
