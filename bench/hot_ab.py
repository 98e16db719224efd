"""The compiled hot path against the pure-Python reference, paired per article in one process.

Two pipelines of this tree (each with its own dedup state) run every generated article in turn,
one on the compiled path and one on the reference (``streams.core.hot.select``), the order
alternating from article to article, pinned to one core. Each article's per-stage thread CPU time
is recorded on both paths, so load on a shared machine falls on both sides of every pair alike
(``bench.stages`` compares two processes, which a busy machine can slow unequally). The reference
is the code the compiled path replaces, so this is the compiled part's own gain. Prints the median
ms per article and stage, and the median of the per-article ratios.

Usage: python -m bench.hot_ab [--n N] [--size-kb KB] [--seed S] [--warmup W] [--articles FILE.jsonl]
(``--articles``: RawArticle JSON lines instead of generated ones, e.g. real pages)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

from bench.generate import generate_articles
from bench.stage_worker import TimedStage

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--size-kb", type=float, default=3.0, help="0 for the 1-10 KB mix")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--articles", help="a JSONL file of RawArticles instead of generated articles")
    args = ap.parse_args(argv)
    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[-1]})
    except (AttributeError, OSError):
        pass
    from streams.core import hot
    from streams.core.pipeline import MemoryState, build_pipeline
    from streams.core.records import RawArticle
    from streams.core.settings import Settings

    if hot.load_compiled() is None:
        print("the compiled hot path is not built (pip install -e .)", file=sys.stderr)
        return 1
    if args.articles:
        with open(args.articles, encoding="utf-8") as fh:
            arts = [json.loads(line) for line in fh if line.strip()]
        args.n = len(arts) - args.warmup
    else:
        arts = list(generate_articles(args.n + args.warmup, seed=args.seed, size_kb=args.size_kb or None))
    settings = Settings()
    sinks: dict[bool, dict[str, float]] = {True: {}, False: {}}
    pipes = {}
    for compiled in (True, False):
        pipe = build_pipeline(settings, MemoryState())
        pipe.stages = [TimedStage(s, sinks[compiled]) for s in pipe.stages]
        pipes[compiled] = pipe
    per: dict[bool, dict[str, list[float]]] = {True: {}, False: {}}
    for k, a in enumerate(arts):
        order = (True, False) if k % 2 else (False, True)
        for compiled in order:
            hot.select(compiled)
            sinks[compiled].clear()
            t = time.thread_time()
            pipes[compiled].run(RawArticle(**a))
            total = (time.thread_time() - t) * 1000
            if k >= args.warmup:
                per[compiled].setdefault("pipeline (whole article)", []).append(total)
                for name, ms in sinks[compiled].items():
                    per[compiled].setdefault(name, []).append(ms)
    hot.select(True)
    kb = statistics.median(len(a["text"].encode()) for a in arts) / 1024
    what = args.articles or f"generated, {'3 KB' if args.size_kb else '1-10 KB mix'}, seed {args.seed}"
    print(
        f"{args.n} articles ({what}; median {kb:.1f} KB), compiled and reference paired per article, "
        "one core, thread CPU time"
    )
    print("| stage | reference median ms | compiled median ms | median of per-article ratios |")
    print("|---|---:|---:|---:|")
    for name, ref in per[False].items():
        comp = per[True][name]
        ratios = [r / c for r, c in zip(ref, comp, strict=True) if c > 0]
        print(
            f"| {name} | {statistics.median(ref):.3f} | {statistics.median(comp):.3f} "
            f"| {statistics.median(ratios):.2f}x |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
