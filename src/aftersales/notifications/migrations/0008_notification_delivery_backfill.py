"""The delivery of the messages sent before receipts were read, from what the outbox did: a sent
in-app message is delivered (the row is the message), any other sent one awaits a receipt that
will not come, a failed one was not delivered, a skipped one was not sent. Four UPDATEs."""

from typing import Any

from django.db import migrations


def backfill(apps: Any, schema_editor: Any) -> None:
    Notification = apps.get_model("notifications", "Notification")
    sent = Notification.objects.filter(status="sent")
    sent.filter(channel="in_app").update(delivery="delivered")
    sent.exclude(channel="in_app").update(delivery="sent")
    Notification.objects.filter(status="failed").update(delivery="failed")
    Notification.objects.filter(status="skipped").update(delivery="not_sent")


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0007_notification_delivery_receipts"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
