"""Ingest benchmarks: feed poller throughput to the raw topic, a memory soak, and p99 ingest->enriched.

    PYTHONPATH=. .venv/bin/python bench/bench_ingest.py [--items 500] [--soak SECONDS] [--latency SECONDS]

A feed server in its own process serves one RSS feed of ``--items`` items and their pages
(generated articles of 1-10 KB) on 127.0.0.1; a local Kafka broker is started (or
``BENCH_BOOTSTRAP`` is used). Throughput: one poll from start to the last acknowledged record, and
from the Kafka timestamps of the first and last raw record. Soak: repeated polls of a feed whose
window moves by ``--rotate`` items per poll (new pages every poll), RSS sampled after every poll.
Latency: a worker subprocess, and POST /articles to the ingest endpoint at ``--rate`` articles/s;
latency = enriched record received - POST sent.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench.generate import generate_articles
from streams.core.settings import Settings
from streams.feeds.config import FeedList, FeedSpec
from streams.feeds.poller import Poller
from streams.feeds.sinks import KafkaSink
from streams.feeds.state import FeedState
from streams.kafka.admin import create_topics
from streams.kafka.broker import LocalBroker
from streams.kafka.runner import WorkerProcess, isolated_env

__all__ = ["main", "poller_latency"]

RESULTS = Path(__file__).parent / "results"


def _page(a: dict[str, Any]) -> bytes:
    paras = "".join(f"<p>{p}</p>" for p in a["text"].split("\n\n") if p.strip())
    title = a.get("title") or a["id"]
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f"<nav>Beranda | Nasional</nav><article><h1>{title}</h1>{paras}</article>"
            f"<footer>FOLLOW US</footer></body></html>").encode()  # fmt: skip


def _serve(port_q: Any, n_items: int, rotate: int) -> None:
    """The feed server process (uvicorn, a bare ASGI app): /feed.xml (its window moves by
    ``rotate`` items per request) and /p/<i>.html."""
    import socket

    import uvicorn

    pages: dict[int, bytes] = {}
    arts = list(generate_articles(400, seed=3))
    state = {"polls": 0}
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"]
        status, ctype, body = 200, "text/plain", b""
        if path == "/feed.xml":
            start = state["polls"] * rotate
            state["polls"] += 1
            host = f"127.0.0.1:{port}"
            items = "".join(
                f"<item><title>Artikel {i}</title><link>http://{host}/p/{i}.html?utm_source=rss</link>"
                f"<guid>{i}</guid><pubDate>Tue, 24 Nov 2026 10:00:00 +0700</pubDate></item>"
                for i in range(start, start + n_items)
            )
            body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title>{items}</channel></rss>'.encode()
            ctype = "application/rss+xml"
        elif path.startswith("/p/"):
            i = int(path[3:].split(".")[0])
            body = pages.get(i) or _page({**arts[i % len(arts)], "title": f"Artikel {i}"})
            if len(pages) < 2000:
                pages[i] = body
            ctype = "text/html; charset=utf-8"
        elif path == "/robots.txt":
            body = b"User-agent: *\nAllow: /\n"
        else:
            status = 404
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", ctype.encode()), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

    port_q.put(port)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


def _start_server(n_items: int, rotate: int) -> tuple[multiprocessing.Process, str]:
    q: Any = multiprocessing.Queue()
    proc = multiprocessing.Process(target=_serve, args=(q, n_items, rotate), daemon=True)
    proc.start()
    return proc, f"http://127.0.0.1:{q.get(timeout=30)}"


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _worker_cwd() -> Path | None:
    from bench.run import worker_cwd

    return worker_cwd()


def _settings(bootstrap: str, prefix: str, tmp: Path) -> tuple[Settings, dict[str, str]]:
    from bench.run import worker_code

    env = isolated_env(bootstrap, prefix, tmp / prefix, **worker_code())
    topics = {k.split("__")[1].lower(): v for k, v in env.items() if k.startswith("WARTA_TOPICS__")}
    s = Settings(brokers=bootstrap, partitions=2, topics=topics, app_id=env["WARTA_APP_ID"],  # type: ignore[arg-type]
                 ingest_host_interval=0.0, ingest_host_concurrency=8, ingest_timeout=30.0)  # fmt: skip
    create_topics(s)
    return s, env


async def _poll_session(
    s: Settings, spec: FeedSpec, state_path: Path, polls: int, soak_s: float
) -> dict[str, Any]:
    sink = KafkaSink(s)
    await sink.start()
    state = FeedState(state_path)
    poller = Poller(FeedList(feeds=(spec,)), s, sink, state)
    out: dict[str, Any] = {}
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        first = await poller.poll_once(force=True)
        out["first_poll_s"] = time.perf_counter() - t0
        # CPU of this process (poller + producer client) per item: the machine-independent figure
        out["poller_cpu_ms_per_item"] = (time.process_time() - c0) * 1000 / max(1, first.published)
        out["first_poll_published"] = first.published
        out["first_poll_errors"] = first.errors
        if soak_s > 0:
            samples = [(0.0, _rss_mb())]
            published = 0
            t_start = time.monotonic()
            n = 0
            while time.monotonic() - t_start < soak_s:
                st = await poller.poll_once(force=True)
                published += st.published
                n += 1
                samples.append((time.monotonic() - t_start, _rss_mb()))
            out["soak"] = {"seconds": soak_s, "polls": n, "published": published,
                           "rss_mb_first_10pct": max(r for t, r in samples if t <= soak_s * 0.1),
                           "rss_mb_last_10pct": max(r for t, r in samples if t >= soak_s * 0.9),
                           "rss_mb_min": min(r for _t, r in samples), "rss_mb_max": max(r for _t, r in samples),
                           "samples": samples[:: max(1, len(samples) // 40)]}  # fmt: skip
    finally:
        await poller.aclose()
        await sink.stop()
        state.close()
    return out


def _raw_timestamps(s: Settings, n: int) -> list[float]:
    from aiokafka import AIOKafkaConsumer

    async def run() -> list[float]:
        c = AIOKafkaConsumer(s.topics.raw, bootstrap_servers=s.broker_list, auto_offset_reset="earliest",
                             enable_auto_commit=False)  # fmt: skip
        await c.start()
        ts: list[float] = []
        deadline = time.monotonic() + 60
        try:
            while len(ts) < n and time.monotonic() < deadline:
                for msgs in (await c.getmany(timeout_ms=200)).values():
                    ts.extend(m.timestamp / 1000 for m in msgs)
        finally:
            await c.stop()
        return ts

    return asyncio.run(run())


def _latency(s: Settings, env: dict[str, str], tmp: Path, rate: float, seconds: float) -> dict[str, Any]:
    import uvicorn

    from streams.feeds.http_api import create_ingest_app
    from streams.kafka.broker import free_port

    worker = WorkerProcess(env, log_path=tmp / "worker.log", cwd=_worker_cwd()).start()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_ingest_app(s, KafkaSink(s)), host="127.0.0.1", port=port,
                                           log_level="warning"))  # fmt: skip
    th = threading.Thread(target=server.run, daemon=True)
    th.start()
    url = f"http://127.0.0.1:{port}"
    while True:
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    arts = list(generate_articles(int(rate * seconds) + 20, seed=21))
    sent: dict[str, float] = {}
    got: dict[str, float] = {}
    acked: list[float] = []  # POST -> 202 (the record is on the raw topic, acks=all)

    async def consume(stop: asyncio.Event) -> None:
        from aiokafka import AIOKafkaConsumer

        c = AIOKafkaConsumer(s.topics.enriched, bootstrap_servers=s.broker_list, auto_offset_reset="earliest",
                             enable_auto_commit=False)  # fmt: skip
        await c.start()
        try:
            while not (stop.is_set() and len(got) >= len(sent)):
                for msgs in (await c.getmany(timeout_ms=100)).values():
                    now = time.time()
                    for m in msgs:
                        got.setdefault(orjson.loads(m.value)["id"], now)
        finally:
            await c.stop()

    async def run() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(consume(stop))
        # the endpoint takes only application/json or application/x-ndjson (415 otherwise)
        async with httpx.AsyncClient(base_url=url, headers={"content-type": "application/json"}) as client:
            warm = arts[:20]  # warm-up (models load in the worker), not measured
            for a in warm:
                r = await client.post("/articles", content=orjson.dumps({**a, "id": "warm-" + a["id"]}))
                assert r.status_code == 202, r.text
            warm_deadline = time.monotonic() + 120
            while len([k for k in got if k.startswith("warm-")]) < len(warm):
                assert time.monotonic() < warm_deadline, "the warm-up articles never came out enriched"
                await asyncio.sleep(0.2)
            t0 = time.monotonic()
            for i, a in enumerate(arts[20:]):
                delay = t0 + i / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                sent[a["id"]] = time.time()
                r = await client.post("/articles", content=orjson.dumps(a))
                acked.append((time.time() - sent[a["id"]]) * 1000)
                assert r.status_code == 202, r.text
        stop.set()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not all(k in got for k in sent):
            await asyncio.sleep(0.2)
        task.cancel()

    try:
        asyncio.run(run())
    finally:
        server.should_exit = True
        th.join(10)
        worker.stop()
    lat = sorted((got[k] - t) * 1000 for k, t in sent.items() if k in got)

    acked.sort()

    def pct(xs: list[float], p: float) -> float:
        return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))] if xs else float("nan")

    return {"rate_aps": rate, "sent": len(sent), "enriched": len(lat),
            "p50_ms": pct(lat, 50), "p95_ms": pct(lat, 95), "p99_ms": pct(lat, 99), "max_ms": lat[-1] if lat else None,
            "post_to_raw_ack_ms": {"p50": pct(acked, 50), "p99": pct(acked, 99)},
            "load_average": os.getloadavg()}  # fmt: skip


def poller_latency(
    s: Settings, env: dict[str, str], tmp: Path, rate: float, seconds: float, *, interval: float = 0.25
) -> dict[str, Any]:
    """Feed poller -> enriched at ``rate`` items/s: a feed whose window moves by ``rate *
    interval`` new items per request, polled every ``interval`` s by the real poller into the raw
    topic, a worker subprocess; latency = enriched record received - the poller's ``ingested_at``
    (stamped when it publishes the page)."""
    per_poll = max(1, round(rate * interval))
    proc, base = _start_server(per_poll, per_poll)
    worker = WorkerProcess(env, log_path=tmp / "worker-poller.log", cwd=_worker_cwd()).start()
    got: list[tuple[float, float]] = []  # (received, ingested_at)

    async def consume(stop: asyncio.Event) -> None:
        from aiokafka import AIOKafkaConsumer

        c = AIOKafkaConsumer(s.topics.enriched, bootstrap_servers=s.broker_list, auto_offset_reset="earliest",
                             enable_auto_commit=False)  # fmt: skip
        await c.start()
        try:
            while not stop.is_set():
                for msgs in (await c.getmany(timeout_ms=100)).values():
                    now = time.time()
                    got.extend((now, float(orjson.loads(m.value).get("ingested_at") or 0)) for m in msgs)
        finally:
            await c.stop()

    async def run() -> tuple[int, float]:
        sink = KafkaSink(s)
        await sink.start()
        state = FeedState(tmp / f"poller-latency-{s.app_id}.db")
        spec = FeedSpec(url=f"{base}/feed.xml", name="bench", interval=60)
        poller = Poller(FeedList(feeds=(spec,)), s, sink, state)
        stop = asyncio.Event()
        task = asyncio.create_task(consume(stop))
        published = 0
        try:
            await poller.poll_once(force=True)  # warm-up (models load in the worker), not measured
            deadline = time.monotonic() + 120
            while len(got) < per_poll and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            t_start = time.time()
            t0 = time.monotonic()
            for i in range(max(1, int(seconds / interval))):
                delay = t0 + i * interval - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                published += (await poller.poll_once(force=True)).published
            deadline = time.monotonic() + 60
            while sum(1 for _r, ing in got if ing >= t_start) < published and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
        finally:
            stop.set()
            await task
            await poller.aclose()
            await sink.stop()
            state.close()
        return published, t_start

    try:
        published, t_start = asyncio.run(run())
    finally:
        worker.stop()
        proc.terminate()
    lat = sorted((r - ing) * 1000 for r, ing in got if ing >= t_start)

    def pct(xs: list[float], p: float) -> float:
        return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))] if xs else float("nan")

    return {"rate_aps": rate, "published": published, "enriched": len(lat), "poll_interval_s": interval,
            "p50_ms": pct(lat, 50), "p95_ms": pct(lat, 95), "p99_ms": pct(lat, 99), "max_ms": lat[-1] if lat else None,
            "load_average": os.getloadavg()}  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=500)
    ap.add_argument("--soak", type=float, default=0.0, help="seconds of repeated polls (the brief: 600)")
    ap.add_argument("--rotate", type=int, default=25, help="new items per poll during the soak")
    ap.add_argument("--latency", type=float, default=0.0, help="seconds of POSTs at --rate to a worker")
    ap.add_argument("--rate", type=float, default=20.0)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="warta-bench-ingest-"))
    broker = None
    bootstrap = os.environ.get("BENCH_BOOTSTRAP")
    if not bootstrap:
        broker = LocalBroker(Path(os.environ.get("WARTA_KAFKA_CACHE", ".cache/kafka")), tmp / "kafka")
        bootstrap = broker.start().bootstrap
    proc, base = _start_server(args.items, args.rotate)
    results: dict[str, Any] = {
        "items": args.items,
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
    }
    try:
        s, _env = _settings(bootstrap, "bi" + str(int(time.time())), tmp)
        spec = FeedSpec(url=f"{base}/feed.xml", name="bench", interval=60)
        out = _poll_session(s, spec, tmp / "feeds.db", 1, args.soak)
        res = asyncio.run(out)
        ts = sorted(_raw_timestamps(s, res["first_poll_published"]))[: res["first_poll_published"]]
        res["items_per_s_acked"] = res["first_poll_published"] / res["first_poll_s"]
        res["items_per_s_kafka_ts"] = (len(ts) - 1) / max(1e-6, ts[-1] - ts[0]) if len(ts) > 1 else 0.0
        results["throughput"] = res
        print(json.dumps(results, indent=2, default=str)[:3000], flush=True)
        if args.latency > 0:
            s_lat, env_lat = _settings(bootstrap, "bl" + str(int(time.time())), tmp)  # fresh topics
            results["latency"] = _latency(s_lat, env_lat, tmp, args.rate, args.latency)
    finally:
        proc.terminate()
        if broker is not None:
            broker.stop()
    results["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ingest.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps({k: v for k, v in results.items()}, indent=2, default=str)[:4000])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
