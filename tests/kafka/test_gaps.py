"""Skipped-offset detection (unit) and reading a partition range back (real broker)."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaProducer

from streams.kafka.admin import create_topics
from streams.kafka.gaps import OffsetTracker, read_range


def test_tracker_reports_each_gap_once_and_forgets_revoked_partitions() -> None:
    t = OffsetTracker()
    assert t.gap("raw", 0, 0) is None  # first message of a partition: nothing to compare with
    for off in range(1, 5):
        assert t.gap("raw", 0, off) is None
    assert t.gap("raw", 0, 12) == (5, 12)  # offsets 5..11 were skipped
    assert t.gap("raw", 0, 13) is None
    assert t.gap("raw", 1, 40) is None  # partitions are independent
    assert t.gap("raw", 0, 3) is None  # a redelivery (seek back) is not a gap ...
    assert t.gap("raw", 0, 14) is None  # ... and does not rewind what was processed
    t.forget([("raw", 0)])
    assert t.gap("raw", 0, 100) is None  # after revocation another worker had it: no gap


@pytest.mark.kafka
def test_read_range_returns_exactly_the_skipped_records(kafka_env) -> None:  # type: ignore[no-untyped-def]
    s = kafka_env.settings
    create_topics(s)

    async def fill() -> None:
        p = AIOKafkaProducer(bootstrap_servers=s.broker_list, acks="all")
        await p.start()
        try:
            for i in range(30):
                await p.send_and_wait(s.topics.raw, value=f"v{i}".encode(), key=f"k{i}".encode(), partition=1)
        finally:
            await p.stop()

    asyncio.run(fill())
    recs = asyncio.run(read_range(s, s.topics.raw, 1, 5, 12))
    assert [r.offset for r in recs] == list(range(5, 12))
    assert [r.value for r in recs] == [f"v{i}".encode() for i in range(5, 12)]
    assert asyncio.run(read_range(s, s.topics.raw, 1, 30, 30)) == []
