"""``make bench``: Warta against an aiokafka and a Faust passthrough on the same broker, in one run.

Writes ``bench/results/latest.json`` (every figure, machine, versions), ``latest.md`` and
``latency.png``. Throughput is measured from the Kafka timestamps of the first and last output
record of a pre-filled input topic, so process start-up is not counted.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.generate import generate_articles
from bench.profile import start_profile, summarise_raw
from bench.stats import percentile
from streams import PIPELINE_VERSION
from streams.core.pipeline import build_pipeline
from streams.core.records import RawArticle
from streams.core.settings import Settings
from streams.kafka.admin import create_topics
from streams.kafka.broker import LocalBroker
from streams.kafka.runner import WorkerProcess, isolated_env, stop_group

__all__ = ["main"]

RESULTS = Path(__file__).parent / "results"
N_SATURATION = int(os.environ.get("BENCH_N", "3000"))
#: Paced-load rate; default: half the saturation throughput measured in the same run.
RATE_ENV = os.environ.get("BENCH_RATE")
SIZE_BUDGET = float(os.environ.get("BENCH_SIZE_BUDGET", "30"))
RATE_SECONDS = float(os.environ.get("BENCH_RATE_SECONDS", "15"))
PROFILE_SECONDS = int(os.environ.get("BENCH_PROFILE_SECONDS", "25"))
PROFILE_HEADER = (
    f"# py-spy --subprocesses, {PROFILE_SECONDS} s at 50 Hz on the batch worker (event loop + pipeline process)\n"
    "# draining the saturation set of `make bench` (1-10 KB articles), 2-core machine shared with the broker"
)


async def _prefill(bootstrap: str, topic: str, arts: list[dict[str, Any]], *, stamp: bool = False) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=10)
    await producer.start()
    try:
        futs = []
        for a in arts:
            if stamp:
                a = {**a, "ingested_at": time.time()}
            futs.append(await producer.send(topic, value=orjson.dumps(a), key=a["id"].encode()))
        await asyncio.gather(*futs)
    finally:
        await producer.stop()


async def _drain(bootstrap: str, topic: str, n: int, timeout: float) -> list[tuple[float, float, bytes]]:
    """(kafka timestamp s, receive time s, value) of the first ``n`` records of ``topic``."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    out: list[tuple[float, float, bytes]] = []
    deadline = time.monotonic() + timeout
    try:
        while len(out) < n and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            now = time.time()
            for _tp, msgs in batch.items():
                out.extend((m.timestamp / 1000.0, now, m.value or b"") for m in msgs)
    finally:
        await consumer.stop()
    return out


def size_mix(arts: list[dict[str, Any]]) -> dict[str, Any]:
    """How many articles of each size (KB of text) the run used, and their mean size."""
    kbs = [len(str(a.get("text") or a.get("html") or "").encode()) / 1024 for a in arts]
    edges = [0, 2, 4, 6, 8, 10, float("inf")]
    buckets = {f"{lo}-{hi if hi != float('inf') else ''} KB": sum(lo <= k < hi for k in kbs)
               for lo, hi in itertools.pairwise(edges)}  # fmt: skip
    return {
        "buckets": {k: v for k, v in buckets.items() if v},
        "mean_kb": statistics.mean(kbs) if kbs else 0.0,
    }


def _throughput(records: list[tuple[float, float, bytes]]) -> float:
    ts = sorted(r[0] for r in records)
    return (len(ts) - 1) / max(1e-6, ts[-1] - ts[0]) if len(ts) > 1 else 0.0


def _spawn(module: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", module], env={**os.environ, **env}, stdout=log.open("ab"),
                            stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip


def _passthrough(kind: str, bootstrap: str, arts: list[dict[str, Any]], tmp: Path) -> dict[str, float]:
    src, dst = f"bench.{kind}.in", f"bench.{kind}.out"
    s = Settings(brokers=bootstrap, partitions=2)
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    async def create() -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await admin.start()
        try:
            await admin.create_topics([NewTopic(src, 2, 1), NewTopic(dst, 2, 1)])
        finally:
            await admin.close()

    asyncio.run(create())
    asyncio.run(_prefill(bootstrap, src, arts))
    env = {"BENCH_BOOTSTRAP": bootstrap, "BENCH_SRC": src, "BENCH_DST": dst, "BENCH_GROUP": f"bench-{kind}",
           "BENCH_DATADIR": str(tmp / kind), "BENCH_PARTITIONS": "2"}  # fmt: skip
    module = "bench.aiokafka_passthrough" if kind == "aiokafka" else "bench.faust_passthrough"
    proc = _spawn(module, env, tmp / f"{kind}.log")
    try:
        recs = asyncio.run(_drain(bootstrap, dst, len(arts), timeout=300))
    finally:
        stop_group(proc, 20)
    del s
    return {"articles": len(recs), "throughput_aps": _throughput(recs)}


def _warta(
    bootstrap: str, arts: list[dict[str, Any]], tmp: Path, prefix: str
) -> tuple[WorkerProcess, Settings]:
    env = isolated_env(bootstrap, prefix, tmp / prefix)
    settings = Settings(brokers=bootstrap, partitions=2,
                        topics={k.split("__")[1].lower(): v for k, v in env.items() if k.startswith("WARTA_TOPICS__")})  # fmt: skip
    create_topics(settings)
    return WorkerProcess(env, log_path=tmp / f"{prefix}.log"), settings


def _two_workers(bootstrap: str, arts: list[dict[str, Any]], tmp: Path) -> dict[str, float]:
    """Two workers of one group draining the same pre-filled 2-partition topic."""
    first, s = _warta(bootstrap, arts, tmp, "two")
    second = WorkerProcess(first.env, log_path=tmp / "two-b.log")
    asyncio.run(_prefill(bootstrap, s.topics.raw, arts, stamp=True))
    first.start()
    second.start()
    try:
        recs = asyncio.run(_drain(bootstrap, s.topics.enriched, len(arts), timeout=600))
    finally:
        first.stop()
        second.stop()
    return {"articles": len(recs), "throughput_aps": _throughput(recs)}


def _latencies(recs: list[tuple[float, float, bytes]]) -> list[float]:
    out = []
    for _ts, recv, value in recs:
        ing = orjson.loads(value).get("ingested_at")
        if ing:
            out.append((recv - ing) * 1000.0)
    return out


async def _paced(
    bootstrap: str, topic: str, out_topic: str, arts: list[dict[str, Any]], rate: float
) -> list[tuple[float, float, bytes]]:
    """Publish at ``rate`` articles/s while a consumer records arrival times."""
    drain = asyncio.create_task(_drain(bootstrap, out_topic, len(arts), timeout=len(arts) / rate + 60))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)
    await producer.start()
    try:
        t0 = time.monotonic()
        for i, a in enumerate(arts):
            delay = t0 + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await producer.send(
                topic, value=orjson.dumps({**a, "ingested_at": time.time()}), key=a["id"].encode()
            )
        await producer.flush()
    finally:
        await producer.stop()
    return await drain


def _in_process(arts: list[dict[str, Any]]) -> dict[str, Any]:
    stage_times: dict[str, list[float]] = {}

    def hook(name: str, secs: float) -> None:
        stage_times.setdefault(name, []).append(secs)

    pipe = build_pipeline(Settings(), on_stage=hook)
    raws = [RawArticle.model_validate(a) for a in arts]
    for r in raws[:20]:  # warm-up: lazy models, caches
        pipe.run(r)
    stage_times.clear()
    per: list[float] = []
    t0 = time.perf_counter()
    for r in raws:
        t = time.perf_counter()
        pipe.run(r)
        per.append(time.perf_counter() - t)
    total = time.perf_counter() - t0
    return {
        "articles": len(raws),
        "throughput_aps": len(raws) / total,
        "median_ms_per_article": statistics.median(per) * 1000,
        "p95_ms_per_article": percentile(per, 95) * 1000,
        "stage_median_ms": {k: statistics.median(v) * 1000 for k, v in stage_times.items()},
    }


def _plot(lat_fixed: list[float], lat_sat: list[float], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, data, title in ((axes[0], lat_fixed, f"fixed load {RATE:.0f} articles/s"),
                            (axes[1], lat_sat, "saturation (pre-filled burst)")):  # fmt: skip
        if data:
            ax.hist(data, bins=60, color="#2b6cb0")
            for p, c in ((50, "green"), (95, "orange"), (99, "red")):
                ax.axvline(
                    percentile(data, p), color=c, linestyle="--", label=f"p{p} {percentile(data, p):.1f} ms"
                )
            ax.legend()
        ax.set_title(f"publish → enriched latency, {title}")
        ax.set_xlabel("ms")
        ax.set_ylabel("articles")
    fig.tight_layout()
    fig.savefig(path, dpi=90)


RATE = 0.0


def main() -> int:
    RESULTS.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="warta-bench-"))
    cache = Path(os.environ.get("WARTA_KAFKA_CACHE", ".cache/kafka"))
    broker = LocalBroker(cache, tmp / "kafka", heap="1g")
    state = broker.start()
    bootstrap = state.bootstrap
    arts = list(generate_articles(N_SATURATION, seed=11))
    results: dict[str, Any] = {"pipeline_version": PIPELINE_VERSION, "articles": len(arts)}
    log: Callable[[str], None] = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    try:
        log("in-process pipeline (3 KB articles, one core)…")
        results["in_process"] = _in_process(list(generate_articles(1000, seed=5, size_kb=3.0, dup_share=0.1)))
        log("aiokafka passthrough…")
        results["aiokafka_passthrough"] = _passthrough("aiokafka", bootstrap, arts, tmp)
        log("faust passthrough…")
        results["faust_passthrough"] = _passthrough("faust", bootstrap, arts, tmp)

        log("warta full pipeline, saturation…")
        worker, s = _warta(bootstrap, arts, tmp, "sat")
        asyncio.run(_prefill(bootstrap, s.topics.raw, arts, stamp=True))
        worker.start()
        assert worker.proc is not None
        prof_raw = tmp / "profile.raw"
        profiler = start_profile(worker.proc.pid, prof_raw, seconds=PROFILE_SECONDS)
        try:
            recs = asyncio.run(_drain(bootstrap, s.topics.enriched, len(arts), timeout=600))
        finally:
            worker.stop()
            if profiler is not None:
                profiler.wait(timeout=PROFILE_SECONDS + 30)
        if prof_raw.exists():
            (RESULTS / "profile-worker-batch.txt").write_text(summarise_raw(prof_raw, PROFILE_HEADER))
        lat_sat = _latencies(recs)
        mix = size_mix(arts)
        w_aps = _throughput(recs)
        results["warta"] = {"articles": len(recs), "throughput_aps": w_aps,
                            "throughput_kb_per_s": w_aps * mix["mean_kb"], "size_mix": mix}  # fmt: skip
        log("warta full pipeline, two workers (one partition each), saturation…")
        results["warta_two_workers"] = _two_workers(bootstrap, arts, tmp)
        global RATE
        RATE = float(RATE_ENV) if RATE_ENV else max(1.0, round(w_aps / 2))

        log(f"warta full pipeline at {RATE:.0f} articles/s…")
        worker, s = _warta(bootstrap, arts, tmp, "fixed")
        worker.start()
        try:
            n_fixed = int(RATE * RATE_SECONDS)
            paced = list(generate_articles(n_fixed, seed=13))
            recs_fixed = asyncio.run(_paced(bootstrap, s.topics.raw, s.topics.enriched, paced, RATE))
        finally:
            worker.stop()
        lat_fixed = _latencies(recs_fixed)
        results["latency_ms"] = {
            "fixed_rate_aps": RATE,
            "fixed": {f"p{p}": percentile(lat_fixed, p) for p in (50, 95, 99)} | {"n": len(lat_fixed)},
            "saturation": {f"p{p}": percentile(lat_sat, p) for p in (50, 95, 99)} | {"n": len(lat_sat)},
        }
    finally:
        broker.stop()
    log("one-paragraph articles 10 KB to 1 MB, in-process…")
    from bench.bench_size import size_scaling

    results["size_scaling"] = size_scaling(budget=SIZE_BUDGET)
    w = results["warta"]["throughput_aps"]
    results["ratio_to_faust_passthrough"] = w / results["faust_passthrough"]["throughput_aps"]
    results["ratio_to_aiokafka_passthrough"] = w / results["aiokafka_passthrough"]["throughput_aps"]
    results["machine"] = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    results["versions"] = {
        p: metadata.version(p) for p in ("faust-streaming", "aiokafka", "pydantic", "orjson")
    }
    results["kafka"] = "3.9.1 (single node, KRaft, local)"
    results["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    _plot(lat_fixed, lat_sat, RESULTS / "latency.png")
    (RESULTS / "latest.md").write_text(markdown(results))
    print(markdown(results))
    return 0


def markdown(r: dict[str, Any]) -> str:
    lat = r["latency_ms"]
    ip = r["in_process"]
    rows = [
        "| measure | value | target |",
        "| --- | --- | --- |",
        f"| aiokafka passthrough | {r['aiokafka_passthrough']['throughput_aps']:.0f} articles/s | baseline |",
        f"| Faust passthrough | {r['faust_passthrough']['throughput_aps']:.0f} articles/s | baseline |",
        f"| Warta full pipeline | {r['warta']['throughput_aps']:.0f} articles/s | |",
        f"| Warta, two workers (same 2 cores as the broker: no spare core) | {r.get('warta_two_workers', {}).get('throughput_aps', 0):.0f} articles/s ({r.get('warta_two_workers', {}).get('throughput_aps', 0) / max(1e-9, r['warta']['throughput_aps']):.2f}× one worker) | |",
        f"| ratio to Faust passthrough | {r['ratio_to_faust_passthrough']:.2f} | ≥ 0.50 |",
        f"| ratio to aiokafka passthrough | {r['ratio_to_aiokafka_passthrough']:.2f} | |",
        f"| p50 / p95 / p99 latency at {lat['fixed_rate_aps']:.0f}/s (half saturation) | {lat['fixed']['p50']:.1f} / {lat['fixed']['p95']:.1f} / {lat['fixed']['p99']:.1f} ms | p99 < 100 ms |",
        f"| p50 / p95 / p99 latency at saturation | {lat['saturation']['p50']:.0f} / {lat['saturation']['p95']:.0f} / {lat['saturation']['p99']:.0f} ms | |",
        f"| in-process, one core, 3 KB | {ip['throughput_aps']:.0f} articles/s (median {ip['median_ms_per_article']:.2f} ms) | ≥ 1000/s |",
    ]
    w = r["warta"]
    rows.insert(
        5,
        f"| Warta throughput per KB | {w.get('throughput_kb_per_s', 0):.0f} KB/s (mean article {w.get('size_mix', {}).get('mean_kb', 0):.1f} KB) | |",
    )
    stages = ", ".join(f"{k} {v:.3f}" for k, v in ip["stage_median_ms"].items())
    mix = ", ".join(f"{k}: {v}" for k, v in w.get("size_mix", {}).get("buckets", {}).items())
    out = (f"# Benchmark ({r['measured_at']}, {r['articles']} articles 1–10 KB, {r['machine']['cpus']} cores)\n\n"
           + "\n".join(rows) + f"\n\nArticle-size mix of the worker runs: {mix}.\n"
           + f"\nPer-stage medians (ms): {stages}\n")  # fmt: skip
    if r.get("size_scaling"):
        from bench.bench_size import markdown as size_md

        out += "\n" + size_md(r["size_scaling"], SIZE_BUDGET)
    return out


if __name__ == "__main__":
    raise SystemExit(main())
