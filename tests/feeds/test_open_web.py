"""The poller and endpoint against the open web's worst, on real local servers (no broker): real-size
pages, dead letters that say what they hold, a trickling server, SIGTERM, pending items at start."""

from __future__ import annotations

import asyncio
import base64
import io
import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import httpx
import orjson

from streams.core.settings import Settings
from streams.feeds.config import FeedList, FeedSpec
from streams.feeds.http_api import bind_address, create_ingest_app, split_records
from streams.feeds.poller import Poller
from streams.feeds.sinks import JsonlSink
from streams.feeds.state import FeedState
from streams.feeds.strip import strip_page
from streams.ingest.extract import html_to_article
from tests.feeds.conftest import fast
from tests.feeds.pagegen import news_page
from tests.feeds.server import Reply, TestServer, article_html
from tests.observability.helpers import serve

WARTA = [sys.executable, "-m", "streams"]


def _html(body: str) -> Reply:
    return Reply(200, body.encode(), {"Content-Type": "text/html; charset=utf-8"})


def test_stripping_a_real_size_page_keeps_what_extraction_finds() -> None:
    page = news_page(1_200_000)
    assert len(page.html.encode()) >= 1_200_000
    slim = strip_page(page.html)
    assert len(slim) < len(page.html) // 20, "scripts, styles, SVG and comments are the bulk of the page"
    full, cut = html_to_article(page.html), html_to_article(slim)
    assert full is not None and cut is not None
    assert (cut.title, cut.text, cut.author, cut.date) == (full.title, full.text, full.author, full.date)
    assert "application/ld+json" in slim and "__NEXT_DATA__" not in slim and "<!--" not in slim


async def test_pages_up_to_5_mb_are_accepted_by_default(server: TestServer, tmp_path: Path) -> None:
    page = news_page(4_900_000, seed=5)
    server.routes["/p/besar.html"] = _html(page.html)
    server.feed("/f.xml", [("/p/besar.html", page.title)])
    out = io.BytesIO()
    settings = fast(ingest_max_page_bytes=Settings().ingest_max_page_bytes)  # the default limit
    poller = Poller(FeedList(feeds=(FeedSpec(url=f"{server.base}/f.xml", name="lima"),)), settings,
                    JsonlSink(out), FeedState(tmp_path / "s.db"))  # fmt: skip
    stats = await poller.poll_once(force=True)
    await poller.aclose()
    assert Settings().ingest_max_page_bytes >= 5_000_000 > len(page.html.encode()) > 4_800_000
    assert (stats.published, stats.dead) == (1, 0)
    record = orjson.loads(out.getvalue())
    assert page.marker in record["html"] and len(out.getvalue()) < 100_000, "published without its furniture"


async def test_dead_letters_say_what_they_hold(server: TestServer, tmp_path: Path) -> None:
    big = article_html("Berita panjang", n=600).encode()  # ~140 KB of article markup: nothing to strip
    server.routes["/p/big.html"] = _html(big.decode())
    server.routes["/p/file.pdf"] = Reply(200, b"%PDF-1.4 " + b"x" * 1000, {"Content-Type": "application/pdf"})
    server.routes["/p/huge.html"] = _html("<p>" + "y" * 300_000 + "</p>")  # over the page limit
    server.feed("/f.xml", [("/p/big.html", "big"), ("/p/file.pdf", "pdf"), ("/p/huge.html", "huge")])
    dlq = io.BytesIO()
    settings = fast(max_article_bytes=60_000, ingest_dlq_payload_bytes=50_000, ingest_max_page_bytes=200_000)
    poller = Poller(FeedList(feeds=(FeedSpec(url=f"{server.base}/f.xml", name="dl"),)), settings,
                    JsonlSink(io.BytesIO(), dlq), FeedState(tmp_path / "s.db"))  # fmt: skip
    stats = await poller.poll_once(force=True)
    await poller.aclose()
    assert stats.dead == 3
    letters = {d["source_key"].rsplit("/", 1)[1]: d for d in map(orjson.loads, dlq.getvalue().splitlines())}
    for name, dl in letters.items():
        held = base64.b64decode(dl["payload_b64"])
        assert dl["payload_truncated"] == (len(held) < dl["payload_size"]), name
    assert letters["big.html"]["error_code"] == "W104" and letters["big.html"]["payload_truncated"] is True
    assert letters["big.html"]["payload_size"] == len(big)
    assert len(base64.b64decode(letters["big.html"]["payload_b64"])) == 50_000
    pdf = letters["file.pdf"]
    assert pdf["payload_truncated"] is False and base64.b64decode(pdf["payload_b64"]).startswith(b"%PDF")
    assert letters["huge.html"]["error_code"] == "W104" and letters["huge.html"]["payload_truncated"] is False


def test_a_1_2_mb_page_goes_through_ingest_into_process(tmp_path: Path) -> None:
    page = news_page(1_200_000, seed=11)
    srv = TestServer()
    try:
        srv.routes["/berita/banjir.html"] = _html(page.html)
        srv.feed("/rss.xml", [("/berita/banjir.html", page.title)])
        feeds = tmp_path / "feeds.yaml"
        feeds.write_text(f"feeds:\n  - url: {srv.base}/rss.xml\n    name: besar\n    outlet: Kabar Contoh\n")
        env = {**os.environ, "WARTA_INGEST_HOST_INTERVAL": "0", "WARTA_BROKERS": "127.0.0.1:1"}
        cmd = (f"{' '.join(WARTA)} ingest feeds {feeds} --once --output - --state {tmp_path / 's.db'}"
               f" | {' '.join(WARTA)} process -")  # fmt: skip
        res = subprocess.run(cmd, shell=True, capture_output=True, env=env, timeout=300)
        assert res.returncode == 0, res.stderr.decode()[-2000:]
        assert b"1 published, 0 dead-lettered" in res.stderr
        out = [orjson.loads(line) for line in res.stdout.splitlines()]
        assert len(out) == 1 and "error" not in out[0], out
        assert out[0]["title"] == page.title
        assert page.marker in out[0]["body"], "the article text, not the furniture"
        assert "function" not in out[0]["body"] and "__NEXT_DATA__" not in out[0]["body"]
    finally:
        srv.close()


def _gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(times)]


async def test_a_trickling_server_delays_no_other_feed(tmp_path: Path) -> None:
    canary, slow = TestServer(), TestServer()
    try:
        canary.page("/c/1.html", "Kanari")
        canary.feed("/c.xml", [("/c/1.html", "Kanari")])
        slow.routes["/s/1.html"] = Reply(200, article_html("Lambat").encode(), {"Content-Type": "text/html"},
                                         trickle=0.2)  # fmt: skip
        slow.feed("/s.xml", [("/s/1.html", "Lambat")])
        specs = (FeedSpec(url=f"{canary.base}/c.xml", name="canary", interval=1.0),
                 FeedSpec(url=f"{slow.base}/s.xml", name="slow", interval=1.0))  # fmt: skip
        deadline = 2.0
        state = FeedState(tmp_path / "s.db")
        poller = Poller(FeedList(feeds=specs), fast(ingest_timeout=deadline), JsonlSink(io.BytesIO()), state)
        stop = asyncio.Event()
        task = asyncio.create_task(poller.run(stop))
        await asyncio.sleep(7.5)
        t0 = time.monotonic()
        stop.set()
        await asyncio.wait_for(task, 10)
        stopped_in = time.monotonic() - t0
        await poller.aclose()
        gaps = _gaps(canary.hit_times["/c.xml"])
        slow_hits = _gaps(slow.hit_times["/s/1.html"])
        reason = state.db.execute("SELECT reason, status FROM items WHERE feed = 'slow'").fetchone()
        state.close()
    finally:
        canary.close()
        slow.close()
    assert len(gaps) >= 5 and max(gaps) < 1.0 + 0.8, f"the canary was polled every {gaps}"
    assert reason == ("timeout", "pending"), "the trickled page is cut at the deadline and retried"
    assert slow_hits and min(slow_hits) >= deadline - 0.1, "each trickled fetch lasted its deadline"
    assert max(slow_hits) < deadline + 1.5, (
        f"no fetch lasts longer than its deadline (+ back-off): {slow_hits}"
    )
    assert stopped_in < 3.0, f"stop took {stopped_in:.1f}s"


async def test_each_host_has_its_own_concurrency(tmp_path: Path) -> None:
    slow, fast_host = TestServer(), TestServer()
    try:
        for i in range(6):
            slow.page(f"/s/{i}.html", f"Lambat {i}", delay=0.5)
            fast_host.page(f"/f/{i}.html", f"Cepat {i}", delay=0.05)
        items = [(f"/s/{i}.html", f"L{i}") for i in range(6)]
        slow.feed("/mix.xml", items)
        # one feed listing pages of both hosts (a feed on the slow host, links to both)
        body = slow.routes["/mix.xml"].body.replace(b"</channel>", b"".join(  # type: ignore[union-attr]
            f"<item><title>C{i}</title><link>{fast_host.base}/f/{i}.html</link></item>".encode() for i in range(6)
        ) + b"</channel>")  # fmt: skip
        slow.routes["/mix.xml"] = Reply(200, body, {"Content-Type": "application/rss+xml"})
        out = io.BytesIO()
        poller = Poller(FeedList(feeds=(FeedSpec(url=f"{slow.base}/mix.xml", name="mix"),)),
                        fast(ingest_host_concurrency=2), JsonlSink(out), FeedState(tmp_path / "s.db"))  # fmt: skip
        t0 = time.monotonic()
        stats = await poller.poll_once(force=True)
        took = time.monotonic() - t0
        await poller.aclose()
        fast_done = max(t for p, ts in fast_host.hit_times.items() if p.startswith("/f/") for t in ts) - t0
    finally:
        slow.close()
        fast_host.close()
    assert stats.published == 12
    assert slow.max_active <= 2 and fast_host.max_active <= 2, (slow.max_active, fast_host.max_active)
    assert took >= 1.4, "6 slow pages, 2 at a time, 0.5 s each"
    assert fast_done < 0.9, f"the fast host's pages waited for the slow host ({fast_done:.2f}s)"


def test_sigterm_stops_the_poller_mid_trickle_and_keeps_its_state(tmp_path: Path) -> None:
    srv = TestServer()
    try:
        srv.page("/p/0.html", "Cepat")
        srv.routes["/p/1.html"] = Reply(200, article_html("Lambat").encode(), {"Content-Type": "text/html"},
                                        trickle=0.5)  # fmt: skip
        srv.feed("/f.xml", [("/p/0.html", "Cepat"), ("/p/1.html", "Lambat")])
        feeds = tmp_path / "feeds.yaml"
        feeds.write_text(f"feeds:\n  - url: {srv.base}/f.xml\n    name: term\n")
        out, db = tmp_path / "out.jsonl", tmp_path / "s.db"
        env = {**os.environ, "WARTA_INGEST_HOST_INTERVAL": "0", "WARTA_INGEST_TIMEOUT": "120"}
        proc = subprocess.Popen([*WARTA, "ingest", "feeds", str(feeds), "--output", str(out), "--state", str(db)],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
        deadline = time.monotonic() + 60
        while srv.hits["/p/1.html"] == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)  # mid-trickle
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
        took = time.monotonic() - t0
    finally:
        srv.close()
    assert proc.returncode == 0 and b"Traceback" not in err, err.decode()[-2000:]
    assert took < 5.0, f"SIGTERM took {took:.1f}s"
    rows = dict(sqlite3.connect(db).execute("SELECT link, status FROM items").fetchall())
    assert rows == {f"{srv.base}/p/0.html": "published", f"{srv.base}/p/1.html": "pending"}
    assert len(out.read_bytes().splitlines()) == 1


class _DownSink(JsonlSink):
    """A sink that cannot publish (its produce fails)."""

    async def send(self, key: bytes, value: bytes) -> Awaitable[Any]:
        raise ConnectionError("the raw topic is unreachable")


async def test_pending_items_resume_at_start(server: TestServer, tmp_path: Path) -> None:
    for i in range(3):
        server.page(f"/p/{i}.html", f"Berita {i}")
    server.feed("/f.xml", [(f"/p/{i}.html", str(i)) for i in range(3)])
    feeds = FeedList(feeds=(FeedSpec(url=f"{server.base}/f.xml", name="resume", interval=3600),))
    state = FeedState(tmp_path / "s.db")
    first = Poller(feeds, fast(), _DownSink(io.BytesIO()), state)
    try:
        await first.poll_once(force=True)
    except ConnectionError:
        pass
    await first.aclose()
    assert state.count("pending", "resume") == 3 and state.feed_status("resume")[0] > time.time() + 3000
    out = io.BytesIO()
    second = Poller(feeds, fast(), JsonlSink(out), state)
    stop = asyncio.Event()
    task = asyncio.create_task(second.run(stop))
    t0 = time.monotonic()
    while state.count("published") < 3 and time.monotonic() - t0 < 10:
        await asyncio.sleep(0.05)
    took = time.monotonic() - t0
    stop.set()
    await task
    await second.aclose()
    assert state.count("published") == 3 and took < 3.0, f"pending items waited {took:.1f}s (feed due in 1 h)"
    assert server.hits["/f.xml"] == 1, "the listing is not fetched before its turn"
    state.close()


class _RecordingSink(JsonlSink):
    def __init__(self, *, reachable: bool = True, acks: bool = True) -> None:
        super().__init__(io.BytesIO())
        self.handed: list[bytes] = []
        self._reachable = reachable
        self._acks = acks

    async def reachable(self, timeout: float = 3.0) -> bool:
        return self._reachable

    async def send(self, key: bytes, value: bytes) -> Awaitable[Any]:
        self.handed.append(key)
        if self._acks:
            return await super().send(key, value)
        return asyncio.get_running_loop().create_future()  # never acknowledged


def test_503_only_when_nothing_was_handed_to_the_producer() -> None:
    batch = b"\n".join(
        orjson.dumps({"id": f"r-{i}", "text": f"Berita nomor {i} tentang banjir."}) for i in range(5)
    )
    ndjson = {"Content-Type": "application/x-ndjson"}
    down = _RecordingSink(reachable=False)
    with serve(create_ingest_app(fast(), down), ready_within=1.0) as url:  # /health stays 503
        assert httpx.get(url + "/health").json() == {
            "status": "degraded",
            "broker": "unreachable",
            "inflight": 0,
        }
        r = httpx.post(url + "/articles", content=batch, headers=ndjson)
        assert r.status_code == 503 and down.handed == [], "503: nothing handed over"
    stuck = _RecordingSink(acks=False)
    with serve(create_ingest_app(fast(ingest_ack_timeout=1.0), stuck)) as url:
        r = httpx.post(url + "/articles", content=batch, headers=ndjson, timeout=10)
        assert r.status_code == 504, "handed over but not acknowledged: never 503"
        assert r.json()["ids"] == [f"r-{i}" for i in range(5)] and r.json()["acknowledged"] == []
    blocked = _BlockedSink()
    with serve(create_ingest_app(fast(ingest_ack_timeout=1.0), blocked)) as url:
        r = httpx.post(url + "/articles", content=batch, headers=ndjson, timeout=10)
        assert r.status_code == 503 and blocked.handed == [], "the producer took nothing: 503"


class _LateSink(_RecordingSink):
    """A producer whose broker is down for the first starts."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    async def start(self) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("Unable to bootstrap")


def test_the_endpoint_serves_while_the_broker_is_down_at_start() -> None:
    sink = _LateSink(failures=4)  # the start, two probes, the POST's probe
    one = orjson.dumps({"id": "late-1", "text": "Harga beras naik di tiga provinsi hari ini."})
    json_ct = {"Content-Type": "application/json"}
    with serve(create_ingest_app(fast(), sink), ready_within=0.5) as url:
        assert httpx.get(url + "/health").status_code == 503
        assert httpx.post(url + "/articles", content=one, headers=json_ct).status_code == 503
        assert sink.handed == []
        deadline = time.monotonic() + 10
        while httpx.get(url + "/health").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        r = httpx.post(url + "/articles", content=one, headers=json_ct)
        assert r.status_code == 202 and r.json()["ids"] == ["late-1"] and sink.handed == [b"late-1"]


class _BlockedSink(_RecordingSink):
    """A producer whose send never returns (no metadata for the topic): nothing is handed over."""

    async def send(self, key: bytes, value: bytes) -> Awaitable[Any]:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


def test_a_batch_is_jsonl_or_a_json_array() -> None:
    lines = split_records(b'{"text": "a"}\n{"text": "b"}\n')
    array = split_records(b'[{"text": "a"}, {"text": "b"}]')
    assert lines == array == [(1, {"text": "a"}), (2, {"text": "b"})]
    assert split_records(b'{"text": "a"}') == [(1, {"text": "a"})]


def test_without_a_token_only_loopback_unless_opted_out() -> None:
    assert bind_address(fast(), "0.0.0.0")[0] == "127.0.0.1"
    assert "127.0.0.1 only" in (bind_address(fast(), "0.0.0.0")[1] or "")
    assert bind_address(fast(ingest_token="t"), "0.0.0.0") == ("0.0.0.0", None)
    assert bind_address(fast(ingest_allow_open=True), "0.0.0.0") == ("0.0.0.0", None)
    assert bind_address(fast(), None) == ("127.0.0.1", None)


def test_the_poller_with_the_broker_down_at_start_says_so_and_stops_on_sigterm(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds:\n  - url: http://127.0.0.1:9/f.xml\n")
    env = {**os.environ, "WARTA_BROKERS": "127.0.0.1:1"}
    base = [*WARTA, "ingest", "feeds", str(feeds), "--state", str(tmp_path / "s.db")]
    once = subprocess.run([*base, "--once"], env=env, capture_output=True, timeout=120)
    assert once.returncode == 1 and b"the broker is unreachable" in once.stderr
    assert b"Traceback" not in once.stderr, once.stderr.decode()[-2000:]
    proc = subprocess.Popen(base, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.5)
        if (tmp_path / "s.db").exists():
            break
    time.sleep(3)  # it waits for the broker, retrying
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and time.monotonic() - t0 < 5.0
    assert b"retrying" in err and b"Traceback" not in err, err.decode()[-2000:]
