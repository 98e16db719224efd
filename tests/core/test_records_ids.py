"""Records, deterministic ids and the orjson codec."""

from __future__ import annotations

import orjson
import pytest
from pydantic import ValidationError

from streams import PIPELINE_VERSION
from streams.app import OrjsonCodec
from streams.core.ids import article_id, content_hash, derived_id, event_id
from streams.core.records import DeadLetter, EnrichedArticle, Entity, RawArticle


def test_raw_article_needs_text_or_html() -> None:
    with pytest.raises(ValidationError):
        RawArticle(id="x", text="   ")
    assert RawArticle(html="<p>x</p>").html == "<p>x</p>"


def test_records_are_frozen_and_versioned() -> None:
    raw = RawArticle(text="hello")
    assert raw.schema_version == 3  # 2: EnrichedArticle.published_at_zone; 3: event modalities
    with pytest.raises(ValidationError):
        raw.text = "changed"  # type: ignore[misc]


def test_entity_confidence_bounds() -> None:
    with pytest.raises(ValidationError):
        Entity(text="AS", name="United States", type="GPE", confidence=1.5)
    with pytest.raises(ValidationError):
        Entity(text="AS", name="United States", type="PLANET", confidence=0.5)  # type: ignore[arg-type]


def test_article_id_prefers_url_then_content() -> None:
    a = article_id(url="https://x.test/a", text="one")
    assert a == article_id(url="https://x.test/a", text="two")
    assert a.startswith("u-")
    c1 = article_id(url=None, text="Berita  hari ini")
    assert c1 == article_id(url=None, text="berita hari ini\n")  # whitespace and case folded
    assert c1 != article_id(url=None, text="berita kemarin")


def test_event_id_depends_on_content_id_and_version() -> None:
    e = event_id("a1", "Body text.")
    assert e == event_id("a1", "Body   text.", PIPELINE_VERSION)
    assert e != event_id("a1", "Body text.", "other-version")
    assert e != event_id("a2", "Body text.")
    assert e != event_id("a1", "Another body.")


def test_content_hash_and_derived_id_are_stable() -> None:
    assert content_hash("A b") == content_hash("a  B")
    assert derived_id("dev", "x", "1") == derived_id("dev", "x", "1")
    assert derived_id("dev", "x", "1") != derived_id("dev", "x", "2")


def test_orjson_codec_round_trips_records() -> None:
    codec = OrjsonCodec()
    art = EnrichedArticle(id="a", event_id="ev-1", body="Teks.")
    data = codec.dumps(art)
    back = EnrichedArticle.model_validate(codec.loads(data))
    assert back == art
    assert codec.loads(codec.dumps({"a": [1, 2]})) == {"a": [1, 2]}


def test_dead_letter_serializes_to_json() -> None:
    dl = DeadLetter(error_code="W101", reason="bad", payload_b64="eA==", failed_at=1.0, source_offset=3)
    assert orjson.loads(orjson.dumps(dl.model_dump(mode="json")))["source_offset"] == 3
