"""Records derived from other records: domain events of an article, duplicate notices, dead letters."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass

from streams.core.errors import WartaError
from streams.core.ids import derived_id
from streams.core.records import DeadLetter, DomainEvent, DuplicateNotice, EnrichedArticle

__all__ = [
    "DEAD_LETTER_KEY_MAX",
    "DEAD_LETTER_TEXT_MAX",
    "KAFKA_DEFAULT_MAX_MESSAGE_BYTES",
    "RECORD_OVERHEAD",
    "MessageMeta",
    "dead_letter",
    "domain_events",
    "duplicate_notice",
    "fitted_dead_letter",
    "output_limit",
]


#: Kafka's default ``max.message.bytes`` (what a topic created without Warta's settings takes).
KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588

#: Bytes a record needs in a produce request besides its key and value (record and batch
#: headers, with room to spare): an output is checked against ``limit - overhead - len(key)``.
RECORD_OVERHEAD = 1024

#: Bytes of a dead letter besides its (base64) payload: the fields, reason and hint.
_DEAD_LETTER_FIELDS = 16_384


@dataclass(frozen=True)
class MessageMeta:
    topic: str
    partition: int | None = None
    offset: int | None = None
    key: str | None = None


#: Longest ``reason``/``hint`` and ``source_key`` a dead letter carries (characters).
DEAD_LETTER_TEXT_MAX = 2000
DEAD_LETTER_KEY_MAX = 512


def dead_letter(
    payload: bytes, err: WartaError, meta: MessageMeta, *, max_payload_bytes: int | None = None
) -> DeadLetter:
    """The DLQ record for ``payload``. With ``max_payload_bytes`` only that many bytes of the
    payload are kept (the size and SHA-256 of the whole payload are recorded), so a dead letter
    always fits its topic; the source topic/partition/offset point at the full copy."""
    keep = payload if max_payload_bytes is None else payload[: max(0, max_payload_bytes)]
    return DeadLetter(
        error_code=err.code,
        reason=err.reason[:DEAD_LETTER_TEXT_MAX],
        hint=err.hint[:DEAD_LETTER_TEXT_MAX] if err.hint else err.hint,
        stage=err.stage,
        source_topic=meta.topic,
        source_partition=meta.partition,
        source_offset=meta.offset,
        source_key=meta.key[:DEAD_LETTER_KEY_MAX] if meta.key else meta.key,
        payload_b64=base64.b64encode(keep).decode("ascii"),
        failed_at=time.time(),
        payload_size=len(payload),
        payload_sha256=hashlib.sha256(payload).hexdigest(),
        payload_truncated=len(keep) < len(payload),
    )


def fitted_dead_letter(payload: bytes | None, err: WartaError, meta: MessageMeta, limit: int) -> bytes:
    """The encoded dead letter of ``payload``, its payload cut (halving) until the record is at
    most ``limit`` bytes; the size and SHA-256 of the whole payload are kept. Every producer of
    dead letters (the article path, the consumers' :func:`streams.kafka.dlq.dlq_sender`) uses it,
    so a dead letter always fits the DLQ topic."""
    budget = max(0, (limit - _DEAD_LETTER_FIELDS) * 3 // 4)  # base64 is 4/3 of the bytes
    while True:
        value = dead_letter(payload or b"", err, meta, max_payload_bytes=budget).to_json()
        if len(value) <= limit or budget == 0:
            return value
        budget //= 2


def output_limit(max_message_bytes: int, limits: Mapping[str, int] | None, topic: str, key: bytes) -> int:
    """Largest value Warta may send to ``topic``: the smaller of the topic's ``max.message.bytes``
    (``limits``, else Kafka's default) and the producer's ``max_message_bytes``, less the record
    overhead and the key."""
    topic_max = (limits or {}).get(topic, KAFKA_DEFAULT_MAX_MESSAGE_BYTES)
    return min(topic_max, max_message_bytes) - RECORD_OVERHEAD - len(key)


def domain_events(article: EnrichedArticle) -> list[DomainEvent]:
    """One ``CameoEventDetected`` per non-negated CAMEO event of the article; ids are deterministic.

    ``data`` carries the event's score, modality (asserted, reported, intent, demand), its source and
    target actors and the article's top-level topics, so consumers can filter without the article.
    """
    out = []
    top = [t.code for t in article.topics if t.parent is None]
    story_id = article.dedup.story_id
    for ev in article.events:
        if ev.negated:
            continue
        # every value comes from the validated article, of the field's type: built without
        # validating it again (this runs on the worker's event loop, ~8 records an article)
        out.append(
            DomainEvent.model_construct(
                id=derived_id("dev", article.event_id, ev.code, *(f"{a}:{b}" for a, b in ev.evidence)),
                type="CameoEventDetected",
                article_event_id=article.event_id,
                article_id=article.id,
                cameo_code=ev.code,
                label=ev.label,
                actors=list(ev.actors),
                evidence=list(ev.evidence),
                figures=[f for f in article.figures if _near(f.span, ev.evidence)],
                story_id=story_id,
                occurred_at=article.published_at,
                data={
                    "score": ev.score,
                    "modality": ev.modality,
                    "source_actor": ev.source_actor,
                    "target_actor": ev.target_actor,
                    "topics": list(top),
                    "language": article.language,
                },
            )
        )
    return out


def _near(span: tuple[int, int], evidence: list[tuple[int, int]], window: int = 200) -> bool:
    # a plain loop: this runs events x figures x spans times per article, on the worker's event loop
    start, end = span
    for s, e in evidence:  # noqa: SIM110 (a generator per call costs more than the loop)
        if -window <= start - s <= window or -window <= end - e <= window:
            return True
    return False


def duplicate_notice(article: EnrichedArticle) -> DuplicateNotice | None:
    """The ``warta.articles.duplicates`` record of an article flagged as a copy (None: not a copy)."""
    d = article.dedup
    if not d.duplicate_of:
        return None
    return DuplicateNotice(
        id=article.id,
        event_id=article.event_id,
        duplicate_of=d.duplicate_of,
        similarity=d.similarity or 1.0,
        method=d.method or "exact",
        story_id=d.story_id,
    )
