"""The calendars and SLA policies the product seeded (``0002``, named in Chinese by ``0004``) get
their stable code (``sla/seeded.py``), so that pages show them in the reader's language while
their name is unchanged. A row the administrator renamed is theirs now and gets no code; a code
already given is not given twice. The names and codes are copied here: a migration keeps the
values of its time."""

from django.db import migrations

CODES = {
    "calendar": {"办公日历": "office", "全天候": "always"},
    "slapolicy": {"紧急": "urgent", "重要": "important", "重要客户": "key_customer", "默认": "default"},
}


def forwards(apps, schema_editor):
    for model, codes in CODES.items():
        manager = apps.get_model("sla", model).objects
        for name, code in codes.items():
            if not manager.filter(code=code).exists():
                manager.filter(name=name, code="").update(code=code)


def backwards(apps, schema_editor):
    for model, codes in CODES.items():
        apps.get_model("sla", model).objects.filter(code__in=list(codes.values())).update(code="")


class Migration(migrations.Migration):
    dependencies = [("sla", "0005_seed_code")]

    operations = [migrations.RunPython(forwards, backwards)]
