"""The ticket list's saved views (我的视图): a named set of the list's filters, owned by a member of
staff, kept private or shared with their team or all staff; one start view per owner at most."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0017_duplicate_lookup_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SavedView",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=40, verbose_name="name")),
                ("filters", models.CharField(blank=True, max_length=400, verbose_name="filters")),
                ("search", models.CharField(blank=True, max_length=100, verbose_name="search")),
                (
                    "sharing",
                    models.CharField(
                        choices=[("private", "Only me"), ("team", "My team"), ("everyone", "All staff")],
                        default="private",
                        max_length=16,
                        verbose_name="shared with",
                    ),
                ),
                ("position", models.PositiveIntegerField(default=0, verbose_name="position")),
                ("is_start", models.BooleanField(default=False, verbose_name="start view")),
                ("created_at", models.DateTimeField(verbose_name="created at")),
                ("updated_at", models.DateTimeField(verbose_name="updated at")),
                ("version", models.PositiveIntegerField(default=1, verbose_name="version")),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="saved_views",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
            ],
            options={
                "verbose_name": "saved view",
                "verbose_name_plural": "saved views",
                "ordering": ["owner", "position", "pk"],
                "indexes": [models.Index(fields=["sharing"], name="saved_view_sharing_idx")],
                "constraints": [
                    models.UniqueConstraint(fields=("owner", "name"), name="saved_view_name_unique_per_owner"),
                    models.UniqueConstraint(
                        condition=models.Q(("is_start", True)), fields=("owner",), name="saved_view_one_start_per_owner"
                    ),
                ],
            },
        ),
    ]
