"""The logistics category (物流配送): delivery complaints, one of the triage's categories (issue 20).

Going back keeps the row: a category is the administrator's data, harmless to earlier code, and
deleting it from a migration's historical models trips over the models that refer to it."""

from django.db import migrations

CODE = "logistics"


def add_logistics(apps, schema_editor):
    TicketCategory = apps.get_model("tickets", "TicketCategory")
    TicketCategory.objects.get_or_create(
        code=CODE, defaults={"name": "物流配送", "name_en": "Logistics and delivery", "position": 60}
    )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0014_intake_keys_to_core")]

    operations = [migrations.RunPython(add_logistics, migrations.RunPython.noop)]
