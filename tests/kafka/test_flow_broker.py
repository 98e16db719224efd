"""A real worker on the real broker: every enriched article is measured in
``warta_end_to_end_seconds``, and a caught-up worker has nothing left in flight."""

from __future__ import annotations

import re
import time

import orjson
import pytest

from streams.kafka.admin import create_topics
from tests.faults.paced import publish_paced

pytestmark = pytest.mark.kafka


def _sample(metrics: str, name: str) -> float:
    m = re.search(rf"^{name} ([0-9.e+-]+)$", metrics, flags=re.M)
    return float(m.group(1)) if m else float("nan")


def test_caught_up_worker_measures_end_to_end_for_each_article(kafka_env) -> None:  # type: ignore[no-untyped-def]
    from streams.kafka.client import collect

    s = kafka_env.settings
    create_topics(s)
    # a large batch would hold the first article for the batch to fill: there is none to fill
    worker = kafka_env.worker(WARTA_BATCH_SIZE="600").start()
    n = 12
    payloads = [
        (f"e{i}".encode(), orjson.dumps({"id": f"e{i}", "text": f"Berita {i}: banjir di kota {i}, {i + 3} rumah rusak.",
                                         "ingested_at": time.time()}))
        for i in range(n)
    ]  # fmt: skip
    publish_paced(s.broker_list[0], s.topics.raw, payloads, rate=4)
    want = {f"e{i}" for i in range(n)}
    recs = collect(s, s.topics.enriched, 0, timeout=120, until=lambda rs: {r.value["id"] for r in rs} >= want)
    assert {r.value["id"] for r in recs} >= want, worker.log_tail()
    metrics = worker.metrics()
    assert _sample(metrics, "warta_end_to_end_seconds_count") >= n
    # a caught-up worker has nothing in flight once the last article is acknowledged
    deadline = time.monotonic() + 10
    while _sample(worker.metrics(), "warta_inputs_in_flight") != 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _sample(worker.metrics(), "warta_inputs_in_flight") == 0
