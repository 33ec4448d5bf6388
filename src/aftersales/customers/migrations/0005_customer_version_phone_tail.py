"""The customer's version (the optimistic lock of the staff's customer pages and the API's
``If-Match``) and the index of the search by the last digits of a phone: an index on the
expression ``PhoneTail(phone)`` (the last four characters: ``RIGHT(phone, 4)`` on PostgreSQL,
``SUBSTR(phone, -4)`` on SQLite), which both databases build as an ordinary B-tree and use for
``PhoneTail(phone) = '1234'``. Adding the column with a constant default (and no CHECK) costs
PostgreSQL no rewrite or scan of the table; the index is built concurrently there (not atomic)."""

from django.db import migrations, models

import aftersales.customers.models
from aftersales.core.migration_ops import AddIndexOnline


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ("customers", "0004_customer_external_code"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="version",
            field=models.IntegerField(
                default=1, editable=False, help_text="Raised on every change; guards concurrent edits.", verbose_name="version"
            ),
        ),
        AddIndexOnline(
            model_name="customer",
            index=models.Index(aftersales.customers.models.PhoneTail("phone"), name="customer_phone_tail_idx"),
        ),
    ]
