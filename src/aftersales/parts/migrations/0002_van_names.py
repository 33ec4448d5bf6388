"""A van stores its technician's name only; pages say "刘强的车载库" / "Van of 刘强" in the
reader's language (``Warehouse.display_name``). Vans created before kept the whole label in the
language of whoever created them ("Van of 刘强"): they get their technician's name."""

from django.db import migrations


def _technician_name(user) -> str:  # type: ignore[no-untyped-def]
    # accounts.User.label, spelled out: a migration reads the historical model.
    full_name = f"{user.first_name or ''} {user.last_name or ''}".strip()
    return user.display_name or full_name or user.username or ""


def name_vans_by_technician(apps, schema_editor):  # type: ignore[no-untyped-def]
    Warehouse = apps.get_model("parts", "Warehouse")
    for van in Warehouse.objects.filter(kind="van").select_related("technician"):
        name = _technician_name(van.technician)[:64]
        if name and van.name != name:
            Warehouse.objects.filter(pk=van.pk).update(name=name)


class Migration(migrations.Migration):
    dependencies = [("parts", "0001_initial"), ("accounts", "0001_initial")]

    operations = [migrations.RunPython(name_vans_by_technician, migrations.RunPython.noop, elidable=True)]
