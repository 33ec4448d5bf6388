"""The default 三包 policy (no category): the national regulation's numbers for household goods
(部分商品修理更换退货责任规定): return within 7 days, exchange within 15 days, the whole-unit
warranty of the model's warranty policy, repairs within 30 days, parts within 90 days, exchange
or return after two repairs of the same fault, 0.1 % depreciation a day, the online 7-day return
without reason (消费者权益保护法 art. 25)."""

from decimal import Decimal

from django.db import migrations


def create_default(apps, schema_editor):
    RemedyPolicy = apps.get_model("remedies", "RemedyPolicy")
    if RemedyPolicy.objects.filter(category__isnull=True).exists():
        return
    RemedyPolicy.objects.create(
        category=None,
        return_days=7,
        exchange_days=15,
        whole_unit_months=None,
        repair_days_limit=30,
        parts_wait_days_limit=90,
        max_repairs=2,
        daily_depreciation_percent=Decimal("0.100"),
        online_return_days=7,
        online_return_excluded=False,
        note="部分商品修理更换退货责任规定 (三包); 消费者权益保护法 第二十五条",
    )


def remove_default(apps, schema_editor):
    apps.get_model("remedies", "RemedyPolicy").objects.filter(category__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("remedies", "0001_initial")]

    operations = [migrations.RunPython(create_default, remove_default)]
