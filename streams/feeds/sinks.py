"""Where ingested records go: the raw topic and the DLQ (Kafka), or JSONL on a stream."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from typing import IO, Any, Protocol

from streams.core.settings import Settings
from streams.observability.logging import get_logger

__all__ = ["JsonlSink", "KafkaSink", "Sink", "done"]

log = get_logger("warta.ingest")


def done() -> Awaitable[None]:
    fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    fut.set_result(None)
    return fut


class Sink(Protocol):
    """``send``/``dead_letter`` return an awaitable that resolves once the record is durable."""

    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def send(self, key: bytes, value: bytes) -> Awaitable[Any]: ...
    async def dead_letter(self, key: bytes, value: bytes) -> Awaitable[Any]: ...
    async def reachable(self, timeout: float = 3.0) -> bool: ...


class KafkaSink:
    """The idempotent acks=all producer: an ack means the record is on every in-sync replica."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._producer: Any = None

    @property
    def producer(self) -> Any:
        if self._producer is None:
            raise RuntimeError("KafkaSink.start() was not awaited")
        return self._producer

    async def start(self) -> None:
        from streams.kafka.client import idempotent_producer

        # Pages are 10-500 KB: aiokafka's default 16 KB batches would mean one acks=all round trip
        # per record or two (the idempotent producer keeps one batch in flight per partition).
        # Records up to max_message_bytes (what `warta topics create` gives the topics), compressed
        # (gzip by default: every consumer reads it without an extra library).
        producer = idempotent_producer(
            self.settings, max_batch_size=512 * 1024, linger_ms=5,
            max_request_size=self.settings.max_message_bytes, compression_type=_compression(self.settings),
        )  # fmt: skip
        try:
            await producer.start()
        except BaseException:  # the broker is unreachable: a later start() begins afresh
            with contextlib.suppress(Exception):
                await producer.stop()
            raise
        self._producer = producer

    @property
    def started(self) -> bool:
        return self._producer is not None

    async def reachable(self, timeout: float = 3.0) -> bool:
        """The broker answers a metadata request within ``timeout`` seconds (False when not started)."""
        if self._producer is None:
            return False
        try:
            return bool(await asyncio.wait_for(self._producer.client.force_metadata_update(), timeout))
        except Exception:  # not started, closed, or a connection error: not reachable
            return False

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def send(self, key: bytes, value: bytes) -> Awaitable[Any]:
        return await self.producer.send(self.settings.topics.raw, value=value, key=key)

    async def dead_letter(self, key: bytes, value: bytes) -> Awaitable[Any]:
        return await self.producer.send(self.settings.topics.dlq, value=value, key=key)


def _compression(settings: Settings) -> str | None:
    """The producer's compression: the setting, or gzip when zstd's library (cramjam) is absent."""
    if settings.ingest_compression == "none":
        return None
    if settings.ingest_compression == "zstd":
        from aiokafka.codec import has_zstd

        if not has_zstd():
            log.warning("zstd needs cramjam (pip install cramjam); compressing with gzip")
            return "gzip"
    return settings.ingest_compression


class JsonlSink:
    """RawArticles as JSON lines on ``out`` (``--output -``); dead letters on ``dlq`` if given."""

    def __init__(self, out: IO[bytes], dlq: IO[bytes] | None = None):
        self.out = out
        self.dlq = dlq

    async def start(self) -> None:
        return None

    async def reachable(self, timeout: float = 3.0) -> bool:
        return True

    async def stop(self) -> None:
        self.out.flush()
        if self.dlq is not None:
            self.dlq.flush()

    async def send(self, key: bytes, value: bytes) -> Awaitable[Any]:
        self.out.write(value + b"\n")
        self.out.flush()
        return done()

    async def dead_letter(self, key: bytes, value: bytes) -> Awaitable[Any]:
        if self.dlq is not None:
            self.dlq.write(value + b"\n")
            self.dlq.flush()
        return done()
