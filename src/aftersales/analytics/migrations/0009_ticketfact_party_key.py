"""Ticket facts carry the responsible party's register id (``party_key``, 0 = none), filled here
from the tickets (linked by their own migration); the chargeback groups on it."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def fill_party_key(apps, schema_editor):
    fact = apps.get_model("analytics", "TicketFact")
    ticket = apps.get_model("tickets", "Ticket")
    ref = ticket.objects.filter(pk=OuterRef("ticket_id")).values("responsible_party_ref_id")[:1]
    fact.objects.update(party_key=Coalesce(Subquery(ref, output_field=models.BigIntegerField()), Value(0)))


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0008_refresh_backlog_at"),
        ("tickets", "0023_ticket_responsible_party_ref"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticketfact",
            name="party_key",
            field=models.BigIntegerField(default=0),
        ),
        migrations.RunPython(fill_party_key, migrations.RunPython.noop, elidable=True),
    ]
