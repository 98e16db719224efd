"""One side of ``bench.stages``: run the pipeline of the ``streams`` on PYTHONPATH over articles.

Usage: PYTHONPATH=TREE python bench/stage_worker.py ARTICLES.jsonl OUT.json [WARMUP]
Only uses API that the baseline commit has too (build_pipeline with on_stage, MemoryState).
Pinned to one CPU; prints nothing; writes per-article milliseconds, whole and per stage.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

__all__ = ["main"]


def _pin_one_core() -> int | None:
    try:
        cpus = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpus[-1]})
        return cpus[-1]
    except (AttributeError, OSError):
        return None


def main(argv: list[str]) -> int:
    src, out = argv[1], argv[2]
    warmup = int(argv[3]) if len(argv) > 3 else 20
    cpu = _pin_one_core()
    import streams
    from streams.core.pipeline import MemoryState, build_pipeline
    from streams.core.records import RawArticle
    from streams.core.settings import Settings

    with open(src, encoding="utf-8") as fh:
        arts = [json.loads(line) for line in fh if line.strip()]
    settings = Settings()
    t0 = time.perf_counter()
    pipe = build_pipeline(settings, MemoryState())
    startup_ms = (time.perf_counter() - t0) * 1000
    for a in arts[:warmup]:  # warm caches (KB automaton, regexes) on a throw-away state
        pipe.run(RawArticle(**{**a, "id": "warm-" + a["id"]}))
    stages: dict[str, list[float]] = {}
    current: dict[str, float] = {}

    def hook(name: str, seconds: float) -> None:
        current[name] = seconds * 1000

    pipe = build_pipeline(settings, MemoryState(), on_stage=hook)
    totals: list[float] = []
    for a in arts:
        raw = RawArticle(**a)
        current.clear()
        t = time.perf_counter()
        pipe.run(raw)
        totals.append((time.perf_counter() - t) * 1000)
        for name, ms in current.items():
            stages.setdefault(name, []).append(ms)
    result: dict[str, Any] = {
        "streams": os.path.dirname(streams.__file__),
        "stages": list(pipe.names),
        "startup_ms": startup_ms,
        "cpu": cpu,
        "total_ms": totals,
        "stage_ms": stages,
    }
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(result, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
