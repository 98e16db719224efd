"""Create Warta's topics and seed the worker group's committed offsets."""

from __future__ import annotations

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError
from kafka.structs import OffsetAndMetadata

from streams.core.settings import Settings

__all__ = [
    "KAFKA_DEFAULT_MAX_MESSAGE_BYTES",
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


def create_topics(settings: Settings) -> list[str]:
    """Create every topic that does not exist yet; returns the names created."""
    admin = KafkaAdminClient(bootstrap_servers=settings.broker_list, **_kp_security(settings))
    try:
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
            try:
                admin.create_topics(new)
            except TopicAlreadyExistsError:
                pass
        return wanted
    finally:
        admin.close()


def topic_limits(settings: Settings, topics: list[str]) -> dict[str, int]:
    """``max.message.bytes`` of each of ``topics`` as the broker has it (read at worker start-up).

    Topics that do not exist yet give Kafka's default; a broker that does not answer gives ``{}``
    (the caller uses the default meanwhile and asks again)."""
    out = {t: KAFKA_DEFAULT_MAX_MESSAGE_BYTES for t in topics}
    res = [ConfigResource(ConfigResourceType.TOPIC, t, configs={"max.message.bytes": None}) for t in topics]
    try:
        admin = KafkaAdminClient(bootstrap_servers=settings.broker_list, **_kp_security(settings))
        try:
            described = admin.describe_configs(res, config_filter="all")
        finally:
            admin.close()
    except KafkaError:
        return {}
    for name, configs in _topic_entries(described):
        if name in out:
            value = configs.get("max.message.bytes")
            value = value.get("value") if isinstance(value, dict) else value
            if value is not None:
                out[name] = int(str(value))
    return out


def _topic_entries(described: object) -> list[tuple[str, dict[str, object]]]:
    """(topic, {config: entry}) from ``describe_configs`` (dict form of kafka-python 3)."""
    if isinstance(described, dict):
        topics = described.get("topic") or described.get("TOPIC") or {}
        return [(str(k), dict(v)) for k, v in topics.items()]
    return []


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
        **_kp_security(settings),
    )  # fmt: skip
    try:
        missing: list[TopicPartition] = []
        for topic in topics:
            for p in sorted(consumer.partitions_for_topic(topic) or ()):
                tp = TopicPartition(topic, p)
                if consumer.committed(tp) is None:
                    missing.append(tp)
        if not missing:
            return {}
        start = consumer.beginning_offsets(missing)
        offsets = {tp: OffsetAndMetadata(start[tp], "", -1) for tp in missing}
        try:
            consumer.commit(offsets)  # type: ignore[arg-type]
        except KafkaError:
            return {}  # the group has live members: they own the offsets
        return {tp: start[tp] for tp in missing}
    finally:
        consumer.close(autocommit=False)


def _kp_security(settings: Settings) -> dict[str, object]:
    s = settings.security
    kw: dict[str, object] = {"security_protocol": s.protocol}
    if s.sasl_mechanism:
        kw.update(sasl_mechanism=s.sasl_mechanism, sasl_plain_username=s.sasl_username,
                  sasl_plain_password=s.sasl_password)  # fmt: skip
    if s.ssl_cafile:
        kw.update(ssl_cafile=s.ssl_cafile, ssl_certfile=s.ssl_certfile, ssl_keyfile=s.ssl_keyfile)
    return kw
