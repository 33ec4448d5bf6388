"""Appraisals name their responsible party from the register (parties app): the new reference,
and the existing text parties linked (a supplier's from the ``supplier`` column)."""

import django.db.models.deletion
from django.db import migrations, models

from aftersales.parties.migrating import link_text_parties


def link_parties(apps, schema_editor):
    party = apps.get_model("parties", "ResponsibleParty")
    appraisal = apps.get_model("appraisal", "Appraisal")
    link_text_parties(party, appraisal)
    link_text_parties(party, appraisal, text_field="supplier", responsibility="supplier")


class Migration(migrations.Migration):
    dependencies = [
        ("appraisal", "0003_faulty_parts_appraised"),
        ("parties", "0002_default_departments"),
    ]

    operations = [
        migrations.AddField(
            model_name="appraisal",
            name="responsible_party_ref",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="appraisals",
                to="parties.responsibleparty",
                verbose_name="responsible party (register)",
            ),
        ),
        migrations.RunPython(link_parties, migrations.RunPython.noop, elidable=True),
    ]
