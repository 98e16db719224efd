"""``warta replay``: re-read warta.articles.raw (from the start or a timestamp) through the pipeline.

Each message goes through the worker's article path (:class:`streams.core.article_path.ArticlePath`:
the same size checks, error codes and dead letters) and its outputs through the worker's delivery
(retries; an output the broker rejects makes the input one dead letter). The raw topic is the
source of truth. With the same pipeline version a replay reproduces the
same event ids (the archive and the alert sinks are idempotent on them: nothing changes); with a
new version it adds that version's records next to the old ones (``pipeline_version`` column).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from streams.archive.store import ArchiveStore
from streams.core.article_path import ArticlePath
from streams.core.doc import Doc
from streams.core.errors import WartaError
from streams.core.pipeline import Pipeline, build_pipeline
from streams.core.records import DomainEvent, EnrichedArticle
from streams.core.routing import MessageMeta
from streams.core.settings import Settings
from streams.kafka.admin import topic_limits
from streams.kafka.client import idempotent_producer
from streams.kafka.offload import Staged
from streams.kafka.security import client_kwargs
from streams.kafka.worker import BatchContext, Outcome, Work, deliver, meta_of

__all__ = ["ReplayStats", "replay", "replay_outcome", "versioned_pipeline"]

log = structlog.get_logger("warta.replay")


@dataclass
class ReplayStats:
    read: int = 0
    articles: int = 0
    dead_letters: int = 0
    produced: int = 0
    archived_new: int = 0
    archived_existing: int = 0


class _VersionStage:
    """Stamps a pipeline version on the document before ids are derived from it."""

    name: ClassVar[str] = "pipeline_version"
    requires: ClassVar[tuple[str, ...]] = ()
    assigns: ClassVar[tuple[str, ...]] = ("pipeline_version",)

    def __init__(self, version: str):
        self.version = version

    def __call__(self, doc: Doc) -> None:
        doc.pipeline_version = self.version


def versioned_pipeline(pipeline: Pipeline, version: str | None) -> Pipeline:
    """The same stages, with ``version`` in place of the built-in PIPELINE_VERSION."""
    if not version:
        return pipeline
    return Pipeline(
        [_VersionStage(version), *pipeline.stages], on_stage=pipeline.on_stage, on_measure=pipeline.on_measure
    )


class _Output(Protocol):
    async def write(self, outcomes: list[Outcome]) -> list[Outcome]: ...

    async def close(self) -> None: ...


class _ArchiveOutput:
    """Writes the enriched articles and domain events straight into an archive (dead letters are
    only counted)."""

    def __init__(self, url: str, stats: ReplayStats):
        self.store = ArchiveStore(url)
        self.stats = stats

    async def write(self, outcomes: list[Outcome]) -> list[Outcome]:
        records = [out.record for o in outcomes for out in o.routed.outputs]
        articles = [r for r in records if isinstance(r, EnrichedArticle)]
        events = [r for r in records if isinstance(r, DomainEvent)]
        if articles or events:
            res = self.store.write(articles, events)
            self.stats.archived_new += res.articles_new
            self.stats.archived_existing += res.articles_updated
        return outcomes

    async def close(self) -> None:
        self.store.close()


async def _no_pipeline(payload: bytes | None, meta: MessageMeta) -> Staged:
    raise AssertionError("replay runs the pipeline itself")


class _KafkaOutput:
    """Produces the outputs with the worker's delivery (:func:`streams.kafka.worker.deliver`)."""

    def __init__(self, settings: Settings, limits: dict[str, int], stats: ReplayStats):
        self.producer: AIOKafkaProducer = idempotent_producer(
            settings, max_request_size=settings.max_message_bytes
        )
        self.ctx = BatchContext(settings, _no_pipeline, [], self._send, limits=limits, log=log)
        self.stats = stats

    async def _send(self, topic: str, key: bytes, value: bytes) -> Any:
        return await self.producer.send(topic, key=key, value=value)

    async def write(self, outcomes: list[Outcome]) -> list[Outcome]:
        delivered = await deliver(self.ctx, outcomes)
        self.stats.produced += sum(len(o.encoded) for o in delivered)
        return delivered

    async def close(self) -> None:
        await self.producer.stop()


def _consumer(settings: Settings) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        bootstrap_servers=settings.broker_list,
        enable_auto_commit=False,
        group_id=None,
        auto_offset_reset="earliest",
        **client_kwargs(settings),
    )


async def _seek(
    consumer: AIOKafkaConsumer, topic: str, from_timestamp: float | None
) -> tuple[list[TopicPartition], dict[TopicPartition, int]]:
    """Assign every partition of ``topic`` and seek to the start (or ``from_timestamp``); the
    partitions and their end offsets now (W802 when the topic is missing)."""
    cluster = await consumer._client.fetch_all_metadata()  # the consumer caches only subscribed topics
    parts = cluster.partitions_for_topic(topic) or set()
    if not parts:
        raise WartaError("W802", f"topic {topic} does not exist or has no partitions",
                         hint="publish articles first, or check WARTA_TOPICS__RAW")  # fmt: skip
    tps = [TopicPartition(topic, p) for p in sorted(parts)]
    consumer.assign(tps)
    end = await consumer.end_offsets(tps)
    if from_timestamp is not None:
        found = await consumer.offsets_for_times({tp: int(from_timestamp * 1000) for tp in tps})
        for tp in tps:
            o = found.get(tp)
            consumer.seek(tp, o.offset if o is not None else end[tp])
    else:
        start = await consumer.beginning_offsets(tps)
        for tp in tps:
            consumer.seek(tp, start[tp])  # explicit offsets: no race with the reset policy
    return tps, end


async def _next_batch(
    consumer: AIOKafkaConsumer, tps: Sequence[TopicPartition], end: dict[TopicPartition, int], batch: int
) -> list[ConsumerRecord[bytes, bytes]] | None:
    """The next messages before the end offsets, in partition order ([] while waiting); None
    when every partition reached its end offset."""
    todo = [tp for tp in tps if await consumer.position(tp) < end[tp]]
    if not todo:
        return None
    got = await consumer.getmany(*todo, timeout_ms=1000, max_records=batch)
    return [m for tp, msgs in got.items() for m in msgs if m.offset < end[tp]]


def replay_outcome(path: ArticlePath, msg: Any) -> Outcome:
    """One raw-topic record (an aiokafka ConsumerRecord) through the shared article path."""
    work = Work(msg.value, meta_of(msg))
    fitted = path.outcome(work.payload, work.meta)
    return Outcome(work, fitted.routed, fitted.encoded)


def _count(stats: ReplayStats, outcomes: Sequence[Outcome]) -> None:
    for o in outcomes:
        if o.routed.error is None and o.routed.article is not None:
            stats.articles += 1
        else:
            stats.dead_letters += 1


async def _open_output(settings: Settings, archive_url: str | None, stats: ReplayStats) -> _Output:
    if archive_url:
        return _ArchiveOutput(archive_url, stats)
    limits = await asyncio.to_thread(topic_limits, settings, settings.topics.all())
    out = _KafkaOutput(settings, limits, stats)
    await out.producer.start()
    return out


async def replay(
    settings: Settings,
    *,
    from_timestamp: float | None = None,
    archive_url: str | None = None,
    pipeline: Pipeline | None = None,
    pipeline_version: str | None = None,
    batch: int = 200,
    progress: Callable[[ReplayStats], None] | None = None,
) -> ReplayStats:
    """Replay the raw topic up to its end offsets at start; produce outputs, or archive them directly."""
    path = ArticlePath(settings, versioned_pipeline(pipeline or build_pipeline(settings), pipeline_version))
    consumer = _consumer(settings)
    await consumer.start()
    stats = ReplayStats()
    out: _Output | None = None
    try:
        tps, end = await _seek(consumer, settings.topics.raw, from_timestamp)
        out = await _open_output(settings, archive_url, stats)
        if isinstance(out, _KafkaOutput):
            path.limits = out.ctx.limits
        while (msgs := await _next_batch(consumer, tps, end, batch)) is not None:
            stats.read += len(msgs)
            _count(stats, await out.write([replay_outcome(path, m) for m in msgs]))
            if progress is not None:
                progress(stats)
    finally:
        await consumer.stop()
        if out is not None:
            await out.close()
    log.info("replay done", **stats.__dict__)
    return stats
