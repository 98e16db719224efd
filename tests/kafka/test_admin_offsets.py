"""Seeding committed offsets for a worker group that has never committed (real broker)."""

from __future__ import annotations

import pytest
from kafka import KafkaConsumer, TopicPartition

from streams.kafka.admin import create_topics, seed_group_offsets
from streams.kafka.client import publish_items

pytestmark = pytest.mark.kafka


def _committed(bootstrap: list[str], group: str, topic: str, partitions: int) -> dict[int, int | None]:
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    try:
        return {p: c.committed(TopicPartition(topic, p)) for p in range(partitions)}
    finally:
        c.close(autocommit=False)


def test_seeds_only_missing_partitions_and_never_moves_a_commit(kafka_env) -> None:  # type: ignore[no-untyped-def]
    from streams.ingest.inputs import iter_inputs

    s = kafka_env.settings
    create_topics(s)
    group = f"{kafka_env.prefix}-g"
    src = kafka_env.tmp / "in.jsonl"
    src.write_text("".join(f'{{"id": "s{i}", "text": "Berita {i}."}}\n' for i in range(12)))
    items = list(iter_inputs([str(src)]))
    publish_items(s, items)
    assert set(_committed(s.broker_list, group, s.topics.raw, s.partitions).values()) == {None}

    seeded = seed_group_offsets(s, group, [s.topics.raw, "no-such-topic"])
    assert {tp.partition for tp in seeded} == set(range(s.partitions))
    assert _committed(s.broker_list, group, s.topics.raw, s.partitions) == dict.fromkeys(
        range(s.partitions), 0
    )

    # a group that has read on: its commits are kept, a second seeding changes nothing
    c = KafkaConsumer(s.topics.raw, bootstrap_servers=s.broker_list, group_id=group,
                      enable_auto_commit=False, auto_offset_reset="earliest")  # fmt: skip
    try:
        got = 0
        while got < 12:
            got += sum(len(v) for v in c.poll(timeout_ms=2000).values())
        c.commit()
    finally:
        c.close(autocommit=False)
    before = _committed(s.broker_list, group, s.topics.raw, s.partitions)
    assert sum(v or 0 for v in before.values()) == 12
    assert seed_group_offsets(s, group, [s.topics.raw]) == {}
    assert _committed(s.broker_list, group, s.topics.raw, s.partitions) == before
