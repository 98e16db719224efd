"""One article path: `warta process`, `warta replay` and the worker's per-record steps decide the
same way for the same inputs (enriched, duplicate, too large in, too large out, undecodable, not
an article), with the same error codes and records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka.structs import ConsumerRecord

from streams.core.article_path import ArticlePath, Encoded, warta_topic_limits
from streams.core.pipeline import MemoryState, build_pipeline, build_stage
from streams.core.process import item_outcome, process_items
from streams.core.records import DeadLetter
from streams.core.settings import Settings
from streams.ingest.inputs import iter_inputs
from streams.kafka.offload import Staged, preparers, run_pre
from streams.kafka.replay import replay, replay_outcome
from streams.kafka.worker import BatchContext, Work, finish, fit_outputs, meta_of, split_stages

TEXT = (
    "Banjir melanda sejumlah wilayah di Jakarta Timur pada Senin pagi setelah hujan deras "
    "mengguyur sejak malam. Badan Penanggulangan Bencana Daerah mencatat 1.200 warga mengungsi "
    'ke masjid dan sekolah terdekat. "Kami sudah menyiapkan dapur umum," kata Kepala BPBD DKI '
    "Jakarta kepada wartawan."
)


def _settings(**extra: Any) -> Settings:
    # small limits so that both size checks trip on small inputs: 20 KB in, 64 KB out
    return Settings(max_article_bytes=100_000, max_message_bytes=65_536, **extra)


def _lines() -> list[tuple[str, bytes]]:
    """(case, JSONL line): every kind of outcome, in an order where the duplicate follows its
    original."""
    at = 1_700_000_000.0

    def art(id_: str, text: str) -> bytes:
        return orjson.dumps({"id": id_, "text": text, "ingested_at": at})

    long_text = " ".join(f"Kalimat nomor {i} tentang banjir di Jakarta." for i in range(2_000))  # ~90 KB
    return [
        ("good", art("good-1", TEXT)),
        ("duplicate", art("copy-1", TEXT)),
        ("too large in", art("big-in", "kata " * 30_000)),  # 150 KB > max_article_bytes: W104
        ("too large out", art("big-out", long_text)),  # fits in, its enriched record does not: W903
        ("not JSON", b'{"id": "x", "text": '),  # W101
        ("no text", art("empty", "   ")),  # W103
        ("not an object", b"[1, 2, 3]"),  # W102
    ]


def _record(i: int, value: bytes, topic: str = "warta.articles.raw") -> Any:
    return ConsumerRecord(topic, 0, i, 0, 0, None, value, None, 0, len(value), [])


def _summary(routed: Any, encoded: list[Encoded]) -> tuple[Any, ...]:
    """What an outcome is: the error code, the article's event id, the roles sent and the dead
    letter's code and payload size."""
    dead = [DeadLetter.model_validate(orjson.loads(e.value)) for e in encoded if e.role == "dlq"]
    return (
        routed.error.code if routed.error is not None else None,
        routed.article.event_id if routed.article is not None else None,
        [e.role for e in encoded],
        [(d.error_code, d.payload_size) for d in dead],
    )


def _via_process(settings: Settings, path: Path) -> tuple[list[tuple[Any, ...]], list[Any]]:
    shared = ArticlePath(settings, build_pipeline(settings, MemoryState()), warta_topic_limits(settings))
    items = list(iter_inputs([str(path)], max_bytes=settings.max_article_bytes))
    got = [item_outcome(shared, item, i) for i, item in enumerate(items)]
    lines = list(process_items(items, build_pipeline(settings, MemoryState()), settings=settings))
    codes = [(o.article.event_id if o.article else None, o.error.code if o.error else None) for o in lines]
    return [_summary(o.routed, o.encoded) for o in got], codes


def _via_replay(settings: Settings, payloads: list[bytes]) -> list[tuple[Any, ...]]:
    shared = ArticlePath(settings, build_pipeline(settings, MemoryState()))
    outs = [replay_outcome(shared, _record(i, p)) for i, p in enumerate(payloads)]
    return [_summary(o.routed, o.encoded) for o in outs]


def _via_worker(settings: Settings, payloads: list[bytes]) -> list[tuple[Any, ...]]:
    """The worker's per-record steps in-process: the pool's ``run_pre`` (decode, stateless
    stages, dedup's prepare), then ``finish`` (dedup on the loop) and ``fit_outputs``."""
    pre, loop = split_stages(settings.stages or build_pipeline(settings).names)
    pipeline = build_pipeline(settings, stages=pre)
    prepare = preparers(settings, loop)

    async def no_pre(payload: bytes | None, meta: Any) -> Staged:
        raise AssertionError("not used")

    async def no_send(topic: str, key: bytes, value: bytes) -> Any:
        raise AssertionError("not used")

    state = MemoryState()
    ctx = BatchContext(settings, no_pre, [build_stage(n, settings, state) for n in loop], no_send, limits={})
    out = []
    for i, payload in enumerate(payloads):
        work = Work(payload, meta_of(_record(i, payload)))
        staged = run_pre(pipeline, payload, work.meta, settings.max_article_bytes, None, prepare)
        outcome = fit_outputs(ctx, work, finish(ctx, staged, work))
        out.append(_summary(outcome.routed, outcome.encoded))
    return out


def test_process_replay_and_worker_give_the_same_outcomes(tmp_path: Path) -> None:
    settings = _settings()
    cases = _lines()
    src = tmp_path / "inputs.jsonl"
    src.write_bytes(b"\n".join(line for _case, line in cases) + b"\n")
    payloads = [line for _case, line in cases]

    processed, lines = _via_process(settings, src)
    replayed = _via_replay(settings, payloads)
    worked = _via_worker(settings, payloads)

    by_case = dict(zip([c for c, _ in cases], replayed, strict=True))
    assert (
        by_case["good"][0] is None and by_case["good"][2][0] == "enriched" and "events" in by_case["good"][2]
    )
    assert by_case["duplicate"][0] is None and "duplicates" in by_case["duplicate"][2]
    expected_codes = {"too large in": "W104", "too large out": "W903", "not JSON": "W101",
                      "no text": "W103", "not an object": "W102"}  # fmt: skip
    for case, code in expected_codes.items():
        assert by_case[case][0] == code, case
        assert by_case[case][2] == ["dlq"] and by_case[case][3][0][0] == code, case
    assert by_case["too large out"][3][0][1] == len(dict(cases)["too large out"])  # the whole input's size

    # event ids, error codes, records sent, dead letters: the same whichever runtime ran them
    assert replayed == worked
    # process reads files (its own decoding of JSONL lines) and writes no dead letters' payloads
    # from the message, but decides the same: same code, same article
    assert [(r[0], r[1], r[2]) for r in processed] == [(r[0], r[1], r[2]) for r in replayed]
    assert lines == [(r[1], r[0]) for r in replayed]


@pytest.mark.kafka
def test_replay_through_the_broker_sends_what_the_path_decides(kafka_env: Any) -> None:
    """The real `replay` (raw topic in, topics out, limits read from the broker) produces, per
    input, the records the shared path decides: enriched + events or duplicate, or one dead
    letter with the code the worker would give."""
    from aiokafka import AIOKafkaProducer

    from streams.kafka.admin import create_topics
    from streams.kafka.client import collect

    create_topics(kafka_env.settings)  # topics take 8 MB records; the replay's producer 64 KB
    s = kafka_env.settings.model_copy(update={"max_article_bytes": 100_000, "max_message_bytes": 65_536})
    cases = _lines()

    async def publish() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=s.broker_list, max_request_size=1_000_000)
        await producer.start()
        try:
            for _case, line in cases:
                await producer.send_and_wait(s.topics.raw, value=line, partition=0)
        finally:
            await producer.stop()

    kafka_env.run(publish())
    stats = kafka_env.run(replay(s, pipeline=build_pipeline(s, MemoryState())))
    want = _via_worker(_settings(), [line for _c, line in cases])
    n_dead = sum(1 for w in want if w[0] is not None)
    assert (stats.read, stats.articles, stats.dead_letters) == (len(cases), len(cases) - n_dead, n_dead)
    dlq = kafka_env.run(collect(s, s.topics.dlq, n_dead, timeout=20))
    assert sorted(r.value["error_code"] for r in dlq) == sorted(w[0] for w in want if w[0] is not None)
    enriched = kafka_env.run(collect(s, s.topics.enriched, len(cases) - n_dead, timeout=20))
    assert sorted(r.value["event_id"] for r in enriched) == sorted(w[1] for w in want if w[1] is not None)


def test_a_consumers_dead_letter_fits_the_dlq_topic_like_the_article_paths() -> None:
    """The consumers' DLQ sender (alerting, archive) cuts a record too large for the DLQ topic the
    way the article path does, instead of failing the produce; size and SHA-256 stay whole."""
    import asyncio
    import hashlib

    from streams.core.errors import WartaError
    from streams.kafka.dlq import dlq_sender

    sent: list[tuple[str, bytes, bytes]] = []

    class Producer:
        async def send_and_wait(self, topic: str, key: bytes, value: bytes) -> None:
            sent.append((topic, key, value))

    settings = _settings()
    payload = b"x" * 300_000  # more than the 64 KB the producer may send
    rec = ConsumerRecord("warta.enriched", 2, 41, 0, 0, b"k", payload, None, 0, len(payload), ())
    asyncio.run(dlq_sender(Producer(), settings)(rec, WartaError("W102", "bad record")))
    ((topic, key, value),) = sent
    dl = DeadLetter.model_validate_json(value)
    assert topic == settings.topics.dlq and key == b"k"
    assert len(value) <= settings.max_message_bytes - 1024 - len(key)
    assert dl.payload_truncated and dl.payload_size == len(payload)
    assert dl.payload_sha256 == hashlib.sha256(payload).hexdigest()
    assert (dl.source_topic, dl.source_partition, dl.source_offset) == ("warta.enriched", 2, 41)
