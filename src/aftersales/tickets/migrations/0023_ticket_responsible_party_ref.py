"""Tickets name their responsible party from the register (parties app): the new reference, and
the existing text parties linked to register entries (one per distinct name as compared)."""

import django.db.models.deletion
from django.db import migrations, models

from aftersales.parties.migrating import link_text_parties


def link_parties(apps, schema_editor):
    link_text_parties(apps.get_model("parties", "ResponsibleParty"), apps.get_model("tickets", "Ticket"))


class Migration(migrations.Migration):
    dependencies = [
        ("parties", "0002_default_departments"),
        ("tickets", "0022_attachment_kind_fill"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="responsible_party_ref",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="tickets",
                db_index=False,
                to="parties.responsibleparty",
                verbose_name="responsible party (register)",
            ),
        ),
        migrations.RunPython(link_parties, migrations.RunPython.noop, elidable=True),
    ]
