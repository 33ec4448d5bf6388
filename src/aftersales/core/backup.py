"""Backups of the database and the uploaded files, and their restore (docs/operations.md).

A backup is one folder: ``database.dump`` (PostgreSQL: ``pg_dump`` custom format; SQLite: a
consistent copy through SQLite's online backup), ``media.tar.gz`` (every stored file, read
through the file storage: the MEDIA_ROOT folder or the S3 bucket, core/storage.py) and
``manifest.json`` (when, from where, the row count of every table, the newest ticket). A
restore loads it into a fresh, empty database and checks the row counts against the manifest:
a backup that cannot be restored is found out on the day it is taken, not on the day it is needed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connection, connections

MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media.tar.gz"


class BackupError(Exception):
    pass


def _pg_env(cfg: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    if cfg.get("PASSWORD"):
        env["PGPASSWORD"] = str(cfg["PASSWORD"])
    return env


def _pg_args(cfg: dict[str, Any], dbname: str) -> list[str]:
    args = ["--dbname", dbname]
    if cfg.get("HOST"):
        args += ["--host", str(cfg["HOST"])]
    if cfg.get("PORT"):
        args += ["--port", str(cfg["PORT"])]
    if cfg.get("USER"):
        args += ["--username", str(cfg["USER"])]
    return args


def _run(command: list[str], cfg: dict[str, Any]) -> None:
    done = subprocess.run(command, env=_pg_env(cfg), capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:2000]}")


def table_counts(alias: str = "default") -> dict[str, int]:
    """Rows per table of the project's models (the manifest's figures)."""
    from django.apps import apps

    db = connections[alias]
    counts: dict[str, int] = {}
    with db.cursor() as cursor:
        existing = set(db.introspection.table_names(cursor))
        for model in apps.get_models():
            table = model._meta.db_table
            if table in existing and table not in counts and not model._meta.proxy:
                cursor.execute(f"SELECT COUNT(*) FROM {db.ops.quote_name(table)}")  # noqa: S608 - a table name from the models
                counts[table] = int(cursor.fetchone()[0])
    return counts


def _newest_ticket() -> dict[str, Any] | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT number, title, status FROM tickets_ticket ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
    return {"number": row[0], "title": row[1], "status": row[2]} if row else None


@dataclass(frozen=True)
class Backup:
    folder: Path
    manifest: dict[str, Any]


def backup(folder: Path) -> Backup:
    """Write a backup of the default database and the stored files into ``folder`` (created)."""
    folder.mkdir(parents=True, exist_ok=False)
    cfg = connection.settings_dict
    if connection.vendor == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(folder / DUMP), *_pg_args(cfg, cfg["NAME"])], cfg)
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(folder / DUMP)
        try:
            connection.connection.backup(target)  # SQLite's online backup: consistent while in use
        finally:
            target.close()
    else:
        raise BackupError(f"no backup for {connection.vendor}")
    with tarfile.open(folder / MEDIA, "w:gz") as archive:
        archive_stored_files(archive, default_storage)
    manifest = {
        "taken_at": dt.datetime.now(dt.UTC).isoformat(),
        "vendor": connection.vendor,
        "tables": table_counts(),
        "newest_ticket": _newest_ticket(),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return Backup(folder=folder, manifest=manifest)


def stored_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file's name in ``storage`` under ``folder``, through ``listdir`` (a folder of the
    file system, a prefix of a bucket); nothing when the storage does not exist yet."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    prefix = f"{folder}/" if folder else ""
    for name in sorted(files):
        yield prefix + name
    for sub in sorted(folders):
        yield from stored_names(storage, prefix + sub)


def archive_stored_files(archive: tarfile.TarFile, storage: Storage) -> int:
    """Add every stored file to ``archive`` under its storage name, streamed (a file larger
    than memory is copied block by block); returns how many."""
    count = 0
    for name in stored_names(storage):
        with storage.open(name, "rb") as handle:
            info = tarfile.TarInfo(name)
            info.size = handle.size
            info.mtime = int(storage.get_modified_time(name).timestamp())
            archive.addfile(info, handle)
        count += 1
    return count


def restore_stored_files(archive: tarfile.TarFile, storage: Storage) -> int:
    """Put the archive's files back into ``storage`` under their names (the names the rows hold);
    a file already there is kept as it is. Returns how many were written."""
    written = 0
    for member in archive:
        name = member.name.removeprefix("./")
        if not member.isfile() or not name or storage.exists(name):
            continue
        source = archive.extractfile(member)
        if source is None:
            continue
        content = File(source, name=name)
        content.size = member.size  # not from the file system: the name is the archive's
        with source:
            saved = storage.save(name, content)
        if saved != name:  # taken meanwhile: never keep a copy the rows do not name
            storage.delete(saved)
            continue
        written += 1
    return written


def restore(
    folder: Path, *, database: str, media_root: Path | None = None, media_storage: Storage | None = None
) -> dict[str, Any]:
    """Load the backup in ``folder`` into the EMPTY database ``database`` (a PostgreSQL database
    name on the same server, or an SQLite file path) and unpack the files into the folder
    ``media_root`` or put them into ``media_storage`` (the configured file storage: a bucket).
    Returns the manifest; ``restored_counts`` then says whether every table has its rows."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    cfg = dict(connection.settings_dict)
    if manifest["vendor"] == "postgresql":
        _run(["pg_restore", "--no-owner", "--exit-on-error", *_pg_args(cfg, database), str(folder / DUMP)], cfg)
    elif manifest["vendor"] == "sqlite":
        if Path(database).exists() and Path(database).stat().st_size > 0:
            raise BackupError(f"{database} exists: restore into a new file")
        shutil.copyfile(folder / DUMP, database)
    else:
        raise BackupError(f"no restore for {manifest['vendor']}")
    if media_root is not None:
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(folder / MEDIA, "r:gz") as archive:
            archive.extractall(media_root, filter="data")
    if media_storage is not None:
        with tarfile.open(folder / MEDIA, "r:gz") as archive:
            restore_stored_files(archive, media_storage)
    return manifest


def restored_counts(*, vendor: str, database: str, tables: list[str]) -> dict[str, int | None]:
    """Rows per table in a restored database, read on a connection of its own (the driver's,
    not Django's: the restored database is not one of the project's); None for a missing table."""
    counts: dict[str, int | None] = {}
    if vendor == "sqlite":
        db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            for table in tables:
                try:
                    counts[table] = db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608
                except sqlite3.OperationalError:
                    counts[table] = None
        finally:
            db.close()
        return counts
    import psycopg

    cfg = connection.settings_dict
    with psycopg.connect(
        host=cfg.get("HOST") or None,
        port=cfg.get("PORT") or None,
        user=cfg.get("USER") or None,
        password=cfg.get("PASSWORD") or None,
        dbname=database,
        autocommit=True,
    ) as pg:
        for table in tables:
            try:
                row = pg.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()  # noqa: S608
                counts[table] = int(row[0]) if row else None
            except psycopg.errors.UndefinedTable:
                counts[table] = None
    return counts
