"""State only: the users' manager makes a superuser an administrator with the data scope "all"
(``accounts.models.UserManager``); no change to the tables."""

from django.db import migrations

import aftersales.accounts.models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_phone_code"),
    ]

    operations = [
        migrations.AlterModelManagers(
            name="user",
            managers=[
                ("objects", aftersales.accounts.models.UserManager()),
            ],
        ),
    ]
