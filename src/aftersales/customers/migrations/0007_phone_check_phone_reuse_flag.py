"""A number given to somebody else (customers.phone_reuse): the sign-up's second proof
(``PhoneCheck``, bound to the verified sign-up code) and the flag staff review
(``PhoneReuseFlag``). Two new tables; nothing existing is touched."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0012_user_manager"),
        ("customers", "0006_customer_name_search_idx"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PhoneCheck",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("open", "Not answered yet"),
                            ("passed", "Confirmed the earlier record"),
                            ("failed", "Could not confirm the earlier record (tries used up)"),
                            ("declined", "Said the earlier record is not theirs"),
                        ],
                        default="open",
                        max_length=16,
                        verbose_name="outcome",
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="wrong answers")),
                ("created_at", models.DateTimeField(verbose_name="created at")),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decided at")),
                (
                    "customer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="customers.customer",
                        verbose_name="confirmed customer",
                    ),
                ),
                (
                    "proof",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.phonecode",
                        verbose_name="sign-up code",
                    ),
                ),
            ],
            options={
                "verbose_name": "second proof of a sign-up",
                "verbose_name_plural": "second proofs of sign-ups",
            },
        ),
        migrations.CreateModel(
            name="PhoneReuseFlag",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "reason",
                    models.CharField(
                        choices=[
                            ("failed", "The new holder of the number could not confirm this record"),
                            ("declined", "The new holder of the number said this record is not theirs"),
                        ],
                        max_length=16,
                        verbose_name="reason",
                    ),
                ),
                ("raised_at", models.DateTimeField(verbose_name="raised at")),
                ("reviewed_at", models.DateTimeField(blank=True, null=True, verbose_name="reviewed at")),
                (
                    "customer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="phone_reuse_flags",
                        to="customers.customer",
                        verbose_name="customer",
                    ),
                ),
                (
                    "new_customer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="customers.customer",
                        verbose_name="customer of the new holder",
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reviewed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "phone number now used by another person",
                "verbose_name_plural": "phone numbers now used by other people",
                "constraints": [
                    models.UniqueConstraint(fields=("customer", "new_customer"), name="phone_reuse_flag_once_per_holder")
                ],
            },
        ),
    ]
