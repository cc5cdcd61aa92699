from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    initial = True

    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="DataKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("wrapped", models.BinaryField(editable=False, null=True)),
                ("master_key_id", models.CharField(blank=True, max_length=32)),
                ("created_at", models.DateTimeField()),
                ("destroyed_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=Q(destroyed_at__isnull=True, wrapped__isnull=False)
                        | Q(destroyed_at__isnull=False, wrapped__isnull=True),
                        name="data_key_wrapped_or_destroyed",
                    )
                ],
            },
        ),
    ]
