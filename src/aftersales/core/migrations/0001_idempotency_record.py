"""The idempotency store moves from the API app to core (issue 13: one mechanism and one store
for the API's Idempotency-Key and ticket intake). The table keeps its name and rows; only Django's
model state moves, and the record gains the id of the object it created."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = [("api", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IdempotencyRecord",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("owner", models.CharField(max_length=64, verbose_name="caller")),
                        ("key", models.CharField(max_length=128, verbose_name="idempotency key")),
                        ("method", models.CharField(max_length=8)),
                        ("path", models.CharField(max_length=255)),
                        ("request_hash", models.CharField(max_length=64)),
                        ("response_status", models.PositiveSmallIntegerField()),
                        ("response_body", models.JSONField(default=dict)),
                        ("response_headers", models.JSONField(default=dict)),
                        ("created_at", models.DateTimeField(db_index=True, verbose_name="created at")),
                    ],
                    options={
                        "verbose_name": "idempotency record",
                        "verbose_name_plural": "idempotency records",
                        "db_table": "api_idempotencyrecord",
                        "constraints": [
                            models.UniqueConstraint(fields=("owner", "key"), name="api_idempotency_owner_key_unique")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="idempotencyrecord",
            name="object_id",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="created object"),
        ),
    ]
