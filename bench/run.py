"""Run the benchmark workloads W1–W5 and this machine's ceilings; write JSON and a markdown table.

    .venv/bin/python bench/run.py --n 100000 [--runs 3] [--quick] [--only W2,W5] [--no-ceilings]

``--only`` runs some workloads alone (W1, W2, W3 = W3-zh and W3-en, W3-zh, W3-en, W4, W5), for
working on one of them; ``--no-ceilings`` skips the machine's ceilings (HTTP hello world, pgbench
inserts, the pages' raw SQL), whose ratios are then left out. A result written with either is
marked partial and is not a run for docs/benchmarks.md.

Expects the dataset loaded by bench/load.py (run.py calls it when the database is missing).
See docs/benchmarks.md for what each figure means. Load tools: h2load (W2–W5), wrk + Lua (W1,
HTTP ceilings), pgbench (insert ceilings, raw SQL latencies); all traffic to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchenv

REPO = benchenv.REPO
RESULTS = benchenv.BENCH_DIR / "results"
GUNICORN = REPO / ".venv" / "bin" / "gunicorn"
PYTHON = REPO / ".venv" / "bin" / "python"
HOST = "127.0.0.1"
PRODUCT_PORT = int(os.environ.get("BENCH_PORT", "8391"))
HELLO_PORT = PRODUCT_PORT + 1
KEYWORD_ZH, KEYWORD_EN = "漏水", "refund"
WORKLOADS = ("W2", "W3-zh", "W3-en", "W5", "W4", "W1")  # the reads in their interleaving order, then W1
READ_REQUESTS, READ_CONCURRENCY = 200, 4
W1_CLIENTS = 8
PGBENCH_CLIENTS = 8


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def sh(cmd: list[str], *, env: dict[str, str] | None = None, check: bool = True, timeout: float | None = None) -> str:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])}… failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return proc.stdout + proc.stderr


# --- statistics --------------------------------------------------------------------------------


def nearest_rank(sorted_values: list[float], q: float) -> float | None:
    if not sorted_values:
        return None
    k = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[k - 1]


def spread(values: list[float | None]) -> dict[str, float | None]:
    vals = [v for v in values if v is not None]
    if not vals:
        return {"median": None, "min": None, "max": None, "runs": len(values)}
    return {
        "median": round(statistics.median(vals), 3),
        "min": round(min(vals), 3),
        "max": round(max(vals), 3),
        "runs": len(vals),
    }


def summarize(runs: list[dict[str, Any]], keys: list[str]) -> dict[str, Any]:
    return {k: spread([r.get(k) for r in runs]) for k in keys}


# --- product server and login --------------------------------------------------------------------


def deploy_env() -> dict[str, str]:
    """deploy/production-2core.env as a dict (KEY=VALUE lines)."""
    env = {}
    for line in (REPO / "deploy" / "production-2core.env").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            k, v = line.split("=", 1)
            env[k.strip()] = v.strip()
    return env


def server_env(db: str, port: int) -> dict[str, str]:
    env = {**os.environ, **deploy_env(), **benchenv.product_env(db), "HOST": HOST, "PORT": str(port)}
    # The per-user API rate limit (120/min by default) would cap W1 at 2 tickets/s for one login;
    # the benchmark measures the intake path, not the limiter, so it runs without one.
    env["API_RATE_LIMIT_PER_MINUTE"] = "0"
    return env


class Server:
    """gunicorn with deploy/gunicorn.conf.py (optionally another WSGI app), stopped on exit."""

    def __init__(
        self, env: dict[str, str], port: int, app: str | None = None, pythonpath: str | None = None, logfile: Path | None = None
    ) -> None:
        self.env, self.port, self.app, self.pythonpath, self.logfile = env, port, app, pythonpath, logfile
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        cmd = [str(GUNICORN), "-c", str(REPO / "deploy" / "gunicorn.conf.py"), "--bind", f"{HOST}:{self.port}"]
        if self.pythonpath:
            cmd += ["--pythonpath", self.pythonpath]
        if self.app:
            cmd.append(self.app)
        out = open(self.logfile or os.devnull, "ab")
        self.proc = subprocess.Popen(cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}); see {self.logfile}")
            try:
                status, _h, _b = request("GET", self.port, "/healthz" if not self.app else "/")
                if status < 500:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def request(
    method: str, port: int, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, list[tuple[str, str]], bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.getheaders(), resp.read()
    finally:
        conn.close()


def cookies_from(headers: list[tuple[str, str]]) -> dict[str, str]:
    out = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            k, _, rest = value.partition("=")
            out[k.strip()] = rest.split(";", 1)[0]
    return out


def login(port: int, username: str = benchenv.AGENT_USERNAME) -> dict[str, str]:
    """As the UI does: GET the login page, POST the form with its CSRF token, keep the session."""
    status, headers, body = request("GET", port, "/accounts/login/")
    if status != 200:
        raise RuntimeError(f"login page answered {status}")
    jar = cookies_from(headers)
    m = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if not m or "csrftoken" not in jar:
        raise RuntimeError("no CSRF token on the login page")
    form = urllib.parse.urlencode(
        {
            "username": username,
            "password": benchenv.AGENT_PASSWORD,
            "csrfmiddlewaretoken": m.group(1).decode(),
            "next": "/tickets/",
        }
    )
    status, headers, _ = request(
        "POST",
        port,
        "/accounts/login/",
        form.encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={jar['csrftoken']}"},
    )
    jar.update(cookies_from(headers))
    if status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"login failed ({status}); is {username} loaded?")
    # The CSRF token rotates at login; the ticket list page hands out the current one.
    status, headers, _ = request("GET", port, "/tickets/", headers={"Cookie": cookie_header(jar)})
    jar.update(cookies_from(headers))
    if status != 200:
        raise RuntimeError(f"the ticket list answered {status} after login")
    return jar


def cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


# --- h2load (W2–W5) --------------------------------------------------------------------------------


def h2load(urls: list[str], jar: dict[str, str], *, n: int, c: int, tmp: Path) -> dict[str, Any]:
    urlfile = tmp / "urls.txt"
    urlfile.write_text("".join(f"http://{HOST}:{PRODUCT_PORT}{u}\n" for u in urls))
    logfile = tmp / "h2load.log"
    with contextlib.suppress(FileNotFoundError):
        logfile.unlink()
    out = sh(
        [
            "h2load",
            "--h1",
            "-n",
            str(n),
            "-c",
            str(c),
            "-i",
            str(urlfile),
            "-H",
            f"cookie: {cookie_header(jar)}",
            "--log-file",
            str(logfile),
        ],
        timeout=3600,
    )
    lat, ok, bad, first, last = [], 0, 0, None, None
    for line in logfile.read_text().splitlines() if logfile.exists() else []:
        parts = line.split("\t")
        if len(parts) < 3:
            continue
        start_us, status, dur_us = int(parts[0]), int(parts[1]), int(parts[2])
        lat.append(dur_us / 1000)
        ok += 200 <= status < 300
        bad += not (200 <= status < 300)
        first = start_us if first is None else min(first, start_us)
        last = start_us + dur_us if last is None else max(last, start_us + dur_us)
    m = re.search(
        r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout", out
    )
    failed = errored = timeouts = 0
    if m:
        failed, errored, timeouts = int(m.group(5)), int(m.group(6)), int(m.group(7))
    lat.sort()
    seconds = (last - first) / 1e6 if first is not None and last is not None and last > first else None
    return {
        "requests": len(lat),
        "ok": ok,
        "non2xx": bad,
        "socket_errors": errored + timeouts + max(0, failed - bad),
        "errors": bad + errored + timeouts + max(0, failed - bad),
        "p50_ms": nearest_rank(lat, 0.50),
        "p95_ms": nearest_rank(lat, 0.95),
        "p99_ms": nearest_rank(lat, 0.99),
        "max_ms": lat[-1] if lat else None,
        "rps": round(len(lat) / seconds, 1) if seconds else None,
    }


# --- wrk (W1 and HTTP ceilings) --------------------------------------------------------------------


def wrk(
    script: Path, port: int, *, seconds: int, connections: int, env: dict[str, str] | None = None, path: str = "/"
) -> dict[str, Any]:
    out = sh(
        [
            "wrk",
            "-t",
            str(min(connections, 8)),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://{HOST}:{port}{path}",
        ],
        env={**os.environ, **(env or {})},
        timeout=seconds + 120,
    )
    m = re.search(r"BENCHJSON (\{.*\})", out)
    if not m:
        raise RuntimeError(f"wrk printed no result:\n{out[-3000:]}")
    res = json.loads(m.group(1))
    res["seconds"] = seconds
    res["stderr_tail"] = "\n".join(line for line in out.splitlines() if "non-2xx" in line)[:1000]
    return res


# --- database helpers ------------------------------------------------------------------------------


def psql(db: str, sql: str) -> str:
    return sh(
        [
            "psql",
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            benchenv.PG_HOST,
            "-p",
            benchenv.PG_PORT,
            "-U",
            benchenv.PG_USER,
            "-d",
            db,
            "-c",
            sql,
        ]
    ).strip()


def pg_version(db: str) -> str:
    return psql(db, "SHOW server_version")


def pgbench(
    db: str, script: Path, *, clients: int, seconds: int, reconnect: bool, tmp: Path, latency_log: bool = False
) -> dict[str, Any]:
    cmd = [
        "pgbench",
        "-n",
        "-h",
        benchenv.PG_HOST,
        "-p",
        benchenv.PG_PORT,
        "-U",
        benchenv.PG_USER,
        "-c",
        str(clients),
        "-j",
        str(min(clients, 2)),
        "-T",
        str(seconds),
        "-f",
        str(script),
    ]
    if reconnect:
        cmd.append("-C")
    prefix = tmp / "pgblog"
    if latency_log:
        for old in tmp.glob("pgblog*"):
            old.unlink()
        cmd += ["-l", "--log-prefix", str(prefix)]
    out = sh([*cmd, db], timeout=seconds + 120)
    tps = re.search(r"tps = ([\d.]+) \((?:without|excluding)", out) or re.search(r"tps = ([\d.]+)", out)
    failed = re.search(r"number of failed transactions: (\d+)", out)
    res: dict[str, Any] = {"tps": float(tps.group(1)) if tps else None, "failed": int(failed.group(1)) if failed else 0}
    lat_m = re.search(r"latency average = ([\d.]+) ms", out)
    res["latency_avg_ms"] = float(lat_m.group(1)) if lat_m else None
    if latency_log:
        lat = []
        for f in tmp.glob("pgblog*"):
            for line in f.read_text().splitlines():
                parts = line.split()
                if len(parts) >= 3:
                    lat.append(int(parts[2]) / 1000)
        lat.sort()
        res.update(
            {
                "transactions": len(lat),
                "p50_ms": nearest_rank(lat, 0.5),
                "p95_ms": nearest_rank(lat, 0.95),
                "p99_ms": nearest_rank(lat, 0.99),
            }
        )
    return res


def ceiling_tables(db: str) -> tuple[str, str]:
    """Ticket-shaped tables (LIKE the product's, with its indexes and an FK event → ticket) and
    the pgbench scripts inserting one ticket, and one ticket + one event."""
    psql(
        db,
        """
        DROP TABLE IF EXISTS bench_ceiling_event, bench_ceiling_ticket;
        DROP SEQUENCE IF EXISTS bench_ceiling_seq;
        CREATE SEQUENCE bench_ceiling_seq;
        CREATE TABLE bench_ceiling_ticket (LIKE tickets_ticket INCLUDING ALL);
        CREATE TABLE bench_ceiling_event (LIKE tickets_ticketevent INCLUDING ALL);
        ALTER TABLE bench_ceiling_event ADD FOREIGN KEY (ticket_id) REFERENCES bench_ceiling_ticket(id);
    """,
    )

    def insert(table: str, overrides: dict[str, str]) -> str:
        rows = psql(
            db,
            f"""SELECT column_name, data_type FROM information_schema.columns
            WHERE table_name = '{table}' AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'
            ORDER BY ordinal_position""",
        )
        cols, vals = [], []
        for line in rows.splitlines():
            name, typ = line.split("|")
            cols.append(name)
            if name in overrides:
                vals.append(overrides[name])
            elif typ in ("character varying", "text"):
                vals.append("''")
            elif typ in ("integer", "bigint", "smallint"):
                vals.append("1")
            elif typ == "boolean":
                vals.append("false")
            elif typ.startswith("timestamp"):
                vals.append("now()")
            elif typ == "date":
                vals.append("current_date")
            elif typ == "jsonb":
                vals.append("'{}'")
            else:
                raise RuntimeError(f"no value for {table}.{name} ({typ})")
        return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(vals)})"

    zh = "洗衣机漏水，申请上门维修"
    desc = (
        "您好，我家的洗衣机最近一直漏水，已经按照说明书重启过，问题依旧。家里老人在用，比较着急，希望尽快安排师傅上门维修，谢谢！"
    )
    t = insert(
        "bench_ceiling_ticket",
        {
            "number": "'C' || nextval('bench_ceiling_seq')",
            "title": f"'{zh}'",
            "description": f"'{desc}'",
            "channel": "'api'",
            "status": "'registered'",
            "request_type": "'repair'",
            "priority": "3",
            "version": "1",
        },
    )
    e = insert("bench_ceiling_event", {"ticket_id": ":tid", "kind": "'created'", "body": f"'{desc}'"})
    return t + ";\n", f"BEGIN;\n{t} RETURNING id AS tid \\gset\n{e};\nCOMMIT;\n"


# --- capture of the product's SQL, targets of the workloads ------------------------------------


CAPTURE = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import benchenv
benchenv.django_setup(sys.argv[2])
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from aftersales.accounts.models import User
from aftersales.tickets.forms import TicketListFilterForm
from aftersales.tickets.selectors import TicketFilters, ticket_list_for_user
from django.conf import settings
user = User.objects.get(username=benchenv.AGENT_USERNAME)
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(user)
supervisor_client = Client(HTTP_HOST="127.0.0.1")
supervisor_client.force_login(User.objects.get(username=benchenv.SUPERVISOR_USERNAME))
out = {"page_size": settings.TICKET_LIST_PAGE_SIZE, "pages": {}}
agent_client = client
for name, url in json.loads(sys.argv[3]).items():
    client = supervisor_client if name == "W4" else agent_client
    client.get(url)  # warm caches of the process (ContentTypes, translations)
    failed = []  # per executed statement, in order: did it raise (a search count over its time budget)?
    def record(execute, sql, params, many, context):
        try:
            result = execute(sql, params, many, context)
        except Exception:
            failed.append(True)
            raise
        failed.append(False)
        return result
    with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(record):
        resp = client.get(url)
    control = [q["sql"] for q in ctx.captured_queries]
    flags = iter(failed)
    queries = [q if q in ("BEGIN", "COMMIT", "ROLLBACK") or not next(flags) else "-- cancelled: " + q for q in control]
    out["pages"][name] = {"url": url, "status": resp.status_code, "bytes": len(resp.content), "queries": queries}
    if name.startswith("W2") or name.startswith("W3"):
        from urllib.parse import urlparse, parse_qs
        qs = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
        v = TicketListFilterForm(qs).values()
        f = TicketFilters(statuses=(), open_only=v["status"] == "open", priority=None, channel="", query=v["q"], queue="")
        out["pages"][name]["total"] = ticket_list_for_user(user=user, filters=f, sort=v["sort"]).total
print("CAPTUREJSON " + json.dumps(out, ensure_ascii=False))
"""


def capture(db: str, urls: dict[str, str]) -> dict[str, Any]:
    out = sh(
        [str(PYTHON), "-c", CAPTURE, str(benchenv.BENCH_DIR), db, json.dumps(urls, ensure_ascii=False)],
        env={**os.environ, **benchenv.product_env(db)},
    )
    m = re.search(r"CAPTUREJSON (\{.*\})", out)
    if not m:
        raise RuntimeError(f"query capture failed:\n{out[-3000:]}")
    return json.loads(m.group(1))


def main_query(queries: list[str]) -> list[str]:
    """The workload's own statements: those on the ticket / event tables (not session, user,
    notification inbox …), with the page's transaction blocks and planner settings (``SET
    LOCAL`` in ``BEGIN … ROLLBACK``, set by the page with ``set_config(…, true)``: they apply to
    the statements of their block only). Left
    out: a statement the page cancelled at its time budget (a search count that then counted
    another way) and the budgets themselves (``set_config('statement_timeout', …)``)."""
    picked = []
    for q in queries:
        if q.startswith("SELECT set_config("):
            # The page sets its block's planner settings and time budget in one statement:
            # replayed as SET LOCAL, without the budget.
            picked += [
                f"SET LOCAL {name} = {value}"
                for name, value in re.findall(r"set_config\('(\w+)', '([^']*)', true\)", q)
                if name != "statement_timeout"
            ]
        elif q in ("BEGIN", "COMMIT", "ROLLBACK"):
            if q == "BEGIN" or (picked and picked[-1] != "BEGIN"):
                picked.append(q)
            else:
                picked.pop()  # an empty block
        elif q.startswith("SET LOCAL") or (
            not q.startswith("-- cancelled") and ("tickets_ticket" in q or "analytics_ticketcount" in q)
        ):
            picked.append(q)
    return picked


def w5_numbers(db: str, count: int, seed: int) -> list[str]:
    """``count`` random tickets that have exactly 10 timeline events (seeded)."""
    lo, hi = (int(x) for x in psql(db, "SELECT min(id), max(id) FROM tickets_ticket").split("|"))
    rng = random.Random(seed)
    picked: list[str] = []
    seen: set[int] = set()
    while len(picked) < count and len(seen) < hi - lo + 1:
        ids = [rng.randint(lo, hi) for _ in range(count * 2)]
        seen.update(ids)
        rows = psql(
            db,
            f"""SELECT t.number FROM tickets_ticket t WHERE t.id IN ({",".join(map(str, ids))})
                AND (SELECT count(*) FROM tickets_ticketevent e WHERE e.ticket_id = t.id) = 10""",
        )
        for number in rows.splitlines():
            if number not in picked:
                picked.append(number)
    return picked[:count]


def w4_sql() -> str:
    """The W4 query shape without the maintained aggregates (for comparison, "W4-scan"): ticket
    counts by status × category over all tickets — a full scan."""
    return "SELECT status, category_id, count(*) FROM tickets_ticket GROUP BY status, category_id;\n"


# --- the run ---------------------------------------------------------------------------------------


def ensure_tools() -> None:
    missing = [t for t in ("wrk", "h2load", "pgbench", "psql") if shutil.which(t) is None]
    if missing:
        raise SystemExit(f"missing tools: {', '.join(missing)} (run `make bench-tools`)")


def machine(db: str) -> dict[str, Any]:
    mem = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = round(int(line.split()[1]) / 1024 / 1024, 1)
    cpu = ""
    with contextlib.suppress(OSError):
        cpu = next(
            (ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("model name")),
            "",
        )
    load = os.getloadavg()
    settings_rows = psql(
        db,
        "SELECT name || '=' || setting FROM pg_settings WHERE name IN "
        "('shared_buffers','synchronous_commit','fsync','work_mem','max_connections','autovacuum')",
    )
    return {
        "nproc": os.cpu_count(),
        "mem_gib": mem,
        "cpu": cpu,
        "kernel": platform.release(),
        "postgresql": pg_version(db),
        "pg_settings": settings_rows.splitlines(),
        "loadavg_at_start": [round(x, 2) for x in load],
        "tools": {
            t: sh([t, "--version"], check=False).splitlines()[0][:80]
            if t != "wrk"
            else sh(["wrk", "-v"], check=False).splitlines()[0][:80]
            for t in ("h2load", "pgbench", "wrk")
        },
    }


def main() -> None:
    ap = argparse.ArgumentParser(description="Run W1–W5 and the ceilings (see module docstring).")
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="short durations (smoke run)")
    ap.add_argument("--db", default=None)
    ap.add_argument("--w1-seconds", type=int, default=None)
    ap.add_argument("--ceiling-seconds", type=int, default=None)
    ap.add_argument("--skip-load", action="store_true", help="assume the database is loaded")
    ap.add_argument("--only", default=None, help="comma-separated workloads to run alone, e.g. W2,W5 (W3 = W3-zh,W3-en)")
    ap.add_argument("--no-ceilings", action="store_true", help="skip the ceilings (hello world, pgbench, raw SQL)")
    a = ap.parse_args()
    try:
        selected = workloads_selected(a.only)
    except ValueError as exc:
        ap.error(str(exc))
    ceilings_wanted = not a.no_ceilings
    ensure_tools()
    db = a.db or benchenv.db_name(a.n)
    w1_seconds = a.w1_seconds or (5 if a.quick else 30)
    w1_warmup = 2 if a.quick else 5
    ceil_seconds = a.ceiling_seconds or (3 if a.quick else 15)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    tmp = Path(tempfile.mkdtemp(prefix="bench-", dir=os.environ.get("BENCH_TMP")))
    var = benchenv.var_dir()
    var.mkdir(parents=True, exist_ok=True)
    server_log = var / f"gunicorn-{stamp}.log"

    load_info: dict[str, Any] = {}
    if not a.skip_load:
        log(f"loading N={a.n} into {db} (reused when already loaded)")
        proc = subprocess.run(
            [str(PYTHON), str(benchenv.BENCH_DIR / "load.py"), "--n", str(a.n), "--db", db],
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
        load_info = json.loads(proc.stdout.strip().splitlines()[-1])
    else:
        with contextlib.suppress(Exception):
            load_info = json.loads(psql(db, "SELECT info FROM bench_load_info ORDER BY id DESC LIMIT 1"))

    result: dict[str, Any] = {
        "stamp": stamp,
        "n": a.n,
        "runs": a.runs,
        "quick": a.quick,
        "workloads": list(selected),
        "ceilings_run": ceilings_wanted,
        "partial": selected != WORKLOADS or not ceilings_wanted,
        "db": db,
        "machine": machine(db),
        "load": load_info,
        "params": {
            "read_requests": READ_REQUESTS,
            "read_concurrency": READ_CONCURRENCY,
            "w1_clients": W1_CLIENTS,
            "w1_seconds": w1_seconds,
            "w1_warmup_seconds": w1_warmup,
            "ceiling_seconds": ceil_seconds,
            "pgbench_clients": PGBENCH_CLIENTS,
            "server": deploy_env(),
        },
    }
    q_en = urllib.parse.quote(KEYWORD_EN)
    q_zh = urllib.parse.quote(KEYWORD_ZH)
    numbers = w5_numbers(db, 200, seed=a.n)
    read_urls = {
        "W2": ["/tickets/?status=open&sort=due"],
        "W3-zh": [f"/tickets/?status=all&sort=-created&q={q_zh}"],
        "W3-en": [f"/tickets/?status=all&sort=-created&q={q_en}"],
        "W5": [f"/tickets/{num}/" for num in numbers],
        "W4": ["/dashboard/"],  # as supervisor01 (the dashboard is a supervisor's page)
    }
    read_urls = {name: urls for name, urls in read_urls.items() if name in selected}
    log("capturing the SQL of each page")
    cap = capture(db, {k: v[0] for k, v in read_urls.items()})
    result["pages"] = {
        k: {kk: vv for kk, vv in v.items() if kk != "queries"} | {"query_count": len(v["queries"])}
        for k, v in cap["pages"].items()
    }
    result["page_size"] = cap["page_size"]
    sql_files = {}
    for name, page in cap["pages"].items():
        statements = main_query(page["queries"])
        path = tmp / f"{name}.sql"
        path.write_text("".join(s.rstrip(";") + ";\n" for s in statements))
        sql_files[name] = path
        result["pages"][name]["workload_sql"] = statements
    if "W4" in selected:
        w4 = tmp / "W4-scan.sql"
        w4.write_text(w4_sql())
        sql_files["W4-scan"] = w4
    if not ceilings_wanted:
        sql_files = {}

    reads: dict[str, list[dict[str, Any]]] = {k: [] for k in read_urls}
    w1_runs: list[dict[str, Any]] = []
    penv = server_env(db, PRODUCT_PORT)
    with Server(penv, PRODUCT_PORT, logfile=server_log):
        jar = login(PRODUCT_PORT)
        jars = {"W4": login(PRODUCT_PORT, benchenv.SUPERVISOR_USERNAME)}
        log(f"signed in as {benchenv.AGENT_USERNAME}; read workloads, {a.runs} interleaved runs")
        for run in range(a.runs):
            for name, urls in read_urls.items():
                h2load(urls, jars.get(name, jar), n=2 * READ_CONCURRENCY, c=READ_CONCURRENCY, tmp=tmp)  # warm-up
                res = h2load(urls, jars.get(name, jar), n=READ_REQUESTS, c=READ_CONCURRENCY, tmp=tmp)
                res["run"] = run + 1
                reads[name].append(res)
                log(
                    f"  {name} run {run + 1}: p50 {res['p50_ms']} ms, p99 {res['p99_ms']} ms, "
                    f"{res['rps']} req/s, errors {res['errors']}"
                )
        emails = psql(
            db,
            "SELECT string_agg(email, ',') FROM (SELECT email FROM customers_customer WHERE email <> '' ORDER BY id LIMIT 200) s",
        )
        categories = psql(db, "SELECT string_agg(code, ',') FROM tickets_ticketcategory WHERE active")
        # W1's tickets are the newest: counting and deleting them by id > base uses the primary
        # key instead of scanning every title (10 M rows).
        base_id = int(psql(db, "SELECT coalesce(max(id), 0) FROM tickets_ticket"))
        for run in range(a.runs if "W1" in selected else 0):
            run_id = f"{stamp}-{run + 1}"
            w1_env = {
                "W1_SESSION": jar["sessionid"],
                "W1_CSRF": jar["csrftoken"],
                "W1_EMAILS": emails,
                "W1_CATEGORIES": categories,
            }
            wrk(
                benchenv.BENCH_DIR / "lua" / "w1_intake.lua",
                PRODUCT_PORT,
                seconds=w1_warmup,
                connections=W1_CLIENTS,
                env={**w1_env, "W1_RUN": f"warm-{run_id}"},
            )
            delete_w1(db, "warm-" + run_id, base_id)
            res = wrk(
                benchenv.BENCH_DIR / "lua" / "w1_intake.lua",
                PRODUCT_PORT,
                seconds=w1_seconds,
                connections=W1_CLIENTS,
                env={**w1_env, "W1_RUN": run_id},
            )
            time.sleep(2)  # let requests in flight at the deadline finish before counting
            rows = int(psql(db, f"SELECT count(*) FROM tickets_ticket WHERE id > {base_id} AND title LIKE '[W1:{run_id}:%'"))
            # Requests sent but unanswered at the deadline; a client has at most one in flight.
            in_flight = min(max(0, res["sent"] - res["answered"]), W1_CLIENTS)
            res.update(
                {
                    "run": run + 1,
                    "rows": rows,
                    "in_flight": in_flight,
                    "sent_minus_answered": res["sent"] - res["answered"],
                    "accepted_per_s": round(res["ok"] / w1_seconds, 1),
                    "row_check_ok": res["ok"] <= rows <= res["ok"] + in_flight,
                    "errors": res["non2xx"] + res["socket_errors"],
                }
            )
            deleted = delete_w1(db, run_id, base_id)
            res["deleted"] = deleted
            w1_runs.append(res)
            log(
                f"  W1 run {run + 1}: {res['accepted_per_s']} tickets/s, p99 {res['p99_ms']} ms, rows {rows} "
                f"(accepted {res['ok']}, in flight {in_flight}) check {'OK' if res['row_check_ok'] else 'FAILED'}"
            )

        # Diagnostic (not a workload): one client alone. If 8 clients reach about the same
        # tickets/s as one, intake is serialised (a lock held through the transaction).
        single_id = f"{stamp}-single"
        single = (
            None
            if "W1" not in selected
            else wrk(
                benchenv.BENCH_DIR / "lua" / "w1_intake.lua",
                PRODUCT_PORT,
                seconds=min(w1_seconds, 10),
                connections=1,
                env={**w1_env, "W1_RUN": single_id},
            )
        )
        if single is not None:
            single["accepted_per_s"] = round(single["ok"] / single["seconds"], 1)
            time.sleep(1)
            single["deleted"] = delete_w1(db, single_id, base_id)
            result["w1_single_client"] = single
            log(f"  W1 with 1 client: {single['accepted_per_s']} tickets/s, p50 {single['p50_ms']} ms")
        # W1 leaves dead rows behind in every table intake writes: its deleted tickets at the
        # newest end of the created_at index that searches walk, their SLA clocks (the dataset
        # has almost none, so ~100,000 dead clocks turned the ticket page's clock read into a
        # 3 ms scan of a stale index), dashboard counts, jobs, notifications, audit rows.
        # Vacuum the whole database now, what autovacuum does later (and must: some machines run
        # PostgreSQL with autovacuum off, see docs/benchmarks.md), so that the raw-SQL replay
        # below and the reads of the next run on this database find the dataset as loaded. The
        # visibility map lets VACUUM skip the pages W1 did not touch, also at 10 M.
        if "W1" in selected:
            started = time.monotonic()
            psql(db, "VACUUM ANALYZE")
            result["w1_vacuum_seconds"] = round(time.monotonic() - started, 1)
            log(f"  VACUUM ANALYZE after W1's clean-up: {result['w1_vacuum_seconds']} s")

    hello: dict[str, list[dict[str, Any]]] = {"django": [], "bare_wsgi": []}
    inserts: dict[str, list[dict[str, Any]]] = {
        f"{k}_{c}": [] for k in ("ticket", "ticket_event") for c in ("reconnect", "persistent")
    }
    raw: dict[str, list[dict[str, Any]]] = {k: [] for k in sql_files}
    explain: dict[str, list[str]] = {}
    if ceilings_wanted:
        log("ceilings: HTTP hello world (Django view, bare WSGI) through deploy/gunicorn.conf.py")
        hello_env = {**server_env(db, HELLO_PORT)}
        for kind, app in (("django", "django_hello:app"), ("bare_wsgi", "bare_wsgi:app")):
            with Server(hello_env, HELLO_PORT, app=app, pythonpath=str(benchenv.BENCH_DIR / "hello"), logfile=server_log):
                for _run in range(a.runs):
                    wrk(benchenv.BENCH_DIR / "lua" / "hello.lua", HELLO_PORT, seconds=1, connections=W1_CLIENTS)
                    res = wrk(benchenv.BENCH_DIR / "lua" / "hello.lua", HELLO_PORT, seconds=ceil_seconds, connections=W1_CLIENTS)
                    res["rps"] = round(res["completed"] / (res["duration_us"] / 1e6), 1)
                    hello[kind].append(res)
                    log(f"  hello {kind}: {res['rps']} req/s, p99 {res['p99_ms']} ms")

        log("ceilings: pgbench inserts (8 clients, reconnect per transaction) and raw SQL of W2–W5")
        one, two = ceiling_tables(db)
        (tmp / "insert_ticket.sql").write_text(one)
        (tmp / "insert_ticket_event.sql").write_text(two)
        # workloads.md: reconnect per transaction (-C). The product keeps its connections
        # (CONN_MAX_AGE), so the same inserts over persistent connections are measured too.
        for _run in range(a.runs):
            for kind in ("ticket", "ticket_event"):
                for conn in ("reconnect", "persistent"):
                    res = pgbench(
                        db,
                        tmp / f"insert_{kind}.sql",
                        clients=PGBENCH_CLIENTS,
                        seconds=ceil_seconds,
                        reconnect=conn == "reconnect",
                        tmp=tmp,
                    )
                    inserts[f"{kind}_{conn}"].append(res)
                    log(f"  pgbench insert {kind} ({conn}): {res['tps']} tps")
        psql(db, "DROP TABLE bench_ceiling_event, bench_ceiling_ticket; DROP SEQUENCE bench_ceiling_seq;")
        for _run in range(a.runs):
            for name, path in sql_files.items():
                res = pgbench(db, path, clients=1, seconds=ceil_seconds, reconnect=False, tmp=tmp, latency_log=True)
                raw[name].append(res)
                log(f"  raw SQL {name}: p50 {res['p50_ms']} ms, p99 {res['p99_ms']} ms")
        for name, path in sql_files.items():
            statements = [s for s in path.read_text().split(";\n") if s.strip()]
            explain[name] = []
            settings: list[str] = []  # SET LOCAL of the page apply to its next statement(s) in the transaction
            for s in statements:
                if s.strip() in ("BEGIN", "COMMIT", "ROLLBACK"):
                    settings = []
                elif s.startswith("SET LOCAL"):
                    settings.append(s)
                else:
                    prefix = "BEGIN; " + "; ".join(settings) + "; " if settings else ""
                    explain[name].append(psql(db, f"{prefix}EXPLAIN (ANALYZE, BUFFERS) {s}" + ("; COMMIT" if settings else "")))

    # --- summaries and ratios ----------------------------------------------------------------
    lat_keys = ["p50_ms", "p95_ms", "p99_ms", "rps", "errors"]
    summary: dict[str, Any] = {}
    hello_rps = spread([r["rps"] for r in hello["django"]])["median"]
    for name, runs in reads.items():
        s = summarize(runs, lat_keys)
        raw_name = name
        raw_p50 = spread([r["p50_ms"] for r in raw.get(raw_name, [])])["median"]
        s["raw_sql_p50_ms"] = raw_p50
        s["ratio_rps_to_hello_django"] = round(s["rps"]["median"] / hello_rps, 4) if hello_rps and s["rps"]["median"] else None
        s["ratio_raw_sql_to_p50"] = round(raw_p50 / s["p50_ms"]["median"], 4) if raw_p50 and s["p50_ms"]["median"] else None
        if name in result["pages"] and "total" in result["pages"][name]:
            s["total_matches"] = result["pages"][name]["total"]
        summary[name] = s
    summary["W4-scan"] = {
        "note": "the same grid by a full GROUP BY over the tickets (what the aggregates avoid)",
        "raw_sql_p50_ms": spread([r["p50_ms"] for r in raw.get("W4-scan", [])])["median"],
        "raw_sql_p99_ms": spread([r["p99_ms"] for r in raw.get("W4-scan", [])])["median"],
    }
    w1 = summarize(w1_runs, ["accepted_per_s", "p50_ms", "p95_ms", "p99_ms", "errors"])
    for conn in ("reconnect", "persistent"):
        ceiling_te = spread([r["tps"] for r in inserts[f"ticket_event_{conn}"]])["median"]
        w1[f"ratio_to_pgbench_ticket_event_{conn}"] = (
            round(w1["accepted_per_s"]["median"] / ceiling_te, 4)
            if ceiling_te and w1["accepted_per_s"]["median"] is not None
            else None
        )
    w1["row_check_all_ok"] = all(r["row_check_ok"] for r in w1_runs)  # True when W1 did not run
    summary["W1"] = w1
    result.update(
        {
            "reads": reads,
            "w1": w1_runs,
            "hello": hello,
            "pgbench_insert": inserts,
            "raw_sql": raw,
            "explain": explain,
            "summary": summary,
            "ceilings": {
                "hello_django_rps": spread([r["rps"] for r in hello["django"]]),
                "hello_bare_wsgi_rps": spread([r["rps"] for r in hello["bare_wsgi"]]),
                **{f"pgbench_insert_{k}_tps": spread([r["tps"] for r in v]) for k, v in inserts.items()},
                "raw_sql": {k: summarize(v, ["p50_ms", "p95_ms", "p99_ms"]) for k, v in raw.items()},
            },
            "loadavg_at_end": [round(x, 2) for x in os.getloadavg()],
        }
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    base = RESULTS / f"{stamp}-{a.n}"
    base.with_suffix(".json").write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str))
    base.with_suffix(".md").write_text(markdown(result))
    shutil.rmtree(tmp, ignore_errors=True)
    log(f"wrote {base}.json and .md")
    print(markdown(result))
    if not w1["row_check_all_ok"] or any(s.get("errors", {}).get("median") for k, s in summary.items() if k != "W4-scan"):
        log("WARNING: errors or a failed W1 row check; see the JSON")


def workloads_selected(only: str | None) -> tuple[str, ...]:
    """The workloads ``--only`` names, in the run's order (all of them without it)."""
    if not only:
        return WORKLOADS
    wanted: set[str] = set()
    for name in (part.strip().upper().replace("-ZH", "-zh").replace("-EN", "-en") for part in only.split(",")):
        if name == "W3":
            wanted |= {"W3-zh", "W3-en"}
        elif name in WORKLOADS:
            wanted.add(name)
        elif name:
            raise ValueError(f"--only: unknown workload {name!r} (choose from W1, W2, W3, W3-zh, W3-en, W4, W5)")
    if not wanted:
        raise ValueError("--only: name at least one workload")
    return tuple(w for w in WORKLOADS if w in wanted)


def delete_w1(db: str, run_id: str, base_id: int) -> int:
    """Delete the run's tickets through the ORM (cascades to events, SLA clocks …)."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import benchenv; benchenv.django_setup(sys.argv[2]);"
        "from aftersales.tickets.models import Ticket;"
        "from django.db import transaction;\n"
        "with transaction.atomic():\n"
        "    qs = Ticket.objects.filter(pk__gt=int(sys.argv[4]), title__startswith='[W1:' + sys.argv[3] + ':');"
        " n = qs.count(); Ticket.objects.filter(merged_into__in=qs).update(merged_into=None);"
        " from collections import Counter; from aftersales.tickets.counts import ticket_counts_bulk_add;"
        " gone = Counter(qs.values_list('status', 'category_id', 'region_id'));"
        " qs.delete(); ticket_counts_bulk_add({k: -v for k, v in gone.items()})\n"
        "print('DELETED', n)"
    )
    out = sh(
        [str(PYTHON), "-c", code, str(benchenv.BENCH_DIR), db, run_id, str(base_id)],
        env={**os.environ, **benchenv.product_env(db)},
    )
    m = re.search(r"DELETED (\d+)", out)
    return int(m.group(1)) if m else -1


def fmt(s: dict[str, Any] | None, unit: str = "") -> str:
    if not s or s.get("median") is None:
        return "–"
    med, lo, hi = s["median"], s["min"], s["max"]
    f = (lambda x: f"{x:,.1f}") if max(abs(med), abs(hi)) < 100 else (lambda x: f"{x:,.0f}")
    return f"{f(med)}{unit} ({f(lo)}–{f(hi)})"


def markdown(r: dict[str, Any]) -> str:
    s, c = r["summary"], r["ceilings"]
    m = r["machine"]
    lines = [
        f"### Run {r['stamp']} — N = {r['n']:,}, {r['runs']} run(s){' — QUICK (smoke) run' if r['quick'] else ''}"
        f"{' — PARTIAL: ' + ', '.join(r['workloads']) + ('' if r['ceilings_run'] else ', no ceilings') if r.get('partial') else ''}",
        "",
        f"Machine: {m['nproc']} cores ({m['cpu']}), {m['mem_gib']} GiB, PostgreSQL {m['postgresql']}; "
        f"load average at start {m['loadavg_at_start']}, at end {r.get('loadavg_at_end')}.",
        f"Load: {r['load'].get('tickets', '?'):,} tickets, {r['load'].get('events', '?'):,} events in "
        f"{r['load'].get('load_seconds', '?')} s (+ VACUUM ANALYZE {r['load'].get('vacuum_analyze_seconds', '?')} s)"
        f"{' (reused)' if r['load'].get('reused') else ''}."
        if isinstance(r["load"].get("tickets"), int)
        else "Load: see JSON.",
        "",
        "Figures: median (min–max) over runs. Ratios: read throughput ÷ Django hello-world throughput; "
        "raw-SQL p50 ÷ page p50 (share of the page's time spent in its own SQL); W1 tickets/s ÷ pgbench ticket+event tps.",
        "",
        "| Workload | p50 ms | p95 ms | p99 ms | req/s | errors | matches | raw SQL p50 ms | ratio req/s ÷ hello | ratio SQL ÷ p50 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in ("W2", "W3-zh", "W3-en", "W4", "W5"):
        if name not in r.get("workloads", WORKLOADS):
            continue
        x = s[name]
        lines.append(
            f"| {name} | {fmt(x['p50_ms'])} | {fmt(x['p95_ms'])} | {fmt(x['p99_ms'])} | {fmt(x['rps'])} | "
            f"{fmt(x['errors'])} | {x.get('total_matches', '–')} | {x['raw_sql_p50_ms']} | "
            f"{x['ratio_rps_to_hello_django']} | {x['ratio_raw_sql_to_p50']} |"
        )
    ran = r.get("workloads", WORKLOADS)
    ceilings_run = r.get("ceilings_run", True)
    if "W4" in ran and ceilings_run:
        lines.append(
            f"| W4-scan (GROUP BY over all tickets, for comparison) | | | | | | | {s['W4-scan']['raw_sql_p50_ms']} | | |"
        )
    w1 = s["W1"]
    w1_lines = [
        "",
        "| W1 intake | tickets/s | p50 ms | p95 ms | p99 ms | errors | rows check | ratio to pgbench ticket+event "
        "(reconnect / persistent) |",
        "|---|---|---|---|---|---|---|---|",
        f"| POST /api/v1/tickets, 8 clients, {r['params']['w1_seconds']} s | {fmt(w1['accepted_per_s'])} | {fmt(w1['p50_ms'])} | "
        f"{fmt(w1['p95_ms'])} | {fmt(w1['p99_ms'])} | {fmt(w1['errors'])} | "
        f"{'OK' if w1['row_check_all_ok'] else 'FAILED'} | {w1['ratio_to_pgbench_ticket_event_reconnect']} / "
        f"{w1['ratio_to_pgbench_ticket_event_persistent']} |",
    ]
    if "W1" in ran:
        lines += w1_lines
    ceiling_lines = [
        "",
        "| Ceiling | value |",
        "|---|---|",
        f"| pgbench INSERT ticket, 8 clients, reconnect per tx (tps) | {fmt(c['pgbench_insert_ticket_reconnect_tps'])} |",
        f"| pgbench INSERT ticket + event, 8 clients, reconnect per tx (tps) | "
        f"{fmt(c['pgbench_insert_ticket_event_reconnect_tps'])} |",
        f"| pgbench INSERT ticket, 8 clients, persistent connections (tps) | {fmt(c['pgbench_insert_ticket_persistent_tps'])} |",
        f"| pgbench INSERT ticket + event, 8 clients, persistent connections (tps) | "
        f"{fmt(c['pgbench_insert_ticket_event_persistent_tps'])} |",
        f"| HTTP hello world, Django view, gunicorn 2-core config (req/s) | {fmt(c['hello_django_rps'])} |",
        f"| HTTP hello world, bare WSGI, gunicorn 2-core config (req/s) | {fmt(c['hello_bare_wsgi_rps'])} |",
    ]
    if ceilings_run:
        lines += ceiling_lines
        for name, v in c["raw_sql"].items():
            lines.append(f"| raw SQL {name} (pgbench, 1 client): p50 / p99 ms | {fmt(v['p50_ms'])} / {fmt(v['p99_ms'])} |")
    w1r = r["w1"]
    if r.get("w1_single_client"):
        x = r["w1_single_client"]
        lines += [
            "",
            f"W1 diagnostic, 1 client alone: {x['accepted_per_s']} tickets/s, p50 {x['p50_ms']} ms, p99 {x['p99_ms']} ms "
            "(compare with 8 clients: a serialised intake gives about the same tickets/s).",
        ]
    if w1r:
        checks = "; ".join(
            f"run {x['run']}: accepted {x['ok']}, rows {x['rows']}, in flight {x['in_flight']} "
            f"(sent − answered {x['sent_minus_answered']}) → "
            f"{'OK' if x['row_check_ok'] else 'FAILED'}"
            for x in w1r
        )
        lines += ["", f"W1 row check per run: {checks}"]
    lines.append("")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
