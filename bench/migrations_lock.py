"""How long the migrations of the big tables lock them, on a database of N tickets (issue 21).

    .venv/bin/python bench/migrations_lock.py --n 1000000 [--followups 10] [--back tickets=0016]

1. ``bench/load.py`` loads N tickets (and their timeline events) into the database
   ``aftersales_bench_migrations_n<N>`` through the product's bulk writer, migrated to the latest
   state (a database that already holds this N is reused).
2. The apps named by ``--back`` are migrated *backwards* to the given migration (Django unapplies
   whatever depends on them too): the database is now at an earlier migration state, with the
   rows in it. Loading at the earlier state directly is not possible: the bulk writer writes the
   current models' columns.
   Before that every ticket gets a synthetic contact phone (one per customer) and one in three a
   reported serial: the dataset has neither, and the indexes on them must be built over real rows.
3. Every migration from there to the latest is applied one at a time, as ``migrate`` would, while
   two other connections watch:
   * a poller reads ``pg_locks`` every 20 ms and records, per big table (≥ 10,000 rows), the
     longest time the migrating connection held a lock that blocks writes to it (SHARE, SHARE ROW
     EXCLUSIVE, EXCLUSIVE, ACCESS EXCLUSIVE) — and, for information, SHARE UPDATE EXCLUSIVE, which
     ``CREATE INDEX CONCURRENTLY`` takes and which blocks no insert, update or delete;
   * a writer takes the lock of a write on ``tickets_ticket`` (ROW EXCLUSIVE, rolled back at
     once) every 50 ms and records the longest wait: what an intake would have felt.

Prints a Markdown table (and writes it with the JSON to bench/results/migrations-<time>-<N>.*).
The reversed steps are timed too (a rollback of a deployment is a migration as well).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchenv

WRITE_BLOCKING = ("ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock")
INFO_ONLY = ("ShareUpdateExclusiveLock",)
BIG_TABLE_ROWS = 10_000
POLL_SECONDS = 0.02
WRITE_EVERY = 0.05


class LockWatch:
    """Watches the locks one backend holds on the big tables, and how long a write waits."""

    def __init__(self, url: str, pid: int, tables: list[str]) -> None:
        self.url, self.pid, self.tables = url, pid, tables
        self.held: dict[tuple[str, str], float] = {}  # (table, mode) -> longest continuous hold
        self.longest_write = 0.0
        self.writes = 0
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._poll), threading.Thread(target=self._write)]

    def __enter__(self) -> LockWatch:
        for thread in self._threads:
            thread.start()
        time.sleep(0.1)  # both connections open before the migration starts
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _poll(self) -> None:
        import psycopg

        since: dict[tuple[str, str], float] = {}
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self._stop.is_set():
                rows = conn.execute(
                    "SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                    "WHERE l.pid = %s AND l.granted AND c.relname = ANY(%s)",
                    [self.pid, self.tables],
                ).fetchall()
                now = time.perf_counter()
                seen = {(table, mode) for table, mode in rows if mode in WRITE_BLOCKING + INFO_ONLY}
                for key in seen:
                    since.setdefault(key, now)
                    self.held[key] = max(self.held.get(key, 0.0), now - since[key] + POLL_SECONDS)
                for key in set(since) - seen:
                    del since[key]
                time.sleep(POLL_SECONDS)

    def _write(self) -> None:
        import psycopg

        with psycopg.connect(self.url) as conn:
            conn.execute("SET statement_timeout = '600s'")
            conn.commit()
            while not self._stop.is_set():
                started = time.perf_counter()
                # The table lock an UPDATE or INSERT takes, without touching a row: a row lock
                # would wait for a data migration's own uncommitted update of that row (and
                # deadlock with its next CREATE INDEX) — a real hazard, but not what is measured.
                conn.execute("LOCK TABLE tickets_ticket IN ROW EXCLUSIVE MODE")
                conn.rollback()
                self.longest_write = max(self.longest_write, time.perf_counter() - started)
                self.writes += 1
                time.sleep(WRITE_EVERY)

    def summary(self) -> dict[str, Any]:
        blocking = {f"{t} {m}": round(s, 3) for (t, m), s in sorted(self.held.items()) if m in WRITE_BLOCKING}
        info = {f"{t} {m}": round(s, 3) for (t, m), s in sorted(self.held.items()) if m in INFO_ONLY}
        return {
            "write_blocking_locks_s": blocking,
            "longest_write_blocking_lock_s": max(blocking.values(), default=0.0),
            "share_update_exclusive_s": info,
            "longest_write_wait_s": round(self.longest_write, 3),
            "probe_writes": self.writes,
        }


def big_tables(cursor: Any, n: int) -> dict[str, int]:
    """The tables with at least min(N, 10,000) rows (the estimate of the last ANALYZE)."""
    cursor.execute(
        "SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace "
        "AND reltuples >= %s ORDER BY reltuples DESC",
        [min(n, BIG_TABLE_ROWS)],
    )
    return dict(cursor.fetchall())


def main() -> None:
    ap = argparse.ArgumentParser(description="Time the big tables' migrations and their locks (see module docstring).")
    ap.add_argument("--n", type=int, required=True, help="tickets to load")
    ap.add_argument("--followups", type=int, default=10, help="timeline events per ticket (bench/load.py)")
    ap.add_argument("--db", default=None, help="database (default aftersales_bench_migrations_n<N>)")
    ap.add_argument(
        "--back",
        action="append",
        default=None,
        help="app=migration to migrate back to before timing the way forward (default tickets=0016)",
    )
    ap.add_argument("--force", action="store_true", help="reload the tickets")
    a = ap.parse_args()
    db = a.db or f"aftersales_bench_migrations_n{a.n}"
    backs = [tuple(b.split("=", 1)) for b in (a.back or ["tickets=0016"])]

    load_cmd = [sys.executable, str(benchenv.BENCH_DIR / "load.py"), "--n", str(a.n), "--db", db, "--followups", str(a.followups)]
    started = time.perf_counter()
    loaded = subprocess.run(load_cmd + (["--force"] if a.force else []), check=True, capture_output=True, text=True)
    load_info = json.loads(loaded.stdout.strip().splitlines()[-1])
    print(f"loaded ({time.perf_counter() - started:.0f} s): {json.dumps(load_info)[:300]}", file=sys.stderr)

    benchenv.django_setup(db)
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    with connection.cursor() as cursor:
        # The dataset has no phone numbers or serials; the product's intake requires a phone.
        # Each ticket gets its customer's synthetic phone and one in three a serial, so that the
        # indexes on them (tickets 0017) are built over as many rows as in production.
        cursor.execute(
            "UPDATE tickets_ticket SET contact_phone = '139' || lpad((customer_id % 100000000)::text, 8, '0'), "
            "reported_serial = CASE WHEN id % 3 = 0 THEN 'SN' || lpad(id::text, 10, '0') ELSE '' END "
            "WHERE contact_phone = ''"
        )
        if cursor.rowcount:
            print(f"gave {cursor.rowcount:,} tickets a phone (and a third a serial)", file=sys.stderr)
            cursor.execute("VACUUM ANALYZE tickets_ticket")
        tables = big_tables(cursor, a.n)
    print(f"big tables: {tables}", file=sys.stderr)

    def timed(app: str, name: str) -> dict[str, Any]:
        connection.ensure_connection()
        pid = connection.connection.info.backend_pid
        with LockWatch(benchenv.database_url(db), pid, list(tables)) as watch:
            t0 = time.perf_counter()
            call_command("migrate", app, name, verbosity=0, skip_checks=True, interactive=False)
            wall = time.perf_counter() - t0
        return {"migration": f"{app}.{name}", "wall_s": round(wall, 3), **watch.summary()}

    backwards = []
    for app, target in backs:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan([(app, executor.loader.get_migration_by_prefix(app, target).name)])
        for migration, _backwards in plan:  # newest first; each step unapplies one migration
            parent = executor.loader.graph.node_map[(migration.app_label, migration.name)].parents
            same_app = [p.key[1] for p in parent if p.key[0] == migration.app_label]
            step = timed(migration.app_label, same_app[0] if same_app else "zero")
            step["migration"] = f"{migration.app_label}.{migration.name} (reversed)"
            backwards.append(step)
            print(json.dumps(step), file=sys.stderr)

    executor = MigrationExecutor(connection)
    forward_plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    forwards = []
    for migration, _backwards in forward_plan:
        step = timed(migration.app_label, migration.name)
        forwards.append(step)
        print(json.dumps(step), file=sys.stderr)

    result = {
        "n": a.n,
        "followups": a.followups,
        "db": db,
        "big_tables": tables,
        "back_to": dict(backs),
        "reversed": backwards,
        "forwards": forwards,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    table = markdown(result)
    print(table)
    out = benchenv.BENCH_DIR / "results" / f"migrations-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}-{a.n}"
    out.with_suffix(".json").write_text(json.dumps(result, indent=2))
    out.with_suffix(".md").write_text(table)


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"N = {result['n']:,} tickets, {result['followups']} events each; big tables: "
        + ", ".join(f"{t} ({n:,})" for t, n in result["big_tables"].items()),
        "",
        "| migration | wall s | longest write-blocking lock s (table, mode) | longest write wait s | SHARE UPDATE EXCLUSIVE s |",
        "|---|---:|---|---:|---:|",
    ]
    for step in result["reversed"] + result["forwards"]:
        blocking = step["write_blocking_locks_s"]
        worst = max(blocking.items(), key=lambda kv: kv[1], default=None)
        shown = f"{worst[1]:.3f} ({worst[0]})" if worst else "none seen"
        sue = max(step["share_update_exclusive_s"].values(), default=0.0)
        lines.append(f"| {step['migration']} | {step['wall_s']:.3f} | {shown} | {step['longest_write_wait_s']:.3f} | {sue:.3f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
