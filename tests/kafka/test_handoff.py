"""The pre-encoded handoff from the pipeline processes (streams/kafka/handoff.py) gives the bytes
the whole Doc gives: the enriched article, its domain events or duplicate notice, the story events."""

from __future__ import annotations

import asyncio
import copy
import pickle
from typing import Any, ClassVar

import orjson
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bench.generate import generate_articles
from streams.core.article_path import ArticlePath
from streams.core.doc import Doc
from streams.core.pipeline import MemoryState, build_pipeline, build_stage
from streams.core.routing import MessageMeta, route_doc
from streams.core.settings import Settings
from streams.kafka.handoff import fresh_default, loop_reads, pack, packable, unpack
from streams.kafka.offload import PipelinePool, Staged, preparers, run_pre
from streams.kafka.worker import BatchContext, Work, finish, run_stages, split_stages

SETTINGS = Settings()
PRE, LOOP = split_stages(SETTINGS.stages)


def _payloads(n: int) -> list[bytes]:
    # a fixed arrival time: the stories' times (hence the story events) are then deterministic
    arts = generate_articles(n, seed=5, dup_share=0.3)
    return [orjson.dumps({**a, "ingested_at": 1_765_000_000.0 + i}) for i, a in enumerate(arts)]


def _meta(i: int) -> MessageMeta:
    return MessageMeta("raw", 0, i, None)


def _encoded(path: ArticlePath, routed: Any, i: int) -> list[tuple[str, bytes, bytes]]:
    """The encoded outputs, the enriched article's ``processed_at`` aside."""
    out = []
    for e in path.fit(b"x", _meta(i), routed).encoded:
        value = e.value
        if e.role == "enriched":
            rec = orjson.loads(value)
            assert isinstance(rec.pop("processed_at"), float)
            value = orjson.dumps(rec)
        out.append((e.role, e.key, value))
    return out


def _prepared_docs(payloads: list[bytes]) -> list[Doc]:
    pipe = build_pipeline(SETTINGS, stages=PRE)
    prep = preparers(SETTINGS, LOOP)
    staged = [run_pre(pipe, p, _meta(i), 2_000_000, None, prep) for i, p in enumerate(payloads)]
    assert all(s.doc is not None for s in staged)
    return [s.doc for s in staged if s.doc is not None]


def test_packed_outputs_are_the_bytes_of_the_whole_doc() -> None:
    """Pickled as a pipeline process sends it, with dedup (state, duplicates, stories) on the loop."""
    docs = _prepared_docs(_payloads(40))
    whole = [build_stage(n, SETTINGS, MemoryState()) for n in LOOP]
    slim = [build_stage(n, SETTINGS, MemoryState()) for n in LOOP]
    assert packable(slim)
    path = ArticlePath(SETTINGS)
    roles: set[str] = set()
    for i, doc in enumerate(docs):
        packed = pack(doc, loop_reads(slim))
        assert packed is not None and packed.doc.entities == [] and packed.doc.events == []
        packed = pickle.loads(pickle.dumps(packed, protocol=5))
        old = pickle.loads(pickle.dumps(doc, protocol=5))
        run_stages(whole, old, None)
        run_stages(slim, packed.doc, None)
        want = _encoded(path, route_doc(old), i)
        assert _encoded(path, unpack(packed), i) == want
        roles.update(r for r, _, _ in want)
    assert {"enriched", "events", "duplicates"} <= roles


@hsettings(max_examples=60, deadline=None)
@given(
    story=st.none() | st.text(max_size=40),
    dup=st.none() | st.text(min_size=1, max_size=20),
    similarity=st.none() | st.floats(0, 1),
    now=st.floats(0, 4e9),
)
def test_spliced_values_encode_as_the_article_does(
    story: str | None, dup: str | None, similarity: float | None, now: float
) -> None:
    """Any dedup verdict and processed_at the loop writes: the spliced bytes are the article's."""
    packed = pack(_DOC, set())
    assert packed is not None
    packed = copy.deepcopy(packed)
    dedup = packed.doc.dedup.model_copy(
        update={"story_id": story, "duplicate_of": dup, "similarity": similarity, "method": "near"}
    )
    packed.doc.dedup = dedup
    routed = unpack(packed, now=now)
    want_doc = _DOC.model_copy(update={"dedup": dedup})
    want = route_doc(want_doc)
    got_article = routed.outputs[0].record
    assert got_article == want.outputs[0].record.model_copy(update={"processed_at": now}).to_json()
    assert [(o.role, o.key) for o in routed.outputs] == [(o.role, o.key) for o in want.outputs]
    for g, w in zip(routed.outputs[1:], want.outputs[1:], strict=True):
        assert (g.record if isinstance(g.record, bytes) else g.record.to_json()) == w.record.to_json()


_DOC = next(d for d in _prepared_docs(_payloads(12)) if d.events and not d.dedup.duplicate_of)


def test_loop_stages_that_write_more_get_the_whole_doc() -> None:
    class Writes:
        name: ClassVar[str] = "writes"
        requires: ClassVar[tuple[str, ...]] = ("id",)
        assigns: ClassVar[tuple[str, ...]] = ("dedup", "topics")

    assert not packable([Writes()])
    assert packable([build_stage(n, SETTINGS, MemoryState()) for n in LOOP])


def test_the_pool_sends_packed_results_that_the_worker_finishes() -> None:
    """Through real pipeline processes and the worker's :func:`finish`."""
    loop_stages = [build_stage(n, SETTINGS, MemoryState()) for n in LOOP]
    ref_stages = [build_stage(n, SETTINGS, MemoryState()) for n in LOOP]
    pool = PipelinePool(SETTINGS, PRE, needed={f for s in loop_stages for f in s.requires}, prepare=LOOP,
                        packed=loop_reads(loop_stages))  # fmt: skip
    payloads = [*_payloads(6), b"["]

    async def staged_all() -> list[Staged]:
        return [await pool.run(p, _meta(i)) for i, p in enumerate(payloads)]

    try:
        staged = asyncio.run(staged_all())
    finally:
        pool.close()
    assert all(s.packed is not None and s.doc is None for s in staged[:-1])
    assert staged[-1].error is not None and staged[-1].error[0] == "W101"
    ctx = BatchContext(SETTINGS, run_pre=None, loop_stages=loop_stages, send=None)  # type: ignore[arg-type]
    path = ArticlePath(SETTINGS)
    docs = _prepared_docs(payloads[:-1])
    for i, (st_, doc) in enumerate(zip(staged, docs, strict=False)):
        run_stages(ref_stages, doc, None)
        assert _encoded(path, finish(ctx, st_, Work(payloads[i], _meta(i))), i) == _encoded(
            path, route_doc(doc), i
        )
    assert finish(ctx, staged[-1], Work(payloads[-1], _meta(6))).error is not None


def test_fresh_default_gives_what_pydantic_gives_and_a_new_object_each_time() -> None:
    for name, info in Doc.model_fields.items():
        if info.is_required():
            continue
        want = info.get_default(call_default_factory=True)
        first, second = fresh_default(name), fresh_default(name)
        assert first == want and type(first) is type(want), name
        if isinstance(want, list):
            assert first is not second, f"{name}: a mutable default must not be shared between Docs"
            first.append(1)
            assert fresh_default(name) == want, name
        elif isinstance(want, dict):
            assert first is not second, f"{name}: a mutable default must not be shared between Docs"
            first[1] = 1
            assert fresh_default(name) == want, name


def test_fresh_default_skips_the_factory_signature_inspection(monkeypatch: Any) -> None:
    """The cost this replaces: pydantic inspects the factory's signature on every
    ``get_default`` call (``inspect.signature(list)`` parses a text signature)."""
    import pydantic._internal._fields as pyd_fields

    fields = [n for n, i in Doc.model_fields.items() if i.default_factory is not None]
    assert fields
    for name in fields:
        fresh_default(name)  # built once (it may inspect here)
    calls: list[Any] = []
    real = pyd_fields.takes_validated_data_argument
    monkeypatch.setattr(pyd_fields, "takes_validated_data_argument", lambda f: calls.append(f) or real(f))
    Doc.model_fields[fields[0]].get_default(call_default_factory=True)
    assert calls, "pydantic no longer inspects per call: this test's premise is gone"
    calls.clear()
    for name in fields:
        fresh_default(name)
    assert calls == []
