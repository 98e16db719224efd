"""Publish records to a real broker at a steady rate (the fault tests' producer)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

from aiokafka import AIOKafkaProducer

__all__ = ["publish_paced"]


async def publish_paced(
    bootstrap: str, topic: str, records: Iterable[tuple[bytes, bytes]], rate: float
) -> None:
    """Send ``(key, value)`` pairs at ``rate`` per second (idempotent producer, acks=all)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        t0 = time.monotonic()
        for i, (k, v) in enumerate(records):
            await producer.send(topic, value=v, key=k)
            delay = t0 + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        await producer.flush()
    finally:
        await producer.stop()
