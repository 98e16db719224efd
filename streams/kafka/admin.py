"""Create Warta's topics, read their limits and seed the worker group's committed offsets
(synchronous kafka-python clients)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError
from kafka.structs import OffsetAndMetadata
from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_fixed

from streams.core.settings import Settings
from streams.kafka.security import client_kwargs

__all__ = [
    "KAFKA_DEFAULT_MAX_MESSAGE_BYTES",
    "broker_ready",
    "create_topics",
    "seed_group_offsets",
    "topic_configs",
    "topic_limits",
]

#: Kafka's default ``max.message.bytes`` (what a topic created without Warta's settings takes).
KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588


def topic_configs(settings: Settings) -> dict[str, str]:
    """Topic configuration Warta sets on the topics it creates: records up to
    ``settings.max_message_bytes``, so that what the worker accepts (``max_article_bytes``) it
    can also emit."""
    return {"max.message.bytes": str(settings.max_message_bytes)}


@contextlib.contextmanager
def _admin(bootstrap: list[str] | str, **kwargs: Any) -> Iterator[KafkaAdminClient]:
    """An admin client, closed on the way out."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, **kwargs)
    try:
        yield admin
    finally:
        admin.close()


def create_topics(settings: Settings) -> list[str]:
    """Create every topic that does not exist yet; returns the names created."""
    with _admin(settings.broker_list, **client_kwargs(settings)) as admin:
        existing = set(admin.list_topics())
        wanted = [t for t in settings.topics.all() if t not in existing]
        new = [
            NewTopic(
                t,
                num_partitions=settings.partitions,
                replication_factor=settings.replication,
                topic_configs=topic_configs(settings),
            )
            for t in wanted
        ]
        if new:
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(new)
        return wanted


def broker_ready(bootstrap: str, *, timeout_ms: int = 3000) -> bool:
    """The broker answers a metadata request (its port opens before the controller is ready)."""
    try:
        with _admin(bootstrap, request_timeout_ms=timeout_ms, bootstrap_timeout_ms=timeout_ms) as admin:
            admin.list_topics()
    except Exception:
        return False
    return True


def topic_limits(settings: Settings, topics: list[str]) -> dict[str, int]:
    """``max.message.bytes`` of each of ``topics`` as the broker has it (read at worker start-up).

    Topics that do not exist yet give Kafka's default; a broker that does not answer gives ``{}``
    (the caller uses the default meanwhile and asks again)."""
    out = {t: KAFKA_DEFAULT_MAX_MESSAGE_BYTES for t in topics}
    try:
        with _admin(settings.broker_list, **client_kwargs(settings)) as admin:
            existing = set(admin.list_topics())
            res = [
                ConfigResource(ConfigResourceType.TOPIC, t, configs={"max.message.bytes": None})
                for t in topics
                if t in existing
            ]
            described = admin.describe_configs(res, config_filter="all") if res else {}
    except (TimeoutError, KafkaError, OSError):
        return {}
    # {"topic": {name: {"max.message.bytes": {"value": "…", …}}}}
    for name, entries in (described.get("topic") or {}).items():
        value = (entries.get("max.message.bytes") or {}).get("value")
        if name in out and value is not None:
            out[name] = int(value)
    return out


def seed_group_offsets(settings: Settings, group: str, topics: list[str]) -> dict[TopicPartition, int]:
    """Commit the earliest offset for every partition of ``topics`` that ``group`` has never committed.

    Why: faust-streaming drops the messages it had prefetched when recovery seeks a partition
    that has *no* committed offset (its read-offset guard then skips them: a gap, i.e. lost
    articles, when a worker dies before its first commit). With a committed offset the seek
    resets that guard. Committing the earliest offset is what ``auto_offset_reset=earliest``
    would read anyway. Only possible while the group has no live member; otherwise nothing is
    changed (a running group has committed already). Returns what was committed.
    """
    consumer = KafkaConsumer(
        bootstrap_servers=settings.broker_list, group_id=group, enable_auto_commit=False,
        **client_kwargs(settings),
    )  # fmt: skip
    try:
        tps = [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or ())]
        if not tps:
            return {}
        consumer.assign(tps)  # manual assignment: commits without joining the group
        missing = [tp for tp in tps if consumer.committed(tp) is None]
        if not missing:
            return {}
        start = consumer.beginning_offsets(missing)
        try:
            # a new broker answers "coordinator not available" until __consumer_offsets exists
            for attempt in Retrying(
                retry=retry_if_exception(lambda e: isinstance(e, KafkaError) and e.retriable),
                stop=stop_after_delay(30),
                wait=wait_fixed(0.5),
                reraise=True,
            ):
                with attempt:
                    consumer.commit({tp: OffsetAndMetadata(start[tp], "", -1) for tp in missing})
        except KafkaError:
            return {}  # the group has live members: they own the offsets
        return {tp: start[tp] for tp in missing}
    finally:
        consumer.close(autocommit=False)
