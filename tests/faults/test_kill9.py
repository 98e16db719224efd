"""``kill -9`` the worker five times mid-stream: every raw article ends archived exactly once."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter

import orjson
import pytest

from streams.kafka.admin import create_topics
from tests.faults.paced import publish_paced

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


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
        target=lambda: publish_paced(s.broker_list[0], s.topics.raw, payloads, rate=400)
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


def test_kill9_mid_batch_loses_nothing(kafka_env) -> None:  # type: ignore[no-untyped-def]
    """Large batches: the worker dies after part of a batch's outputs reached the broker and
    before the batch's offsets were committed; the next worker redoes the batch, nothing is lost."""
    from streams.kafka.client import collect

    s = kafka_env.settings
    create_topics(s)
    n = 1500
    payloads = [
        (f"m{i}".encode(), orjson.dumps({"id": f"m{i}", "text": f"Berita {i}: gempa di kota {i % 11}, {i % 50} rumah rusak."}))
        for i in range(n)
    ]  # fmt: skip
    publish_paced(s.broker_list[0], s.topics.raw, payloads, rate=10_000)
    worker = kafka_env.worker(WARTA_BATCH_SIZE="600", WARTA_BATCH_WITHIN="5").start()
    first = collect(s, s.topics.enriched, 1, timeout=120)
    assert first, f"no output before the kill; worker log:\n{worker.log_tail()}"
    worker.kill()  # mid-batch: some outputs written, the batch's offsets not committed
    partial = len(collect(s, s.topics.enriched, n, timeout=5))
    kafka_env.worker(WARTA_BATCH_SIZE="600", WARTA_BATCH_WITHIN="5").start()
    want = {f"m{i}" for i in range(n)}
    recs = collect(s, s.topics.enriched, 0, timeout=240, until=lambda rs: {r.value["id"] for r in rs} >= want)
    ids = Counter(r.value["id"] for r in recs)
    print(f"\nkill -9 mid-batch: {partial} of {n} enriched before the kill, {len(recs)} records after, "
          f"{sum(c - 1 for c in ids.values())} redelivered, {len(want - set(ids))} lost")  # fmt: skip
    assert set(ids) >= want, f"lost {len(want - set(ids))}"
    assert partial < n, "the kill came after the whole input was done: not mid-batch"
