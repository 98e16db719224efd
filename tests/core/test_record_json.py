"""Record.to_json (pydantic's serializer) writes the same bytes as the reference encoding (orjson of
the JSON-mode dump), on random values and on every record the seeds and generated articles yield."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.generate import generate_articles
from streams.core.article_path import ArticlePath, encode_record
from streams.core.pipeline import build_pipeline
from streams.core.records import DomainEvent, Figure, Record, reference_json
from streams.core.routing import MessageMeta
from streams.core.settings import Settings

_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    data=st.dictionaries(st.text(max_size=10), _json, max_size=5),
    label=st.text(),
    value=st.floats(allow_nan=False, allow_infinity=False),
    span=st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)),
)
def test_same_bytes_on_random_values(
    data: dict[str, Any], label: str, value: float, span: tuple[int, int]
) -> None:
    fig = Figure(kind="killed", value=value, text=label, span=span)
    event = DomainEvent(id="e", type="T", label=label, data=data, figures=[fig], evidence=[span])
    assert event.to_json() == reference_json(event)
    assert encode_record(event) == reference_json(event)
    assert orjson.loads(event.to_json())["label"] == label


def test_same_bytes_on_pipeline_records(seed_paths: list[Path]) -> None:
    s = Settings()
    path = ArticlePath(s, build_pipeline(s))
    payloads = [orjson.dumps({"id": p.stem, "text": p.read_text(encoding="utf-8")}) for p in seed_paths]
    payloads += [orjson.dumps(a) for a in generate_articles(20, seed=11)]
    kinds = set()
    for i, payload in enumerate(payloads):
        for out in path.outcome(payload, MessageMeta(f"k{i}")).routed.outputs:
            rec = out.record
            assert isinstance(rec, Record)
            kinds.add(type(rec).__name__)
            assert rec.to_json() == reference_json(rec), (i, type(rec).__name__)
    assert {"EnrichedArticle", "DomainEvent"} <= kinds
