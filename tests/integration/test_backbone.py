"""The worker on a real Kafka broker: samples flow through, bad input lands in the DLQ, restarts lose nothing."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaProducer

from streams.core.pipeline import build_pipeline
from streams.ingest.inputs import iter_inputs
from streams.kafka.admin import create_topics
from streams.kafka.client import collect, publish_items

pytestmark = pytest.mark.kafka

SAMPLES = Path(str(resources.files("streams.data") / "samples"))


def _sample_txt() -> list[str]:
    return sorted(str(p) for p in SAMPLES.glob("*.txt"))


async def _send_raw(settings, payloads: list[tuple[bytes | None, bytes]]) -> None:  # type: ignore[no-untyped-def]
    producer = AIOKafkaProducer(bootstrap_servers=settings.broker_list, acks="all")
    await producer.start()
    try:
        for key, value in payloads:
            await producer.send_and_wait(settings.topics.raw, value=value, key=key)
    finally:
        await producer.stop()


def test_samples_flow_to_enriched_with_expected_ids(kafka_env) -> None:  # type: ignore[no-untyped-def]
    s = kafka_env.settings
    create_topics(s)
    kafka_env.worker().start()
    items = list(iter_inputs(_sample_txt()))
    assert kafka_env.run(publish_items(s, items)) == len(items)
    recs = kafka_env.run(collect(s, s.topics.enriched, len(items), timeout=60))
    got = {r.value["id"]: r.value["event_id"] for r in recs}
    # The same pipeline in-process gives the same deterministic ids.
    pipe = build_pipeline()
    want = {i.ref: pipe.run(i.raw).event_id for i in items if i.raw is not None}
    assert got == want
    assert all(r.key == r.value["id"] for r in recs)


def test_bad_input_goes_to_dlq_and_good_input_still_flows(kafka_env) -> None:  # type: ignore[no-untyped-def]
    s = kafka_env.settings
    create_topics(s)
    kafka_env.worker(WARTA_MAX_ARTICLE_BYTES="2000").start()
    bad = [
        (b"b-utf8", b"\xff\xfe\xfa not utf-8"),
        (b"b-json", b"{this is not json"),
        (b"b-shape", orjson.dumps(["a", "list"])),
        (b"b-empty", orjson.dumps({"id": "e", "text": "  \n "})),
        (b"b-big", orjson.dumps({"id": "big", "text": "kata " * 2000})),
        (b"b-type", orjson.dumps({"id": "t", "text": "ok", "url": 42})),
        (b"b-none", b""),
    ]
    good = [(f"g{i}".encode(), orjson.dumps({"id": f"g{i}", "text": f"Berita nomor {i} tentang cuaca hari ini."}))
            for i in range(3)]  # fmt: skip
    kafka_env.run(_send_raw(s, bad + good))
    dlq = kafka_env.run(collect(s, s.topics.dlq, len(bad), timeout=60))
    codes = {r.key: r.value["error_code"] for r in dlq}
    assert codes == {
        "b-utf8": "W100", "b-json": "W101", "b-shape": "W102", "b-empty": "W103",
        "b-big": "W104", "b-type": "W102", "b-none": "W105",
    }  # fmt: skip
    for r in dlq:
        assert r.value["source_topic"] == s.topics.raw
        assert r.value["source_offset"] is not None and r.value["source_partition"] is not None
        assert r.value["reason"]
    enriched = kafka_env.run(collect(s, s.topics.enriched, len(good), timeout=60))
    assert sorted(r.value["id"] for r in enriched) == ["g0", "g1", "g2"]


def test_worker_restart_mid_stream_loses_nothing(kafka_env) -> None:  # type: ignore[no-untyped-def]
    s = kafka_env.settings
    create_topics(s)
    n = 300
    payloads = [(f"a{i}".encode(), orjson.dumps({"id": f"a{i}", "text": f"Artikel {i}: harga cabai naik {i} persen."}))
                for i in range(n)]  # fmt: skip
    w = kafka_env.worker().start()
    kafka_env.run(_send_raw(s, payloads[: n // 2]))
    kafka_env.run(collect(s, s.topics.enriched, 20, timeout=60))
    w.kill()  # kill -9 mid-stream: nothing is flushed or committed gracefully
    kafka_env.run(_send_raw(s, payloads[n // 2 :]))
    kafka_env.worker().start()
    want = {f"a{i}" for i in range(n)}
    recs = kafka_env.run(
        collect(s, s.topics.enriched, 0, timeout=120, until=lambda rs: {r.value["id"] for r in rs} >= want)
    )
    ids = {r.value["id"] for r in recs}
    assert ids == {f"a{i}" for i in range(n)}  # at-least-once: every article arrives
    by_id: dict[str, set[str]] = {}
    for r in recs:
        by_id.setdefault(r.value["id"], set()).add(r.value["event_id"])
    assert all(len(v) == 1 for v in by_id.values())  # redeliveries carry the same event_id
