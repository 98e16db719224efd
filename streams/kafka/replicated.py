"""State tables every worker holds whole, replicated through one compacted Kafka topic.

The dedup index must see articles from every input partition, whichever worker processed them.
faust-streaming's ``GlobalTable`` does not replicate between worker instances (faust#283), so the
worker keeps its dedup tables here instead (design and consistency argument:
``streams/dedup/README.md``):

- every worker holds a full in-memory copy of every table (:class:`ReplicatedTable`);
- a write changes the local copy at once and is queued; :meth:`StateReplica.flush` produces the
  queued changes to the compacted topic ``<app id>.state`` and waits for the broker's
  acknowledgement. The worker flushes before it produces an article's outputs, so a committed
  input offset implies its state changes are durable;
- a background task of every worker reads that topic from all partitions (no consumer group) and
  applies other writers' changes; after a rebalance, and at start-up, a worker waits until it
  has applied everything up to the end offsets it read at that moment (:meth:`catch_up`) before
  it processes input again. Keys are single-writer (the dedup stage suffixes mutable keys with
  the input partition), so applying in log order is enough.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterable, Iterator, MutableMapping
from typing import Any

import orjson

from streams.kafka.partitioner import KeyPartitioner
from streams.observability.logging import get_logger

__all__ = ["ReplicatedTable", "StateReplica", "decode_key", "encode_key"]

_SEP = "\x1f"
_WRITER = "warta-writer"
log = get_logger("warta.state")


def encode_key(table: str, key: str) -> bytes:
    return f"{table}{_SEP}{key}".encode()


def decode_key(raw: bytes) -> tuple[str, str]:
    table, _, key = raw.decode("utf-8", "replace").partition(_SEP)
    return table, key


class ReplicatedTable(MutableMapping[str, Any]):
    """A dict whose writes are queued for replication by its :class:`StateReplica`."""

    def __init__(self, name: str, replica: StateReplica):
        self.name = name
        self.data: dict[str, Any] = {}
        self._replica = replica

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.data

    def __setitem__(self, key: str, value: Any) -> None:
        self.data[key] = value
        self._replica.record(self.name, key, value)

    def __delitem__(self, key: str) -> None:
        del self.data[key]
        self._replica.record(self.name, key, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


class StateReplica:
    """The worker's full copy of the replicated tables, kept in step with the state topic."""

    def __init__(
        self,
        topic: str,
        names: Iterable[str],
        *,
        client_options: dict[str, Any],
        partitions: int,
        replication: int = 1,
    ):
        self.replication = replication
        self.topic = topic
        self.partitions = partitions
        self.tables: dict[str, ReplicatedTable] = {n: ReplicatedTable(n, self) for n in names}
        self.writer = uuid.uuid4().hex.encode()
        self._options = client_options
        #: Changes not produced yet, the last value per key (None: deleted).
        self._pending: dict[bytes, bytes | None] = {}
        #: Batches being produced by flushes still running (each resolves once the broker has it).
        self._flushing: list[asyncio.Future[None]] = []
        self._positions: dict[int, int] = {}
        self._progress = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self._producer: Any = None
        self._consumer: Any = None
        self.applied = 0

    # -- writes -------------------------------------------------------------------------------
    def record(self, table: str, key: str, value: Any) -> None:
        # the last write of a key before a flush is the only one produced: the topic is compacted
        # and keys are independent (no order between keys: they hash to different partitions)
        self._pending[encode_key(table, key)] = None if value is None else orjson.dumps(value)

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def flush(self) -> int:
        """Produce the queued changes and wait until the broker has them all, and every batch an
        earlier flush took (it may hold this caller's changes: the worker flushes per input,
        concurrently); returns how many changes this call produced."""
        earlier = list(self._flushing)
        batch, self._pending = list(self._pending.items()), {}
        if batch:
            mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._flushing.append(mine)
            try:
                headers = [(_WRITER, self.writer)]
                futures = [
                    await self._producer.send(self.topic, key=k, value=v, headers=headers) for k, v in batch
                ]
                await asyncio.gather(*futures)
            except asyncio.CancelledError:
                mine.cancel()
                raise
            except Exception as exc:
                mine.set_exception(exc)
                mine.exception()  # retrieved here; the flushes waiting on it raise it too
                raise
            finally:
                if not mine.done():
                    mine.set_result(None)
                self._flushing.remove(mine)
        if earlier:
            await asyncio.gather(*earlier)
        return len(batch)

    # -- reads --------------------------------------------------------------------------------
    def _apply(self, rec: Any) -> None:
        if any(k == _WRITER and v == self.writer for k, v in (rec.headers or ())):
            return  # our own change, already in the local copy (and maybe overwritten since)
        table, key = decode_key(rec.key)
        target = self.tables.get(table)
        if target is None:
            return
        if rec.value is None:
            target.data.pop(key, None)
        else:
            target.data[key] = orjson.loads(rec.value)
        self.applied += 1

    async def _run(self) -> None:
        while True:
            batches = await self._consumer.getmany(timeout_ms=200, max_records=5000)
            if not batches:
                continue
            for tp, recs in batches.items():
                for rec in recs:
                    self._apply(rec)
                if recs:
                    self._positions[tp.partition] = recs[-1].offset + 1
            async with self._progress:
                self._progress.notify_all()

    async def catch_up(self, timeout: float = 120.0) -> None:
        """Wait until every change in the topic at this moment is applied locally."""
        from aiokafka import TopicPartition

        tps = [TopicPartition(self.topic, p) for p in range(self.partitions)]
        ends = await self._consumer.end_offsets(tps)
        targets = {tp.partition: off for tp, off in ends.items() if off > 0}

        def done() -> bool:
            return all(self._positions.get(p, 0) >= off for p, off in targets.items())

        async with asyncio.timeout(timeout), self._progress:
            await self._progress.wait_for(done)

    # -- lifecycle ----------------------------------------------------------------------------
    async def ensure_topic(self, replication: int = 1) -> None:
        """Create the compacted state topic when it does not exist yet."""
        from aiokafka.admin import AIOKafkaAdminClient, NewTopic
        from aiokafka.errors import TopicAlreadyExistsError

        admin = AIOKafkaAdminClient(**self._options)
        await admin.start()
        try:
            if self.topic in set(await admin.list_topics()):
                return
            topic = NewTopic(self.topic, self.partitions, replication,
                             topic_configs={"cleanup.policy": "compact", "min.compaction.lag.ms": "60000"})  # fmt: skip
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([topic])
        finally:
            await admin.close()

    async def start(self) -> None:
        from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

        await self.ensure_topic(self.replication)
        self._producer = AIOKafkaProducer(
            acks="all", enable_idempotence=True, linger_ms=2, partitioner=KeyPartitioner(), **self._options
        )
        await self._producer.start()
        self._consumer = AIOKafkaConsumer(
            group_id=None, enable_auto_commit=False, auto_offset_reset="earliest", **self._options
        )
        await self._consumer.start()
        tps = [TopicPartition(self.topic, p) for p in range(self.partitions)]
        self._consumer.assign(tps)
        await self._consumer.seek_to_beginning(*tps)
        self._task = asyncio.create_task(self._run(), name="warta-state-replica")
        await self.catch_up()
        log.info("state restored", topic=self.topic, records=self.applied,
                 tables={n: len(t) for n, t in self.tables.items()})  # fmt: skip

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        with contextlib.suppress(Exception):
            await self.flush()
        for client in (self._producer, self._consumer):
            if client is not None:
                with contextlib.suppress(Exception):
                    await client.stop()
