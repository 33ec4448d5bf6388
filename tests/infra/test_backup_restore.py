"""The restore drill: back up, restore into a fresh database, and find the same rows and the
same ticket there (and the uploaded files)."""

from __future__ import annotations

import io
import uuid

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from aftersales.core.backup import restored_counts
from aftersales.tickets.services.timeline import ticket_add_attachment
from tests.factories import make_ticket
from tests.tickets.media import png_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def _fresh_database(tmp_path) -> tuple[str, object]:
    if connection.vendor == "sqlite":
        return str(tmp_path / "restored.sqlite3"), None
    name = f"aftersales_restore_{uuid.uuid4().hex[:8]}"
    cfg = connection.settings_dict
    admin = psycopg.connect(host=cfg["HOST"], port=cfg["PORT"], user=cfg["USER"], dbname="postgres", autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    return name, admin


def test_a_backup_restores_into_a_fresh_database_with_every_row(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    ticket = make_ticket(customer_name="赵敏", phone="13500000003", description="洗衣机脱水时噪音很大。")
    attachment = ticket_add_attachment(ticket=ticket, actor=None, fileobj=io.BytesIO(png_bytes()), filename="噪音.png")
    database, admin = _fresh_database(tmp_path)
    try:
        call_command("backup", folder=str(tmp_path / "backup"))
        out = io.StringIO()
        call_command("restore", str(tmp_path / "backup"), database=database, media=str(tmp_path / "restored-media"), stdout=out)

        assert "every row count matches the backup" in out.getvalue()
        counts = restored_counts(vendor=connection.vendor, database=database, tables=["tickets_ticket", "tickets_attachment"])
        assert counts["tickets_ticket"] == 1 and counts["tickets_attachment"] == 1
        restored = tmp_path / "restored-media" / attachment.file.name
        assert restored.read_bytes() == attachment.file.open("rb").read()
    finally:
        if admin is not None:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            admin.close()


def test_a_restore_refuses_a_database_that_is_not_empty(tmp_path, settings):
    from django.core.management import CommandError

    settings.MEDIA_ROOT = tmp_path / "media"
    make_ticket()
    call_command("backup", folder=str(tmp_path / "backup"))
    if connection.vendor == "sqlite":
        (tmp_path / "busy.sqlite3").write_bytes(b"not empty")
        target = str(tmp_path / "busy.sqlite3")
    else:
        target = connection.settings_dict["NAME"]  # the live test database itself
    with pytest.raises(CommandError):
        call_command("restore", str(tmp_path / "backup"), database=target)
