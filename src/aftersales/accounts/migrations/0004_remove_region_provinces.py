from django.db import migrations


class Migration(migrations.Migration):
    """``RegionArea`` is the one source of truth for the provinces a region serves."""

    dependencies = [
        ("accounts", "0003_regionarea_from_provinces"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="region",
            name="provinces",
        ),
    ]
