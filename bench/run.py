"""``make bench``: Warta's latency and throughput against a Faust passthrough, in one run.

    python -m bench.run [--quick] [--seconds S] [--articles N]

Measures, on one local broker:

- saturation throughput (a pre-filled input topic drained by one worker), the Faust passthrough
  and the aiokafka passthrough, run 3 times interleaved (Faust, aiokafka, Warta, Faust...) and
  reported as medians with Warta's ratio to each (of the medians, and run by run), so a burst of
  load from elsewhere on the machine hits every side alike;
- end-to-end latency (the producer's ``ingested_at`` to the enriched record received) at 10/s,
  20/s and half of the median saturation throughput, one worker, ``--seconds`` each;
- HTTP ingest -> enriched (POST /articles) and feed poller -> enriched at 20/s;
- the in-process pipeline and (not with ``--quick``) two workers and the size scaling.

Writes ``latest.json`` (every figure, the load average, machine, versions), ``latest.md`` and
``latency.png`` to the tracked ``bench/results/`` with ``--save`` (``make bench``), else to the
ignored ``bench/.out/`` (``BENCH_RESULTS=DIR``: to ``DIR``). ``--quick`` (about 6 minutes) runs
fewer articles and shorter paced runs. Throughput is measured from the Kafka timestamps of the
first and last output record, so process start-up is not counted.
"""

from __future__ import annotations

import argparse
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
from bench.outdir import results_dir
from bench.profile import start_profile, summarise_raw
from bench.stats import percentile
from streams import PIPELINE_VERSION
from streams.core.pipeline import build_pipeline
from streams.core.records import RawArticle
from streams.core.settings import Settings
from streams.kafka.admin import create_topics
from streams.kafka.broker import LocalBroker
from streams.kafka.runner import WorkerProcess, isolated_env, stop_group

__all__ = ["batching_counters", "latency_stats", "main", "markdown", "worker_code", "worker_cwd"]

#: Set by :func:`main`: the tracked bench/results with ``--save``, else the ignored bench/.out.
RESULTS = Path(__file__).parent / ".out"
N_SATURATION = int(os.environ.get("BENCH_N", "3000"))
#: Half-saturation rate; default: half the median saturation throughput measured in the same run.
RATE_ENV = os.environ.get("BENCH_RATE")
SIZE_BUDGET = float(os.environ.get("BENCH_SIZE_BUDGET", "30"))
RATE_SECONDS = float(os.environ.get("BENCH_RATE_SECONDS", "30"))
PROFILE_SECONDS = int(os.environ.get("BENCH_PROFILE_SECONDS", "25"))
#: Interleaved repetitions of the saturation and Faust passthrough runs (medians reported).
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
#: The issue-26 targets, checked in latest.md.
TARGETS = {"p99_half_ms": 100.0, "p99_20_ms": 50.0, "http_p99_20_ms": 200.0, "ratio_faust": 0.055}
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


async def _drain(
    bootstrap: str,
    topic: str,
    n: int,
    timeout: float,
    *,
    latest: bool = False,
    ready: asyncio.Event | None = None,
) -> list[tuple[float, float, bytes]]:
    """(kafka timestamp s, receive time s, value) of the first ``n`` records of ``topic`` (from
    its end with ``latest``; ``ready`` is set once the consumer has its position)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="latest" if latest else "earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    out: list[tuple[float, float, bytes]] = []
    deadline = time.monotonic() + timeout
    try:
        if latest:  # fix the position before anything is published
            while not consumer.assignment():
                await consumer.getmany(timeout_ms=100)
            for tp in consumer.assignment():
                await consumer.position(tp)
        if ready is not None:
            ready.set()
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


def _passthrough(
    kind: str, bootstrap: str, arts: list[dict[str, Any]], tmp: Path, suffix: str = "0"
) -> dict[str, float]:
    src, dst = f"bench.{kind}.{suffix}.in", f"bench.{kind}.{suffix}.out"
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
    env = {"BENCH_BOOTSTRAP": bootstrap, "BENCH_SRC": src, "BENCH_DST": dst, "BENCH_GROUP": f"bench-{kind}-{suffix}",
           "BENCH_DATADIR": str(tmp / f"{kind}-{suffix}"), "BENCH_PARTITIONS": "2"}  # fmt: skip
    module = "bench.aiokafka_passthrough" if kind == "aiokafka" else "bench.faust_passthrough"
    proc = _spawn(module, env, tmp / f"{kind}-{suffix}.log")
    try:
        recs = asyncio.run(_drain(bootstrap, dst, len(arts), timeout=300))
    finally:
        stop_group(proc, 20)
    del s
    return {"articles": len(recs), "throughput_aps": _throughput(recs)}


def _warta(
    bootstrap: str, arts: list[dict[str, Any]], tmp: Path, prefix: str
) -> tuple[WorkerProcess, Settings]:
    env = isolated_env(bootstrap, prefix, tmp / prefix, **worker_code())
    settings = Settings(brokers=bootstrap, partitions=2,
                        topics={k.split("__")[1].lower(): v for k, v in env.items() if k.startswith("WARTA_TOPICS__")})  # fmt: skip
    create_topics(settings)
    return WorkerProcess(env, log_path=tmp / f"{prefix}.log", cwd=worker_cwd()), settings


def worker_code() -> dict[str, str]:
    """``BENCH_WORKER_PYTHONPATH``: run the workers from another checkout (the baseline) with this
    harness, for a comparison measured the same way on the same machine."""
    path = os.environ.get("BENCH_WORKER_PYTHONPATH")
    return {"PYTHONPATH": path} if path else {}


def worker_cwd() -> Path | None:
    """The working directory of a worker run from ``BENCH_WORKER_PYTHONPATH``: that checkout.
    ``python -m streams`` puts its working directory before PYTHONPATH, so a worker started from
    this checkout would import this checkout's ``streams`` whatever PYTHONPATH says."""
    path = os.environ.get("BENCH_WORKER_PYTHONPATH")
    return Path(path) if path else None


def _two_workers(bootstrap: str, arts: list[dict[str, Any]], tmp: Path) -> dict[str, float]:
    """Two workers of one group draining the same pre-filled 2-partition topic."""
    first, s = _warta(bootstrap, arts, tmp, "two")
    second = WorkerProcess(first.env, log_path=tmp / "two-b.log", cwd=first.cwd)
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


def latency_stats(lat: list[float]) -> dict[str, float]:
    """p50 / p95 / p99 / max (ms) and the count of a list of latencies."""
    return {f"p{p}": percentile(lat, p) for p in (50, 95, 99)} | {
        "max": max(lat) if lat else float("nan"),
        "n": len(lat),
    }


async def _paced(
    bootstrap: str, topic: str, out_topic: str, arts: list[dict[str, Any]], rate: float
) -> list[tuple[float, float, bytes]]:
    """Publish at ``rate`` articles/s while a consumer, positioned at the end of ``out_topic``
    before the first record is sent, records arrival times."""
    ready = asyncio.Event()
    drain = asyncio.create_task(
        _drain(bootstrap, out_topic, len(arts), timeout=len(arts) / rate + 60, latest=True, ready=ready)
    )
    await asyncio.wait_for(ready.wait(), 60)
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


def cpu_seconds(pid: int) -> dict[str, float]:
    """CPU seconds (user + system) used so far by process ``pid`` (the worker's event loop) and
    by its live children (the pipeline processes), from /proc; empty where /proc is missing."""
    tick = os.sysconf("SC_CLK_TCK")

    def stat(p: str) -> list[str] | None:
        try:
            text = Path(f"/proc/{p}/stat").read_text()
        except OSError:
            return None
        return text.rsplit(")", 1)[1].split()  # fields after the command name, from state on

    own = stat(str(pid))
    if own is None:
        return {}
    children = 0.0
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (f := stat(entry)) is not None and f[1] == str(pid):
            children += (int(f[11]) + int(f[12])) / tick
    return {"loop": (int(own[11]) + int(own[12])) / tick, "pipeline": children}


#: The worker's batching counters (``/metrics``): round trips, inputs sent in them, shipped groups.
BATCHING_COUNTERS = (
    "warta_pipeline_calls_total",
    "warta_pipeline_call_inputs_total",
    "warta_shipped_groups_total",
)


def read_batching_counters(metrics_text: str) -> dict[str, float]:
    """The values of :data:`BATCHING_COUNTERS` in a ``/metrics`` text (those it has)."""
    return {
        n: float(line.split()[-1])
        for line in metrics_text.splitlines()
        for n in BATCHING_COUNTERS
        if line.startswith(n + " ")
    }


def batching_counters(metrics_text: str) -> dict[str, float]:
    """Inputs per round trip to the pipeline processes and per shipped group, from the worker's
    counters (empty for a worker without them)."""
    names = BATCHING_COUNTERS
    got = read_batching_counters(metrics_text)
    if len(got) < len(names) or not got[names[0]] or not got[names[2]]:
        return {}
    inputs = got[names[1]]
    return {"inputs_per_call": inputs / got[names[0]], "inputs_per_group": inputs / got[names[2]]}


def _saturation(
    bootstrap: str, arts: list[dict[str, Any]], tmp: Path, run: int, profile: bool
) -> dict[str, Any]:
    """One worker draining ``arts`` pre-filled on its raw topic (py-spy on the first run)."""
    worker, s = _warta(bootstrap, arts, tmp, f"sat{run}")
    asyncio.run(_prefill(bootstrap, s.topics.raw, arts, stamp=True))
    worker.start()
    assert worker.proc is not None
    cpu0 = cpu_seconds(worker.proc.pid)  # start-up (models, warm-up) not counted
    prof_raw = tmp / "profile.raw"
    profiler = start_profile(worker.proc.pid, prof_raw, seconds=PROFILE_SECONDS) if profile else None
    try:
        recs = asyncio.run(_drain(bootstrap, s.topics.enriched, len(arts), timeout=600))
        cpu1 = cpu_seconds(worker.proc.pid)
        batching = batching_counters(worker.metrics())
    finally:
        worker.stop()
        if profiler is not None:
            profiler.wait(timeout=PROFILE_SECONDS + 30)
    if profile and prof_raw.exists():
        (RESULTS / "profile-worker-batch.txt").write_text(summarise_raw(prof_raw, PROFILE_HEADER))
    # CPU per article: what the load on the machine does not change (unlike articles/s)
    cpu_ms = {k: (cpu1[k] - cpu0[k]) * 1000 / max(1, len(recs)) for k in cpu0 if k in cpu1}
    return {
        "articles": len(recs),
        "throughput_aps": _throughput(recs),
        "latency_ms": latency_stats(_latencies(recs)),
        "cpu_ms_per_article": cpu_ms,
        "batching": batching,
    }


def _interleaved(
    bootstrap: str, arts: list[dict[str, Any]], tmp: Path, repeats: int, log: Any
) -> dict[str, Any]:
    """The Faust passthrough, the aiokafka passthrough and Warta's saturation, in turn, ``repeats``
    times each (Faust, aiokafka, Warta, Faust, aiokafka, Warta...): medians, and the ratios of
    Warta to each passthrough, both of the medians and run by run (a burst of load from elsewhere
    on the machine hits the three alike)."""
    faust: list[dict[str, Any]] = []
    aiok: list[dict[str, Any]] = []
    warta: list[dict[str, Any]] = []
    for run in range(repeats):
        log(f"faust passthrough, run {run + 1}/{repeats}…")
        faust.append(_passthrough("faust", bootstrap, arts, tmp, suffix=str(run)))
        log(f"aiokafka passthrough, run {run + 1}/{repeats}…")
        aiok.append(_passthrough("aiokafka", bootstrap, arts, tmp, suffix=str(run)))
        log(f"warta full pipeline, saturation, run {run + 1}/{repeats}…")
        warta.append(_saturation(bootstrap, arts, tmp, run, profile=run == 0))
        log(f"  faust {faust[-1]['throughput_aps']:.0f}/s, aiokafka {aiok[-1]['throughput_aps']:.0f}/s, "
            f"warta {warta[-1]['throughput_aps']:.1f}/s")  # fmt: skip
    f_aps = [r["throughput_aps"] for r in faust]
    a_aps = [r["throughput_aps"] for r in aiok]
    w_aps = [r["throughput_aps"] for r in warta]
    mix = size_mix(arts)
    w_med = statistics.median(w_aps)
    middle = sorted(warta, key=lambda r: r["throughput_aps"])[len(warta) // 2]
    warta_out = {
        "articles": len(arts),
        "throughput_aps": w_med,
        "runs_aps": w_aps,
        "throughput_kb_per_s": w_med * mix["mean_kb"],
        "size_mix": mix,
        "ratio_runs": [w / max(1e-9, f) for w, f in zip(w_aps, f_aps, strict=True)],
        "ratio_runs_aiokafka": [w / max(1e-9, a) for w, a in zip(w_aps, a_aps, strict=True)],
        "cpu_ms_per_article": {
            k: statistics.median(r["cpu_ms_per_article"][k] for r in warta)
            for k in warta[0].get("cpu_ms_per_article", {})
        },
        "batching": {
            k: statistics.median(r["batching"][k] for r in warta) for k in warta[0].get("batching", {})
        },
    }
    return {
        "faust_passthrough": {"throughput_aps": statistics.median(f_aps), "runs_aps": f_aps},
        "aiokafka_passthrough": {"throughput_aps": statistics.median(a_aps), "runs_aps": a_aps},
        "warta": warta_out,
        "saturation_latency_ms": middle["latency_ms"],  # of the median run
    }


def _end_to_end_quantiles(metrics_text: str) -> dict[str, float]:
    """p50 / p99 (ms) of the worker's own ``warta_end_to_end_seconds`` histogram (bucket bounds:
    the smallest bucket holding the quantile), as Prometheus would estimate them, coarsely."""
    buckets: list[tuple[float, float]] = []
    for line in metrics_text.splitlines():
        if line.startswith("warta_end_to_end_seconds_bucket"):
            le = line.split('le="', 1)[1].split('"', 1)[0]
            buckets.append((float("inf") if le == "+Inf" else float(le), float(line.rsplit(" ", 1)[1])))
    if not buckets or buckets[-1][1] == 0:
        return {}
    total = buckets[-1][1]
    return {f"p{q}_le_ms": next(le for le, c in buckets if c >= total * q / 100) * 1000 for q in (50, 99)}


def _paced_runs(
    bootstrap: str, tmp: Path, rates: dict[str, float], seconds: float, log: Any
) -> tuple[dict[str, Any], dict[str, list[float]]]:
    """One worker, publish at each rate for ``seconds`` (after a warm-up): latency per rate, and
    the latencies themselves."""
    worker, s = _warta(bootstrap, [], tmp, "paced")
    worker.start()
    out: dict[str, Any] = {}
    raw: dict[str, list[float]] = {}
    try:
        warm = list(generate_articles(30, seed=12))
        asyncio.run(
            _paced(
                bootstrap, s.topics.raw, s.topics.enriched, [{**a, "id": "warm-" + a["id"]} for a in warm], 10
            )
        )
        for i, (name, rate) in enumerate(rates.items()):
            log(f"warta full pipeline at {rate:.0f} articles/s ({name}), {seconds:.0f} s…")
            arts = [
                {**a, "id": f"{name}-{a['id']}"}
                for a in generate_articles(max(20, int(rate * seconds)), seed=13 + i)
            ]
            load = os.getloadavg()[0]
            recs = asyncio.run(_paced(bootstrap, s.topics.raw, s.topics.enriched, arts, rate))
            raw[f"{rate:.0f}/s ({name})"] = lats = _latencies(recs)
            out[name] = {"rate_aps": rate, **latency_stats(lats), "sent": len(arts),
                         "load_average_1m": [load, os.getloadavg()[0]]}  # fmt: skip
            log(f"  p50 {out[name]['p50']:.1f} / p95 {out[name]['p95']:.1f} / p99 {out[name]['p99']:.1f} ms")
        out["worker_histogram"] = _end_to_end_quantiles(worker.metrics())
    finally:
        worker.stop()
    return out, raw


def _ingest_runs(bootstrap: str, tmp: Path, rate: float, seconds: float, log: Any) -> dict[str, Any]:
    """HTTP ingest -> enriched and feed poller -> enriched at ``rate``, each with its own worker."""
    from bench.bench_ingest import _latency, _settings, poller_latency

    log(f"HTTP ingest → enriched at {rate:.0f}/s, {seconds:.0f} s…")
    s, env = _settings(bootstrap, f"bh{int(time.time())}", tmp)
    http = _latency(s, env, tmp, rate, seconds)
    log(f"  p50 {http['p50_ms']:.1f} / p95 {http['p95_ms']:.1f} / p99 {http['p99_ms']:.1f} ms")
    log(f"feed poller → enriched at {rate:.0f}/s, {seconds:.0f} s…")
    s, env = _settings(bootstrap, f"bp{int(time.time())}", tmp)
    poller = poller_latency(s, env, tmp, rate, seconds)
    log(f"  p50 {poller['p50_ms']:.1f} / p95 {poller['p95_ms']:.1f} / p99 {poller['p99_ms']:.1f} ms")
    return {"http": http, "poller": poller}


def _in_process(arts: list[dict[str, Any]], warm: int = 20) -> dict[str, Any]:
    """The pipeline in this process over ``arts`` (after ``warm`` of them as a warm-up): articles/s
    of wall time, and the thread CPU per article (``cpu_ms_per_article``, comparable with the
    worker's pipeline-process CPU per article on the same articles)."""
    stage_times: dict[str, list[float]] = {}

    def hook(name: str, secs: float) -> None:
        stage_times.setdefault(name, []).append(secs)

    pipe = build_pipeline(Settings(), on_stage=hook)
    raws = [RawArticle.model_validate(a) for a in arts]
    for r in raws[:warm]:  # warm-up: lazy models, caches
        pipe.run(r)
    stage_times.clear()
    per: list[float] = []
    t0 = time.perf_counter()
    c0 = time.thread_time()
    for r in raws:
        t = time.perf_counter()
        pipe.run(r)
        per.append(time.perf_counter() - t)
    cpu = time.thread_time() - c0
    total = time.perf_counter() - t0
    return {
        "articles": len(raws),
        "mean_kb": size_mix(arts)["mean_kb"],
        "throughput_aps": len(raws) / total,
        "cpu_ms_per_article": cpu * 1000 / max(1, len(raws)),
        "median_ms_per_article": statistics.median(per) * 1000,
        "p95_ms_per_article": percentile(per, 95) * 1000,
        "stage_median_ms": {k: statistics.median(v) * 1000 for k, v in stage_times.items()},
    }


def _plot(lat: dict[str, list[float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(lat), figsize=(5 * len(lat), 4), squeeze=False)
    for ax, (title, data) in zip(axes[0], lat.items(), strict=True):
        if data:
            ax.hist(data, bins=60, color="#2b6cb0")
            for p, c in ((50, "green"), (95, "orange"), (99, "red")):
                ax.axvline(
                    percentile(data, p), color=c, linestyle="--", label=f"p{p} {percentile(data, p):.1f} ms"
                )
            ax.legend()
        ax.set_title(f"ingested_at → enriched, {title}")
        ax.set_xlabel("ms")
        ax.set_ylabel("articles")
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def _args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="about 6 minutes: 800 articles, 15 s paced runs, "
                    "no two-worker run and no size scaling (BENCH_QUICK=1 does the same)")  # fmt: skip
    ap.add_argument("--seconds", type=float, default=None, help="seconds of each paced run")
    ap.add_argument("--articles", type=int, default=None, help="articles of each saturation run")
    ap.add_argument("--repeats", type=int, default=REPEATS, help="interleaved saturation/Faust runs")
    ap.add_argument("--save", action="store_true", help="write the tracked bench/results/ files "
                    "(default: the ignored bench/.out/; BENCH_RESULTS=DIR elsewhere)")  # fmt: skip
    args = ap.parse_args(argv)
    args.quick = args.quick or os.environ.get("BENCH_QUICK") == "1"
    args.seconds = args.seconds or (15.0 if args.quick else RATE_SECONDS)
    args.articles = args.articles or (800 if args.quick else N_SATURATION)
    return args


def main(argv: list[str] | None = None) -> int:
    global RESULTS
    args = _args(argv)
    RESULTS = results_dir(args.save)
    tmp = Path(tempfile.mkdtemp(prefix="warta-bench-"))
    cache = Path(os.environ.get("WARTA_KAFKA_CACHE", ".cache/kafka"))
    broker = LocalBroker(cache, tmp / "kafka", heap="1g")
    state = broker.start()
    bootstrap = state.bootstrap
    arts = list(generate_articles(args.articles, seed=11))
    results: dict[str, Any] = {"pipeline_version": PIPELINE_VERSION, "articles": len(arts), "quick": args.quick,
                               "paced_seconds": args.seconds, "load_average_at_start": os.getloadavg()}  # fmt: skip
    log: Callable[[str], None] = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    try:
        log("in-process pipeline (3 KB articles, one core)…")
        n_inproc = 300 if args.quick else 1000
        results["in_process"] = _in_process(
            list(generate_articles(n_inproc, seed=5, size_kb=3.0, dup_share=0.1))
        )
        # the same pipeline over the worker's own articles (the 1-10 KB mix): the in-process cost
        # the worker's pipeline-process CPU per article compares with
        log("in-process pipeline (the saturation runs' 1-10 KB mix, one core)…")
        results["in_process_mix"] = _in_process(arts[: min(len(arts), 300)])
        results |= _interleaved(bootstrap, arts, tmp, args.repeats, log)
        if not args.quick:
            log("warta full pipeline, two workers (one partition each), saturation…")
            results["warta_two_workers"] = _two_workers(bootstrap, arts, tmp)
        w_aps = results["warta"]["throughput_aps"]
        half = float(RATE_ENV) if RATE_ENV else max(1.0, round(w_aps / 2))
        rates = {"10/s": 10.0, "20/s": 20.0, "half saturation": half}
        results["latency_ms"], raw = _paced_runs(bootstrap, tmp, rates, args.seconds, log)
        results["latency_ms"]["saturation"] = results.pop("saturation_latency_ms")
        results["ingest_latency_ms"] = _ingest_runs(bootstrap, tmp, 20.0, args.seconds, log)
    finally:
        broker.stop()
    if not args.quick:
        log("one-paragraph articles 10 KB to 1 MB, in-process…")
        from bench.bench_size import size_scaling

        results["size_scaling"] = size_scaling(budget=SIZE_BUDGET)
    w = results["warta"]["throughput_aps"]
    results["ratio_to_faust_passthrough"] = w / results["faust_passthrough"]["throughput_aps"]
    results["ratio_to_aiokafka_passthrough"] = w / results["aiokafka_passthrough"]["throughput_aps"]
    results["load_average_at_end"] = os.getloadavg()
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
    (RESULTS / "latest.md").write_text(markdown(results))
    _plot(raw, RESULTS / "latency.png")
    print(markdown(results))
    return 0


def _cpu_note(run: dict[str, Any]) -> str:
    """ ", N ms CPU per article" of an in-process run that measured it (older results did not)."""
    cpu = run.get("cpu_ms_per_article")
    return f", {cpu:.2f} ms CPU per article" if cpu is not None else ""


def _ok(value: float, target: float, *, below: bool = True) -> str:
    good = value < target if below else value >= target
    return "✅" if good else "❌"


def _lat_row(name: str, lat: dict[str, Any], target: float | None = None) -> str:
    t = f"< {target:.0f} ms {_ok(lat['p99'], target)}" if target is not None else ""
    return f"| p50 / p95 / p99 latency, {name} | {lat['p50']:.1f} / {lat['p95']:.1f} / {lat['p99']:.1f} ms (n {lat['n']}) | {t} |"


def markdown(r: dict[str, Any]) -> str:
    lat = r["latency_ms"]
    ing = r["ingest_latency_ms"]
    ip = r["in_process"]
    w = r["warta"]
    f = r["faust_passthrough"]
    half = lat["half saturation"]
    ratio = r["ratio_to_faust_passthrough"]
    runs = ", ".join(f"{x:.1f}" for x in w["runs_aps"])
    fruns = ", ".join(f"{x:.0f}" for x in f["runs_aps"])
    a = r["aiokafka_passthrough"]
    aruns = ", ".join(f"{x:.0f}" for x in a.get("runs_aps", [a["throughput_aps"]]))
    rr_f = ", ".join(f"{x:.3f}" for x in w.get("ratio_runs", []))
    rr_a = ", ".join(f"{x:.3f}" for x in w.get("ratio_runs_aiokafka", []))
    two = r.get("warta_two_workers")
    rows = [
        "| measure | value | target (issue 26) |",
        "| --- | --- | --- |",
        f"| Faust passthrough (median of {len(f['runs_aps'])}: {fruns}) | {f['throughput_aps']:.0f} articles/s | baseline |",
        f"| aiokafka passthrough (median of {len(a.get('runs_aps', [0]))}: {aruns}) | {a['throughput_aps']:.0f} articles/s | baseline |",
        f"| Warta full pipeline, saturation (median of {len(w['runs_aps'])}: {runs}) | {w['throughput_aps']:.1f} articles/s | |",
        f"| Warta throughput per KB | {w.get('throughput_kb_per_s', 0):.0f} KB/s (mean article {w.get('size_mix', {}).get('mean_kb', 0):.1f} KB) | |",
        f"| ratio to Faust passthrough | {ratio:.3f} | ≥ {TARGETS['ratio_faust']} {_ok(ratio, TARGETS['ratio_faust'], below=False)} |",
        f"| ratio to aiokafka passthrough | {r['ratio_to_aiokafka_passthrough']:.3f} | |",
        f"| ratios run by run, to Faust / to aiokafka | {rr_f} / {rr_a} | |",
    ]
    cpu = w.get("cpu_ms_per_article") or {}
    if cpu:
        rows.append(f"| CPU per article at saturation (median): event loop / pipeline process | "
                    f"{cpu.get('loop', 0):.1f} / {cpu.get('pipeline', 0):.1f} ms | |")  # fmt: skip
    bat = w.get("batching") or {}
    if bat:
        rows.append(f"| inputs per round trip to the pipeline processes / per shipped group (median) | "
                    f"{bat['inputs_per_call']:.1f} / {bat['inputs_per_group']:.1f} | |")  # fmt: skip
    if two:
        rows.append(
            f"| Warta, two workers (same 2 cores as the broker) | {two['throughput_aps']:.0f} articles/s | |"
        )
    rows += [
        _lat_row("10/s", lat["10/s"]),
        _lat_row("20/s", lat["20/s"], TARGETS["p99_20_ms"]),
        _lat_row(f"{half['rate_aps']:.0f}/s (half saturation)", half, TARGETS["p99_half_ms"]),
        f"| HTTP ingest → enriched, p50 / p95 / p99 at {ing['http']['rate_aps']:.0f}/s | {ing['http']['p50_ms']:.1f} / {ing['http']['p95_ms']:.1f} / {ing['http']['p99_ms']:.1f} ms (n {ing['http']['enriched']}) | < {TARGETS['http_p99_20_ms']:.0f} ms {_ok(ing['http']['p99_ms'], TARGETS['http_p99_20_ms'])} |",
        f"| feed poller → enriched, p50 / p95 / p99 at {ing['poller']['rate_aps']:.0f}/s | {ing['poller']['p50_ms']:.1f} / {ing['poller']['p95_ms']:.1f} / {ing['poller']['p99_ms']:.1f} ms (n {ing['poller']['enriched']}) | |",
        f"| latency at saturation (pre-filled burst: queueing) | {lat['saturation']['p50']:.0f} / {lat['saturation']['p95']:.0f} / {lat['saturation']['p99']:.0f} ms | |",
        f"| in-process, one core, 3 KB | {ip['throughput_aps']:.0f} articles/s (median {ip['median_ms_per_article']:.2f} ms"
        f"{_cpu_note(ip)}) | |",
    ]
    mixed = r.get("in_process_mix")
    if mixed:
        rows.append(
            f"| in-process, one core, the saturation mix (mean {mixed['mean_kb']:.1f} KB) | "
            f"{mixed['throughput_aps']:.0f} articles/s, {mixed['cpu_ms_per_article']:.2f} ms CPU per article "
            f"(the worker's pipeline processes: {cpu.get('pipeline', 0):.2f} ms) | |"
        )
    hist = lat.get("worker_histogram") or {}
    stages = ", ".join(f"{k} {v:.3f}" for k, v in ip["stage_median_ms"].items())
    mix = ", ".join(f"{k}: {v}" for k, v in w.get("size_mix", {}).get("buckets", {}).items())
    load = ", ".join(f"{x:.1f}" for x in r.get("load_average_at_start", ()))
    out = (f"# Benchmark ({r['measured_at']}, {r['articles']} articles 1–10 KB per saturation run, "
           f"{r['machine']['cpus']} cores{', --quick' if r.get('quick') else ''})\n\n"
           f"Load average at the start: {load} (the machine is shared; the figures are pessimistic).\n\n"
           + "\n".join(rows) + f"\n\nArticle-size mix of the saturation runs: {mix}.\n"
           + (f"\nThe worker's own `warta_end_to_end_seconds` over the paced runs: p50 ≤ {hist.get('p50_le_ms', 0):.0f} ms, "
              f"p99 ≤ {hist.get('p99_le_ms', 0):.0f} ms (bucket bounds).\n" if hist else "")
           + f"\nPer-stage medians (ms): {stages}\n")  # fmt: skip
    if r.get("size_scaling"):
        from bench.bench_size import markdown as size_md

        out += "\n" + size_md(r["size_scaling"], SIZE_BUDGET)
    return out


if __name__ == "__main__":
    raise SystemExit(main())
