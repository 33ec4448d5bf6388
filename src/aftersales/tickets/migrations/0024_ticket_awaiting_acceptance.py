# The status "awaiting the quality manager's acceptance" (tickets.process.acceptance).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0023_ticket_responsible_party_ref"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ticket",
            name="status",
            field=models.CharField(
                choices=[
                    ("registered", "Registered"),
                    ("verifying", "Verifying"),
                    ("awaiting_info", "Waiting for customer information"),
                    ("analysing", "Analysing"),
                    ("planning", "Planning solution"),
                    ("awaiting_approval", "Awaiting approval"),
                    ("awaiting_customer", "Awaiting customer agreement"),
                    ("in_progress", "In progress"),
                    ("on_hold", "On hold"),
                    ("resolved", "Resolved, awaiting confirmation"),
                    ("awaiting_acceptance", "Awaiting quality acceptance"),
                    ("reopened", "Reopened for secondary processing"),
                    ("closed", "Closed"),
                    ("rejected", "Rejected"),
                    ("cancelled", "Cancelled"),
                    ("merged", "Merged"),
                ],
                default="registered",
                max_length=24,
                verbose_name="status",
            ),
        ),
    ]
