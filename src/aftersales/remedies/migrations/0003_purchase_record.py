"""One record of the price paid (docs/refunds-and-compensation.md): ``remedies.Purchase`` per unit.

The price a remedy decision held (``RemedyDecision.price_paid``) becomes its unit's purchase
record when the unit has none yet — the latest decision of the unit wins, the purchase date is
the unit's, else the sale date of the decision's proposal, else the decision's day. A decision
on a ticket without a unit, or with a price of 0, has nothing to keep it on (its refund and
depreciation figures stay on the decision, and its audit rows keep the price). The compensation
app's purchase records move here in compensation 0002 (they win over a decision's price).
"""

import datetime as dt

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def decisions_to_purchases(apps, schema_editor):
    Decision = apps.get_model("remedies", "RemedyDecision")
    Purchase = apps.get_model("remedies", "Purchase")
    decisions = (
        Decision.objects.filter(price_paid__gt=0, ticket__product_unit__isnull=False)
        .select_related("ticket__product_unit")
        .order_by("-decided_at", "-pk")
    )
    for decision in decisions.iterator():
        unit = decision.ticket.product_unit
        if Purchase.objects.filter(unit_id=unit.pk).exists():
            continue  # a later decision of the same unit is already kept
        sale = (decision.proposal or {}).get("sale_date")
        day = unit.purchase_date or (dt.date.fromisoformat(sale) if sale else None) or decision.decided_at.date()
        Purchase.objects.create(
            unit_id=unit.pk,
            price_paid=decision.price_paid,
            purchased_on=day,
            recorded_by_id=decision.decided_by_id,
            recorded_at=decision.decided_at,
        )


def purchases_to_decisions(apps, schema_editor):
    Decision = apps.get_model("remedies", "RemedyDecision")
    Purchase = apps.get_model("remedies", "Purchase")
    for purchase in Purchase.objects.all().iterator():
        Decision.objects.filter(ticket__product_unit_id=purchase.unit_id).update(price_paid=purchase.price_paid)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_shipment_volume"),
        ("remedies", "0002_default_policy"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Purchase",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("price_paid", models.DecimalField(decimal_places=2, max_digits=12, verbose_name="price paid")),
                ("purchased_on", models.DateField(verbose_name="purchase date")),
                ("invoice_number", models.CharField(blank=True, max_length=64, verbose_name="invoice number")),
                ("recorded_at", models.DateTimeField(verbose_name="recorded at")),
            ],
            options={
                "verbose_name": "purchase record",
                "verbose_name_plural": "purchase records",
            },
        ),
        migrations.AddField(
            model_name="purchase",
            name="recorded_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="recorded by",
            ),
        ),
        migrations.AddField(
            model_name="purchase",
            name="unit",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="purchase_record",
                to="catalog.productunit",
                verbose_name="product unit",
            ),
        ),
        migrations.AddConstraint(
            model_name="purchase",
            constraint=models.CheckConstraint(condition=models.Q(("price_paid__gt", 0)), name="remedies_purchase_price_positive"),
        ),
        migrations.RunPython(decisions_to_purchases, purchases_to_decisions),
        migrations.RemoveConstraint(
            model_name="remedydecision",
            name="remedy_price_not_negative",
        ),
        migrations.RemoveField(
            model_name="remedydecision",
            name="price_paid",
        ),
    ]
