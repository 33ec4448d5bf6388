# The satisfaction survey's settings (versioned), and a survey's questions, NPS answer and timing.

import datetime

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def surveys_sent_before_were_notified(apps, schema_editor):
    """Every survey of before was sent when it was created: its invitation went out at ``sent_at``."""
    Survey = apps.get_model("feedback", "Survey")
    Survey.objects.filter(notified_at__isnull=True).update(notified_at=models.F("sent_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
        ("sla", "0006_seeded_codes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SurveySettings",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.PositiveIntegerField(unique=True, verbose_name="version")),
                (
                    "aspects",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="The 1–5 aspects asked, in the order shown.",
                        verbose_name="aspects asked",
                    ),
                ),
                ("ask_solved", models.BooleanField(default=True, verbose_name="ask whether the problem is solved")),
                (
                    "ask_nps",
                    models.BooleanField(default=True, verbose_name="ask how likely the customer is to recommend us (0–10)"),
                ),
                ("comment_prompt_zh", models.CharField(blank=True, max_length=200, verbose_name="comment prompt (Chinese)")),
                ("comment_prompt_en", models.CharField(blank=True, max_length=200, verbose_name="comment prompt (English)")),
                (
                    "delay",
                    models.CharField(
                        choices=[
                            ("immediately", "Immediately when resolved"),
                            ("hours", "A number of hours after the resolution"),
                            ("next_working_day", "The next working day at a set time"),
                        ],
                        default="immediately",
                        max_length=20,
                        verbose_name="when to send",
                    ),
                ),
                ("delay_hours", models.PositiveSmallIntegerField(default=0, verbose_name="hours after the resolution")),
                ("send_time", models.TimeField(default=datetime.time(10, 0), verbose_name="time of day")),
                ("reminder_days", models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="reminder after (days)")),
                ("valid_days", models.PositiveSmallIntegerField(default=30, verbose_name="link valid for (days)")),
                ("saved_at", models.DateTimeField(verbose_name="saved at")),
                (
                    "calendar",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="sla.calendar",
                        verbose_name="business calendar",
                    ),
                ),
                (
                    "saved_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="saved by",
                    ),
                ),
            ],
            options={
                "verbose_name": "survey settings",
                "verbose_name_plural": "survey settings",
                "ordering": ["-version"],
                "constraints": [
                    models.CheckConstraint(condition=models.Q(valid_days__gte=1), name="survey_settings_valid_days_positive")
                ],
            },
        ),
        migrations.AddField(
            model_name="survey",
            name="settings_version",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="surveys",
                to="feedback.surveysettings",
                verbose_name="settings version",
            ),
        ),
        migrations.AddField(
            model_name="survey",
            name="questions",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="In the order shown; empty: the questions of before the settings.",
                verbose_name="questions asked",
            ),
        ),
        migrations.AddField(
            model_name="survey",
            name="nps",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="likelihood to recommend (0–10)"),
        ),
        migrations.AddField(
            model_name="survey",
            name="notified_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="invitation sent at"),
        ),
        migrations.AddField(
            model_name="survey",
            name="remind_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="reminder due at"),
        ),
        migrations.AddField(
            model_name="survey",
            name="reminded_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="reminded at"),
        ),
        migrations.AddField(
            model_name="survey",
            name="expires_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="link valid until"),
        ),
        migrations.AddField(
            model_name="survey",
            name="next_due_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="next step due at"),
        ),
        migrations.AddConstraint(
            model_name="survey",
            constraint=models.CheckConstraint(
                condition=models.Q(("nps__isnull", True), ("nps__lte", 10), _connector="OR"), name="survey_nps_0_to_10"
            ),
        ),
        migrations.AddIndex(
            model_name="survey",
            index=models.Index(condition=models.Q(("status", "pending")), fields=["next_due_at"], name="survey_pending_due"),
        ),
        # Last: on PostgreSQL no table change may follow an update in the same transaction.
        migrations.RunPython(surveys_sent_before_were_notified, migrations.RunPython.noop),
    ]
