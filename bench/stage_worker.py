"""One side of ``bench.stages``: run the pipeline of the ``streams`` on PYTHONPATH over articles.

Usage: PYTHONPATH=TREE python bench/stage_worker.py ARTICLES.jsonl OUT.json [WARMUP]
Only uses API that the baseline commit has too (build_pipeline with on_stage, MemoryState).
Pinned to one CPU; prints nothing; writes per-article milliseconds, whole and per stage, as thread
CPU time (robust when other processes share the machine) and as wall-clock time.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

__all__ = ["TimedStage", "main"]


class TimedStage:
    """A stage that records its thread CPU time (ms) under its name."""

    def __init__(self, inner: Any, sink: dict[str, float]):
        self.inner = inner
        self.sink = sink
        self.name = inner.name
        self.requires = inner.requires
        self.assigns = inner.assigns

    def __call__(self, doc: Any) -> None:
        t = time.thread_time()
        try:
            self.inner(doc)
        finally:
            self.sink[self.name] = (time.thread_time() - t) * 1000


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
    cpu_ms: dict[str, list[float]] = {}
    wall_ms: dict[str, list[float]] = {}
    current: dict[str, float] = {}

    def hook(name: str, seconds: float) -> None:  # the pipeline's wall-clock time of a stage
        wall_ms.setdefault(name, []).append(seconds * 1000)

    pipe = build_pipeline(settings, MemoryState(), on_stage=hook)
    # CPU time of this thread per stage: stable when other processes share the core
    pipe.stages = [TimedStage(s, current) for s in pipe.stages]
    totals: list[float] = []
    wall_totals: list[float] = []
    for a in arts:
        raw = RawArticle(**a)
        current.clear()
        t = time.thread_time()
        w = time.perf_counter()
        pipe.run(raw)
        totals.append((time.thread_time() - t) * 1000)
        wall_totals.append((time.perf_counter() - w) * 1000)
        for name, ms in current.items():
            cpu_ms.setdefault(name, []).append(ms)
    result: dict[str, Any] = {
        "streams": os.path.dirname(streams.__file__),
        "stages": list(pipe.names),
        "startup_ms": startup_ms,
        "cpu": cpu,
        "total_ms": totals,
        "stage_ms": cpu_ms,
        "total_wall_ms": wall_totals,
        "stage_wall_ms": wall_ms,
    }
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(result, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
