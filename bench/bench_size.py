"""Time per KB of one-paragraph articles from 10 KB to 1 MB, in-process, one core (issue 15).

Usage: PYTHONPATH=. python -m bench.bench_size [--sizes 10,50,200,1000] [--budget 60]
Each article is one paragraph of seeded synthetic news text, run once through the whole pipeline
(``run_pre`` with the worker's time budget, so a stage that is not linear is reported, not waited
for). Linear stages give a flat ms-per-KB column.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import orjson

from bench.generate import generate_articles
from streams.core.pipeline import build_pipeline
from streams.core.routing import MessageMeta
from streams.core.settings import Settings
from streams.kafka.offload import run_pre

__all__ = ["main", "one_paragraph", "size_scaling"]

SIZES_KB = (10, 25, 50, 100, 200, 500, 1000)


def one_paragraph(kb: int, seed: int = 3) -> str:
    """About ``kb`` KB of article text joined into one paragraph (no line breaks)."""
    parts: list[str] = []
    total = 0
    for art in generate_articles(10_000, seed=seed, size_kb=10.0):
        text = " ".join(str(art.get("text", "")).split())
        parts.append(text)
        total += len(text.encode()) + 1
        if total >= kb * 1024:
            break
    return " ".join(parts).encode()[: kb * 1024].decode("utf-8", "ignore")


def size_scaling(sizes_kb: tuple[int, ...] = SIZES_KB, budget: float = 60.0) -> list[dict[str, Any]]:
    settings = Settings(max_article_bytes=max(sizes_kb) * 1024 + 4096)
    pipe = build_pipeline(settings)
    meta = MessageMeta("bench", 0, 0, None)
    run_pre(
        pipe, orjson.dumps({"id": "warm", "text": one_paragraph(5)}), meta, settings.max_article_bytes, budget
    )
    rows = []
    for kb in sizes_kb:
        payload = orjson.dumps({"id": f"p{kb}", "text": one_paragraph(kb)})
        t0 = time.perf_counter()
        staged = run_pre(pipe, payload, meta, settings.max_article_bytes, budget)
        secs = time.perf_counter() - t0
        stages = dict(staged.timings)
        slowest = max(stages, key=lambda k: stages[k]) if stages else None
        rows.append({
            "kb": kb,
            "seconds": secs,
            "ms_per_kb": secs * 1000 / kb,
            "outcome": staged.error[0] if staged.error else "enriched",
            "over_budget_stage": staged.error[3] if staged.error and staged.error[0] == "W902" else None,
            "slowest_stage": slowest,
            "slowest_stage_seconds": stages.get(slowest, 0.0) if slowest else 0.0,
        })  # fmt: skip
    return rows


def markdown(rows: list[dict[str, Any]], budget: float) -> str:
    lines = [
        f"One-paragraph articles, whole pipeline, in-process, one core (budget {budget:g} s):",
        "",
        "| size | seconds | ms per KB | outcome | slowest stage |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(f"| {r['kb']} KB | {r['seconds']:.2f} | {r['ms_per_kb']:.2f} | {r['outcome']} | "
                     f"{r['slowest_stage']} ({r['slowest_stage_seconds']:.2f} s) |")  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default=",".join(map(str, SIZES_KB)))
    ap.add_argument("--budget", type=float, default=60.0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = size_scaling(tuple(int(x) for x in args.sizes.split(",")), args.budget)
    print(json.dumps(rows, indent=2) if args.json else markdown(rows, args.budget))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
