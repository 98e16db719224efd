"""Archive rows come from the records by field name (one mapping, every column accounted for)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Column, Integer, MetaData, Table

from streams.archive import schema as s
from streams.archive.rows import alert_row, article_rows, domain_event_row, row
from streams.core.records import (
    Alert,
    CameoEvent,
    DedupInfo,
    DomainEvent,
    EnrichedArticle,
    Entity,
    Figure,
    SourceInfo,
    Topic,
)

ART = EnrichedArticle(
    id="a1",
    event_id="ev1",
    title="Judul",
    body="Presiden Joe Biden: 12 orang tewas.",
    source=SourceInfo(name="Kompas", domain="kompas.com"),
    published_at="2026-11-20T08:00:00+07:00",
    topics=[Topic(code="medtop:16000000", label="conflict", score=0.9, evidence=[(0, 8)])] * 2,
    events=[CameoEvent(code="190", label="use force", score=0.7, evidence=[(20, 25)], actors=["X"])],
    entities=[Entity(text="Joe Biden", name="Joe Biden", type="PERSON", id="Q6279", spans=[(9, 18)], confidence=0.9)],
    figures=[Figure(kind="killed", value=12, unit="orang", text="12", span=(20, 22))],
    dedup=DedupInfo(content_hash="h", story_id="st1", duplicate_of="a0", similarity=0.8),
    processed_at=1.0,
)  # fmt: skip


def test_every_column_of_every_table_has_its_value() -> None:
    rows = article_rows(ART, now=5.0)
    a = rows.article
    assert set(a) == {c.name for c in s.articles.columns}
    assert (a["article_id"], a["event_id"], a["source_domain"], a["story_id"], a["duplicate_of"]) == (
        "a1", "ev1", "kompas.com", "st1", "a0",
    )  # fmt: skip
    assert a["published_ts"] == datetime(2026, 11, 20, 1, tzinfo=UTC).timestamp() and a["archived_at"] == 5.0
    assert a["record"] == ART.model_dump(mode="json")
    assert len(rows.children["topics"]) == 1  # one row per topic code
    (ent,) = rows.children["entities"]
    assert (ent["qid"], ent["spans"], ent["idx"], ent["event_id"]) == ("Q6279", [[9, 18]], 0, "ev1")
    (fig,) = rows.children["figures"]
    assert (fig["span_start"], fig["span_end"], fig["value"]) == (20, 22, 12.0)
    (ev,) = rows.children["events"]
    assert (ev["code"], ev["actors"], ev["evidence"], ev["negated"]) == ("190", ["X"], [[20, 25]], False)
    for name, table in (
        ("topics", s.topics),
        ("events", s.events),
        ("entities", s.entities),
        ("figures", s.figures),
    ):
        assert all(set(r) == {c.name for c in table.columns} for r in rows.children[name])
    d = DomainEvent(id="d1", type="CameoEventDetected", article_event_id="ev1", cameo_code="190")
    assert domain_event_row(d)["cameo_code"] == "190"
    al = Alert(id="al1", rule="r", message="m", revision=3)
    assert (alert_row(al)["revision"], alert_row(al)["record"]["id"]) == (3, "al1")


def test_a_column_without_a_source_field_is_refused() -> None:
    t = Table("articles", MetaData(), Column("no_such_field", Integer))
    with pytest.raises(KeyError, match="no_such_field"):
        row(t, ART.model_dump(mode="json"))
