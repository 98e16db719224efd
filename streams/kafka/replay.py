"""``warta replay``: re-read warta.articles.raw (from the start or a timestamp) through the pipeline.

The raw topic is the source of truth. With the same pipeline version a replay reproduces the
same event ids (the archive and the alert sinks are idempotent on them: nothing changes); with a
new version it adds that version's records next to the old ones (``pipeline_version`` column).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import orjson
import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from streams.archive.store import ArchiveStore
from streams.core.doc import Doc
from streams.core.errors import WartaError
from streams.core.pipeline import Pipeline, build_pipeline
from streams.core.records import DomainEvent, EnrichedArticle
from streams.core.routing import MessageMeta, route_message, topic_for
from streams.core.settings import Settings
from streams.kafka.client import idempotent_producer
from streams.kafka.security import client_kwargs

__all__ = ["ReplayStats", "replay", "versioned_pipeline"]

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
    pipe = versioned_pipeline(pipeline or build_pipeline(settings), pipeline_version)
    topic = settings.topics.raw
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.broker_list,
        enable_auto_commit=False,
        group_id=None,
        auto_offset_reset="earliest",
        **client_kwargs(settings),
    )
    await consumer.start()
    producer: AIOKafkaProducer | None = None
    store: ArchiveStore | None = None
    stats = ReplayStats()
    try:
        cluster = await consumer._client.fetch_all_metadata()  # the consumer caches only subscribed topics
        parts = cluster.partitions_for_topic(topic) or set()
        if not parts:
            raise WartaError(
                "W802",
                f"topic {topic} does not exist or has no partitions",
                hint="publish articles first, or check WARTA_TOPICS__RAW",
            )
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
        if archive_url:
            store = ArchiveStore(archive_url)
        else:
            producer = idempotent_producer(settings)
            await producer.start()
        pending_a: list[EnrichedArticle] = []
        pending_d: list[DomainEvent] = []

        def flush() -> None:
            if store is not None and (pending_a or pending_d):
                res = store.write(pending_a, pending_d)
                stats.archived_new += res.articles_new
                stats.archived_existing += res.articles_updated
                pending_a.clear()
                pending_d.clear()

        while True:
            positions = {tp: await consumer.position(tp) for tp in tps}
            todo = [tp for tp in tps if positions[tp] < end[tp]]
            if not todo:
                break
            got = await consumer.getmany(*todo, timeout_ms=1000, max_records=batch)
            futures = []
            for tp, msgs in got.items():
                for m in msgs:
                    if m.offset >= end[tp]:
                        continue
                    stats.read += 1
                    key = m.key.decode("utf-8", "replace") if m.key else None
                    routed = route_message(
                        pipe,
                        m.value,
                        MessageMeta(m.topic, m.partition, m.offset, key),
                        max_bytes=settings.max_article_bytes,
                    )
                    if routed.article is not None:
                        stats.articles += 1
                    else:
                        stats.dead_letters += 1
                    if store is not None:
                        for out in routed.outputs:
                            if isinstance(out.record, EnrichedArticle):
                                pending_a.append(out.record)
                            elif isinstance(out.record, DomainEvent):
                                pending_d.append(out.record)
                    elif producer is not None:
                        for out in routed.outputs:
                            futures.append(
                                await producer.send(
                                    topic_for(out.role, settings.topics),
                                    key=out.key.encode(),
                                    value=orjson.dumps(out.record.model_dump(mode="json")),
                                )
                            )
                            stats.produced += 1
            if futures:
                for f in futures:
                    await f
            flush()
            if progress is not None:
                progress(stats)
        flush()
    finally:
        await consumer.stop()
        if producer is not None:
            await producer.stop()
        if store is not None:
            store.close()
    log.info("replay done", **stats.__dict__)
    return stats
