"""On a real broker: the dedup index survives a kill -9 of the worker and is shared by workers."""

from __future__ import annotations

import orjson
import pytest
from aiokafka import AIOKafkaProducer

from streams.kafka.admin import create_topics
from streams.kafka.client import collect

pytestmark = pytest.mark.kafka

ORIGINAL = """Badan Meteorologi, Klimatologi, dan Geofisika (BMKG) memperingatkan potensi hujan lebat disertai angin kencang di pesisir selatan Jawa Barat selama tiga hari ke depan.
Kepala BMKG Stasiun Bandung mengatakan gelombang setinggi empat meter dapat terjadi di perairan Pangandaran dan Garut, sehingga nelayan diminta tidak melaut.
Pemerintah daerah telah menyiapkan posko pengungsian di 12 kecamatan dan mengerahkan 450 personel gabungan untuk mengantisipasi banjir dan longsor.
Warga yang tinggal di bantaran sungai diimbau waspada dan segera mengungsi jika debit air naik, terutama pada malam hari.
BMKG juga mencatat suhu muka laut yang lebih hangat dari biasanya, yang memicu pembentukan awan hujan di selatan Jawa."""

OTHER = """The city council of Leeds approved a plan on Tuesday to close three public libraries and merge their collections into a new central hub.
Council leaders said the move would save about 2.4 million pounds a year while keeping opening hours at the remaining branches unchanged.
Residents protested outside the town hall, saying elderly readers and schoolchildren would lose a quiet place to study."""


async def _send(settings, items: list[dict]) -> None:  # type: ignore[no-untyped-def,type-arg]
    producer = AIOKafkaProducer(bootstrap_servers=settings.broker_list, acks="all")
    await producer.start()
    try:
        for item in items:
            await producer.send_and_wait(
                settings.topics.raw, value=orjson.dumps(item), key=item["id"].encode()
            )
    finally:
        await producer.stop()


def test_near_duplicate_is_flagged_after_worker_crash_and_restart(kafka_env) -> None:  # type: ignore[no-untyped-def]
    s = kafka_env.settings
    create_topics(s)
    worker = kafka_env.worker().start()
    kafka_env.run(_send(s, [{"id": "orig", "text": ORIGINAL}, {"id": "other", "text": OTHER}]))
    first = kafka_env.run(collect(s, s.topics.enriched, 2, timeout=60))
    assert {r.value["id"] for r in first} == {"orig", "other"}
    assert all(r.value["dedup"]["duplicate_of"] is None for r in first)
    worker.kill()  # kill -9: nothing flushed or committed gracefully

    kafka_env.worker().start()
    trimmed = ORIGINAL[: ORIGINAL.rfind(" ", 0, int(len(ORIGINAL) * 0.7))]
    furnished = "BERANDA | NASIONAL\n" + ORIGINAL + "\nIkuti kami di Google News"
    copies = [
        {"id": f"copy{i}", "text": t}
        for i, t in enumerate([trimmed, furnished, ORIGINAL, trimmed + " Update."])
    ]
    kafka_env.run(_send(s, copies))
    recs = kafka_env.run(collect(s, s.topics.enriched, 50, timeout=25))
    by_id: dict[str, list[dict]] = {}  # type: ignore[type-arg]
    for r in recs:
        by_id.setdefault(r.value["id"], []).append(r.value)
    # Redeliveries of the original (if its offset was not committed) are not duplicates of itself.
    assert all(v["dedup"]["duplicate_of"] is None for v in by_id["orig"])
    story = by_id["orig"][0]["dedup"]["story_id"]
    for c in copies:
        got = by_id[c["id"]][-1]["dedup"]
        assert got["duplicate_of"] == "orig", (c["id"], got)
        assert got["story_id"] == story
    notices = kafka_env.run(collect(s, s.topics.duplicates, len(copies), timeout=30))
    assert {n.value["id"] for n in notices} >= {c["id"] for c in copies}
    assert {n.value["duplicate_of"] for n in notices} == {"orig"}


@pytest.mark.slow
def test_two_workers_share_the_index(kafka_env) -> None:  # type: ignore[no-untyped-def]
    """Two workers split the raw partitions; copies are found whichever worker gets them."""
    s = kafka_env.settings
    create_topics(s)
    kafka_env.worker(WARTA_DATA_DIR=str(kafka_env.tmp / "w1")).start()
    kafka_env.worker(WARTA_DATA_DIR=str(kafka_env.tmp / "w2")).start()
    kafka_env.run(_send(s, [{"id": "orig", "text": ORIGINAL}]))
    kafka_env.run(collect(s, s.topics.enriched, 1, timeout=60))
    trimmed = ORIGINAL[: ORIGINAL.rfind(" ", 0, int(len(ORIGINAL) * 0.7))]
    copies = [{"id": f"copy{i}", "text": trimmed + f" Catatan {i}."} for i in range(6)]
    kafka_env.run(_send(s, copies))
    recs = kafka_env.run(collect(s, s.topics.enriched, 50, timeout=20))
    by_id = {r.value["id"]: r.value for r in recs}
    partitions = {r.partition for r in recs if r.value["id"].startswith("copy")}
    assert len(partitions) == 2, "the copies should land on both partitions"
    assert {c["id"]: by_id[c["id"]]["dedup"]["duplicate_of"] for c in copies} == {
        c["id"]: "orig" for c in copies
    }
