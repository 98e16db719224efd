"""The worker's batch step as plain functions: dead letters that fit, size checks, produce
failures, the time budget, /health and the lag gauge (no broker needed; the real-broker runs
are in tests/faults)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from typing import Any, ClassVar

import orjson
import pytest
from aiokafka.errors import KafkaTimeoutError, MessageSizeTooLargeError

from streams.core.doc import MAX_EVIDENCE_SPANS, Doc, prepared_key
from streams.core.errors import ERROR_CODES, WartaError
from streams.core.pipeline import DEFAULT_STAGES, Pipeline
from streams.core.records import RawArticle, Topic
from streams.core.routing import MessageMeta
from streams.core.settings import Settings
from streams.kafka.offload import PipelinePool, Staged, run_pre
from streams.kafka.worker import (
    BatchContext,
    Work,
    deliver,
    fit_outputs,
    fitted_dead_letter,
    health_status,
    output_limit,
    split_stages,
    update_lag,
)

META = MessageMeta("warta.articles.raw", 1, 42, "k1")
SETTINGS = Settings()


class _Fut:
    """An acknowledgement that resolves to ``result`` or raises it."""

    def __init__(self, result: Any):
        self.result = result

    def __await__(self) -> Any:
        async def _get() -> Any:
            await asyncio.sleep(0)
            if isinstance(self.result, BaseException):
                raise self.result
            return self.result

        return _get().__await__()


class FakeProducer:
    """Records what is sent; ``fail(topic, key)`` gives the error for that record (None: ok)."""

    def __init__(self, fail: Any = None):
        self.fail = fail or (lambda topic, key, n: None)
        self.sent: list[tuple[str, bytes, bytes]] = []
        self.attempts: dict[tuple[str, bytes], int] = {}

    async def send(self, topic: str, key: bytes, value: bytes) -> Any:
        n = self.attempts[(topic, key)] = self.attempts.get((topic, key), 0) + 1
        err = self.fail(topic, key, n)
        if err is None:
            self.sent.append((topic, key, value))
        return _Fut(err if err is not None else "ok")


def _ctx(send: Any, limits: dict[str, int] | None = None, run_pre_fn: Any = None) -> BatchContext:
    async def _no_pre(payload: bytes | None, meta: MessageMeta) -> Staged:
        raise AssertionError("not used")

    return BatchContext(SETTINGS, run_pre_fn or _no_pre, [], send, limits=limits or {}, backoff=0.001)


def _doc_staged(text: str, key: str = "a1") -> Staged:
    doc = Doc.from_raw(RawArticle(id=key, text=text))
    doc.id, doc.event_id, doc.body = key, f"ev-{key}", text
    return Staged(doc=doc)


def test_dead_letter_is_truncated_to_fit_and_keeps_source_and_digest() -> None:
    payload = bytes(range(256)) * 20_000  # 5 MB
    limits = {SETTINGS.topics.dlq: 1_048_588}
    ctx = _ctx(FakeProducer().send, limits)
    enc = fitted_dead_letter(ctx, payload, WartaError("W104", "too big " * 1000), META)
    limit = output_limit(SETTINGS, limits, SETTINGS.topics.dlq, enc.key)
    assert len(enc.value) <= limit
    dl = orjson.loads(enc.value)
    assert dl["payload_truncated"] is True and dl["payload_size"] == len(payload)
    assert dl["payload_sha256"] == hashlib.sha256(payload).hexdigest()
    kept = base64.b64decode(dl["payload_b64"])
    assert 0 < len(kept) < len(payload) and payload.startswith(kept)
    assert (dl["source_topic"], dl["source_partition"], dl["source_offset"]) == (META.topic, 1, 42)
    small = orjson.loads(fitted_dead_letter(ctx, b"abc", WartaError("W100", "x"), META).value)
    assert small["payload_truncated"] is False and base64.b64decode(small["payload_b64"]) == b"abc"


def test_oversized_output_becomes_one_dead_letter() -> None:
    limits = {SETTINGS.topics.enriched: 200_000, SETTINGS.topics.dlq: 200_000}
    ctx = _ctx(FakeProducer().send, limits)
    text = "Banjir melanda Jakarta. " * 20_000  # ~480 KB body
    work = Work(orjson.dumps({"id": "a1", "text": text}), META)
    from streams.kafka.worker import finish

    out = fit_outputs(ctx, work, finish(ctx, _doc_staged(text), work))
    assert [e.role for e in out.encoded] == ["dlq"]
    assert out.routed.error is not None and out.routed.error.code == "W903"
    assert len(out.encoded[0].value) <= output_limit(
        SETTINGS, limits, SETTINGS.topics.dlq, out.encoded[0].key
    )
    ok = fit_outputs(ctx, work, finish(ctx, _doc_staged("Banjir melanda Jakarta."), work))
    assert [e.role for e in ok.encoded] == ["enriched"] and ok.routed.error is None


def _outcome(ctx: BatchContext, key: str) -> Any:
    from streams.kafka.worker import finish

    work = Work(orjson.dumps({"id": key, "text": "Banjir."}), MessageMeta("raw", 0, int(key[1:]), key))
    return fit_outputs(ctx, work, finish(ctx, _doc_staged("Banjir.", key), work))


def test_produce_failures_become_dead_letters_and_the_rest_is_delivered() -> None:
    enriched = SETTINGS.topics.enriched

    def fail(topic: str, key: bytes, n: int) -> BaseException | None:
        if topic == enriched and key == b"a1":
            return MessageSizeTooLargeError("broker says too large")
        if topic == enriched and key == b"a2":
            return KafkaTimeoutError()  # retriable: fails every attempt, then W904
        if topic == enriched and key == b"a3" and n == 1:
            return KafkaTimeoutError()  # fails once (a batch-mate of a bad record), then ok
        return None

    prod = FakeProducer(fail)
    ctx = _ctx(prod.send, {})
    outcomes = asyncio.run(deliver(ctx, [_outcome(ctx, k) for k in ("a0", "a1", "a2", "a3")]))
    codes = [o.routed.error.code if o.routed.error else "ok" for o in outcomes]
    assert codes == ["ok", "W903", "W904", "ok"]
    dlq = [orjson.loads(v) for t, _k, v in prod.sent if t == SETTINGS.topics.dlq]
    assert sorted((d["source_key"], d["error_code"]) for d in dlq) == [("a1", "W903"), ("a2", "W904")]
    assert {k for t, k, _v in prod.sent if t == enriched} == {b"a0", b"a3"}


def test_a_dead_letter_is_retried_until_the_broker_takes_it() -> None:
    dlq = SETTINGS.topics.dlq
    prod = FakeProducer(lambda t, k, n: KafkaTimeoutError() if t == dlq and n < 12 else None)
    ctx = _ctx(prod.send, {})
    out = fit_outputs(ctx, Work(b"\xff", META), _dead_routed())
    [delivered] = asyncio.run(deliver(ctx, [out]))
    assert (
        delivered.routed.error is not None
        and prod.attempts[(dlq, b"k1")] == 12
        and [t for t, _k, _v in prod.sent] == [dlq]
    )


def _dead_routed() -> Any:
    from streams.kafka.worker import _dead

    return _dead(b"\xff", WartaError("W100", "not UTF-8"), META)


class SlowStage:
    name: ClassVar[str] = "slow"
    requires: ClassVar[tuple[str, ...]] = ()
    assigns: ClassVar[tuple[str, ...]] = ()

    def __call__(self, doc: Doc) -> None:
        while True:
            try:
                sum(range(1000))
            except Exception:  # a stage that swallows everything cannot swallow the budget
                pass


class QuickStage(SlowStage):
    name: ClassVar[str] = "quick"

    def __call__(self, doc: Doc) -> None:
        doc.id = "q"


def test_time_budget_names_the_stage() -> None:
    pipe = Pipeline([QuickStage(), SlowStage()])
    staged = run_pre(pipe, b'{"id": "x", "text": "isi"}', META, 1000, budget=0.2)
    assert staged.error is not None
    code, reason, _hint, stage = staged.error
    assert (code, stage) == ("W902", "slow") and "0.2" in reason
    assert [n for n, _ in staged.timings] == ["quick", "slow"]
    ok = run_pre(Pipeline([QuickStage()]), b'{"id": "x", "text": "isi"}', META, 1000, budget=0.2)
    assert ok.error is None and ok.doc is not None and ok.doc.id == "q"


def test_pool_runs_the_stages_off_the_loop_and_enforces_the_budget() -> None:
    settings = Settings(stage_timeout=0.3)
    pre, _loop = split_stages(settings.stages)
    pool = PipelinePool(settings, pre)

    async def main() -> tuple[list[Any], int]:
        ticks = 0
        stop = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                await asyncio.sleep(0.01)

        task = asyncio.create_task(ticker())
        await pool.warm_up()
        ticks = 0
        big = orjson.dumps(
            {"id": "big", "text": "Banjir melanda kota dan 12 orang tewas kata polisi. " * 20_000}
        )
        small = orjson.dumps({"id": "s", "text": "Banjir melanda Jakarta, 12 orang tewas."})
        res = [await pool.run(big, META), await pool.run(small, META), await pool.run(b"[", META)]
        stop.set()
        await task
        return res, ticks

    try:
        (big, small, bad), ticks = asyncio.run(main())
    finally:
        pool.close()
    assert big.error is not None and big.error[0] == "W902" and big.error[3] in pre
    assert small.error is None and small.doc is not None and small.doc.id == "s"
    assert bad.error is not None and bad.error[0] == "W101"
    assert ticks > 0, "the event loop must keep running while the pipeline works"


def test_split_stages_keeps_stateful_stages_on_the_loop() -> None:
    pre, loop = split_stages(DEFAULT_STAGES)
    assert loop == ["dedup"] and pre == [n for n in DEFAULT_STAGES if n != "dedup"]


def test_health_status() -> None:
    assert health_status(False, {"tp"}, ["a"]) == ({"status": "ok", "stages": ["a"]}, 200)
    assert health_status(True, {"tp"}, ["a"])[1] == 503
    assert health_status(False, set(), ["a"])[1] == 503
    assert health_status(False, {"tp"}, ["a"], pipeline_ready=False)[1] == 503


def test_update_lag_sets_the_gauge_per_partition() -> None:
    from collections import namedtuple

    from prometheus_client import CollectorRegistry, Gauge

    TP = namedtuple("TP", "topic partition")
    gauge = Gauge("lag_test", "lag", ["topic", "partition"], registry=CollectorRegistry())

    class Consumer:
        def assignment(self) -> set[Any]:
            return {TP("raw", 0), TP("raw", 1), TP("other", 0)}

        def highwater(self, tp: Any) -> int:
            return 100

        async def position(self, tp: Any) -> int:
            return 40 + tp.partition

    lag = asyncio.run(update_lag(Consumer(), "raw", gauge))
    assert lag == {0: 60, 1: 59}
    assert gauge.labels(topic="raw", partition="1")._value.get() == 59


def test_evidence_is_capped_per_label() -> None:
    doc = Doc.from_raw(RawArticle(id="a", text="x"))
    doc.id, doc.event_id, doc.body = "a", "e", "banjir " * 5000
    spans = [(i * 7, i * 7 + 6) for i in range(4999, -1, -1)]
    doc.topics = [Topic(code="06000000", label="env", score=0.9, evidence=spans)]
    art = doc.to_enriched()
    assert len(art.topics[0].evidence) == MAX_EVIDENCE_SPANS
    assert art.topics[0].evidence[0] == (0, 6)  # the first ones in the text


def test_new_codes_are_documented() -> None:
    for code in ("W902", "W903", "W904", "W905"):
        assert code in ERROR_CODES


@pytest.mark.parametrize("limit", [65_536, 1_048_588])
def test_output_limit_takes_the_smaller_of_topic_and_producer(limit: int) -> None:
    s = Settings(max_message_bytes=200_000)
    got = output_limit(s, {"t": limit}, "t", b"key")
    assert got == min(limit, 200_000) - 1024 - 3


def test_refill_puts_skipped_offsets_first_in_order() -> None:
    from types import SimpleNamespace

    from streams.kafka.gaps import OffsetTracker
    from streams.kafka.worker import works_with_refill

    def event(offset: int) -> Any:
        msg = SimpleNamespace(
            topic="raw", partition=0, offset=offset, key=b"k", value=b"v%d" % offset, tp=("raw", 0)
        )
        return SimpleNamespace(message=msg)

    asked: list[tuple[int, int]] = []

    async def read(settings: Any, topic: str, partition: int, start: int, end: int) -> list[Any]:
        asked.append((start, end))
        return [SimpleNamespace(topic=topic, partition=partition, offset=o, key=None, value=b"r%d" % o)
                for o in range(start, end)]  # fmt: skip

    tracker = OffsetTracker()
    works, gaps = asyncio.run(
        works_with_refill(SETTINGS, tracker, [event(0), event(1), event(4), event(5)], read=read)
    )
    assert [w.meta.offset for w in works] == [0, 1, 2, 3, 4, 5]
    assert [w.payload for w in works][2:4] == [b"r2", b"r3"] and asked == [(2, 4)]
    assert gaps == [(("raw", 0), (2, 4))]


def test_pool_and_loop_stages_give_what_the_in_process_pipeline_gives(
    seed_paths: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker's split (stateless stages in a child, dedup on the loop, working fields such
    as the analysis left in the child, dedup's signature computed in the child) does not change
    any output, and no text is analysed on the loop."""
    from streams.core.pipeline import MemoryState, build_pipeline, build_stage
    from streams.core.routing import route_message
    from streams.kafka.worker import finish

    settings = Settings()
    pre, loop = split_stages(settings.stages)
    pool_state, local_state = MemoryState(), MemoryState()
    ctx = _ctx(FakeProducer().send)
    ctx.loop_stages = [build_stage(n, settings, pool_state) for n in loop]
    local = build_pipeline(settings, local_state)
    pool = PipelinePool(settings, pre, needed={f for s in ctx.loop_stages for f in s.requires}, prepare=loop)
    payloads = [orjson.dumps({"id": p.stem, "text": p.read_text()}) for p in seed_paths]
    payloads.append(payloads[0].replace(b'"id":"', b'"id":"copy-'))  # a duplicate, found on the loop

    async def staged_all() -> list[Staged]:
        return [await pool.run(p, META) for p in payloads]

    try:
        staged = asyncio.run(staged_all())
    finally:
        pool.close()
    assert all(s.doc is not None and s.doc.analysis is None and s.doc.text == "" for s in staged)
    assert all(s.doc is not None and prepared_key("dedup") in s.doc.scratch for s in staged)
    wants = [route_message(local, payload, META).article for payload in payloads]

    def no_text_analysis(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("text analysed on the event loop")

    import streams.dedup.index
    import streams.dedup.stage

    monkeypatch.setattr(streams.dedup.stage, "analysis_of", no_text_analysis)
    monkeypatch.setattr(streams.dedup.index, "words", no_text_analysis)
    for payload, st, want in zip(payloads, staged, wants, strict=True):
        got = finish(ctx, st, Work(payload, META)).article
        assert got is not None and want is not None
        assert got.model_dump(exclude={"processed_at"}) == want.model_dump(exclude={"processed_at"})
    assert got.dedup.duplicate_of == seed_paths[0].stem
