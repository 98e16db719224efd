"""Publish records to a real broker at a steady rate (the fault tests' producer, kafka-python)."""

from __future__ import annotations

import time
from collections.abc import Iterable

from kafka import KafkaProducer

__all__ = ["publish_paced"]


def publish_paced(bootstrap: str, topic: str, records: Iterable[tuple[bytes, bytes]], rate: float) -> None:
    """Send ``(key, value)`` pairs at ``rate`` per second (idempotent producer, acks=all); returns
    once the broker acknowledged every record (a failed send raises)."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    try:
        t0 = time.monotonic()
        futures = []
        for i, (k, v) in enumerate(records):
            futures.append(producer.send(topic, value=v, key=k))
            delay = t0 + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        producer.flush()
        for future in futures:
            future.get(60)
    finally:
        producer.close()
