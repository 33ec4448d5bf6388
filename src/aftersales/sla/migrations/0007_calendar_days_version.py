"""``Calendar.days_version``: a new value whenever one of the calendar's days changes, the key
under which the days are cached (``sla/calendar_cache.py``). The existing calendars start with
one value for all (the cache key names the calendar too); it only has to change with their days."""

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("sla", "0006_seeded_codes")]

    operations = [
        migrations.AddField(
            model_name="calendar",
            name="days_version",
            field=models.UUIDField(default=uuid.uuid4, editable=False, verbose_name="version of the days"),
        ),
    ]
