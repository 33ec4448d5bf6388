"""Data: ``is_staff`` (may sign in to /admin/) follows the role from now on (``User.save``):
superusers and administrators, nobody else. Backwards: nothing to undo (the flags stay)."""

from django.db import migrations
from django.db.models import Q


def forwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    admins = Q(is_superuser=True) | Q(role="administrator")
    User.objects.filter(admins, is_staff=False).update(is_staff=True)
    User.objects.filter(is_staff=True).exclude(admins).update(is_staff=False)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_service_outlet"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
