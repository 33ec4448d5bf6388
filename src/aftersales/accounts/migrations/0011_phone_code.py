import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """The codes by SMS that prove a phone: the portal's sign-up and the customers' sign-in by code
    (accounts/login_code.py)."""

    dependencies = [
        ("accounts", "0010_is_staff_follows_role"),
    ]

    operations = [
        migrations.CreateModel(
            name="PhoneCode",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "purpose",
                    models.CharField(
                        choices=[("sign_up", "Portal sign-up"), ("sign_in", "Sign-in by SMS code")],
                        max_length=16,
                        verbose_name="purpose",
                    ),
                ),
                ("phone", models.CharField(max_length=32, verbose_name="phone")),
                ("code_hash", models.CharField(max_length=128, verbose_name="code hash")),
                ("created_at", models.DateTimeField(verbose_name="created at")),
                ("expires_at", models.DateTimeField(db_index=True, verbose_name="expires at")),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="wrong attempts")),
                ("verified_at", models.DateTimeField(blank=True, null=True, verbose_name="verified at")),
                ("used_at", models.DateTimeField(blank=True, null=True, verbose_name="used at")),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "SMS verification code",
                "verbose_name_plural": "SMS verification codes",
                "indexes": [models.Index(fields=["phone", "purpose", "created_at"], name="phone_code_lookup_idx")],
            },
        ),
    ]
