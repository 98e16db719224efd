"""The working document that pipeline stages read and fill, field by field."""

from __future__ import annotations

import time
from typing import Any

from pydantic import ConfigDict, Field, model_validator

from streams.core.analysis import Analysis
from streams.core.records import ArticleFields, EnrichedArticle, RawArticle
from streams.core.settings import TopicRole

__all__ = ["DOC_FIELDS", "MAX_EVIDENCE_SPANS", "Doc", "prepared_key"]

#: Fields of Doc that are copied into the EnrichedArticle (declared once, on ArticleFields).
DOC_FIELDS: tuple[str, ...] = tuple(ArticleFields.model_fields)


def prepared_key(stage: str) -> str:
    """The ``Doc.scratch`` key of what a stage's ``prepare`` made ahead of the stage (the worker
    runs ``prepare``, the stateless part of a stateful stage, in the pipeline process)."""
    return f"prepared:{stage}"


class Doc(ArticleFields):
    """Mutable state of one article inside the pipeline.

    ``raw`` is the input as received; ``text`` the working text before the body is fixed.
    Every other field is an EnrichedArticle field (inherited from ArticleFields); ``id``,
    ``event_id`` and ``body`` start empty. ``scratch`` carries data between stages that is not
    part of the output.
    """

    # Assignments are not validated: stages set fields in the hot path, to_enriched validates.
    model_config = ConfigDict(
        validate_assignment=False, revalidate_instances="never", extra="forbid", arbitrary_types_allowed=True
    )

    raw: RawArticle
    text: str = ""
    #: The shared analysis of ``body`` (tokens, sentences, numbers, lexicon hits), set by the
    #: ``analysis`` stage; see :mod:`streams.core.analysis`. Not part of the output.
    analysis: Analysis | None = None
    scratch: dict[str, Any] = Field(default_factory=dict)
    #: Extra records a stage emits, as ``(topic role, record)``; role is a TopicNames field
    #: (``events``, ``duplicates``...). The worker produces them after the enriched article.
    outbox: list[tuple[TopicRole, Any]] = Field(default_factory=list)
    #: Values a stage measures (``stories_open``...): the pipeline hands them to its
    #: ``on_measure`` hook (the worker sets the Prometheus gauges); a stage imports no metrics.
    measures: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _start_empty(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {"id": "", "event_id": "", "body": "", **data}
        return data

    def emit(self, role: TopicRole, record: Any) -> None:
        self.outbox.append((role, record))

    def measure(self, name: str, value: float) -> None:
        self.measures[name] = value

    @classmethod
    def from_raw(cls, raw: RawArticle) -> Doc:
        return cls(
            raw=raw, text=raw.text or "", id=raw.id or "", event_id="", body="", url=raw.url, title=raw.title
        )

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
