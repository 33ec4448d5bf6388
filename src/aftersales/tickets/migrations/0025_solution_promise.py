# The promised solution date and its revisions (tickets.process.promise, docs/sla.md).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("tickets", "0024_ticket_awaiting_acceptance"),
    ]

    operations = [
        migrations.CreateModel(
            name="SolutionPromise",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("revision", models.PositiveSmallIntegerField(verbose_name="revision")),
                ("is_current", models.BooleanField(default=True, verbose_name="current promise")),
                ("promised_date", models.DateField(verbose_name="promised solution date")),
                ("promised_time", models.TimeField(blank=True, null=True, verbose_name="promised time")),
                ("deadline", models.DateTimeField(verbose_name="kept until")),
                ("reason", models.TextField(blank=True, default="", verbose_name="reason")),
                ("later_than_before", models.BooleanField(default=False, verbose_name="later than the previous promise")),
                ("given_at", models.DateTimeField(verbose_name="given at")),
                ("overdue_warned_at", models.DateTimeField(blank=True, null=True, verbose_name="overdue warning sent")),
                (
                    "given_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="given by",
                    ),
                ),
                (
                    "ticket",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="solution_promises",
                        to="tickets.ticket",
                        verbose_name="ticket",
                    ),
                ),
            ],
            options={
                "verbose_name": "promised solution date",
                "verbose_name_plural": "promised solution dates",
                "ordering": ("ticket", "revision"),
                "indexes": [
                    models.Index(
                        condition=models.Q(("is_current", True), ("overdue_warned_at__isnull", True)),
                        fields=["deadline"],
                        name="solution_promise_due_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("ticket", "revision"), name="solution_promise_revision_unique"),
                    models.UniqueConstraint(
                        condition=models.Q(("is_current", True)), fields=("ticket",), name="solution_promise_one_current"
                    ),
                ],
            },
        ),
    ]
