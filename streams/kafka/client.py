"""Publish articles to and read records from Warta's topics: synchronous kafka-python clients for
the CLI and test helpers, and the aiokafka producer the asynchronous services share."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from aiokafka import AIOKafkaProducer
from kafka import KafkaConsumer, KafkaProducer

from streams.core.decode import InputItem
from streams.core.ids import article_id
from streams.core.settings import Settings
from streams.kafka.partitioner import KeyPartitioner
from streams.kafka.security import client_kwargs

__all__ = ["ConsumedRecord", "collect", "consume", "encode_item", "idempotent_producer", "publish_items"]


def encode_item(item: InputItem, *, now: float | None = None) -> tuple[bytes, bytes]:
    """(key, value) for one input. Unparseable input is sent as it is so the worker can DLQ it."""
    if item.raw is None:
        return item.ref.encode(), item.payload
    raw = item.raw
    rid = raw.id or article_id(url=raw.url, text=raw.text, html=raw.html)
    data = raw.model_dump(mode="json", exclude_none=True)  # with the derived id and arrival time
    data["id"] = rid
    data["ingested_at"] = now if now is not None else time.time()
    return rid.encode(), orjson.dumps(data)


def idempotent_producer(settings: Settings, **tuning: Any) -> AIOKafkaProducer:
    """The producer every Warta writer uses: acks from all replicas, idempotent retries, the
    configured security. Not started. ``tuning``: extra aiokafka options (e.g. batch size)."""
    tuning.setdefault("partitioner", KeyPartitioner())  # the default partitions, hashed compiled
    return AIOKafkaProducer(
        bootstrap_servers=settings.broker_list,
        acks="all",
        enable_idempotence=True,
        **client_kwargs(settings),
        **tuning,
    )


def publish_items(
    settings: Settings,
    items: Iterable[InputItem],
    *,
    topic: str | None = None,
    on_sent: Callable[[InputItem], None] | None = None,
    timeout: float = 60.0,
) -> int:
    """Publish every item to the raw topic (acks=all, idempotent) with a synchronous kafka-python
    producer; returns how many the broker acknowledged (a failed send raises)."""
    producer = KafkaProducer(
        bootstrap_servers=settings.broker_list, acks="all", enable_idempotence=True, **client_kwargs(settings)
    )
    try:
        futures = []
        for item in items:
            key, value = encode_item(item)
            futures.append(producer.send(topic or settings.topics.raw, value=value, key=key))
            if on_sent:
                on_sent(item)
        producer.flush(timeout)
        for future in futures:
            future.get(timeout)
    finally:
        producer.close(timeout)
    return len(futures)


@dataclass(frozen=True)
class ConsumedRecord:
    topic: str
    partition: int
    offset: int
    key: str | None
    value: Any
    raw: bytes


def consume(
    settings: Settings,
    topics: list[str],
    *,
    from_beginning: bool = True,
    idle_timeout: float | None = None,
    limit: int | None = None,
    group_id: str | None = None,
    deadline: float | None = None,
) -> Iterator[ConsumedRecord]:
    """Yield records from ``topics`` (a synchronous kafka-python consumer); stops after ``limit``
    records, ``idle_timeout`` seconds of quiet or at ``deadline`` (``time.monotonic()``)."""
    consumer = KafkaConsumer(
        *topics,
        bootstrap_servers=settings.broker_list,
        auto_offset_reset="earliest" if from_beginning else "latest",
        enable_auto_commit=group_id is not None,
        group_id=group_id,
        metadata_max_age_ms=1000,  # a topic created after the subscription is seen within a second
        **client_kwargs(settings),
    )
    count = 0
    last = time.monotonic()
    try:
        while deadline is None or time.monotonic() < deadline:
            batch = consumer.poll(timeout_ms=200)
            for msgs in batch.values():
                for m in msgs:
                    yield _record(m)
                    count += 1
                    last = time.monotonic()
                    if limit is not None and count >= limit:
                        return
            if idle_timeout is not None and time.monotonic() - last > idle_timeout:
                return
    finally:
        consumer.close(autocommit=group_id is not None)


def _record(m: Any) -> ConsumedRecord:
    try:
        value = orjson.loads(m.value) if m.value else None
    except orjson.JSONDecodeError:
        value = None
    key = m.key.decode("utf-8", "replace") if m.key else None
    return ConsumedRecord(m.topic, m.partition, m.offset, key, value, m.value or b"")


def collect(
    settings: Settings,
    topic: str,
    count: int,
    *,
    timeout: float = 60.0,
    until: Callable[[list[ConsumedRecord]], bool] | None = None,
) -> list[ConsumedRecord]:
    """Read ``topic`` from the beginning until ``count`` records arrived or ``timeout`` passed.

    With ``until``, reading stops as soon as ``until(records)`` holds instead (``count`` is then
    ignored): at-least-once redeliveries make a record count a poor "all arrived" test.
    """
    out: list[ConsumedRecord] = []
    deadline = time.monotonic() + timeout
    for rec in consume(settings, [topic], limit=None if until else count, deadline=deadline):
        out.append(rec)
        if until is not None and until(out):
            break
    return out
