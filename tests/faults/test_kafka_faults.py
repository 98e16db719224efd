"""Faults on the real broker: the broker going away, a slow consumer, a stream of garbage."""

from __future__ import annotations

import asyncio
import random
import time

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from streams.kafka.admin import create_topics
from streams.kafka.broker import LocalBroker
from streams.kafka.client import collect

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def _articles(n: int, prefix: str = "a") -> list[tuple[bytes, bytes]]:
    return [
        (
            f"{prefix}{i}".encode(),
            orjson.dumps({"id": f"{prefix}{i}", "text": f"Berita {i}: banjir di kota {i % 17}."}),
        )
        for i in range(n)
    ]


async def _send(
    bootstrap: str, topic: str, payloads: list[tuple[bytes, bytes]], *, partition: int | None = None
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        futs = [await producer.send(topic, value=v, key=k, partition=partition) for k, v in payloads]
        await asyncio.gather(*futs)
    finally:
        await producer.stop()


def test_broker_restart_mid_stream_worker_recovers(kafka_env, kafka_broker: LocalBroker) -> None:  # type: ignore[no-untyped-def]
    s = kafka_env.settings
    create_topics(s)
    kafka_env.worker().start()
    first, second = _articles(200, "x"), _articles(200, "y")
    kafka_env.run(_send(s.broker_list[0], s.topics.raw, first))
    kafka_env.run(collect(s, s.topics.enriched, 50, timeout=60))
    kafka_broker.stop()  # the broker goes away while the worker is mid-stream
    time.sleep(3)
    kafka_broker.start(timeout=120)  # same ports, same data
    kafka_env.run(_send(s.broker_list[0], s.topics.raw, second))
    want = {k.decode() for k, _ in first + second}
    # redeliveries after the outage are allowed (at-least-once), so wait for every id, not a count
    recs = kafka_env.run(
        collect(s, s.topics.enriched, 0, timeout=120, until=lambda rs: {r.value["id"] for r in rs} >= want)
    )
    ids = {r.value["id"] for r in recs}
    assert ids >= want, f"lost {len(want - ids)}"
    assert kafka_env.workers[0].proc.poll() is None, "the worker must recover by itself, not exit"


def test_slow_consumer_does_not_drop_or_reorder(kafka_env) -> None:  # type: ignore[no-untyped-def]
    """A slow downstream consumer only lags: the worker neither drops nor reorders a partition."""
    s = kafka_env.settings
    create_topics(s)
    kafka_env.worker().start()
    n = 300
    payloads = _articles(n, "o")
    kafka_env.run(_send(s.broker_list[0], s.topics.raw, payloads, partition=0))

    async def slow_read() -> list[str]:
        consumer = AIOKafkaConsumer(s.topics.enriched, bootstrap_servers=s.broker_list, group_id=f"{kafka_env.prefix}-slow",
                                    auto_offset_reset="earliest", max_poll_records=5)  # fmt: skip
        await consumer.start()
        seen: list[str] = []
        try:
            deadline = time.monotonic() + 120
            while len(seen) < n and time.monotonic() < deadline:
                batch = await consumer.getmany(timeout_ms=500, max_records=5)
                for _tp, msgs in batch.items():
                    for m in msgs:
                        seen.append(orjson.loads(m.value)["id"])
                await asyncio.sleep(0.01)  # slow archive: ~10 ms per 5 records
        finally:
            await consumer.stop()
        return seen

    seen = kafka_env.run(slow_read())
    assert len(seen) == n and set(seen) == {f"o{i}" for i in range(n)}
    # Input partition 0 is keyed by article id on output: order is kept per output partition.
    order = {f"o{i}": i for i in range(n)}
    by_partition: dict[int, list[int]] = {}
    recs = kafka_env.run(collect(s, s.topics.enriched, n, timeout=60))
    for r in recs:
        by_partition.setdefault(r.partition, []).append(order[r.value["id"]])
    for idx in by_partition.values():
        assert idx == sorted(idx)


def test_garbage_stream_worker_stays_up_memory_bounded(kafka_env) -> None:  # type: ignore[no-untyped-def]
    s = kafka_env.settings
    create_topics(s)
    w = kafka_env.worker().start()
    rng = random.Random(3)

    def garbage(r: int, i: int) -> bytes:
        kind = i % 5
        if kind == 0:
            return rng.randbytes(rng.randint(0, 3000))
        if kind == 1:
            return orjson.dumps(
                {"id": f"r{r}-{i}", "text": "".join(chr(rng.randint(0, 0x2FFF)) for _ in range(500))}
            )
        if kind == 2:
            return b"[" * 5000
        if kind == 3:
            return orjson.dumps({"text": {"nested": [1, 2, {"x": None}]}})
        return orjson.dumps({"id": f"r{r}-{i}", "text": f"Artikel biasa nomor {i} tentang ekonomi."})

    def rss_kb(pid: int) -> int:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    total = 0
    rss: list[int] = []
    for round_ in range(3):
        batch = [(f"r{round_}-{i}".encode(), garbage(round_, i)) for i in range(1000)]
        kafka_env.run(_send(s.broker_list[0], s.topics.raw, batch))
        total += len(batch)
        out = kafka_env.run(collect(s, s.topics.enriched, 10**6, timeout=1)) + kafka_env.run(
            collect(s, s.topics.dlq, 10**6, timeout=1)
        )
        deadline = time.monotonic() + 90
        while len(out) < total and time.monotonic() < deadline:
            time.sleep(2)
            out = kafka_env.run(collect(s, s.topics.enriched, 10**6, timeout=2)) + kafka_env.run(
                collect(s, s.topics.dlq, 10**6, timeout=2)
            )
        assert len({(r.topic, r.key) for r in out}) >= total, "every input is either enriched or in the DLQ"
        assert w.proc is not None and w.proc.poll() is None
        rss.append(rss_kb(w.proc.pid))
    # Memory: the third thousand must not cost like the first (no unbounded growth).
    assert rss[2] - rss[1] < max(50_000, (rss[1] - rss[0]) * 2 + 20_000), rss
