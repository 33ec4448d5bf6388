"""Rebuild ``search_grams`` from the normalised text (``core.text.normalise``: NFKC, lower case):
a ticket written ＭＰ３ or ＸＰ gets the bigrams of mp3 / xp, so a search for MP3 finds it (issue 20).

Batched by id (2,000 rows a statement); only rows whose value changes are written. Reversing is
a no-op: the normalised bigrams are a correct index for the search of either version (the search
rechecks every candidate with ``LIKE``)."""

from django.db import migrations

BATCH = 2000


def rebuild(apps, schema_editor):
    from aftersales.tickets.search import search_grams_for

    Ticket = apps.get_model("tickets", "Ticket")
    last = 0
    while True:
        batch = list(
            Ticket.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "title", "description", "search_grams")[:BATCH]
        )
        if not batch:
            break
        changed = []
        for pk, title, description, grams in batch:
            fresh = search_grams_for(title, description)
            if fresh != grams:
                changed.append(Ticket(pk=pk, search_grams=fresh))
        if changed:
            Ticket.objects.bulk_update(changed, ["search_grams"], batch_size=500)
        last = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [("tickets", "0015_logistics_category")]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True)]
