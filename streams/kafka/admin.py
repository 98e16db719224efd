"""Create Warta's topics and seed the worker group's committed offsets (aiokafka)."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from aiokafka.structs import OffsetAndMetadata
from tenacity import AsyncRetrying, retry_if_exception, stop_after_delay, wait_fixed

from streams.core.settings import Settings
from streams.kafka.security import client_kwargs

__all__ = ["broker_ready", "create_topics", "seed_group_offsets"]


def create_topics(settings: Settings) -> list[str]:
    """Create every topic that does not exist yet; returns the names created."""
    return asyncio.run(_create_topics(settings))


async def _create_topics(settings: Settings) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.broker_list, **client_kwargs(settings))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [t for t in settings.topics.all() if t not in existing]
        new = [
            NewTopic(t, num_partitions=settings.partitions, replication_factor=settings.replication)
            for t in wanted
        ]
        if new:
            try:
                await admin.create_topics(new)
            except TopicAlreadyExistsError:
                pass
        return wanted
    finally:
        await admin.close()


def broker_ready(bootstrap: str, *, timeout_ms: int = 3000) -> bool:
    """The broker answers a metadata request (its port opens before the controller is ready)."""

    async def ask() -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=timeout_ms)
        await admin.start()
        try:
            await admin.list_topics()
        finally:
            await admin.close()

    try:
        asyncio.run(asyncio.wait_for(ask(), timeout_ms / 1000 + 2))
    except Exception:
        return False
    return True


def seed_group_offsets(settings: Settings, group: str, topics: list[str]) -> dict[TopicPartition, int]:
    """Commit the earliest offset for every partition of ``topics`` that ``group`` has never committed.

    Why: faust-streaming drops the messages it had prefetched when recovery seeks a partition
    that has *no* committed offset (its read-offset guard then skips them: a gap, i.e. lost
    articles, when a worker dies before its first commit). With a committed offset the seek
    resets that guard. Committing the earliest offset is what ``auto_offset_reset=earliest``
    would read anyway. Only possible while the group has no live member; otherwise nothing is
    changed (a running group has committed already). Returns what was committed.
    """
    return asyncio.run(_seed_group_offsets(settings, group, topics))


async def _seed_group_offsets(settings: Settings, group: str, topics: list[str]) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.broker_list, group_id=group, enable_auto_commit=False,
        **client_kwargs(settings),
    )  # fmt: skip
    await consumer.start()
    try:
        cluster = await consumer._client.fetch_all_metadata()  # the consumer caches subscribed topics only
        tps = [TopicPartition(t, p) for t in topics for p in sorted(cluster.partitions_for_topic(t) or ())]
        if not tps:
            return {}
        consumer.assign(tps)  # manual assignment: commits without joining the group
        missing = [tp for tp in tps if await consumer.committed(tp) is None]
        if not missing:
            return {}
        start = await consumer.beginning_offsets(missing)
        try:
            # a new broker answers "coordinator not available" until __consumer_offsets exists
            async for attempt in AsyncRetrying(
                retry=retry_if_exception(lambda e: isinstance(e, KafkaError) and e.retriable),
                stop=stop_after_delay(30),
                wait=wait_fixed(0.5),
                reraise=True,
            ):
                with attempt:
                    await consumer.commit({tp: OffsetAndMetadata(start[tp], "") for tp in missing})
        except KafkaError:
            return {}  # the group has live members: they own the offsets
        return {tp: start[tp] for tp in missing}
    finally:
        await consumer.stop()
