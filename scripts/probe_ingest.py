"""Issue 27's reliability probe of the ingest: the same scenarios against whichever tree PYTHONPATH names.

    PYTHONPATH=TREE python scripts/probe_ingest.py page|trickle OUTDIR
    PYTHONPATH=TREE python scripts/probe_ingest.py kill|batch OUTDIR BOOTSTRAP   (a running broker)

Run it once with the old tree and once with the new one to compare (the local test servers and
the page generator come from this checkout's tests/feeds, whatever the tree).
"""

import asyncio
import contextlib
import io
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "feeds"))
import itertools

from pagegen import news_page
from server import Reply, TestServer, article_html

import streams
from streams.core.settings import Settings
from streams.feeds.config import FeedList, FeedSpec
from streams.feeds.poller import Poller
from streams.feeds.sinks import JsonlSink
from streams.feeds.state import FeedState

TREE = os.path.dirname(os.path.dirname(streams.__file__))
WARTA = [sys.executable, "-m", "streams"]
TMP = Path(sys.argv[2])
TMP.mkdir(parents=True, exist_ok=True)
ENV = {
    **os.environ,
    "PYTHONPATH": TREE,
    "WARTA_INGEST_HOST_INTERVAL": "0",
    "WARTA_INGEST_HOST_CONCURRENCY": "8",
}


def page_case():
    page = news_page(1_200_000, seed=11)
    srv = TestServer()
    srv.routes["/b.html"] = Reply(200, page.html.encode(), {"Content-Type": "text/html; charset=utf-8"})
    srv.feed("/rss.xml", [("/b.html", page.title)])
    feeds = TMP / "feeds_page.yaml"
    feeds.write_text(f"feeds:\n  - url: {srv.base}/rss.xml\n    name: besar\n")
    st = TMP / "page.db"
    st.unlink(missing_ok=True)
    cmd = (
        f"{' '.join(WARTA)} ingest feeds {feeds} --once --output - --state {st} | {' '.join(WARTA)} process -"
    )
    t0 = time.monotonic()
    res = subprocess.run(
        cmd, shell=True, capture_output=True, env={**ENV, "WARTA_BROKERS": "127.0.0.1:1"}, timeout=300
    )
    out = [json.loads(ln) for ln in res.stdout.splitlines()]
    ok = len(out) == 1 and out[0].get("title") == page.title and page.marker in out[0].get("body", "")
    srv.close()
    summary = [ln for ln in res.stderr.decode().splitlines() if "polled" in ln]
    print(
        f"[page 1.2 MB] {len(page.html.encode())} bytes: through with its title: {ok}; {summary}; {time.monotonic() - t0:.1f}s;"
        f" tracebacks {res.stderr.count(b'Traceback')}"
    )


async def trickle_case():
    canary, slow = TestServer(), TestServer()
    canary.page("/c/1.html", "Kanari")
    canary.feed("/c.xml", [("/c/1.html", "Kanari")])
    slow.routes["/s/1.html"] = Reply(
        200, article_html("Lambat").encode(), {"Content-Type": "text/html"}, trickle=0.2
    )
    slow.feed("/s.xml", [("/s/1.html", "Lambat")])
    specs = (
        FeedSpec(url=f"{canary.base}/c.xml", name="canary", interval=1.0),
        FeedSpec(url=f"{slow.base}/s.xml", name="slow", interval=1.0),
    )
    st = TMP / "trickle.db"
    st.unlink(missing_ok=True)
    s = Settings(
        ingest_host_interval=0.0, ingest_timeout=2.0, ingest_backoff_base=0.05, ingest_backoff_max=0.2
    )
    poller = Poller(FeedList(feeds=specs), s, JsonlSink(io.BytesIO()), FeedState(st))
    stop = asyncio.Event()
    task = asyncio.create_task(poller.run(stop))
    await asyncio.sleep(15)
    t0 = time.monotonic()
    stop.set()
    try:
        await asyncio.wait_for(asyncio.shield(task), 30)
        stopped = f"{time.monotonic() - t0:.1f}s"
    except TimeoutError:
        stopped = "> 30s"
        task.cancel()
    times = canary.hit_times.get("/c.xml", [])
    # the last gap runs to the end of the 15 s window (a canary polled once has only that one)
    gaps = [b - a for a, b in itertools.pairwise(times)] + [t0 - times[-1] if times else 15.0]
    print(
        f"[trickle] deadline 2s, canary interval 1s, 15s run: canary polled {len(times)}x, max gap {max(gaps):.1f}s; stop took {stopped}"
    )
    canary.close()
    slow.close()


def published(db):
    try:
        with contextlib.closing(sqlite3.connect(db, timeout=5)) as c:
            return c.execute("SELECT count(*) FROM items WHERE status='published'").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def kafka_env(bootstrap, prefix):
    env = {**ENV, "WARTA_BROKERS": bootstrap, "WARTA_APP_ID": f"{prefix}-warta", "WARTA_PARTITIONS": "2"}
    for role in ("raw", "enriched", "duplicates", "events", "alerts", "dlq"):
        env[f"WARTA_TOPICS__{role.upper()}"] = f"{prefix}.{role}"
    return env


def raw_urls(env):
    from streams.kafka.client import collect

    s = Settings(brokers=env["WARTA_BROKERS"], topics={"raw": env["WARTA_TOPICS__RAW"]})
    recs = collect(s, s.topics.raw, 10**6, timeout=8)
    if asyncio.iscoroutine(recs):  # older trees: collect() was a coroutine
        recs = asyncio.run(recs)
    return [r.value.get("url") or r.value.get("id") for r in recs]


def kill_case(bootstrap):
    env = kafka_env(bootstrap, "k" + str(int(time.time())))
    subprocess.run([*WARTA, "topics", "create"], env=env, capture_output=True)
    n = 240
    srv = TestServer()
    for i in range(n):
        srv.routes[f"/p/{i}.html"] = Reply(
            200, article_html(f"Berita {i}").encode(), {"Content-Type": "text/html"}, delay=0.04
        )
    srv.feed("/f.xml", [(f"/p/{i}.html", f"B{i}") for i in range(n)])
    feeds = TMP / "feeds_kill.yaml"
    feeds.write_text(f"feeds:\n  - url: {srv.base}/f.xml\n    name: kill9\n")
    db = TMP / "kill.db"
    for p in TMP.glob("kill.db*"):
        p.unlink()
    per = []
    for _crash in range(2):
        proc = subprocess.Popen(
            [*WARTA, "ingest", "feeds", str(feeds), "--state", str(db)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def pages():
            return sum(v for k, v in srv.hits.items() if k.startswith("/p/"))

        target = pages() + 50
        dl = time.monotonic() + 120
        while pages() < target and time.monotonic() < dl and proc.poll() is None:
            time.sleep(0.02)
        proc.kill()
        proc.wait()
        per.append(len(set(raw_urls(env))) - published(db))
    subprocess.run(
        [*WARTA, "ingest", "feeds", str(feeds), "--once", "--state", str(db)],
        env=env,
        capture_output=True,
        timeout=300,
    )
    c = Counter(raw_urls(env))
    want = {f"{srv.base}/p/{i}.html" for i in range(n)}
    print(
        f"[kill -9 x2] republished per crash {per}; lost {len(want - set(c))}, duplicated {sum(v - 1 for v in c.values())}"
    )
    srv.close()


def batch_case(bootstrap):
    env = kafka_env(bootstrap, "b" + str(int(time.time())))
    subprocess.run([*WARTA, "topics", "create"], env=env, capture_output=True)
    with socket.socket() as s_:
        s_.bind(("127.0.0.1", 0))
        port = s_.getsockname()[1]
    proc = subprocess.Popen(
        [*WARTA, "ingest", "http", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    import httpx

    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(base + "/health").status_code == 200:
                break
        time.sleep(0.2)
    body = b"\n".join(
        json.dumps({"id": f"b-{i}", "text": f"b {i}: " + "Warga mengungsi karena banjir rob. " * 6}).encode()
        for i in range(10_000)
    )
    answers = [
        httpx.post(
            base + "/articles", content=body, headers={"Content-Type": "application/x-ndjson"}, timeout=120
        ).status_code
        for _ in range(3)
    ]
    xo = httpx.post(
        base + "/articles",
        content=b'{"text": "Harga beras naik di tiga provinsi hari ini."}',
        headers={"Content-Type": "text/plain", "Origin": "http://evil.example"},
    ).status_code
    # 20 stalled clients
    socks = []
    for _ in range(20):
        sk = socket.create_connection(("127.0.0.1", port))
        sk.sendall(b"POST /articles HTTP/1.1\r\nHost: x\r\nContent-Ty")
        socks.append(sk)
    time.sleep(30 if os.environ.get("PROBE_LONG") else 12)
    closed = 0
    for sk in socks:
        sk.settimeout(0.2)
        try:
            closed += sk.recv(10) == b""
        except (TimeoutError, OSError) as e:
            closed += isinstance(e, ConnectionResetError)
        sk.close()
    proc.send_signal(signal.SIGTERM)
    _o, err = proc.communicate(timeout=30)
    ids = Counter(raw_urls(env))
    print(
        f"[10,000-record batch x3] answers {answers}; in topic: {len(ids)} ids, duplicated {sum(v - 1 for v in ids.values())};"
        f" cross-origin text/plain POST -> {xo}; stalled clients closed {closed}/20 after 12s; tracebacks {err.count(b'Traceback')}"
    )


if __name__ == "__main__":
    case = sys.argv[1]
    if case == "page":
        page_case()
    elif case == "trickle":
        asyncio.run(trickle_case())
    else:
        bootstrap = sys.argv[3]
        kill_case(bootstrap) if case == "kill" else batch_case(bootstrap)
