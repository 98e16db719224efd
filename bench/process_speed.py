"""``warta process`` throughput as a new user sees it: this tree against a baseline commit, same run.

Generates articles (``--size-kb 3`` or the 1-10 KB mix with ``--size-kb 0``), then runs
``python -m streams process ARTICLES.jsonl > /dev/null`` from each tree (the baseline as a git
worktree under ``bench/.baseline``, see ``bench.stages``), alternating baseline and this tree for
``--rounds`` rounds, each pinned to one core. Reports per side the median articles/s over wall-clock
time (start-up included, as a user measures it) and over the process's CPU time (user + system:
less sensitive to other load on a shared machine), and the steady rate without start-up: each round
also runs one article alone, and the rate is ``(N - 1) / (CPU of N articles - CPU of one)``.
Writes ``process_speed.json`` (to ``bench/results/`` with ``--save``, else to the ignored
``bench/.out/``).

Usage: python -m bench.process_speed [--baseline COMMIT] [--n N] [--size-kb KB] [--rounds R]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.generate import generate_articles
from bench.outdir import results_dir
from bench.stages import ROOT, baseline_tree

__all__ = ["main", "run_once"]


def _pin() -> None:
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpus[-1]})


def run_once(tree: Path, articles: Path, n: int, extra_env: dict[str, str] | None = None) -> dict[str, float]:
    """One ``warta process`` run from ``tree``: wall and CPU seconds, and articles/s for both."""
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0", **(extra_env or {})}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        subprocess.run(
            [sys.executable, "-m", "streams", "process", str(articles)],
            check=True, env=env, cwd=str(tree), stdout=sink, preexec_fn=_pin,
        )  # fmt: skip
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": wall, "cpu_s": cpu, "per_s_wall": n / wall, "per_s_cpu": n / cpu}


def _median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--baseline", default="main")
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--size-kb", type=float, default=3.0, help="0 for the 1-10 KB mix")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--save", action="store_true", help="write the tracked bench/results/ files "
                    "(default: the ignored bench/.out/; BENCH_RESULTS=DIR elsewhere)")  # fmt: skip
    args = ap.parse_args(argv)
    base = baseline_tree(args.baseline)
    arts = list(generate_articles(args.n, seed=args.seed, size_kb=args.size_kb or None))
    sizes = [len(a["text"].encode()) for a in arts]
    trees = {
        "baseline": (base, {}),
        "this tree": (ROOT, {}),
        "this tree, reference": (ROOT, {"WARTA_COMPILED": "0"}),
    }
    sides: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    with tempfile.TemporaryDirectory() as tmp:
        src, one = Path(tmp) / "articles.jsonl", Path(tmp) / "one.jsonl"
        lines = [json.dumps(a, ensure_ascii=False) + "\n" for a in arts]
        src.write_text("".join(lines), encoding="utf-8")
        one.write_text(lines[0], encoding="utf-8")
        for r in range(args.rounds):
            print(f"round {r + 1}/{args.rounds}", flush=True)
            for name, (tree, env) in trees.items():
                run = run_once(tree, src, len(arts), env)
                alone = run_once(tree, one, 1, env)
                run["startup_cpu_s"] = alone["cpu_s"]
                run["per_s_steady"] = (len(arts) - 1) / max(1e-9, run["cpu_s"] - alone["cpu_s"])
                sides[name].append(run)
    kb = statistics.median(sizes) / 1024
    print(
        f"\nwarta process, {len(arts)} generated articles (median {kb:.1f} KB, "
        f"{'3 KB' if args.size_kb else '1-10 KB mix'}), {args.rounds} interleaved rounds, one core"
    )
    print(
        "| side | articles/s (wall, start-up included) | articles/s (CPU, start-up included) "
        "| start-up CPU s | articles/s (CPU, without start-up) |\n|---|---:|---:|---:|---:|"
    )
    for name, runs in sides.items():
        print(
            f"| {name} | {_median(runs, 'per_s_wall'):.1f} | {_median(runs, 'per_s_cpu'):.1f} "
            f"| {_median(runs, 'startup_cpu_s'):.2f} | {_median(runs, 'per_s_steady'):.1f} |"
        )
    summary: dict[str, Any] = {
        "baseline": args.baseline,
        "n": len(arts),
        "size_kb": args.size_kb,
        "article_bytes_median": statistics.median(sizes),
        "sides": {name: {"runs": runs, "median_per_s_wall": _median(runs, "per_s_wall"),
                         "median_per_s_cpu": _median(runs, "per_s_cpu"),
                         "median_per_s_steady": _median(runs, "per_s_steady")}
                  for name, runs in sides.items()},
    }  # fmt: skip
    (results_dir(args.save) / "process_speed.json").write_text(
        json.dumps(summary, indent=2) + "\n", encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
