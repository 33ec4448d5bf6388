"""Data: each name in ``Region.provinces`` (JSON) becomes a province row of ``RegionArea``.

Names are normalised as the table stores them (江苏 → 江苏省); a province listed by two regions
goes to the first by code (the table allows one region per province), the other is logged.
Backwards: the province rows (without a city) go back into the JSON lists.
"""

from django.db import migrations

from aftersales.accounts.provinces import province_key


def forwards(apps, schema_editor):
    Region = apps.get_model("accounts", "Region")
    RegionArea = apps.get_model("accounts", "RegionArea")
    taken = set(RegionArea.objects.filter(city="").values_list("province", flat=True))
    rows = []
    for region in Region.objects.order_by("code"):
        for name in region.provinces or []:
            province = province_key(str(name))[:32]
            if not province:
                continue
            if province in taken:
                print(f"\n  region {region.code}: {province} already belongs to another region, skipped")
                continue
            taken.add(province)
            rows.append(RegionArea(region_id=region.pk, province=province, city=""))
    RegionArea.objects.bulk_create(rows)


def backwards(apps, schema_editor):
    Region = apps.get_model("accounts", "Region")
    RegionArea = apps.get_model("accounts", "RegionArea")
    by_region: dict[int, list[str]] = {}
    for region_id, province in RegionArea.objects.filter(city="").order_by("pk").values_list("region_id", "province"):
        by_region.setdefault(region_id, []).append(province)
    for region in Region.objects.all():
        region.provinces = by_region.get(region.pk, [])
        region.save(update_fields=["provinces"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_regionarea"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
