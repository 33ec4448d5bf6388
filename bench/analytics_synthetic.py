"""The KPI page and the management dashboard at N tickets without loading N tickets (issue 17's
10 M figure on a machine where a 10 M load plus its refresh would take most of a day).

    .venv/bin/python bench/analytics_synthetic.py --n 10000000 [--requests 200] [--reuse]

Why this measures the pages: they read only the analytics rollups — ``StaffDay`` (KPI page),
``MonthTotal`` / ``MonthChannel`` / ``MonthModel`` and ``BacklogCell`` (dashboard) — plus the
labels of the people, regions, categories and models in them. The script records the tables
every page's statements name (``pages.*.tables`` in the result) and fails if any of them is a
ticket table, so the claim is checked on every run, not assumed.

What it does, on PostgreSQL, in its own database ``aftersales_bench_analytics_synth_n<N>``:

1. Staff and dimensions of a large department: 200 agents, 100 technicians in 10 teams, 30
   regions, 20 categories, 50 product models (plus bench/load.py's supervisor01 and agents).
2. N ``TicketFact`` rows (and a job fact for every fifth) written by SQL in slices of 1 M, as
   the refresh's first phase would write them for N tickets over the last 731 days (an agent's
   tickets from the home region of the agent, 1 in 20 from anywhere; each job done by one of three
   technicians of the ticket's region): statuses by
   age (recent tickets open), SLA outcomes and business-time durations for every ticket (so every
   staff day has minute histograms: the KPI page's costliest merge), surveys on a third,
   costs, responsibility. The ticket rows themselves are not written (the foreign key is not
   checked while filling: ``session_replication_role = replica`` for that transaction).
3. The rollups built from those facts by the product's own code: the full refresh resumed at its
   second phase (staff days, then months: ``analytics/services/full.py``), and the backlog
   counted from the open facts (the product counts it from the open tickets, by the same
   status × age band × SLA state × region × category).
4. The person × month rollup (``StaffMonth``) from the staff days — on a database filled before
   it existed, ``--reuse --staff-months`` builds only that (``build_staff_months``).
5. The pages timed as bench/analytics_pages.py times them (``time_pages``: the cold KPI pages of
   30 and 365 days among them), and the selectors (KPI tables through the staff months and from
   staff days alone); ``--kpis-from-days`` also times the cold KPI pages with the month rollup
   switched off, for the before/after in one run.

The refresh's first phase (facts from tickets and their timelines) is measured per ticket on a
loaded database by bench/analytics_pages.py (``refresh_full_ms_per_ticket``); it is what this
script skips. Writes bench/results/analytics-synthetic-n<N>-<date>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchenv
from analytics_pages import time_pages, time_selectors
from load import ensure_database, ensure_users

SLICE = 1_000_000
DAYS = 731
AGENTS, TECHNICIANS, TEAMS, REGIONS, CATEGORIES, MODELS = 200, 100, 10, 30, 20, 50
TICKET_TABLES = ("tickets_ticket", "tickets_ticketevent", "sla_slaclock")

# One slice of facts: ids first..last. Every random draw is a column of ``r`` so that each row's
# values are consistent (a resolved ticket has a resolution day and duration, an open one not).
FACTS_SQL = """
WITH r AS (
    SELECT g,
           (%(today)s::date - floor(random() * %(days)s)::int) AS day,
           random() AS st, random() AS op, random() AS ch, random() AS su, random() AS co, random() AS rs,
           floor(random() * %(agents)s)::int AS ai,
           random() AS rh, floor(random() * %(regions)s)::int + 1 AS rx,
           floor(random() * %(categories)s)::int + 1 AS ci,
           floor(random() * %(models)s)::int + 1 AS mi,
           -ln(1 - random()) AS e1, -ln(1 - random()) AS e2, random() AS x1, random() AS x2, random() AS x3
    FROM generate_series(%(first)s, %(last)s) AS g
), s AS (
    SELECT r.*,
           CASE WHEN r.st < (CASE WHEN %(today)s::date - r.day < 3 THEN 0.7
                                  WHEN %(today)s::date - r.day < 30 THEN 0.3 ELSE 0.01 END)
                THEN (%(open)s::text[])[1 + floor(r.op * cardinality(%(open)s::text[]))::int]
                WHEN r.op < 0.90 THEN 'closed' WHEN r.op < 0.95 THEN 'resolved'
                WHEN r.op < 0.97 THEN 'cancelled' WHEN r.op < 0.99 THEN 'rejected' ELSE 'merged' END AS status
    FROM r
), f AS (
    SELECT s.*,
           s.status IN ('closed', 'resolved') AS done,
           s.su < 0.35 AND s.status = 'closed' AS surveyed,
           s.co < 0.25 AS costed,
           (%(agent_ids)s::bigint[])[1 + s.ai] AS agent,
           (%(agent_teams)s::bigint[])[1 + s.ai] AS team,
           -- An agent's tickets come from their home region, 1 in 20 from anywhere.
           (%(region_ids)s::bigint[])[CASE WHEN s.rh < 0.95 THEN s.ai %% %(regions)s + 1 ELSE s.rx END] AS region,
           (%(category_ids)s::bigint[])[s.ci] AS category,
           (%(model_ids)s::bigint[])[s.mi] AS model,
           floor(s.e1 * 7200)::bigint AS fr,
           floor(s.e2 * 72000)::bigint AS res
    FROM s
)
INSERT INTO analytics_ticketfact (
    ticket_id, number, day, resolved_day, status, channel, assignee_key, team_key, region_key,
    category_key, model_key, fr_seconds, res_seconds, fr_met, solution_met, res_met, reopened,
    overall, speed, attitude, professionalism, result, complaints, cost_parts, cost_labour,
    cost_travel, cost_refund, cost_compensation, cost_total, responsibility, responsible_party,
    computed_at)
SELECT g, 'SX' || g, day,
       CASE WHEN done THEN LEAST(%(today)s::date, day + floor(x1 * x2 * 20)::int) END,
       status,
       (%(channels)s::text[])[1 + floor(ch * cardinality(%(channels)s::text[]))::int],
       CASE WHEN rs < 0.95 THEN agent ELSE 0 END, CASE WHEN rs < 0.95 THEN team ELSE 0 END,
       region, category, model,
       CASE WHEN status NOT IN ('registered', 'cancelled', 'rejected', 'merged') THEN fr END,
       CASE WHEN done THEN res END,
       CASE WHEN status NOT IN ('registered', 'cancelled', 'rejected', 'merged') THEN fr <= 14400 END,
       CASE WHEN done THEN x3 < 0.9 END,
       CASE WHEN done THEN res <= 259200 END,
       x3 < 0.03,
       CASE WHEN surveyed THEN LEAST(5, 1 + floor(sqrt(x1) * 5)::int) END,
       CASE WHEN surveyed THEN LEAST(5, 1 + floor(sqrt(x2) * 5)::int) END,
       CASE WHEN surveyed THEN LEAST(5, 1 + floor(sqrt(x3) * 5)::int) END,
       CASE WHEN surveyed THEN LEAST(5, 1 + floor(sqrt(su / 0.35) * 5)::int) END,
       CASE WHEN surveyed THEN LEAST(5, 1 + floor(sqrt(1 - x1) * 5)::int) END,
       CASE WHEN x2 < 0.01 THEN 1 ELSE 0 END,
       CASE WHEN costed THEN round((x1 * 800)::numeric, 2) ELSE 0 END,
       CASE WHEN costed THEN round((50 + x2 * 250)::numeric, 2) ELSE 0 END,
       CASE WHEN costed THEN round((x3 * 100)::numeric, 2) ELSE 0 END,
       CASE WHEN costed AND co < 0.005 THEN round((100 + x1 * 2900)::numeric, 2) ELSE 0 END,
       CASE WHEN costed AND co < 0.0025 THEN round((50 + x2 * 450)::numeric, 2) ELSE 0 END,
       CASE WHEN costed THEN round((x1 * 800)::numeric, 2) + round((50 + x2 * 250)::numeric, 2)
                           + round((x3 * 100)::numeric, 2)
                           + CASE WHEN co < 0.005 THEN round((100 + x1 * 2900)::numeric, 2) ELSE 0 END
                           + CASE WHEN co < 0.0025 THEN round((50 + x2 * 450)::numeric, 2) ELSE 0 END
            ELSE 0 END,
       CASE WHEN costed THEN (ARRAY['internal', 'supplier', 'logistics', 'service_outlet', 'customer'])[1 + floor(rs * 5)::int]
            ELSE '' END,
       CASE WHEN costed AND floor(rs * 5)::int = 1 THEN (ARRAY['宁波电容厂', '苏州电机', '广州电控', '无锡压缩机', '佛山钣金'])[1 + floor(x3 * 5)::int]
            ELSE '' END,
       %(now)s
FROM f
"""

# A job for every fifth ticket of the slice, done by one of three technicians of its region: the
# technicians' figures on the KPI page.
JOBS_SQL = """
INSERT INTO analytics_jobfact (
    work_order_id, number, ticket_key, ticket_number, day, technician_key, team_key, region_key,
    done, on_time, first_time_fix, labour_hours, parts_quantity, computed_at)
SELECT t.ticket_id, 'WX' || t.ticket_id, t.ticket_id, t.number, LEAST(%(today)s::date, t.day + 1),
       (%(tech_ids)s::bigint[])[1 + (t.region_key * 3 + (t.ticket_id / 5) %% 3) %% %(techs)s],
       (%(tech_teams)s::bigint[])[1 + (t.region_key * 3 + (t.ticket_id / 5) %% 3) %% %(techs)s],
       t.region_key, t.status IN ('closed', 'resolved'),
       CASE WHEN t.status IN ('closed', 'resolved') THEN random() < 0.85 END,
       CASE WHEN t.status IN ('closed', 'resolved') THEN random() < 0.8 END,
       round((0.5 + random() * 3.5)::numeric, 2), floor(random() * 4), %(now)s
FROM analytics_ticketfact t
WHERE t.ticket_id BETWEEN %(first)s AND %(last)s AND t.ticket_id %% 5 = 0
"""

# The backlog as rebuild_backlog counts it from the open tickets, here from the open facts.
BACKLOG_SQL = """
INSERT INTO analytics_backlogcell (status, age_band, sla_state, region_key, category_key, n)
SELECT status,
       CASE WHEN %(today)s::date - day < 1 THEN 0 WHEN %(today)s::date - day < 3 THEN 1
            WHEN %(today)s::date - day < 7 THEN 2 WHEN %(today)s::date - day < 30 THEN 3 ELSE 4 END,
       CASE WHEN ticket_id %% 10 = 0 THEN 'breached' WHEN ticket_id %% 10 < 3 THEN 'warning' ELSE '' END,
       region_key, category_key, count(*)
FROM analytics_ticketfact
WHERE status = ANY(%(open)s::text[])
GROUP BY 1, 2, 3, 4, 5
"""


def dimensions() -> dict[str, list]:
    """The department: staff, teams, regions, categories and models (get-or-create, stable ids)."""
    from django.contrib.auth.hashers import make_password

    from aftersales.accounts.models import DataScope, Region, Role, Team, User
    from aftersales.catalog.models import ProductCategory, ProductModel
    from aftersales.tickets.models import TicketCategory

    regions = [Region.objects.get_or_create(code=f"sx-{i:02d}", defaults={"name": f"合成区域{i:02d}"})[0] for i in range(REGIONS)]
    teams = [
        Team.objects.get_or_create(name=f"合成班组{i:02d}", defaults={"region": regions[i % REGIONS]})[0] for i in range(TEAMS)
    ]
    password = make_password(None)

    def staff(prefix: str, count: int, role: str) -> list[User]:
        existing = {u.username: u for u in User.objects.filter(username__startswith=prefix)}
        missing = [
            User(
                username=f"{prefix}{i:03d}",
                display_name=f"合成{prefix}{i:03d}",
                role=role,
                data_scope=DataScope.ALL,
                team=teams[i % TEAMS],
                password=password,
            )
            for i in range(count)
            if f"{prefix}{i:03d}" not in existing
        ]
        User.objects.bulk_create(missing)
        return list(User.objects.filter(username__startswith=prefix).order_by("username"))

    agents = staff("sx-agent", AGENTS, Role.AGENT)
    techs = staff("sx-tech", TECHNICIANS, Role.TECHNICIAN)
    categories = [
        TicketCategory.objects.get_or_create(code=f"sx-{i:02d}", defaults={"name": f"合成类别{i:02d}", "position": 100 + i})[0]
        for i in range(CATEGORIES)
    ]
    family, _ = ProductCategory.objects.get_or_create(code="sx", defaults={"name": "合成品类"})
    models = [
        ProductModel.objects.get_or_create(code=f"SX-{i:03d}", defaults={"category": family, "name": f"合成型号{i:03d}"})[0]
        for i in range(MODELS)
    ]
    return {
        "agent_ids": [u.pk for u in agents],
        "agent_teams": [u.team_id or 0 for u in agents],
        "tech_ids": [u.pk for u in techs],
        "tech_teams": [u.team_id or 0 for u in techs],
        "region_ids": [r.pk for r in regions],
        "category_ids": [c.pk for c in categories],
        "model_ids": [m.pk for m in models],
    }


def fill_facts(n: int, params: dict[str, object]) -> dict[str, float]:
    """N ticket facts and their job facts, 1 M per transaction; the existing ones are replaced."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE analytics_ticketfact, analytics_jobfact, analytics_staffday, analytics_backlogcell")
        cursor.execute("SELECT setseed(0.17)")
    for first in range(1, n + 1, SLICE):
        last = min(n, first + SLICE - 1)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")  # no ticket rows behind the facts
            cursor.execute(FACTS_SQL, {**params, "first": first, "last": last})
            cursor.execute(JOBS_SQL, {**params, "first": first, "last": last})
        print(f"  facts {last:,}/{n:,} ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
    facts_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE analytics_ticketfact")
        cursor.execute("ANALYZE analytics_jobfact")
    return {"facts_s": round(facts_s, 1)}


def build_rollups(params: dict[str, object], *, resume: bool = False) -> dict[str, object]:
    """The refresh's phases 2 and 3 (staff days, months) on the facts, then the backlog; with
    ``resume``, a run of them that stopped part-way goes on where it stopped."""
    from django.db import connection, transaction
    from django.utils import timezone

    from aftersales.analytics.models import RefreshPhase, RefreshState
    from aftersales.analytics.services.full import STATE, full_refresh

    now = timezone.now()
    state = RefreshState.objects.filter(name=STATE).first()
    fresh = not resume or state is None or state.full_phase in (RefreshPhase.IDLE, RefreshPhase.FACTS)
    if fresh:
        RefreshState.objects.update_or_create(
            name=STATE,
            defaults={
                "full_phase": RefreshPhase.DAYS,
                "full_day": None,
                "full_started_at": now,
                "full_event_id": 0,
                "full_ticket_id": 0,
            },
        )
    started = time.perf_counter()
    result = full_refresh(now=now, progress=lambda phase, n: None)
    rollup_s = time.perf_counter() - started
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM analytics_backlogcell")
        cursor.execute(BACKLOG_SQL, params)
        cells = cursor.rowcount
    backlog_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        for table in (
            "analytics_staffday",
            "analytics_staffmonth",
            "analytics_monthtotal",
            "analytics_monthchannel",
            "analytics_monthmodel",
            "analytics_backlogcell",
        ):
            cursor.execute(f"ANALYZE {table}")
    return {
        "rollups_s": round(rollup_s, 1),
        "staff_days": result.staff_days,
        "month_rows": result.months,
        "backlog_s": round(backlog_s, 1),
        "backlog_cells": cells,
    }


def build_staff_months(*, force: bool = False) -> dict[str, object]:
    """The person × month rollup (``StaffMonth``) from the existing staff days, nothing else
    rebuilt: for a database filled before the table existed (``--staff-months``, and ``--reuse``
    / ``--resume`` when it is not built yet). Each month commits on its own."""
    from django.db import connection

    from aftersales.analytics.models import RefreshState
    from aftersales.analytics.services.full import STATE
    from aftersales.analytics.services.staff_months import rebuild_all_staff_months

    state = RefreshState.objects.filter(name=STATE).first()
    if state is not None and state.staff_months_ready and not force:
        return {}
    started = time.perf_counter()
    written = rebuild_all_staff_months(progress=lambda month, n: print(f"staff months {month}: {n} rows changed", flush=True))
    RefreshState.objects.update_or_create(name=STATE, defaults={"staff_months_ready": True})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE analytics_staffmonth")
    return {"staff_months_s": round(time.perf_counter() - started, 1), "staff_month_rows_changed": written}


def time_kpis_from_days(requests: int) -> dict[str, dict[str, object]]:
    """The KPI pages as they were before ``StaffMonth``: the month rollup switched off (its ready
    flag) for the timing, then back on. Same database, same run: the before/after comparison."""
    from aftersales.analytics.models import RefreshState
    from aftersales.analytics.services.full import STATE

    RefreshState.objects.filter(name=STATE).update(staff_months_ready=False)
    try:
        pages = time_pages(requests, only=("kpis-cold", "kpis-365-days-cold"))
    finally:
        RefreshState.objects.filter(name=STATE).update(staff_months_ready=True)
    return pages


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, required=True, help="tickets the facts stand for")
    ap.add_argument("--db", default=None, help="database (default aftersales_bench_analytics_synth_n<N>)")
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--reuse", action="store_true", help="keep the facts and rollups of a previous run; time the pages only")
    ap.add_argument("--resume", action="store_true", help="keep the facts; build (or finish building) the rollups, then time")
    ap.add_argument(
        "--staff-months",
        action="store_true",
        help="(re)build only the person x month rollup from the existing staff days (with --reuse: nothing else rebuilt)",
    )
    ap.add_argument(
        "--kpis-from-days",
        action="store_true",
        help="also time the cold KPI pages from staff days alone (the path before the month rollup), same run",
    )
    a = ap.parse_args()
    db = a.db or f"aftersales_bench_analytics_synth_n{a.n}"
    if not db.startswith("aftersales_bench"):
        raise SystemExit("the bench database name must start with aftersales_bench")
    ensure_database(db, force=False)
    benchenv.django_setup(db)

    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from aftersales.analytics.models import (
        JobFact,
        MonthChannel,
        MonthModel,
        MonthTotal,
        StaffDay,
        StaffMonth,
        TicketFact,
    )
    from aftersales.tickets.choices import Channel
    from aftersales.tickets.states import OPEN_STATUS_LIST

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit("analytics_synthetic.py fills the facts with PostgreSQL's SQL: run it on PostgreSQL")
    call_command("migrate", "--noinput", verbosity=0)
    ensure_users()
    result: dict[str, object] = {"n": a.n, "db": db, "requests": a.requests, "load_before": os.getloadavg()}
    if not a.reuse:
        params: dict[str, object] = {
            **dimensions(),
            "today": timezone.localdate(),
            "now": timezone.now(),
            "days": DAYS,
            "agents": AGENTS,
            "techs": TECHNICIANS,
            "regions": REGIONS,
            "categories": CATEGORIES,
            "models": MODELS,
            "open": list(OPEN_STATUS_LIST),
            # Hotline, WeChat and the web carry most of the intake.
            "channels": ["hotline"] * 4
            + ["wechat"] * 3
            + ["web"] * 2
            + [str(c) for c in Channel.values if c not in ("hotline", "wechat", "web")],
        }
        if not a.resume:
            result |= fill_facts(a.n, params)
        result |= build_rollups(params, resume=a.resume)
    # A database filled before StaffMonth existed: build it from its staff days, nothing else.
    result |= build_staff_months(force=a.staff_months)
    result["rows"] = {
        "ticket_facts": TicketFact.objects.count(),
        "job_facts": JobFact.objects.count(),
        "staff_days": StaffDay.objects.count(),
        "staff_months": StaffMonth.objects.count(),
        "month_totals": MonthTotal.objects.count(),
        "month_channels": MonthChannel.objects.count(),
        "month_models": MonthModel.objects.count(),
    }
    pages = time_pages(a.requests)
    read = {t for page in pages.values() for t in page["tables"]}  # type: ignore[attr-defined]
    assert not read & set(TICKET_TABLES), f"a page reads a ticket table: {sorted(read & set(TICKET_TABLES))}"
    result["pages"] = pages
    if a.kpis_from_days:
        result["pages_kpis_from_days"] = time_kpis_from_days(a.requests)
    result["selectors"] = time_selectors(a.requests)
    result["load_after"] = os.getloadavg()
    out = benchenv.BENCH_DIR / "results" / f"analytics-synthetic-n{a.n}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    print(json.dumps(result, indent=2, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
