# Correction requests (PIPL art. 46) with the corrections asked for, requests withdrawn by the
# customer, and requests received through the customer's app (API v1).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="privacyrequest",
            name="corrections",
            field=models.JSONField(blank=True, default=dict, verbose_name="corrections asked for"),
        ),
        migrations.AlterField(
            model_name="privacyrequest",
            name="kind",
            field=models.CharField(
                choices=[
                    ("export", "Copy of personal data"),
                    ("erasure", "Erasure of personal data"),
                    ("correction", "Correction of personal data"),
                ],
                max_length=16,
                verbose_name="request",
            ),
        ),
        migrations.AlterField(
            model_name="privacyrequest",
            name="status",
            field=models.CharField(
                choices=[
                    ("received", "Received"),
                    ("completed", "Completed"),
                    ("refused", "Refused"),
                    ("cancelled", "Withdrawn"),
                ],
                default="received",
                max_length=16,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="privacyrequest",
            name="channel",
            field=models.CharField(
                choices=[
                    ("portal", "Customer portal"),
                    ("staff", "Recorded by staff"),
                    ("retention", "Retention period ended"),
                    ("app", "Customer's app (API)"),
                ],
                max_length=16,
                verbose_name="received through",
            ),
        ),
    ]
