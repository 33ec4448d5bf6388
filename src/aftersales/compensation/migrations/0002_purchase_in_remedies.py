"""One record of the price paid (docs/refunds-and-compensation.md): the compensation app's
``Purchase`` moves to ``remedies.Purchase`` (a unit's proof of purchase, read by the remedy
decision and every refund). Each record is copied onto its unit's ``remedies.Purchase`` — its
values win over a price remedies 0003 took from a remedy decision, as the refunds were computed
on them — and every refund points at the copy; then the old table goes."""

import django.db.models.deletion
from django.db import migrations, models


def to_remedies(apps, schema_editor):
    Old = apps.get_model("compensation", "Purchase")
    New = apps.get_model("remedies", "Purchase")
    Refund = apps.get_model("compensation", "Refund")
    for old in Old.objects.all().iterator():
        new, _ = New.objects.update_or_create(
            unit_id=old.unit_id,
            defaults={
                "price_paid": old.price_paid,
                "purchased_on": old.purchased_on,
                "invoice_number": old.invoice_number,
                "recorded_by_id": old.recorded_by_id,
                "recorded_at": old.recorded_at,
            },
        )
        Refund.objects.filter(purchase_id=old.pk).update(purchase_record_id=new.pk)


def to_compensation(apps, schema_editor):
    Old = apps.get_model("compensation", "Purchase")
    New = apps.get_model("remedies", "Purchase")
    Refund = apps.get_model("compensation", "Refund")
    for new in New.objects.filter(refunds_moved__isnull=False).distinct().iterator():
        old = Old.objects.create(
            unit_id=new.unit_id,
            price_paid=new.price_paid,
            purchased_on=new.purchased_on,
            invoice_number=new.invoice_number,
            recorded_by_id=new.recorded_by_id,
            recorded_at=new.recorded_at,
        )
        Refund.objects.filter(purchase_record_id=new.pk).update(purchase_id=old.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("compensation", "0001_initial"),
        ("remedies", "0003_purchase_record"),
    ]

    operations = [
        migrations.AddField(
            model_name="refund",
            name="purchase_record",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="refunds_moved",
                to="remedies.purchase",
                verbose_name="purchase",
            ),
        ),
        migrations.AlterField(
            model_name="refund",
            name="purchase",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="refunds",
                to="compensation.purchase",
                verbose_name="purchase",
            ),
        ),
        migrations.RunPython(to_remedies, to_compensation),
        migrations.RemoveField(model_name="refund", name="purchase"),
        migrations.RenameField(model_name="refund", old_name="purchase_record", new_name="purchase"),
        migrations.AlterField(
            model_name="refund",
            name="purchase",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="refunds",
                to="remedies.purchase",
                verbose_name="purchase",
            ),
        ),
        migrations.DeleteModel(name="Purchase"),
    ]
