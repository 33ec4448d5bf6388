"""TicketCount now belongs to the tickets app (``tickets 0010``): only the model state leaves
analytics; the table and its rows stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("analytics", "0002_fill_counts"), ("tickets", "0010_ticketcount_from_analytics")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="TicketCount")], database_operations=[]
        ),
    ]
