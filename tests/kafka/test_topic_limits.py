"""``warta topics create`` sets max.message.bytes from the settings; the worker reads it back
(real broker)."""

from __future__ import annotations

import pytest

from streams.kafka.admin import KAFKA_DEFAULT_MAX_MESSAGE_BYTES, create_topics, topic_limits

pytestmark = pytest.mark.kafka


def test_topics_are_created_with_the_configured_limit_and_read_back(kafka_env) -> None:  # type: ignore[no-untyped-def]
    s = kafka_env.settings.model_copy(update={"max_message_bytes": 3_000_000})
    created = create_topics(s)
    assert set(created) == set(s.topics.all())
    limits = topic_limits(s, [*s.topics.all(), f"{kafka_env.prefix}.absent"])
    assert {limits[t] for t in s.topics.all()} == {3_000_000}
    assert limits[f"{kafka_env.prefix}.absent"] == KAFKA_DEFAULT_MAX_MESSAGE_BYTES
