"""SSE encoding, filters, token check and article summaries behind the live page."""

from __future__ import annotations

import orjson
import pytest

from streams.sinks.live.events import (
    Filters,
    bearer_token,
    highlight_marks,
    matches,
    parse_filters,
    sse_comment,
    sse_encode,
    summarize_alert,
    summarize_article,
    token_ok,
)

BODY = "Presiden Volodymyr Zelensky mengatakan 157 tahanan dibebaskan di Abu Dhabi."
ARTICLE = {
    "id": "art-1",
    "event_id": "ev-1",
    "title": "Pertukaran tahanan",
    "body": BODY,
    "language": "id",
    "source": {"name": "Kompas", "domain": "kompas.com"},
    "topics": [{"code": "medtop:16000000", "label": "conflict, war and peace", "score": 0.9}],
    "events": [{"code": "0841", "label": "release persons", "score": 0.8}],
    "entities": [
        {"text": "Volodymyr Zelensky", "name": "Volodymyr Zelensky", "type": "PERSON", "id": "Q3874799",
         "spans": [[9, 27]], "confidence": 0.9},
        {"text": "Abu Dhabi", "name": "Abu Dhabi", "type": "GPE", "spans": [[65, 74]], "confidence": 0.9},
    ],
    "figures": [{"kind": "prisoners_released", "value": 157, "text": "157 tahanan", "span": [39, 50]}],
    "dedup": {"content_hash": "h", "story_id": "story-9", "duplicate_of": None},
}  # fmt: skip


def _parse_sse(blob: bytes) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in blob.decode().split("\n"):
        if line:
            key, _, value = line.partition(": ")
            fields[key] = fields[key] + "\n" + value if key in fields else value
    return fields


def test_sse_encode_roundtrips_json_and_ends_with_blank_line():
    blob = sse_encode({"title": "a\nb <script>", "n": 1}, event="article", event_id=7)
    assert blob.endswith(b"\n\n") and blob.count(b"\n\n") == 1
    fields = _parse_sse(blob)
    assert fields["event"] == "article" and fields["id"] == "7"
    assert orjson.loads(fields["data"]) == {"title": "a\nb <script>", "n": 1}


def test_sse_fields_cannot_be_split_by_newlines():
    blob = sse_encode({}, event="x\ndata: injected", event_id="1\r\nevent: evil")
    lines = blob.decode().strip("\n").split("\n")
    assert [ln.split(":")[0] for ln in lines] == ["event", "id", "data"]
    assert sse_comment("a\nb") == b": a b\n\n"


@pytest.mark.parametrize(
    ("expected", "query", "header", "ok"),
    [
        (None, None, None, True),
        ("", None, None, True),
        ("s3cret", None, None, False),
        ("s3cret", "s3cret", None, True),
        ("s3cret", "wrong", None, False),
        ("s3cret", None, "Bearer s3cret", True),
        ("s3cret", None, "bearer   s3cret ", True),
        ("s3cret", None, "Basic s3cret", False),
        ("s3cret", "wrong", "Bearer s3cret", True),
        ("s3cret", "", "Bearer ", False),
    ],
)
def test_token_ok(expected, query, header, ok):
    assert token_ok(expected, query_token=query, authorization=header) is ok


def test_bearer_token_parsing():
    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("Token abc") is None
    assert bearer_token(None) is None


def test_parse_filters_trims_bounds_and_ignores_unknown():
    f = parse_filters({"topic": "  16000000 ", "language": "ID", "entity": "x" * 500, "other": "1"})
    assert f == Filters(topic="16000000", entity="x" * 200, language="id")
    assert parse_filters({}).empty


def test_filters_match_topic_event_entity_language():
    art = summarize_article(ARTICLE)
    assert art is not None
    ok = [
        Filters(),
        Filters(topic="16000000"),
        Filters(topic="medtop:16000000"),
        Filters(topic="War"),
        Filters(event="08"),
        Filters(event="0841"),
        Filters(event="release"),
        Filters(entity="zelensky"),
        Filters(entity="q3874799"),
        Filters(language="id"),
        Filters(topic="conflict", event="084", entity="Abu", language="id"),
    ]
    no = [
        Filters(topic="15000000"),
        Filters(topic="1600"),  # a code must match whole, labels by substring
        Filters(event="19"),
        Filters(event="1"),
        Filters(entity="Putin"),
        Filters(entity="Q1"),
        Filters(language="en"),
        Filters(topic="16000000", language="en"),
    ]
    for f in ok:
        assert matches(f, "article", art), f
    for f in no:
        assert not matches(f, "article", art), f
    assert matches(Filters(language="en"), "alert", {"rule": "r"})


def test_highlight_marks_resolve_overlaps_and_drop_bad_spans():
    ents = [
        {
            "name": "Volodymyr Zelensky",
            "type": "PERSON",
            "spans": [[9, 27], [20, 27], [70, 999], [5, 5], "x"],
        },
        {"name": "Abu Dhabi", "type": "GPE", "spans": [[65, 74]]},
    ]
    figs = [
        {"kind": "prisoners_released", "value": 157, "span": [39, 50]},
        {"kind": "count", "span": [60, 70]},
    ]
    marks = highlight_marks(BODY, ents, figs)
    spans = [(m["start"], m["end"], m["kind"]) for m in marks]
    assert spans == [(9, 27, "entity"), (39, 50, "figure"), (60, 70, "figure")]
    assert BODY[9:27] == "Volodymyr Zelensky" and BODY[39:50] == "157 tahanan"
    assert marks[0]["label"] == "PERSON: Volodymyr Zelensky"


def test_summarize_article_keeps_what_the_page_needs():
    art = summarize_article(ARTICLE)
    assert art is not None
    assert art["story_id"] == "story-9" and art["source"]["name"] == "Kompas"
    assert [(m["start"], m["end"]) for m in art["marks"]] == [(9, 27), (39, 50), (65, 74)]
    assert art["entities"][0]["id"] == "Q3874799"
    assert "spans" not in art["entities"][0]


def test_summarize_is_defensive_about_malformed_records():
    assert summarize_article(None) is None
    assert summarize_article({"id": "x"}) is None
    assert summarize_article([1, 2]) is None
    odd = summarize_article(
        {"id": "x", "body": "abc", "topics": "nope", "entities": [1, {"name": 2}], "source": 5}
    )
    assert odd is not None and odd["topics"] == [] and odd["entities"] == [] and odd["source"]["name"] is None
    long = summarize_article(
        {"id": "x", "body": "a" * 30_000, "figures": [{"kind": "count", "span": [25_000, 25_003]}]}
    )
    assert long is not None and long["truncated"] and len(long["body"]) == 20_000 and long["marks"] == []
    assert summarize_alert({"id": "a", "rule": "r", "severity": "<b>"})["severity"] == "warning"  # type: ignore[index]
    assert summarize_alert({"rule": "r"}) is None
