"""The default calendars and SLA policies were named in both languages at once ("默认 Default"),
which showed as mixed text on every page in either language. They are named in the site's
language (Chinese, as ``0002`` now names them); a row an administrator has renamed is left alone.
"""

from django.db import migrations

RENAMES = {
    "calendar": {"办公日历 Office hours": "办公日历", "全天候 24×7": "全天候"},
    "slapolicy": {"紧急 Urgent": "紧急", "重要 Important": "重要", "重要客户 Key customer": "重要客户", "默认 Default": "默认"},
}


def rename(apps, schema_editor, *, back=False):
    for model, names in RENAMES.items():
        manager = apps.get_model("sla", model).objects
        for old, new in names.items():
            source, target = (new, old) if back else (old, new)
            if not manager.filter(name=target).exists():
                manager.filter(name=source).update(name=target)


def forwards(apps, schema_editor):
    rename(apps, schema_editor)


def backwards(apps, schema_editor):
    rename(apps, schema_editor, back=True)


class Migration(migrations.Migration):
    dependencies = [("sla", "0003_calendar_years")]

    operations = [migrations.RunPython(forwards, backwards)]
