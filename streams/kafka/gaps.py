"""Find offsets the Faust stream skipped on an input partition and read them back from Kafka."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from streams.core.settings import Settings
from streams.kafka.security import client_kwargs

__all__ = ["OffsetTracker", "read_range"]


@dataclass
class OffsetTracker:
    """The last offset the worker processed on each input partition it holds.

    Why: faust-streaming can drop messages it had prefetched when a rebalance or recovery
    happens while they are queued (its generation and read-offset guards), and the stream then
    goes on at a later offset: those articles would never be processed in this session. The
    agent asks :meth:`gap` before each message and re-reads what is missing. A partition that
    leaves this worker is forgotten (:meth:`forget`): another worker processed what it got.
    """

    last: dict[tuple[str, int], int] = field(default_factory=dict)

    def gap(self, topic: str, partition: int, offset: int) -> tuple[int, int] | None:
        """``[start, end)`` skipped before ``offset`` (None: no gap); records ``offset`` as processed."""
        key = (topic, partition)
        prev = self.last.get(key)
        self.last[key] = max(offset, prev if prev is not None else offset)
        if prev is None or offset <= prev + 1:
            return None
        return prev + 1, offset

    def forget(self, partitions: Iterable[tuple[str, int]]) -> None:
        for key in partitions:
            self.last.pop(key, None)


async def read_range(
    settings: Settings, topic: str, partition: int, start: int, end: int, *, timeout: float = 30.0
) -> list[ConsumerRecord[bytes, bytes]]:
    """Records ``start <= offset < end`` of one partition, without a consumer group.

    Offsets without a record (transaction markers, compaction) are simply absent.
    """
    import asyncio
    import time

    if start >= end:
        return []
    tp = TopicPartition(topic, partition)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.broker_list,
        enable_auto_commit=False,
        group_id=None,
        **client_kwargs(settings),
    )
    await consumer.start()
    out: list[ConsumerRecord[bytes, bytes]] = []
    try:
        consumer.assign([tp])
        consumer.seek(tp, start)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if await consumer.position(tp) >= end:
                break
            batch = await consumer.getmany(tp, timeout_ms=500)
            for rec in batch.get(tp, []):
                if start <= rec.offset < end:
                    out.append(rec)
            await asyncio.sleep(0)
    finally:
        await consumer.stop()
    return out
