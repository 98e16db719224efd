"""Fuzzing the decoder and the whole pipeline: every input is processed or dead-lettered, never raised."""

from __future__ import annotations

import base64
import json
import os

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streams.core.pipeline import build_pipeline
from streams.core.routing import MessageMeta, route_message
from streams.core.settings import Settings

PIPE = build_pipeline(Settings())
META = MessageMeta("warta.articles.raw", 0, 0, "k")
FUZZ = settings(
    max_examples=int(os.environ.get("WARTA_FUZZ_EXAMPLES", "2500")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=200),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)
article_fields = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(max_size=50), st.integers(), st.none()),
        "text": st.one_of(
            st.text(max_size=3000), st.binary(max_size=50).map(lambda b: b.decode("latin-1")), json_values
        ),
        "html": st.one_of(
            st.text(max_size=500).map(lambda t: f"<html><body><p>{t}</p></body></html>"), st.none()
        ),
        "title": st.one_of(st.text(max_size=100), json_values),
        "url": st.one_of(st.text(max_size=100), st.none()),
        "published_at": st.one_of(st.text(max_size=40), st.integers(), st.none()),
        "language": st.one_of(st.text(max_size=5), st.none()),
    },
)


def _accounted(payload: bytes) -> None:
    routed = route_message(PIPE, payload, META, max_bytes=200_000)
    if routed.error is not None:
        [out] = routed.outputs
        assert out.role == "dlq"
        dl = out.record
        assert dl.error_code.startswith("W") and dl.reason  # type: ignore[attr-defined]
        assert base64.b64decode(dl.payload_b64) == payload  # type: ignore[attr-defined]
    else:
        assert routed.article is not None and routed.outputs[0].role == "enriched"
        for start, end in [e for t in routed.article.topics for e in t.evidence]:
            assert 0 <= start <= end <= len(routed.article.body)


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(payload: bytes) -> None:
    _accounted(payload)


@FUZZ
@given(json_values)
def test_random_json(value: object) -> None:
    # stdlib json: big integers and NaN are written too, as real producers sometimes do
    _accounted(json.dumps(value).encode())


@FUZZ
@given(article_fields)
def test_article_shaped_json(obj: dict) -> None:  # type: ignore[type-arg]
    _accounted(json.dumps(obj).encode())


@FUZZ
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=()), max_size=4000))
def test_control_and_odd_unicode_text(text: str) -> None:
    _accounted(orjson.dumps({"id": "x", "text": text}))


def test_huge_and_deep_inputs() -> None:
    _accounted(orjson.dumps({"text": "kata " * 100_000}))  # over the limit -> W104
    deep: object = "x"
    for _ in range(200):
        deep = [deep]
    _accounted(orjson.dumps({"text": "isi", "title": deep}))
    _accounted(b'{"text": "' + b"\\ud800" * 50 + b'"}')  # lone surrogates
    _accounted(b"[" * 100_000)
