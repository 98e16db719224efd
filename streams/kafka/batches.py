"""At-least-once batch consumption: handle a batch, then commit its offsets (manual commits).

Shared by the archive and alerting consumers. When the handler fails, nothing is committed:
the batch is retried with exponential backoff (tenacity, ``streams.core.retry``), and after a
while the consumer seeks back to the batch's first offsets and polls it again, so a record is
never acknowledged before its effect is durable.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from streams.core.errors import WartaError
from streams.core.retry import retrying
from streams.core.settings import Settings
from streams.kafka.security import client_kwargs
from streams.observability.metrics import ARTICLES_IN

__all__ = ["BatchStats", "consume_batches", "install_stop_signals"]

log = structlog.get_logger("warta.consumer")

#: Seconds of retrying one batch in place before seeking back and polling it again (well under the
#: consumer's ``max.poll.interval.ms``, 300 s).
REPOLL_AFTER = 60.0

Handler = Callable[[Sequence[ConsumerRecord[bytes, bytes]]], Awaitable[None]]


@dataclass
class BatchStats:
    batches: int = 0
    records: int = 0
    failures: int = 0


def install_stop_signals(stop: asyncio.Event) -> None:
    """SIGINT / SIGTERM end the loop after the current batch."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not in the main thread
            loop.add_signal_handler(sig, stop.set)


async def consume_batches(
    settings: Settings,
    topics: list[str],
    group_id: str,
    handler: Handler,
    *,
    batch_size: int = 200,
    poll_ms: int = 500,
    stop: asyncio.Event | None = None,
    idle_timeout: float | None = None,
    on_idle: Callable[[], Any] | None = None,
    max_backoff: float = 30.0,
) -> BatchStats:
    """Consume ``topics`` in group ``group_id`` until ``stop`` is set (or ``idle_timeout`` of quiet)."""
    stop = stop or asyncio.Event()
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=settings.broker_list,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=batch_size,
        **client_kwargs(settings),
    )
    await consumer.start()
    stats = BatchStats()
    last = time.monotonic()

    def _failed(exc: BaseException, delay: float) -> None:
        stats.failures += 1
        log.error("batch failed; not committing, will retry", code=getattr(exc, "code", "W802"),
                  error=str(exc), records=len(records), retry_in=delay)  # fmt: skip

    try:
        while not stop.is_set():
            if on_idle is not None:
                on_idle()
            batch = await consumer.getmany(timeout_ms=poll_ms, max_records=batch_size)
            records = [m for msgs in batch.values() for m in msgs]
            if not records:
                if idle_timeout is not None and time.monotonic() - last > idle_timeout:
                    break
                continue
            last = time.monotonic()
            # The same records again after each wait; after ``REPOLL_AFTER`` seconds of failures the
            # consumer seeks back and polls them anew, so it stays in its group during a long outage.
            try:
                async for attempt in retrying(
                    (WartaError, OSError), stop=stop, max_delay=max_backoff,
                    give_up_after=REPOLL_AFTER, on_retry=_failed,
                ):  # fmt: skip
                    with attempt:
                        await handler(records)
            except (WartaError, OSError) as exc:
                _failed(exc, 0.0)
                for tp, msgs in batch.items():
                    consumer.seek(tp, msgs[0].offset)
                continue
            offsets = {
                TopicPartition(tp.topic, tp.partition): OffsetAndMetadata(msgs[-1].offset + 1, "")
                for tp, msgs in batch.items()
            }
            await consumer.commit(offsets)
            for tp, msgs in batch.items():
                ARTICLES_IN.labels(topic=tp.topic).inc(len(msgs))
            stats.batches += 1
            stats.records += len(records)
    finally:
        await consumer.stop()
    return stats
