"""The complaint categories of seed 002, so a new installation can classify at once."""

from django.db import migrations

CATEGORIES = [
    ("product_quality", "产品质量", "Product quality", 10),
    ("service_attitude", "服务态度", "Service attitude", 20),
    ("response_speed", "响应速度", "Response speed", 30),
    ("installation", "安装调试", "Installation and commissioning", 40),
    ("repair_delay", "维修不及时", "Repair delay", 50),
    ("other", "其他", "Other", 90),
]


def add_categories(apps, schema_editor):
    TicketCategory = apps.get_model("tickets", "TicketCategory")
    for code, name, name_en, position in CATEGORIES:
        TicketCategory.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "position": position})


def remove_categories(apps, schema_editor):
    TicketCategory = apps.get_model("tickets", "TicketCategory")
    TicketCategory.objects.filter(code__in=[c[0] for c in CATEGORIES], active=True).delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunPython(add_categories, remove_categories)]
