"""Hostile and valid records through the real worker on the real broker: every input offset ends
as exactly one enriched record or one dead letter, nothing is lost and the worker never dies."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaProducer

from streams.kafka.admin import create_topics
from streams.kafka.client import consume

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

#: Small limits keep the run short while still putting outputs near and over the size limit.
MAX_MESSAGE = 262_144
MAX_ARTICLE = 200_000
N_VALID = 1200

WORDS = (
    "banjir",
    "gempa",
    "presiden",
    "menteri",
    "polisi",
    "warga",
    "kota",
    "desa",
    "tewas",
    "luka",
    "harga",
    "beras",
    "naik",
    "persen",
    "Jakarta",
    "Bandung",
    "Surabaya",
    "kata",
    "ujar",
    "menurut",
    "pemerintah",
    "rumah",
    "sakit",
    "bantuan",
)


def _sentence(rng: random.Random, n: int = 12) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + f" {rng.randint(1, 999)} orang."


def _deep(n: int) -> bytes:
    return b'{"a": [' * n + b'"x"' + b"]}" * n


def records(seed: int = 7) -> Iterator[tuple[str, bytes | None]]:
    """(kind, payload) for every input; keys are assigned by the caller."""
    rng = random.Random(seed)
    for _ in range(N_VALID):
        yield "valid", orjson.dumps({"text": " ".join(_sentence(rng) for _ in range(rng.randint(3, 30)))})
    for i in range(150):
        yield "invalid-utf8", bytes(rng.randrange(256) for _ in range(rng.randint(1, 400))) + b"\xff\xfe"
        yield "not-json", b"{" * rng.randint(1, 5000)
        yield (
            "deep-json",
            b'{"text": "' + _sentence(rng).encode() + b'", "title": ' + _deep(rng.randint(10, 3000)) + b"}",
        )
        yield "wrong-types", rng.choice([b"null", b"[]", b"42", b'"text"', b'{"text": 12}', b'{"text": {"a": 1}}',
                                         b'{"text": ["x"], "html": 3}', b'{"text": "ok", "published_at": []}',
                                         b'{"text": "ok", "url": 5}', b'{"text": "", "html": ""}'])  # fmt: skip
        ctl = "".join(
            chr(rng.choice([*range(32), 0x7F, 0x200E, 0x202E, 0xFEFF, 0xFFFD]))
            for _ in range(rng.randint(3, 300))
        )
        body = " ".join(_sentence(rng) for _ in range(rng.randint(1, 8)))
        yield "control-chars", orjson.dumps({"text": body + ctl + _sentence(rng), "title": ctl[:50]})
        yield "lone-surrogates", b'{"text": "' + b"\\ud800 kata " * rng.randint(1, 200) + b'"}'
        yield "empty-value", None if i % 2 else b""
    for _ in range(100):
        depth = rng.randint(100, 3000)
        yield "html-bomb", orjson.dumps({"html": "<div>" * depth + _sentence(rng) + "</div>" * depth})
        yield "html-tags", orjson.dumps({"html": "<p>" + "<b><i>x</i></b>" * rng.randint(100, 5000) + "</p>"})
    for size in (20_000, 60_000, 120_000, 180_000, 199_000):
        one_paragraph = " ".join(_sentence(rng, 20) for _ in range(size // 150))[:size]
        yield "long-paragraph", orjson.dumps({"text": one_paragraph})
    for size in (70_000, 90_000, 110_000, 130_000, 150_000, 170_000):  # outputs near the limit
        paragraphs = "\n\n".join(_sentence(rng, 25) for _ in range(size // 150))[:size]
        yield "near-limit", orjson.dumps({"text": paragraphs})
    yield "over-max-article", orjson.dumps({"text": "kata " * (MAX_ARTICLE // 5 + 10)})


async def _publish(
    bootstrap: str, topic: str, items: list[tuple[str, bytes | None]]
) -> dict[str, tuple[int, int]]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True,
                                max_request_size=MAX_MESSAGE)  # fmt: skip
    await producer.start()
    try:
        futs = [await producer.send(topic, value=v, key=k.encode()) for k, v in items]
        metas = await asyncio.gather(*futs)
    finally:
        await producer.stop()
    return {k: (m.partition, m.offset) for (k, _v), m in zip(items, metas, strict=True)}


def test_fuzz_through_the_worker_accounts_for_every_offset(kafka: str, tmp_path: Path) -> None:
    from tests.conftest import KafkaEnv

    env = KafkaEnv(kafka, tmp_path, WARTA_MAX_MESSAGE_BYTES=str(MAX_MESSAGE),
                   WARTA_MAX_ARTICLE_BYTES=str(MAX_ARTICLE), WARTA_STAGE_TIMEOUT="5")  # fmt: skip
    try:
        s = env.settings.model_copy(update={"max_message_bytes": MAX_MESSAGE})
        create_topics(s)
        worker = env.worker().start()
        pid = worker.proc.pid if worker.proc else None
        generated = list(records())
        items = [(f"f{i}", payload) for i, (_kind, payload) in enumerate(generated)]
        kinds = {f"f{i}": kind for i, (kind, _p) in enumerate(generated)}
        offsets = env.run(_publish(s.broker_list[0], s.topics.raw, items))
        by_offset = {v: k for k, v in offsets.items()}

        def read_outcomes(*, until_complete: bool, idle: float) -> dict[str, list[str]]:
            out: dict[str, list[str]] = {k: [] for k in offsets}
            deadline = time.monotonic() + 240
            for rec in consume(s, [s.topics.enriched, s.topics.dlq], idle_timeout=idle, deadline=deadline):
                if rec.topic == s.topics.dlq:
                    key = by_offset[(rec.value["source_partition"], rec.value["source_offset"])]
                    out[key].append(rec.value["error_code"])
                else:
                    out[rec.value["id"]].append("enriched")
                if until_complete and all(out.values()):
                    break
            return out

        read_outcomes(until_complete=True, idle=60)
        outcomes = read_outcomes(until_complete=False, idle=3)  # again, whole: a late duplicate counts
        lost = [k for k, v in outcomes.items() if not v]
        doubled = {k: v for k, v in outcomes.items() if len(v) > 1}
        by_kind = Counter((kinds[k], v[0] if v else "LOST") for k, v in outcomes.items())
        print(
            f"\nfuzz accounting: {len(items)} inputs, {len(lost)} lost, {len(doubled)} with more than one outcome"
        )
        for (kind, outcome), n in sorted(by_kind.items()):
            print(f"  {kind:18} {outcome:9} {n}")
        assert not lost, f"lost {len(lost)}: {[(k, kinds[k]) for k in lost[:10]]}\n{worker.log_tail()}"
        assert not doubled, f"more than one outcome: {list(doubled.items())[:10]}"
        assert all(v == ["enriched"] for k, v in outcomes.items() if kinds[k] == "valid")
        assert {v[0] for k, v in outcomes.items() if kinds[k] == "invalid-utf8"} == {"W100"}
        assert {v[0] for k, v in outcomes.items() if kinds[k] == "over-max-article"} == {"W104"}
        assert worker.proc is not None and worker.proc.poll() is None and worker.proc.pid == pid
        log = worker.log_tail(10**7)
        assert "crashed" not in log.lower() and "Traceback" not in log, log[-3000:]
    finally:
        env.close()
