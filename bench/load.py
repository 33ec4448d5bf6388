"""Load the shared benchmark dataset into a PostgreSQL database through the product's bulk path.

    .venv/bin/python bench/load.py --n 100000 [--db NAME] [--force]

* The rows come from ../shared/bench/dataset.py (imported from its path, never copied): N tickets
  with 10 follow-ups each, mapped onto the product's own statuses, categories, priorities and
  timeline event kinds (the mapping is below and in docs/benchmarks.md).
* They are written with the product's bulk writer (``aftersales.demo.writer.RowWriter``: COPY on
  PostgreSQL, ids reserved from the sequences) and numbered with the intake service's own counter
  (``tickets.numbering.reserve_ticket_numbers``), in committed batches, like
  ``manage.py demo_data --tickets N``. The rows bypass the services (no audit rows, no
  notifications) exactly as the product's own bulk path does.
* The database is created when missing and migrated; ``VACUUM ANALYZE`` runs after the load.
  A database that already holds this N (same seed, same day's dataset anchor) is reused unless
  ``--force`` is given, so a rerun of ``make bench`` does not reload 10 M tickets.
* The login ``agent01`` (role agent, data scope "all", not superuser, not Django-admin staff)
  is created with a known password (benchenv.AGENT_PASSWORD); agent02..agent10 likewise.
Prints one JSON object (load time, row counts) on the last line of stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchenv

# --- The mapping (dataset → product) ----------------------------------------------------------

# Dataset queue slug → (product TicketCategory code, Chinese name, English name, RequestType value).
# "install" reuses the product's own "installation" category (migration 0002); the others are
# added as categories, which the administrator may configure (TicketCategory is data, not code).
QUEUE_MAP: dict[str, tuple[str, str, str, str]] = {
    "repair": ("bench_repair", "售后维修", "After-sales repair", "repair"),
    "returns": ("bench_returns", "退换货", "Returns & refunds", "return"),
    "billing": ("bench_billing", "账单与发票", "Billing & invoices", "consultation"),
    "install": ("installation", "安装调试", "Installation and commissioning", "installation"),
    "warranty": ("bench_warranty", "保修咨询", "Warranty", "consultation"),
    "logistics": ("bench_logistics", "物流配送", "Delivery & logistics", "consultation"),
    "account": ("bench_account", "账户与登录", "Account & login", "consultation"),
    "general": ("bench_general", "综合咨询", "General inquiry", "consultation"),
}
# Dataset status → product TicketStatus. "open" has no single twin: an assigned open ticket is
# being worked on (in_progress), an unassigned one is still as registered. Both are in the
# product's OPEN_STATUSES, like "reopened", so the agent's "open" list holds exactly the
# dataset's open + reopened tickets.
STATUS_MAP = {"reopened": "reopened", "resolved": "resolved", "closed": "closed", "duplicate": "merged"}
# The status a status-change event comes from (the product's timeline records from → to).
STATUS_FROM = {"reopened": "closed", "resolved": "in_progress", "closed": "resolved", "merged": "registered"}
# Dataset priority 1..5 → product Priority (1 urgent, 2 important, 3 normal): the product has
# three levels; 3, 4 and 5 (normal, low, very low) all become normal.
PRIORITY_MAP = {1: 1, 2: 2, 3: 3, 4: 3, 5: 3}
CHANNEL = "email"  # the dataset's submitters are known by e-mail address
BATCH = 5_000


def product_status(ticket: dict[str, Any]) -> str:
    if ticket["status"] == "open":
        return "in_progress" if ticket["assigned_to"] else "registered"
    return STATUS_MAP[ticket["status"]]


def event_kind(fu: dict[str, Any]) -> str:
    """Dataset follow-up → product EventKind."""
    if fu["title"] == "Ticket Opened":
        return "created"
    if fu["new_status"]:
        return "status_changed"
    if fu["user"] is None:
        return "message_in"  # "Customer reply"
    return "message_out" if fu["public"] else "note"  # an agent's comment: public or internal


# --- Database ----------------------------------------------------------------------------------


def ensure_database(name: str, *, force: bool) -> None:
    import psycopg

    with psycopg.connect(benchenv.database_url("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and force:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def loaded_info(cursor: Any) -> dict[str, Any] | None:
    cursor.execute("SELECT to_regclass('bench_load_info')")
    if cursor.fetchone()[0] is None:
        return None
    cursor.execute("SELECT info FROM bench_load_info ORDER BY id DESC LIMIT 1")
    row = cursor.fetchone()
    if not row:
        return None
    return json.loads(row[0]) if isinstance(row[0], str) else row[0]


def main() -> None:
    ap = argparse.ArgumentParser(description="Load the benchmark dataset (see module docstring).")
    ap.add_argument("--n", type=int, required=True, help="tickets to load")
    ap.add_argument("--followups", type=int, default=10)
    ap.add_argument("--seed", type=int, default=20250101)
    ap.add_argument("--db", default=None, help="database name (default aftersales_bench_n<N>)")
    ap.add_argument("--force", action="store_true", help="drop and reload even if already loaded")
    ap.add_argument("--batch", type=int, default=BATCH)
    a = ap.parse_args()
    db = a.db or benchenv.db_name(a.n)
    if not db.startswith("aftersales_bench"):
        raise SystemExit("the bench database name must start with aftersales_bench")
    ensure_database(db, force=a.force)
    benchenv.django_setup(db)

    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    mo = benchenv.REPO / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
    try:
        if not mo.exists():  # what `make migrate` does on a clean clone
            call_command("compile_translations", verbosity=0)
    except Exception as exc:
        print(f"compile_translations failed ({exc}); pages render untranslated", file=sys.stderr)

    dataset = benchenv.load_dataset_module()
    anchor = dataset.anchor_now()
    wanted = {"n": a.n, "followups": a.followups, "seed": a.seed, "anchor": anchor.isoformat()}
    with connection.cursor() as cursor:
        info = loaded_info(cursor)
    if info and all(info.get(k) == v for k, v in wanted.items()):
        users = ensure_users()
        info = {**info, "reused": True, "agent_id": users[benchenv.AGENT_USERNAME]}
        print(json.dumps(info))
        return
    if info is not None or _has_tickets():
        # Another N, seed or day: start from an empty database so the rows are exactly the dataset's.
        connection.close()
        ensure_database(db, force=True)
        call_command("migrate", "--noinput", verbosity=0)

    users = ensure_users()
    categories = ensure_categories()
    started = time.perf_counter()
    counts = load(
        dataset, n=a.n, followups=a.followups, seed=a.seed, now=anchor, users=users, categories=categories, batch=a.batch
    )
    load_seconds = time.perf_counter() - started
    connection.close()
    vac_started = time.perf_counter()
    vacuum_analyze(db)
    vacuum_seconds = time.perf_counter() - vac_started
    info = {
        **wanted,
        **counts,
        "load_seconds": round(load_seconds, 1),
        "vacuum_analyze_seconds": round(vacuum_seconds, 1),
        "db": db,
        "agent_id": users[benchenv.AGENT_USERNAME],
        "reused": False,
        "loaded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_load_info (id serial PRIMARY KEY, info jsonb NOT NULL)")
        cursor.execute("INSERT INTO bench_load_info (info) VALUES (%s)", [json.dumps(info)])
    print(json.dumps(info))


def _has_tickets() -> bool:
    from aftersales.tickets.models import Ticket

    return Ticket.objects.exists()


def ensure_users() -> dict[str, int]:
    """agent01..agent10: agents with data scope "all" and a known password; supervisor01 (W4)."""
    from aftersales.accounts.models import DataScope, Role, User

    ids = {}
    for username in [f"agent{i:02d}" for i in range(1, 11)] + [benchenv.SUPERVISOR_USERNAME]:
        user, _created = User.objects.get_or_create(username=username)
        user.role = Role.SUPERVISOR if username == benchenv.SUPERVISOR_USERNAME else Role.AGENT
        user.data_scope = DataScope.ALL
        user.is_superuser = False
        user.is_staff = False
        user.is_active = True
        user.display_name = f"Bench {username}"
        user.language = "zh-hans"
        user.set_password(benchenv.AGENT_PASSWORD)
        user.save()
        ids[username] = user.pk
    return ids


def ensure_categories() -> dict[str, int]:
    from aftersales.tickets.models import TicketCategory

    ids = {}
    for position, (slug, (code, name, name_en, _rt)) in enumerate(QUEUE_MAP.items()):
        cat, _ = TicketCategory.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "position": 100 + position}
        )
        ids[slug] = cat.pk
    return ids


def load(
    dataset: Any,
    *,
    n: int,
    followups: int,
    seed: int,
    now: dt.datetime,
    users: dict[str, int],
    categories: dict[str, int],
    batch: int,
) -> dict[str, Any]:
    from django.conf import settings
    from django.db import transaction

    from aftersales.core import clock
    from aftersales.customers.models import Customer
    from aftersales.demo.bulk import _speed_up_commit
    from aftersales.demo.writer import RowWriter
    from aftersales.tickets.models import Ticket, TicketEvent
    from aftersales.tickets.numbering import format_ticket_number, reserve_ticket_numbers

    prefix = settings.TICKET_NUMBER_PREFIX
    tickets_w, events_w, customers_w = RowWriter(Ticket), RowWriter(TicketEvent), RowWriter(Customer)
    customer_ids: dict[str, int] = {}
    registered = now - dt.timedelta(days=1000)
    stats: Counter[str] = Counter()
    done = events = 0
    last_report = time.perf_counter()
    gen = dataset.generate(n, followups=followups, seed=seed, now=now)
    while done < n:
        chunk = [t for _, t in zip(range(min(batch, n - done)), gen, strict=False)]
        if not chunk:
            break
        with transaction.atomic():
            _speed_up_commit()
            new_emails = sorted({t["submitter_email"] for t in chunk} - customer_ids.keys())
            for email, cid in zip(new_emails, customers_w.reserve_ids(len(new_emails)), strict=True):
                customer_ids[email] = cid
            customers_w.write(
                (
                    {
                        "id": customer_ids[e],
                        "kind": "person",
                        "name": e.split("@")[0],
                        "phone": "",
                        "email": e,
                        "tier": "normal",
                        "consent_contact": True,
                        "consent_recorded_at": registered,
                        "language": "zh-hans",
                        "notes": "",
                        "created_at": registered,
                        "updated_at": registered,
                    }
                    for e in new_emails
                ),
                with_ids=True,
            )
            ids = tickets_w.reserve_ids(len(chunk))
            days = [clock.local_date(t["created"]) for t in chunk]
            firsts = {day: reserve_ticket_numbers(count=c, day=day, prefix=prefix) for day, c in sorted(Counter(days).items())}
            rows, event_rows = [], []
            previous_id = None
            for t, tid, day in zip(chunk, ids, days, strict=True):
                number = format_ticket_number(prefix, day, firsts[day])
                firsts[day] += 1
                status = product_status(t)
                stats[status] += 1
                _code, _zh, _en, request_type = QUEUE_MAP[t["queue"]]
                final_at = t["followups"][-1]["date"] if t["followups"] else t["modified"]
                first_response = next((f["date"] for f in t["followups"][1:] if f["user"]), None)
                rows.append({
                    "id": tid, "number": number, "title": t["title"], "description": t["description"],
                    "channel": CHANNEL, "status": status, "request_type": request_type,
                    "category_id": categories[t["queue"]], "priority": PRIORITY_MAP[t["priority"]],
                    "safety_hazard": False, "customer_id": customer_ids[t["submitter_email"]],
                    "contact_name": t["submitter_email"].split("@")[0], "contact_phone": "",
                    "contact_email": t["submitter_email"],
                    "assignee_id": users[t["assigned_to"]] if t["assigned_to"] else None,
                    "due_at": t["due_date"], "first_responded_at": first_response,
                    "resolved_at": final_at if status in ("resolved", "closed") else None,
                    "closed_at": final_at if status in ("closed", "merged") else None,
                    "merged_into_id": previous_id if status == "merged" else None,
                    "version": 1 + (len(t["followups"]) - 1),
                    "created_at": t["created"], "updated_at": t["modified"],
                })  # fmt: skip
                previous_id = tid
                for fu in t["followups"]:
                    kind = event_kind(fu)
                    data: dict[str, Any] = {}
                    body = fu["comment"]
                    if kind == "created":
                        data = {"channel": CHANNEL, "number": number, "safety_hazard": False}
                    elif kind == "status_changed":
                        data = {"from": STATUS_FROM[status], "to": status}
                        if t["resolution"]:
                            body = f"{body}\n{t['resolution']}"
                    actor = users[fu["user"]] if fu["user"] else None
                    event_rows.append({
                        "ticket_id": tid, "kind": kind, "actor_id": actor,
                        "actor_label": fu["user"] or (t["submitter_email"] if kind == "message_in" else "电子邮件"),
                        "public": bool(fu["public"]), "body": body, "data": data, "created_at": fu["date"],
                    })  # fmt: skip
            tickets_w.write(rows, with_ids=True)
            events += events_w.write(event_rows, with_ids=False)
        done += len(chunk)
        if time.perf_counter() - last_report > 10 or done == n:
            print(f"  loaded {done:,}/{n:,} tickets, {events:,} events", file=sys.stderr, flush=True)
            last_report = time.perf_counter()
    return {"tickets": done, "events": events, "customers": len(customer_ids), "status_counts": dict(stats)}


def vacuum_analyze(db: str) -> None:
    import psycopg

    with psycopg.connect(benchenv.database_url(db), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


if __name__ == "__main__":
    main()
