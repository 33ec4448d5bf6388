"""Intake throughput with the triage on and off (issue 20: "intake throughput does not drop when
triage is enabled"), and the triage job's own cost per ticket.

The triage's work runs in the one job every intake queues (``tickets.tasks.ticket_created_later``,
with the intake's commit: one job row on the database backend, whatever the apps listening); the
suggestion and the duplicate search run in a worker, never in the intake. With ``TRIAGE_ENABLED``
on or off the intake writes the same rows; an earlier version queued a triage job of its own.
This script registers tickets through the intake service (what every channel calls),
in alternating rounds with ``TRIAGE_ENABLED`` off and on, and reports tickets/s and p50/p99 per
intake of each; then it runs the queued triage jobs as a worker would and reports their time
(engine and duplicate search, the result's own timings).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aftersales_bench_triage \\
      .venv/bin/python bench/triage_intake.py --tickets 300 --rounds 3

Writes one JSON line. It adds tickets (titles starting with ``[TRIAGE-BENCH]``) to the database
it runs on: run it on a benchmark database (migrated: ``manage.py migrate``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics as stats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from aftersales.tickets.choices import Channel, RequestType  # noqa: E402
from aftersales.tickets.services.intake import IntakeInput, ticket_intake  # noqa: E402
from aftersales.triage.models import TriageResult  # noqa: E402
from aftersales.triage.services import triage_run  # noqa: E402

# Invented complaint texts (never the labelled development set).
PRODUCTS = ("热水器", "空调", "洗衣机", "冰箱", "净水器", "洗碗机", "油烟机", "电水壶")
PROBLEMS = (
    "用了不到一个月就{p}坏了，开机没反应，请尽快安排维修。",
    "{p}漏水，地板都泡了，打了两次客服电话都没人回。",
    "安装师傅迟到三个小时，还要额外收安装费，{p}到现在也没装好。",
    "快递把{p}的外壳摔凹了，包装也破了，要求换货。",
    "{p}插头发热冒烟，有焦糊味，吓得不敢再用。",
    "客服态度很差，问{p}的保修政策一直推脱，要求投诉。",
    "{p}维修了三次还是同样的问题，要求退货退款。",
)


def _input(rng: random.Random, i: int, run: str) -> IntakeInput:
    product = rng.choice(PRODUCTS)
    return IntakeInput(
        channel=rng.choice((Channel.HOTLINE, Channel.WEB, Channel.APP, Channel.WECHAT)),
        customer_name="基准客户",
        phone=f"139{rng.randrange(10**8):08d}",
        title=f"[TRIAGE-BENCH:{run}] {product}",
        description=rng.choice(PROBLEMS).format(p=product),
        request_type=RequestType.REPAIR,
    )


def _round(n: int, *, enabled: bool, rng: random.Random, run: str) -> tuple[dict[str, float], list[int]]:
    settings.TRIAGE_ENABLED = enabled
    times: list[float] = []
    ids: list[int] = []
    started = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        ids.append(ticket_intake(data=_input(rng, i, run)).ticket.pk)
        times.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    times.sort()
    return {
        "tickets_per_s": round(n / elapsed, 1),
        "p50_ms": round(times[len(times) // 2], 2),
        "p99_ms": round(times[max(0, int(len(times) * 0.99) - 1)], 2),
    }, ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=300, help="intakes per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of off + on")
    parser.add_argument("--worker", type=int, default=200, help="triage jobs to run and time afterwards (0: none)")
    a = parser.parse_args()
    rng = random.Random(20)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    off: list[dict[str, float]] = []
    on: list[dict[str, float]] = []
    triaged: list[int] = []
    for r in range(a.rounds):
        # Alternate the order so that a warming cache or a growing table favours neither.
        order = (False, True) if r % 2 == 0 else (True, False)
        for enabled in order:
            figures, ids = _round(a.tickets, enabled=enabled, rng=rng, run=f"{stamp}-{r}")
            (on if enabled else off).append(figures)
            if enabled:
                triaged.extend(ids)
    worker: dict[str, object] = {}
    if a.worker:
        settings.TRIAGE_ENABLED = True
        sample = triaged[: a.worker]
        t0 = time.perf_counter()
        for ticket_id in sample:
            triage_run(ticket_id=ticket_id)
        elapsed = time.perf_counter() - t0
        rows = list(TriageResult.objects.filter(ticket_id__in=sample).values_list("status", "engine_ms", "duplicates_ms"))
        engine_ms = sorted(e for s, e, _d in rows if s == "done" and e is not None)
        dup_ms = sorted(d for s, _e, d in rows if s == "done" and d is not None)
        worker = {
            "jobs": len(sample),
            "jobs_per_s": round(len(sample) / elapsed, 1) if elapsed else None,
            "done": sum(1 for s, _e, _d in rows if s == "done"),
            "failed": sum(1 for s, _e, _d in rows if s == "failed"),
            "engine_ms_p50": engine_ms[len(engine_ms) // 2] if engine_ms else None,
            "duplicates_ms_p50": dup_ms[len(dup_ms) // 2] if dup_ms else None,
        }

    def median(rows: list[dict[str, float]], key: str) -> float:
        return round(stats.median(r[key] for r in rows), 2)

    result = {
        "tickets_per_round": a.tickets,
        "rounds": a.rounds,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "tasks_backend": settings.TASKS["default"]["BACKEND"],
        "off": {
            "tickets_per_s": median(off, "tickets_per_s"),
            "p50_ms": median(off, "p50_ms"),
            "p99_ms": median(off, "p99_ms"),
            "runs": off,
        },
        "on": {
            "tickets_per_s": median(on, "tickets_per_s"),
            "p50_ms": median(on, "p50_ms"),
            "p99_ms": median(on, "p99_ms"),
            "runs": on,
        },
        "worker": worker,
    }
    result["on_vs_off"] = round(result["on"]["tickets_per_s"] / result["off"]["tickets_per_s"], 3)  # type: ignore[index]
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
