from django.db import migrations
from django.db.models import Count


def fill(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    TicketCount = apps.get_model("analytics", "TicketCount")
    TicketCount.objects.all().delete()
    rows = Ticket.objects.order_by().values_list("status", "category_id", "region_id").annotate(n=Count("id"))
    TicketCount.objects.bulk_create(
        [TicketCount(status=s, category_key=c or 0, region_key=r or 0, slot=0, n=n) for s, c, r, n in rows]
    )


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial"), ("tickets", "0008_search_grams_fill")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
