"""Records derived from other records: domain events of an article, duplicate notices, dead letters."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from pydantic import BaseModel

from streams.core.errors import WartaError
from streams.core.ids import derived_id
from streams.core.records import DeadLetter, DomainEvent, DuplicateNotice, EnrichedArticle, Figure

_M = TypeVar("_M", bound=BaseModel)

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
    "plain_construct",
    "plain_defaults",
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
    figures = article.figures
    spans = [f.span for f in figures]
    # every value comes from the validated article, of the field's type: built without validating it
    # again (this runs in the worker's pipeline processes and in `warta process`, ~8 records an article)
    lead = plain_defaults(DomainEvent, _DOMAIN_EVENT_FIELDS)
    for ev in article.events:
        if ev.negated:
            continue
        evidence = ev.evidence
        values: dict[str, Any] = {  # every field of DomainEvent but the Record's schema_version, in order
            "id": derived_id("dev", article.event_id, ev.code, *(f"{a}:{b}" for a, b in evidence)),
            "type": "CameoEventDetected",
            "article_event_id": article.event_id,
            "article_id": article.id,
            "cameo_code": ev.code,
            "label": ev.label,
            "actors": list(ev.actors),
            "evidence": list(evidence),
            "figures": _figures_near(figures, spans, evidence),
            "story_id": story_id,
            "occurred_at": article.published_at,
            "data": {
                "score": ev.score,
                "modality": ev.modality,
                "source_actor": ev.source_actor,
                "target_actor": ev.target_actor,
                "topics": list(top),
                "language": article.language,
            },
        }
        out.append(
            DomainEvent.model_construct(**values) if lead is None else _plain_new(DomainEvent, lead, values)
        )
    return out


_DOMAIN_EVENT_FIELDS = (
    "id", "type", "article_event_id", "article_id", "cameo_code", "label", "actors", "evidence", "figures",
    "story_id", "occurred_at", "data",
)  # fmt: skip

_setattr = object.__setattr__


#: default types ``model_construct`` sets as they are (pydantic's ``smart_deepcopy`` copies no immutable value)
_IMMUTABLE = (int, float, str, bool, type(None))


@lru_cache(maxsize=16)
def plain_defaults(cls: type[BaseModel], names: tuple[str, ...]) -> tuple[tuple[str, Any], ...] | None:
    """The fields ``cls.model_construct`` fills with their defaults when given values for exactly ``names``,
    with those defaults, when :func:`_plain_new` then builds the same instance (else None): the model's fields
    are those leading fields and then ``names``, in that order; each leading field has a plain immutable
    default (no factory); no alias, no ``model_post_init``, no private attributes, not a root model, extra
    fields not kept."""
    fields = cls.model_fields
    order = tuple(fields)
    lead = order[: len(order) - len(names)]
    if order[len(lead) :] != names:
        return None
    defaults = tuple((n, fields[n].default) for n in lead)
    plain = (
        all(fields[n].default_factory is None and type(d) in _IMMUTABLE for n, d in defaults)
        and all(f.alias is None and f.validation_alias is None for f in fields.values())
        and not cls.__pydantic_post_init__
        and not cls.__private_attributes__
        and not cls.__pydantic_root_model__
        and cls.model_config.get("extra") != "allow"
    )
    return defaults if plain else None


def plain_construct(cls: type[_M], values: dict[str, Any]) -> _M:
    """``cls.model_construct(**values)`` for values the caller built of the fields' types: the same instance,
    built by :func:`_plain_new` when :func:`plain_defaults` accepts the class for exactly these names (decided
    once per class and names), else by ``model_construct``."""
    lead = plain_defaults(cls, tuple(values))
    return cls.model_construct(**values) if lead is None else _plain_new(cls, lead, values)


def _plain_new(cls: type[_M], lead: tuple[tuple[str, Any], ...], values: dict[str, Any]) -> _M:
    """``cls.model_construct(**values)`` for a model :func:`plain_defaults` accepts (``lead`` its answer):
    the same instance state, written as ``model_construct`` writes it, without its walk over the fields:
    the leading defaults then ``values`` as ``__dict__``, the names of ``values`` as the fields set (the
    defaults are not "set"), no extra, no private attributes."""
    m = cls.__new__(cls)
    state = dict(lead)
    state.update(values)
    _setattr(m, "__dict__", state)
    _setattr(m, "__pydantic_fields_set__", set(values))
    _setattr(m, "__pydantic_extra__", None)
    _setattr(m, "__pydantic_private__", None)
    return m


def _figures_near(
    figures: Sequence[Figure], spans: list[tuple[int, int]], evidence: list[tuple[int, int]]
) -> list[Figure]:
    """The figures with a span within 200 characters of an evidence span (:func:`_near`); one evidence span,
    the usual case, tested inline."""
    if len(evidence) == 1:
        s, e = evidence[0]
        return [
            f
            for f, (start, end) in zip(figures, spans, strict=True)
            if -_NEAR <= start - s <= _NEAR or -_NEAR <= end - e <= _NEAR
        ]
    return [f for f, span in zip(figures, spans, strict=True) if _near(span, evidence)]


_NEAR = 200


def _near(span: tuple[int, int], evidence: list[tuple[int, int]], window: int = _NEAR) -> bool:
    # a plain loop: this runs events x figures x spans times per article
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
