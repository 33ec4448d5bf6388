"""Printing the triage figures and checking them against the recorded minimums."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from .training import Evaluation

FIGURES_FILE = Path(__file__).resolve().parent / "model_data" / "figures.json"
_MARKDOWN_BLOCK = re.compile(r"<!--\s*triage-minimums\s*(\{.*?\})\s*-->", re.S)


def render(ev: Evaluation, write: Callable[[str], None], *, full: bool = True) -> None:
    write(f"== {ev.name} ==")
    for note in ev.notes:
        write(f"   {note}")
    for key, value in ev.figures.items():
        write(f"   {key:28s} {value:.3f}")
    if ev.latency_ms != (0.0, 0.0):
        write(f"   latency per ticket (CPU, one core): median {ev.latency_ms[0]:.1f} ms, p95 {ev.latency_ms[1]:.1f} ms")
    if ev.rss_mb:
        write(f"   process RSS (peak): {ev.rss_mb:.0f} MB")
    if not full:
        return
    for report in ev.reports.values():
        write(f"-- {report.name}: accuracy {report.accuracy:.3f}, macro-F1 {report.macro_f1:.3f}")
        write(f"   {'label':18s} {'prec':>6s} {'recall':>6s} {'F1':>6s} {'n':>5s}")
        for label, (p, r, f, n) in report.per_label.items():
            write(f"   {label:18s} {p:6.3f} {r:6.3f} {f:6.3f} {n:5d}")
        write("   confusion (rows: true, columns: predicted): " + " ".join(lab[:8] for lab in report.labels))
        for label, row in zip(report.labels, report.confusion, strict=True):
            write(f"   {label[:18]:18s} " + " ".join(f"{v:4d}" for v in row))
    for head, (calibrated, raw) in ev.reliability.items():
        write(f"-- {head}: reliability of the top answer's confidence (bin: answers, mean confidence, accuracy)")
        for title, bins in (("calibrated", calibrated), ("raw", raw)):
            cells = [f"{lo:.1f}-{hi:.1f}: {n} {c:.2f} {a:.2f}" for lo, hi, n, c, a in bins]
            write(f"   {title:10s} " + " | ".join(cells))


def minimums(path: Path) -> dict[str, float]:
    """The recorded minimums: a JSON object, or the ``<!-- triage-minimums {...} -->`` block of a
    Markdown file (docs/triage.md)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".json":
        match = _MARKDOWN_BLOCK.search(text)
        if not match:
            raise ValueError(f"{path}: no <!-- triage-minimums {{...}} --> block")
        text = match.group(1)
    data = json.loads(text)
    return {str(k): float(v) for k, v in data.items() if not str(k).startswith("_")}


def shortfalls(ev: Evaluation, floors: dict[str, float]) -> list[str]:
    """The figures below their recorded minimum (latency and memory: above their maximum)."""
    out: list[str] = []
    for key, floor in floors.items():
        if key == "latency_p95_ms_max":
            if ev.latency_ms[1] > floor:
                out.append(f"latency p95 {ev.latency_ms[1]:.1f} ms > {floor}")
        elif key == "rss_mb_max":
            if ev.rss_mb > floor:
                out.append(f"RSS {ev.rss_mb:.0f} MB > {floor}")
        elif key.endswith("_max") and key[: -len("_max")] in ev.figures:  # e.g. category_ece_max
            value = ev.figures[key[: -len("_max")]]
            if value > floor + 1e-9:
                out.append(f"{key[: -len('_max')]} {value:.3f} > {floor}")
        elif key.endswith("_max"):
            out.append(f"{key[: -len('_max')]} was not measured (maximum {floor})")
        elif key in ev.figures and ev.figures[key] + 1e-9 < floor:
            out.append(f"{key} {ev.figures[key]:.3f} < {floor}")
    return out


def as_json(ev: Evaluation) -> str:
    return json.dumps({"figures": ev.figures, "latency_ms": ev.latency_ms, "rss_mb": ev.rss_mb}, ensure_ascii=False, indent=2)
