"""The ingest commands as processes on the real broker: kill -9 mid-poll, the endpoint's rules for
hostile and clumsy clients, and a broker outage during POSTs. Each test counts lost, duplicated,
crashed and tracebacks, like the reliability probe of issue 27."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from streams.kafka.admin import create_topics
from streams.kafka.broker import LocalBroker
from streams.kafka.client import collect
from tests.feeds.server import Reply, TestServer, article_html
from tests.observability.helpers import free_port

pytestmark = pytest.mark.kafka

WARTA = [sys.executable, "-m", "streams"]
NDJSON = {"Content-Type": "application/x-ndjson"}


def _env(kafka_env: Any, **extra: str) -> dict[str, str]:
    return {**os.environ, **kafka_env.env, "WARTA_INGEST_HOST_INTERVAL": "0", "WARTA_INGEST_HOST_CONCURRENCY": "8",
            "WARTA_LOG_LEVEL": "INFO", **extra}  # fmt: skip


def _published(db: Path) -> int:
    if not db.exists():
        return 0
    with contextlib.closing(sqlite3.connect(db, timeout=5)) as conn:
        try:
            return int(conn.execute("SELECT count(*) FROM items WHERE status = 'published'").fetchone()[0])
        except sqlite3.OperationalError:  # the schema is not there yet
            return 0


def _page_hits(srv: TestServer) -> int:
    return sum(v for k, v in srv.hits.items() if k.startswith("/p/"))


def _raw_urls(settings: Any, want: set[str] | None = None, timeout: float = 15) -> list[str]:
    until = None if want is None else (lambda rs: {r.value["url"] for r in rs} >= want)
    recs = collect(settings, settings.topics.raw, 10**6, timeout=timeout, until=until)
    return [r.value["url"] for r in recs]


def _slow_feed(srv: TestServer, n: int, delay: float, name: str, tmp_path: Path) -> tuple[Path, Path]:
    """A feed of ``n`` article pages on ``srv``, each answered after ``delay`` s; the feeds file
    naming it and the poller's state path."""
    for i in range(n):
        srv.routes[f"/p/{i}.html"] = Reply(200, article_html(f"Berita {i}").encode(),
                                           {"Content-Type": "text/html"}, delay=delay)  # fmt: skip
    srv.feed("/f.xml", [(f"/p/{i}.html", f"B{i}") for i in range(n)])
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(f"feeds:\n  - url: {srv.base}/f.xml\n    name: {name}\n")
    return feeds, tmp_path / "s.db"


def test_kill9_mid_poll_republishes_at_most_five_items(kafka_env: Any, tmp_path: Path) -> None:
    s = kafka_env.settings
    create_topics(s)
    n = 240
    srv = TestServer()
    try:
        feeds, db = _slow_feed(srv, n, 0.04, "kill9", tmp_path)
        want = {f"{srv.base}/p/{i}.html" for i in range(n)}
        republish_per_crash, tracebacks = [], 0
        for crash in range(2):
            log = tmp_path / f"poller{crash}.log"
            with log.open("wb") as fh:
                proc = subprocess.Popen([*WARTA, "ingest", "feeds", str(feeds), "--state", str(db)],
                                        env=_env(kafka_env), stdout=fh, stderr=subprocess.STDOUT)  # fmt: skip
                # mid-poll: 50 more pages fetched (not "50 more committed", which would favour
                # a poller that commits in large groups by killing it right after a commit)
                target, deadline = _page_hits(srv) + 50, time.monotonic() + 120
                while _page_hits(srv) < target and time.monotonic() < deadline and proc.poll() is None:
                    time.sleep(0.02)
                proc.send_signal(signal.SIGKILL)
                proc.wait()
            committed = _published(db)
            assert 0 < committed < n, f"killed mid-poll ({committed} of {n} committed)"
            in_topic = set(_raw_urls(s, timeout=6))
            # in the topic, not committed: exactly what the next run publishes again
            republish_per_crash.append(len(in_topic) - committed)
            tracebacks += log.read_text(errors="replace").count("Traceback")
        done = subprocess.run([*WARTA, "ingest", "feeds", str(feeds), "--once", "--state", str(db)],
                              env=_env(kafka_env), capture_output=True, timeout=300)  # fmt: skip
        assert done.returncode == 0, done.stderr.decode()[-2000:]
        tracebacks += done.stderr.count(b"Traceback")
        urls = _raw_urls(s, want, timeout=60)
    finally:
        srv.close()
    counts = Counter(urls)
    lost, duplicated = len(want - set(counts)), sum(c - 1 for c in counts.values())
    print(f"kill -9 x2 mid-poll: lost {lost}, duplicated {duplicated} (per crash {republish_per_crash}),"
          f" tracebacks {tracebacks}")  # fmt: skip
    assert lost == 0 and tracebacks == 0
    assert all(r <= 5 for r in republish_per_crash), republish_per_crash
    assert duplicated == sum(republish_per_crash) <= 10


@contextlib.contextmanager
def _endpoint(env: dict[str, str], log: Path) -> Iterator[str]:
    """``warta ingest http`` as a process; yields its base URL once /health says ok."""
    port = free_port()
    with log.open("wb") as fh:
        proc = subprocess.Popen([*WARTA, "ingest", "http", "--port", str(port)], env=env, stdout=fh,
                                stderr=subprocess.STDOUT)  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                assert proc.poll() is None, log.read_text()[-3000:]
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(base + "/health", timeout=2).status_code == 200:
                        break
                time.sleep(0.2)
            yield base
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            # a graceful stop on SIGTERM exits 0 (uvicorn alone re-raises the signal: exit -15)
            assert proc.returncode == 0, f"the endpoint did not stop cleanly ({proc.returncode})"


def _records(prefix: str, n: int, size: int = 200, only: set[str] | None = None) -> bytes:
    """``n`` records ``{prefix}-{i}`` (or only the ids in ``only``: a client's retry)."""
    filler = "Warga mengungsi karena banjir rob di pesisir utara. " * (size // 52 + 1)
    return b"\n".join(
        orjson.dumps({"id": f"{prefix}-{i}", "text": f"{prefix} {i}: {filler[:size]}"})
        for i in range(n)
        if only is None or f"{prefix}-{i}" in only
    )


def _stall(base: str, partial: bytes) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.sendall(partial)
    return sock


def _closed_by_server(sock: socket.socket, within: float) -> bool:
    """The server closed the connection (possibly after a 408) within ``within`` seconds."""
    sock.settimeout(within)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
    except (TimeoutError, OSError) as exc:
        return isinstance(exc, ConnectionResetError)
    finally:
        sock.close()


def test_endpoint_refuses_cross_origin_bounds_batches_and_drops_stalled_clients(
    kafka_env: Any, tmp_path: Path
) -> None:
    s = kafka_env.settings
    create_topics(s)
    env = _env(kafka_env, WARTA_INGEST_HEADER_TIMEOUT="1", WARTA_INGEST_BODY_TIMEOUT="1",
               WARTA_INGEST_MAX_BODY_BYTES="8000000")  # fmt: skip
    log = tmp_path / "endpoint.log"
    with _endpoint(env, log) as base:
        one = orjson.dumps({"id": "co-1", "text": "Harga beras naik di tiga provinsi menjelang akhir tahun."})
        evil = {"Origin": "http://evil.example"}
        assert (
            httpx.post(
                base + "/articles", content=one, headers={**evil, "Content-Type": "text/plain"}
            ).status_code
            == 403
        )
        assert httpx.post(base + "/articles", content=one, headers={**evil, **NDJSON}).status_code == 403
        assert (
            httpx.post(base + "/articles", content=one, headers={"Content-Type": "text/plain"}).status_code
            == 415
        )
        assert httpx.post(base + "/articles", content=one, headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 415  # fmt: skip
        same = httpx.post(base + "/articles", content=one, headers={"Origin": base, **NDJSON})
        assert same.status_code == 202 and same.json()["ids"] == ["co-1"]
        # 10,000 records in one batch: accepted, every id echoed
        t0 = time.monotonic()
        big = httpx.post(base + "/articles", content=_records("b", 10_000), headers=NDJSON, timeout=120)
        took = time.monotonic() - t0
        assert big.status_code == 202, big.text[:500]
        assert big.json()["ids"] == [f"b-{i}" for i in range(10_000)]
        over = httpx.post(base + "/articles", content=_records("o", 10_001, 20), headers=NDJSON, timeout=60)
        assert over.status_code == 413 and "10000" in over.json()["error"], "refused once, clearly"
        huge = httpx.post(base + "/articles", content=_records("h", 2_000, 5_000), headers=NDJSON, timeout=60)
        assert huge.status_code == 413 and "WARTA_INGEST_MAX_BODY_BYTES" in huge.json()["error"]
        # 20 stalled clients: 10 never finish their headers, 10 never finish their body
        stalled = [_stall(base, b"POST /articles HTTP/1.1\r\nHost: x\r\nContent-Ty") for _ in range(10)]
        stalled += [_stall(base, b"POST /articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                 b"Content-Length: 5000\r\n\r\n{\"text\": \"") for _ in range(10)]  # fmt: skip
        closed = sum(_closed_by_server(sock, 6.0) for sock in stalled)
        gone = _stall(base, b"POST /articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            b"Content-Length: 5000\r\n\r\n{\"te")  # fmt: skip
        gone.close()  # a client that goes away mid-body
        time.sleep(0.5)
        assert httpx.get(base + "/health").json()["status"] == "ok"
    refused_ids = {"h-0", "o-0"}
    ids = Counter(r.value["id"] for r in collect(s, s.topics.raw, 10_001, timeout=60))
    text = log.read_text(errors="replace")
    lost = sum(1 for i in range(10_000) if f"b-{i}" not in ids)
    duplicated = sum(c - 1 for c in ids.values())
    print(f"endpoint: 10,000-record batch in {took:.1f}s; lost {lost}, duplicated {duplicated}, "
          f"stalled closed {closed}/20, tracebacks {text.count('Traceback')}")  # fmt: skip
    assert lost == 0 and duplicated == 0 and ids["co-1"] == 1 and not refused_ids & set(ids)
    assert len(ids) == 10_001, "only the accepted records are published"
    assert closed == 20, f"{closed} of 20 stalled clients were closed"
    assert "Traceback" not in text and "[error" not in text, text[-3000:]
    assert "client closed: no complete request headers" in text and "client too slow" in text
    assert "client went away" in text
    assert "no WARTA_INGEST_TOKEN: listening on 127.0.0.1 only" in text, (
        "the operator is told there is no token"
    )


def test_broker_outage_during_posts_503_means_not_published(kafka_env: Any, kafka_broker: LocalBroker,
                                                            tmp_path: Path) -> None:  # fmt: skip
    s = kafka_env.settings
    create_topics(s)
    log = tmp_path / "endpoint.log"
    answers: Counter[int] = Counter()
    with _endpoint(_env(kafka_env, WARTA_INGEST_ACK_TIMEOUT="10"), log) as base:
        before = httpx.post(base + "/articles", content=_records("pre", 20), headers=NDJSON, timeout=30)
        assert before.status_code == 202
        # a 10,000-record POST in flight when the broker goes away
        mid: dict[str, httpx.Response] = {}
        poster = threading.Thread(target=lambda: mid.update(r=httpx.post(
            base + "/articles", content=_records("mid", 10_000), headers=NDJSON, timeout=120)))  # fmt: skip
        poster.start()
        time.sleep(0.2)
        kafka_broker.stop()
        try:
            poster.join(120)
            deadline = time.monotonic() + 20
            health = None
            while time.monotonic() < deadline:
                health = httpx.get(base + "/health", timeout=5)
                if health.status_code == 503:
                    break
                time.sleep(0.2)
            assert health is not None and health.json()["status"] == "degraded", (
                "/health degrades in the outage"
            )
            outage_ids: set[str] = set()
            for k in range(5):
                r = httpx.post(
                    base + "/articles", content=_records(f"out{k}", 20), headers=NDJSON, timeout=60
                )
                answers[r.status_code] += 1
                if r.status_code == 503:
                    outage_ids |= {f"out{k}-{i}" for i in range(20)}
        finally:
            kafka_broker.start(timeout=120)
        deadline = time.monotonic() + 60
        while httpx.get(base + "/health", timeout=5).status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(3)  # whatever a producer still held would be out by now
        leaked = {r.value["id"] for r in collect(s, s.topics.raw, 10**6, timeout=8)} & outage_ids
        for k in range(5):  # the client retries what was refused, with the same ids
            r = httpx.post(base + "/articles", content=_records(f"out{k}", 20), headers=NDJSON, timeout=60)
            assert r.status_code == 202
        mid_answer = mid["r"]
        mid_ids = [f"mid-{i}" for i in range(10_000)]
        assert mid_answer.status_code in (202, 503, 504), mid_answer.text[:300]
        unacked = (
            set()
            if mid_answer.status_code == 202
            else set(mid_ids) - set(mid_answer.json().get("acknowledged", []))
        )
        if unacked:  # the client retries what was not acknowledged, with the same ids
            assert httpx.post(base + "/articles", content=_records("mid", 10_000, only=unacked), headers=NDJSON,
                              timeout=120).status_code == 202  # fmt: skip
    want = (
        {f"pre-{i}" for i in range(20)} | {f"out{k}-{i}" for k in range(5) for i in range(20)} | set(mid_ids)
    )
    ids = Counter(
        r.value["id"]
        for r in collect(s, s.topics.raw, 0, timeout=60, until=lambda rs: {r.value["id"] for r in rs} >= want)
    )
    text = log.read_text(errors="replace")
    lost, duplicated = len(want - set(ids)), sum(c - 1 for c in ids.values())
    dup_ids = {i for i, c in ids.items() if c > 1}
    print(f"broker outage: POST in flight answered {mid_answer.status_code} ({len(unacked)} of 10,000 unacknowledged,"
          f" retried); answers during it {dict(answers)}; published although answered 503: {len(leaked)}; "
          f"lost {lost}, duplicated {duplicated} (all retried unacknowledged ids: {dup_ids <= unacked}),"
          f" tracebacks {text.count('Traceback')}")  # fmt: skip
    assert answers == Counter({503: 5}), "refused during the outage"
    assert not leaked, f"{len(leaked)} records answered 503 were published"
    assert lost == 0 and dup_ids <= unacked, "a duplicate only where the client retried an unacknowledged id"
    assert "Traceback" not in text, text[-3000:]


def test_a_record_the_topic_refuses_is_dead_lettered_not_retried_forever(
    kafka_env: Any, tmp_path: Path
) -> None:
    import random

    from streams.feeds.config import FeedList, FeedSpec
    from streams.feeds.poller import poll_once_to_kafka
    from streams.feeds.state import FeedState

    s = kafka_env.settings
    create_topics(s.model_copy(update={"max_message_bytes": 65_536}))  # topics made elsewhere, smaller
    rng = random.Random(3)
    noise = " ".join(
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(8)) for _ in range(16_000)
    )
    srv = TestServer()
    try:
        srv.routes["/p/big.html"] = Reply(200, f"<html><title>Besar</title><p>{noise}</p></html>".encode(),
                                          {"Content-Type": "text/html"})  # fmt: skip
        srv.page("/p/small.html", "Kecil")
        srv.feed("/f.xml", [("/p/big.html", "Besar"), ("/p/small.html", "Kecil")])
        feeds = FeedList(feeds=(FeedSpec(url=f"{srv.base}/f.xml", name="refused"),))
        stats = asyncio.run(poll_once_to_kafka(feeds, s, tmp_path / "s.db"))
        again = asyncio.run(poll_once_to_kafka(feeds, s, tmp_path / "s.db"))
    finally:
        srv.close()
    state = FeedState(tmp_path / "s.db")
    assert (stats.published, stats.dead, again.published, again.dead) == (1, 1, 0, 0)
    assert state.count("dead") == 1 and state.count("pending") == 0, "not retried forever"
    dead = collect(s, s.topics.dlq, 1, timeout=20)
    assert dead[0].value["error_code"] == "W104" and dead[0].value["payload_truncated"] is True
    state.close()


def test_sigterm_with_the_broker_down_stops_within_seconds(kafka_env: Any, kafka_broker: LocalBroker,
                                                           tmp_path: Path) -> None:  # fmt: skip
    s = kafka_env.settings
    create_topics(s)
    n = 200
    srv = TestServer()
    try:
        feeds, db = _slow_feed(srv, n, 0.05, "term", tmp_path)
        log = tmp_path / "poller.log"
        with log.open("wb") as fh:
            proc = subprocess.Popen([*WARTA, "ingest", "feeds", str(feeds), "--state", str(db)],
                                    env=_env(kafka_env), stdout=fh, stderr=subprocess.STDOUT)  # fmt: skip
            deadline = time.monotonic() + 120
            while _published(db) < 10 and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.05)
            kafka_broker.stop()
            try:
                time.sleep(2)  # the poller is now stuck on produces that get no answer
                t0 = time.monotonic()
                proc.send_signal(signal.SIGTERM)
                proc.wait(60)
                took = time.monotonic() - t0
            finally:
                kafka_broker.start(timeout=120)
        committed = _published(db)
        done = subprocess.run([*WARTA, "ingest", "feeds", str(feeds), "--once", "--state", str(db)],
                              env=_env(kafka_env), capture_output=True, timeout=300)  # fmt: skip
        want = {f"{srv.base}/p/{i}.html" for i in range(n)}
        urls = _raw_urls(s, want, timeout=60)
    finally:
        srv.close()
    counts = Counter(urls)
    text = log.read_text(errors="replace")
    lost, duplicated = len(want - set(counts)), sum(c - 1 for c in counts.values())
    print(f"SIGTERM with the broker down: stopped in {took:.1f}s (exit {proc.returncode}), {committed} committed;"
          f" after a restart lost {lost}, duplicated {duplicated}, tracebacks {text.count('Traceback')}")  # fmt: skip
    assert proc.returncode == 0 and took < 10.0, f"SIGTERM took {took:.1f}s"  # 2 s grace + 3 s flush
    assert 10 <= committed < n and done.returncode == 0
    assert lost == 0 and duplicated <= 5 and "Traceback" not in text, text[-2000:]
