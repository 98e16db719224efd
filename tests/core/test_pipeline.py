"""The stage protocol, pipeline composition and error wrapping."""

from __future__ import annotations

import base64
import gc
from typing import ClassVar

import orjson
import pytest

from streams.core.doc import Doc
from streams.core.errors import ERROR_CODES, StageError
from streams.core.pipeline import GC_GEN0_THRESHOLD, Pipeline, build_pipeline, settle_heap
from streams.core.records import RawArticle
from streams.core.routing import MessageMeta, route_message
from streams.core.settings import Settings
from streams.ingest.normalize import DecodeStage, IdStage, normalize_text


class Boom:
    name: ClassVar[str] = "boom"
    requires: ClassVar[tuple[str, ...]] = ("body",)
    assigns: ClassVar[tuple[str, ...]] = ()

    def __call__(self, doc: Doc) -> None:
        raise ZeroDivisionError("nope")


class NeedsTopics:
    name: ClassVar[str] = "needs"
    requires: ClassVar[tuple[str, ...]] = ("topics",)
    assigns: ClassVar[tuple[str, ...]] = ()

    def __call__(self, doc: Doc) -> None:
        pass


def test_normalize_text() -> None:
    assert normalize_text("a\u00a0\u00a0b\r\n\r\n\r\n\r\nc\u200b\x00 ") == "a b\n\nc"


def test_pipeline_rejects_unsatisfied_requirements() -> None:
    with pytest.raises(ValueError, match="requires"):
        Pipeline([DecodeStage(), NeedsTopics()])


def test_pipeline_runs_default_stages_deterministically() -> None:
    p = build_pipeline(Settings())
    raw = RawArticle(id="x1", text="  Judul\n\nIsi berita   yang panjang.  ")
    a1, a2 = p.run(raw), p.run(raw)
    assert a1.event_id == a2.event_id
    assert a1.dedup.content_hash
    assert a1.id == "x1"


def test_stage_bug_becomes_w900_with_stage_name() -> None:
    p = Pipeline([DecodeStage(), Boom(), IdStage()])
    with pytest.raises(StageError) as exc:
        p.run(RawArticle(text="isi"))
    assert exc.value.code == "W900"
    assert exc.value.stage == "boom"
    assert exc.value.code in ERROR_CODES


def test_on_stage_hook_sees_every_stage() -> None:
    seen: list[str] = []
    p = Pipeline([DecodeStage(), IdStage()], on_stage=lambda n, s: seen.append(n))
    p.run(RawArticle(text="isi"))
    assert seen == ["decode", "ids"]


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"\xff\xfe\x00garbage", "W100"),
        (b"{not json", "W101"),
        (b"[1, 2, 3]", "W102"),
        (b'{"text": 5}', "W102"),
        (b'{"text": "   "}', "W103"),
        (b'{"text": "ok", "published_at": {"x": 1}}', "W102"),
        (b"", "W105"),
    ],
)
def test_route_message_sends_bad_input_to_dlq(payload: bytes, code: str) -> None:
    p = build_pipeline(Settings())
    routed = route_message(p, payload, MessageMeta("raw", 2, 41, "k1"))
    assert routed.error is not None and routed.error.code == code
    [out] = routed.outputs
    assert out.role == "dlq"
    dl = out.record
    assert dl.error_code == code  # type: ignore[attr-defined]
    assert (dl.source_topic, dl.source_partition, dl.source_offset, dl.source_key) == ("raw", 2, 41, "k1")  # type: ignore[attr-defined]
    assert base64.b64decode(dl.payload_b64) == payload  # type: ignore[attr-defined]


def test_route_message_oversize() -> None:
    p = build_pipeline(Settings())
    big = orjson.dumps({"text": "x" * 5000})
    routed = route_message(p, big, MessageMeta("raw", 0, 0, None), max_bytes=1000)
    assert routed.error is not None and routed.error.code == "W104"


def test_route_message_good_input_uses_key_as_id() -> None:
    p = build_pipeline(Settings())
    routed = route_message(p, orjson.dumps({"text": "Isi berita."}), MessageMeta("raw", 0, 5, "key-7"))
    assert routed.error is None and routed.article is not None
    assert routed.article.id == "key-7"
    assert routed.outputs[0].role == "enriched"


def test_built_pipeline_settles_the_heap():
    """After a pipeline is built, the start-up heap is frozen out of the collector's reach and the
    youngest generation's threshold is at least the pipeline's (it never lowers a higher one)."""
    build_pipeline(stages=["decode"])
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] >= GC_GEN0_THRESHOLD
    before = gc.get_threshold()
    settle_heap(gen0_threshold=10)  # once per process: a second call changes nothing
    assert gc.get_threshold() == before
