"""IdempotencyRecord now belongs to core (core/migrations/0001): only the model state leaves the
API app; the table and its rows stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial"), ("core", "0001_idempotency_record")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotencyRecord")], database_operations=[]
        ),
    ]
