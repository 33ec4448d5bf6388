"""The usual departments of a manufacturer, so a new installation can name internal
responsibility at once (``parties/defaults.py``)."""

from django.db import migrations

from aftersales.parties.defaults import add_default_departments


def add_departments(apps, schema_editor):
    add_default_departments(apps.get_model("parties", "ResponsibleParty"))


class Migration(migrations.Migration):
    dependencies = [("parties", "0001_responsible_party_register")]

    operations = [migrations.RunPython(add_departments, migrations.RunPython.noop)]
