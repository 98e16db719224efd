"""The working document that pipeline stages read and fill, field by field."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, fields
from typing import Any

from streams import PIPELINE_VERSION
from streams.core.analysis import Analysis
from streams.core.records import (
    CameoEvent,
    DedupInfo,
    EnrichedArticle,
    Entity,
    Figure,
    Quote,
    RawArticle,
    SourceInfo,
    Topic,
)

__all__ = ["DOC_FIELDS", "MAX_EVIDENCE_SPANS", "Doc"]


@dataclass(slots=True)
class Doc:
    """Mutable state of one article inside the pipeline.

    ``raw`` is the input as received; ``text`` the working text before the body is fixed.
    Every other field has the name and meaning of the EnrichedArticle field it becomes.
    ``scratch`` carries data between stages that is not part of the output.
    """

    raw: RawArticle
    text: str = ""
    id: str = ""
    event_id: str = ""
    pipeline_version: str = PIPELINE_VERSION
    title: str | None = None
    body: str = ""
    lead: str = ""
    captions: list[str] = field(default_factory=list)
    url: str | None = None
    language: str | None = None
    language_confidence: float | None = None
    source: SourceInfo = field(default_factory=SourceInfo)
    byline: str | None = None
    dateline: str | None = None
    published_at: str | None = None
    cited_sources: list[str] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    events: list[CameoEvent] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    dedup: DedupInfo = field(default_factory=DedupInfo)
    scratch: dict[str, Any] = field(default_factory=dict)
    #: The shared analysis of ``body`` (tokens, sentences, numbers, lexicon hits), set by the
    #: ``analysis`` stage; see :mod:`streams.core.analysis`. Not part of the output.
    analysis: Analysis | None = None
    #: Extra records a stage emits, as ``(topic role, record)``; role is a TopicNames field
    #: (``events``, ``duplicates``...). The worker produces them after the enriched article.
    outbox: list[tuple[str, Any]] = field(default_factory=list)

    def emit(self, role: str, record: Any) -> None:
        self.outbox.append((role, record))

    @classmethod
    def from_raw(cls, raw: RawArticle) -> Doc:
        return cls(raw=raw, text=raw.text or "", id=raw.id or "", url=raw.url, title=raw.title)

    def to_enriched(self) -> EnrichedArticle:
        """The output record; evidence lists are capped at :data:`MAX_EVIDENCE_SPANS` per label."""
        data = {name: getattr(self, name) for name in DOC_FIELDS}
        data["topics"] = [_capped(t, "evidence") for t in self.topics]
        data["events"] = [_capped(e, "evidence") for e in self.events]
        data["entities"] = [_capped(e, "spans") for e in self.entities]
        return EnrichedArticle(
            **data,
            ingested_at=self.raw.ingested_at,
            processed_at=time.time(),
        )


#: Most evidence spans one label (a topic, an event, an entity) carries in the EnrichedArticle:
#: the first ones in the text. The record's size then grows with the article, not with how often
#: a label repeats (one topic word 50,000 times would otherwise make 50,000 spans).
MAX_EVIDENCE_SPANS = 64


def _capped(item: Any, name: str) -> Any:
    spans = getattr(item, name)
    if len(spans) <= MAX_EVIDENCE_SPANS:
        return item
    return item.model_copy(update={name: sorted(spans)[:MAX_EVIDENCE_SPANS]})


#: Fields of Doc that are copied into the EnrichedArticle.
DOC_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(Doc) if f.name not in {"raw", "text", "scratch", "outbox", "analysis"}
)
