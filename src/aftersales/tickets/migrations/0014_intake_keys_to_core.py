"""Intake idempotency keys move from the ticket row into core's one store (issue 13): each
ticket's key becomes an IdempotencyRecord (owner "intake", object_id = the ticket, the intake's
fingerprint as the request hash); then the ticket's two columns go. Copied in batches by id, so
a large table is read once with bounded memory; tickets without a key (most of a bulk-loaded
database) are skipped by the index on the key."""

from django.db import migrations

BATCH = 5000


def copy_keys(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    Record = apps.get_model("core", "IdempotencyRecord")
    alias = schema_editor.connection.alias
    last = 0
    while True:
        rows = list(
            Ticket.objects.using(alias)
            .filter(idempotency_key__isnull=False, pk__gt=last)
            .order_by("pk")
            .values_list("pk", "idempotency_key", "intake_fingerprint", "created_at")[:BATCH]
        )
        if not rows:
            return
        Record.objects.using(alias).bulk_create(
            [
                Record(
                    owner="intake",
                    key=key,
                    method="",
                    path="",
                    request_hash=fingerprint or "",
                    response_status=201,
                    response_body={},
                    response_headers={},
                    object_id=pk,
                    created_at=created,
                )
                for pk, key, fingerprint, created in rows
            ],
            ignore_conflicts=True,
        )
        last = rows[-1][0]


def copy_back(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    Record = apps.get_model("core", "IdempotencyRecord")
    alias = schema_editor.connection.alias
    for record in Record.objects.using(alias).filter(owner="intake").iterator(chunk_size=BATCH):
        Ticket.objects.using(alias).filter(pk=record.object_id).update(
            idempotency_key=record.key, intake_fingerprint=record.request_hash
        )
    Record.objects.using(alias).filter(owner="intake").delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0013_alter_ticket_cause_alter_ticket_responsibility"), ("core", "0001_idempotency_record")]

    operations = [
        migrations.RunPython(copy_keys, copy_back),
        migrations.RemoveField(model_name="ticket", name="idempotency_key"),
        migrations.RemoveField(model_name="ticket", name="intake_fingerprint"),
    ]
