"""Turn one raw message into the records to produce: enriched, duplicates, events or DLQ."""

from __future__ import annotations

from dataclasses import dataclass, field

from streams.core.decode import decode_raw
from streams.core.derived import (
    DEAD_LETTER_KEY_MAX,
    DEAD_LETTER_TEXT_MAX,
    MessageMeta,
    dead_letter,
    domain_events,
    duplicate_notice,
)
from streams.core.doc import Doc
from streams.core.errors import WartaError
from streams.core.pipeline import Pipeline
from streams.core.records import EnrichedArticle, Record
from streams.core.settings import TopicNames, TopicRole

# MessageMeta, dead_letter and domain_events live in streams.core.derived; routing re-exports them.
__all__ = [
    "DEAD_LETTER_KEY_MAX",
    "DEAD_LETTER_TEXT_MAX",
    "MessageMeta",
    "Output",
    "Routed",
    "dead_letter",
    "domain_events",
    "outputs_for",
    "route_message",
    "topic_for",
]


@dataclass(frozen=True)
class Output:
    role: TopicRole
    key: str
    record: Record


@dataclass
class Routed:
    outputs: list[Output] = field(default_factory=list)
    article: EnrichedArticle | None = None
    error: WartaError | None = None


def outputs_for(doc: Doc, article: EnrichedArticle) -> list[Output]:
    outs = [Output("enriched", article.id, article)]
    notice = duplicate_notice(article)
    if notice is not None:
        outs.append(Output("duplicates", article.id, notice))
    else:
        outs.extend(Output("events", e.id, e) for e in domain_events(article))
    for role, record in doc.outbox:
        key = getattr(record, "id", None) or article.id
        outs.append(Output(role, str(key), record))
    return outs


def route_message(
    pipeline: Pipeline,
    payload: bytes | None,
    meta: MessageMeta,
    *,
    max_bytes: int = 2_000_000,
) -> Routed:
    """Decode, run the pipeline and decide what to produce. Never raises on bad input."""
    try:
        raw = decode_raw(payload, max_bytes=max_bytes)
        if raw.id is None and meta.key:
            raw = raw.model_copy(update={"id": meta.key})
        doc = pipeline.run_doc(raw)
        try:
            article = doc.to_enriched()
        except ValueError as exc:
            raise WartaError("W901", f"pipeline output failed validation: {exc}", stage="finish") from exc
    except WartaError as err:
        return Routed([Output("dlq", meta.key or f"{meta.topic}-{meta.partition}-{meta.offset}",
                              dead_letter(payload or b"", err, meta))], error=err)  # fmt: skip
    return Routed(outputs_for(doc, article), article=article)


def topic_for(role: TopicRole, topics: TopicNames) -> str:
    return topics.name(role)
