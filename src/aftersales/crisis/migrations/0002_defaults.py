"""The default levels (一般 / 较大 / 重大 / 特别重大) and safety words, editable in /admin/."""

from django.db import migrations

LEVELS = [
    # code, name, English name, rank, roles to inform, within minutes
    ("I", "特别重大", "Extraordinary (I)", 1, "administrator,supervisor,quality_manager", 15),
    ("II", "重大", "Major (II)", 2, "administrator,supervisor,quality_manager", 30),
    ("III", "较大", "Serious (III)", 3, "supervisor,quality_manager", 60),
    ("IV", "一般", "General (IV)", 4, "supervisor", 240),
]


def forwards(apps, schema_editor):
    from aftersales.crisis.safety import DEFAULT_EXCLUSIONS, DEFAULT_HAZARD_WORDS

    level = apps.get_model("crisis", "CrisisLevel")
    for code, name, name_en, rank, roles, minutes in LEVELS:
        level.objects.get_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "rank": rank, "inform_roles": roles, "inform_within_minutes": minutes},
        )
    word = apps.get_model("crisis", "SafetyWord")
    for text in DEFAULT_HAZARD_WORDS:
        word.objects.get_or_create(kind="hazard", text=text)
    for text in DEFAULT_EXCLUSIONS:
        word.objects.get_or_create(kind="exclusion", text=text)


class Migration(migrations.Migration):
    dependencies = [("crisis", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
