"""Profile one worker draining a pre-filled raw topic: throughput, CPU per article, py-spy self time.

    python -m bench.loop_profile [--articles N] [--seconds S] [--processes P] [--code PATH ...]

Starts a local broker, pre-fills the bench's article mix (``bench.generate``), starts a worker
(from this tree, or from each ``--code`` checkout in turn, interleaved ``--repeats`` times, so an
old and a new worker are compared in the same minutes), samples its event loop with py-spy
(``--seconds``, the first run of each checkout; ``--code PATH::KEY=VALUE`` runs a checkout with
extra environment, ``--code ::WARTA_HANDOFF=doc --code ::`` this tree with and without it) and prints, per run, articles/s, the CPU
milliseconds per article of the event loop, of the pipeline processes and of the broker (from
/proc), and the functions with the most samples on the event loop (self time, then inclusive).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from bench.generate import generate_articles
from bench.profile import start_profile, summarise_raw
from bench.run import _drain, _prefill, _throughput, cpu_seconds, read_batching_counters
from streams.core.settings import Settings
from streams.kafka.admin import create_topics
from streams.kafka.broker import LocalBroker
from streams.kafka.runner import WorkerProcess, isolated_env

__all__ = ["main", "self_time"]

_PROCESS = re.compile(r'process \d+:"([^"]*)";?')


def self_time(raw: Path, top: int = 30) -> str:
    """Collapsed py-spy stacks -> (self share, inclusive share) of the busiest functions."""
    own: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    total = 0
    for m in re.finditer(r"(.+?) (\d+)\n", raw.read_text(errors="replace"), flags=re.S):
        stack, count = _PROCESS.sub("", m.group(1)), int(m.group(2))
        frames = [f.split(" (")[0] + " " + f.split(" (")[1].split(":")[0] if " (" in f else f
                  for f in stack.split(";") if f]  # fmt: skip
        if not frames:
            continue
        total += count
        own[frames[-1]] += count
        for f in set(frames):
            incl[f] += count
    lines = [f"# samples {total}; self share (leaf)"]
    lines += [f"{c / max(1, total):6.1%} {n}" for n, c in own.most_common(top)]
    lines += ["# inclusive share"]
    lines += [f"{c / max(1, total):6.1%} {n}" for n, c in incl.most_common(top * 2)]
    return "\n".join(lines)


def _run(bootstrap: str, arts: list[dict[str, Any]], tmp: Path, prefix: str, code: str | None,
         processes: int, seconds: int, broker_pid: int | None = None, gil: bool = False,
         children: bool = False) -> dict[str, Any]:  # fmt: skip
    extra = {"WARTA_PIPELINE_PROCESSES": str(processes)} if processes else {}
    code, _, env_spec = (code or "").partition("::")  # PATH::KEY=VALUE,...: that run's environment
    extra.update(kv.split("=", 1) for kv in env_spec.split(",") if "=" in kv)  # type: ignore[misc]
    if code:
        extra["PYTHONPATH"] = code
    env = isolated_env(bootstrap, prefix, tmp / prefix, **extra)
    topics = {k.split("__")[1].lower(): v for k, v in env.items() if k.startswith("WARTA_TOPICS__")}
    settings = Settings(brokers=bootstrap, partitions=2, topics=topics)
    create_topics(settings)
    asyncio.run(_prefill(bootstrap, settings.topics.raw, arts, stamp=True))
    worker = WorkerProcess(env, log_path=tmp / f"{prefix}.log", cwd=Path(code) if code else None)
    worker.start()
    assert worker.proc is not None
    cpu0 = cpu_seconds(worker.proc.pid)
    broker0 = cpu_seconds(broker_pid).get("loop", 0.0) if broker_pid else 0.0
    raw = tmp / f"{prefix}.raw"
    # the event loop only, unless ``children``: then the pipeline processes as well
    prof = (
        start_profile(worker.proc.pid, raw, seconds=seconds, rate=100, subprocesses=children, gil=gil)
        if seconds
        else None
    )
    try:
        recs = asyncio.run(_drain(bootstrap, settings.topics.enriched, len(arts), timeout=600))
        cpu1 = cpu_seconds(worker.proc.pid)
        if broker_pid:  # the broker's CPU (every JVM thread): Kafka's share of the machine per article
            cpu0["broker"] = broker0
            cpu1["broker"] = cpu_seconds(broker_pid).get("loop", 0.0)
        counters = read_batching_counters(worker.metrics())
    finally:
        worker.stop()
        if prof is not None:
            prof.wait(timeout=seconds + 30)
    out: dict[str, Any] = {
        "counters": counters,
        "articles": len(recs),
        "aps": _throughput(recs),
        "cpu_ms": {k: (cpu1[k] - cpu0[k]) * 1000 / max(1, len(recs)) for k in cpu0 if k in cpu1},
    }
    if prof is not None and raw.exists():
        out["profile"] = self_time(raw)
        if children:
            out["profile"] += "\n" + summarise_raw(
                raw, "# inclusive, by process (event loop and pipeline processes)"
            )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.loop_profile", description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=800)
    ap.add_argument("--seconds", type=int, default=8, help="py-spy seconds (0: no profile)")
    ap.add_argument("--processes", type=int, default=0, help="WARTA_PIPELINE_PROCESSES (0: the default)")
    ap.add_argument("--code", action="append", default=None,
                    help="checkout to run the worker from; PATH::KEY=VALUE,... adds that run's environment, "
                    "'::WARTA_HANDOFF=doc' is this tree with it")  # fmt: skip
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--gil", action="store_true", help="sample only the thread holding the GIL (no waits)")
    ap.add_argument(
        "--children", action="store_true", help="sample the pipeline processes too (py-spy --subprocesses)"
    )
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="warta-loopprof-"))
    broker = LocalBroker(Path(os.environ.get("WARTA_KAFKA_CACHE", ".cache/kafka")), tmp / "kafka", heap="1g")
    state = broker.start()
    bootstrap = state.bootstrap
    arts = list(generate_articles(args.articles, seed=11))
    codes = args.code or [None]
    runs: dict[str, list[dict[str, Any]]] = {str(c): [] for c in codes}
    try:
        for rep in range(args.repeats):
            for i, code in enumerate(codes):
                r = _run(
                    bootstrap,
                    arts,
                    tmp,
                    f"lp{rep}x{i}",
                    code,
                    args.processes,
                    args.seconds if rep == 0 else 0,
                    state.pid,
                    args.gil,
                    args.children,
                )
                runs[str(code)].append(r)
                cpu = ", ".join(f"{k} {v:.2f} ms" for k, v in r["cpu_ms"].items())
                print(f"{code or 'this tree'} run {rep + 1}: {r['aps']:.1f} articles/s ({r['articles']}), "
                      f"CPU per article: {cpu}; load {os.getloadavg()[0]:.1f}; {r['counters']}", flush=True)  # fmt: skip
                if "profile" in r:
                    print(r["profile"], flush=True)
    finally:
        broker.stop()
    for code, rs in runs.items():
        print(f"{code}: median {statistics.median(r['aps'] for r in rs):.1f} articles/s, loop "
              f"{statistics.median(r['cpu_ms'].get('loop', 0) for r in rs):.2f} ms, pipeline "
              f"{statistics.median(r['cpu_ms'].get('pipeline', 0) for r in rs):.2f} ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
