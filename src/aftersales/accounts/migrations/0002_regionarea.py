import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="RegionArea",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "province",
                    models.CharField(
                        help_text="The province, municipality or autonomous region, e.g. 江苏 or 上海.",
                        max_length=32,
                        verbose_name="province",
                    ),
                ),
                (
                    "city",
                    models.CharField(
                        blank=True,
                        default="",
                        help_text="Leave empty for the whole province.",
                        max_length=32,
                        verbose_name="city",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="areas",
                        to="accounts.region",
                        verbose_name="region",
                    ),
                ),
            ],
            options={
                "verbose_name": "region area",
                "verbose_name_plural": "region areas",
                "ordering": ["province", "city"],
                "constraints": [models.UniqueConstraint(fields=("province", "city"), name="region_area_province_city_unique")],
            },
        ),
    ]
