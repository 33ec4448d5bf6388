"""The kind of the files registered before ``Attachment.kind`` (0021), from what was recorded:

- the kind the agent's intake kept in the file's timeline entry (``data["evidence"]``);
- the proof of purchase of "Correct details" (the file of a ``correct_details`` entry);
- a photo or video a customer sent (the portal's request form, the app): a photo;
- anything else stays "other" (the column's default: nothing to write).

In batches by id, each batch read once (with its timeline entry and uploader) and written in its
own short transaction (``atomic = False``): no long transaction on a big table, and a run that
stops half-way is simply run again (the same rows get the same kinds)."""

from django.db import migrations, transaction

BATCH = 2000
KINDS = ("photo", "invoice", "purchase_proof", "other")


def kind_of(content_type, event_kind, data, uploader_role):
    """The kind of one stored file, from its type, its timeline entry and its uploader."""
    data = data if isinstance(data, dict) else {}
    if data.get("evidence") in KINDS:
        return data["evidence"]
    if event_kind == "field_changed" and data.get("action") == "correct_details":
        return "purchase_proof"
    if uploader_role == "customer" and (content_type or "").startswith(("image/", "video/")):
        return "photo"
    return "other"


def fill(apps, schema_editor):
    Attachment = apps.get_model("tickets", "Attachment")
    alias = schema_editor.connection.alias
    last = 0
    while True:
        rows = list(
            Attachment.objects.using(alias)
            .filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "content_type", "event__kind", "event__data", "uploaded_by__role")[:BATCH]
        )
        if not rows:
            return
        by_kind: dict[str, list[int]] = {}
        for pk, content_type, event_kind, data, role in rows:
            kind = kind_of(content_type, event_kind, data, role)
            if kind != "other":
                by_kind.setdefault(kind, []).append(pk)
        with transaction.atomic(using=alias):
            for kind, ids in by_kind.items():
                Attachment.objects.using(alias).filter(pk__in=ids).update(kind=kind)
        last = rows[-1][0]


class Migration(migrations.Migration):
    atomic = False  # one short transaction per batch (see above)

    dependencies = [("tickets", "0021_attachment_kind")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
