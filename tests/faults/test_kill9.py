"""``kill -9`` the worker five times mid-stream: every raw article ends archived exactly once."""

from __future__ import annotations

import asyncio
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time

import orjson
import pytest
from aiokafka import AIOKafkaProducer

from streams.kafka.admin import create_topics

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


async def _publish(bootstrap: str, topic: str, payloads: list[tuple[bytes, bytes]], rate: float) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        t0 = time.monotonic()
        for i, (k, v) in enumerate(payloads):
            await producer.send(topic, value=v, key=k)
            delay = t0 + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        await producer.flush()
    finally:
        await producer.stop()


def test_kill9_five_times_every_article_archived_once(kafka_env) -> None:  # type: ignore[no-untyped-def]
    from streams.archive.store import ArchiveStore

    s = kafka_env.settings
    create_topics(s)
    n = 3000
    rng = random.Random(42)
    payloads = [
        (f"k{i}".encode(), orjson.dumps({"id": f"k{i}", "text": f"Artikel {i}: harga beras naik {i % 90} persen di pasar kota {i % 13}."}))
        for i in range(n)
    ]  # fmt: skip
    publisher = threading.Thread(
        target=lambda: asyncio.run(_publish(s.broker_list[0], s.topics.raw, payloads, rate=400))
    )
    publisher.start()
    worker = kafka_env.worker().start()
    for _ in range(5):
        time.sleep(rng.uniform(0.5, 2.0))
        worker.kill()  # SIGKILL: no graceful commit, no flush
        worker = kafka_env.worker().start()
    publisher.join()

    db = kafka_env.tmp / "archive.db"
    url = f"sqlite:///{db}"
    deadline = time.monotonic() + 240
    counts: dict[str, int] = {}
    while time.monotonic() < deadline:
        proc = subprocess.run(
            [sys.executable, "-m", "streams", "archive", "--url", url, "--idle", "4"],
            env={**os.environ, **kafka_env.env}, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr[-3000:]
        store = ArchiveStore(url)
        counts = store.counts()
        store.close()
        if counts["articles"] >= n:
            break
    assert counts["articles"] == n, f"{counts['articles']} of {n} archived; worker log:\n{worker.log_tail()}"
    with sqlite3.connect(db) as conn:
        total, ids, events = conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT article_id), COUNT(DISTINCT event_id) FROM articles"
        ).fetchone()
    # one archived record per event_id, one event_id per article: nothing lost, nothing doubled
    assert (total, ids, events) == (n, n, n)
