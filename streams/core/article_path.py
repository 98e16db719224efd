"""One article path: raw bytes and metadata in, the input's outcome out (its records, or one dead letter).

The worker (``streams.kafka.worker`` / ``flow``), ``warta replay`` and ``warta process`` all use
this module for what an input becomes, so that they decide the same way with the same error
codes; they only do the I/O around it. The steps, in order:

1. :func:`decode_input` — bytes -> RawArticle (W100-W105; the message key is the id when the
   article has none).
2. the pipeline's stages (the worker runs them in child processes and on its event loop).
3. :func:`route_doc` — the Doc -> its records: enriched, then a duplicate notice or the domain
   events, then what the stages put in the outbox (W901 when the output does not validate).
4. :meth:`ArticlePath.fit` — each record encoded and size-checked against its topic (W903 too
   large, W904 does not serialise); any error makes the whole input one dead letter, cut to fit
   the DLQ topic (:meth:`ArticlePath.dead_letter`).

:meth:`ArticlePath.outcome` runs all four in-process (replay, process, tests).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from streams.core.derived import (
    KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
    RECORD_OVERHEAD,
    MessageMeta,
    fitted_dead_letter,
    output_limit,
)
from streams.core.errors import WartaError
from streams.core.pipeline import Pipeline
from streams.core.records import RawArticle, Record
from streams.core.routing import Routed, dead_routed, decode_input, dlq_key, route_doc, topic_for
from streams.core.settings import Settings, TopicNames

__all__ = [
    "KAFKA_DEFAULT_MAX_MESSAGE_BYTES",
    "RECORD_OVERHEAD",
    "ArticlePath",
    "Encoded",
    "PathOutcome",
    "dead_routed",
    "decode_input",
    "dlq_key",
    "encode_record",
    "fitted_dead_letter",
    "output_limit",
    "route_doc",
    "warta_topic_limits",
]


@dataclass(frozen=True)
class Encoded:
    """One output as it goes to the broker."""

    role: str
    topic: str
    key: bytes
    value: bytes


@dataclass
class PathOutcome:
    """What one input became: its records (``routed``) and their encoded form, or one dead
    letter (``routed.error`` set, ``routed.article`` None)."""

    routed: Routed
    encoded: list[Encoded] = field(default_factory=list)

    @property
    def error(self) -> WartaError | None:
        return self.routed.error


def encode_record(record: Any) -> bytes:
    """The bytes Warta writes for an output record (the pydantic JSON form, :meth:`Record.to_json`);
    bytes are a record encoded already (the worker's pre-encoded handoff)."""
    if isinstance(record, bytes):
        return record
    if isinstance(record, Record):
        return record.to_json()
    return orjson.dumps(record)


def warta_topic_limits(settings: Settings) -> dict[str, int]:
    """``max.message.bytes`` of every topic as ``warta topics create`` makes them (what a run
    without a broker, ``warta process``, assumes)."""
    return {t: settings.max_message_bytes for t in settings.topics.all()}


@dataclass
class ArticlePath:
    """The rules every runtime applies to one input (see the module docstring).

    ``limits``: ``max.message.bytes`` per topic as the broker has it (None or missing: Kafka's
    default); the worker fills it in at start-up."""

    settings: Settings
    pipeline: Pipeline | None = None
    limits: dict[str, int] | None = None

    @property
    def names(self) -> TopicNames:
        return self.settings.topics

    def outcome(
        self, payload: bytes | None, meta: MessageMeta, decoded: RawArticle | WartaError | None = None
    ) -> PathOutcome:
        """Decode, run the pipeline, route and fit one input; never raises for bad input.
        ``decoded``: the input already read as an article, or the error that kept it from being
        one (``warta process`` reads files, not messages); None decodes ``payload``."""
        assert self.pipeline is not None, "ArticlePath.outcome needs a pipeline"
        try:
            if isinstance(decoded, WartaError):
                raise decoded
            raw = (
                decoded
                if decoded is not None
                else decode_input(payload, meta, self.settings.max_article_bytes)
            )
            routed = route_doc(self.pipeline.run_doc(raw))
        except WartaError as err:
            routed = dead_routed(payload, err, meta)
        return self.fit(payload, meta, routed)

    def limit(self, topic: str, key: bytes) -> int:
        return output_limit(self.settings.max_message_bytes, self.limits, topic, key)

    def dead_letter(self, payload: bytes | None, err: WartaError, meta: MessageMeta) -> Encoded:
        """The dead letter, encoded, with the payload cut so that it fits the DLQ topic (the size
        and SHA-256 of the whole payload are kept; the raw topic holds the full copy)."""
        topic = self.names.dlq
        key = dlq_key(meta).encode()
        return Encoded("dlq", topic, key, fitted_dead_letter(payload, err, meta, self.limit(topic, key)))

    def dead(self, payload: bytes | None, err: WartaError, meta: MessageMeta) -> PathOutcome:
        """The input as one dead letter, encoded to fit."""
        return PathOutcome(dead_routed(payload, err, meta), [self.dead_letter(payload, err, meta)])

    def fit(self, payload: bytes | None, meta: MessageMeta, routed: Routed) -> PathOutcome:
        """Encode every output; an output that does not serialise (W904) or does not fit its
        topic (W903) turns the whole input into one dead letter instead."""
        encoded: list[Encoded] = []
        for out in routed.outputs:
            topic = topic_for(out.role, self.names)
            key = out.key.encode("utf-8", "replace")
            if out.role == "dlq" and routed.error is not None:
                encoded.append(self.dead_letter(payload, routed.error, meta))
                continue
            try:
                value = encode_record(out.record)
            except (TypeError, ValueError) as exc:
                err = WartaError("W904", f"the {out.role} record does not serialise: {exc}", stage="emit",
                                 hint="this is a bug in Warta; report it with the DLQ record")  # fmt: skip
                return self.dead(payload, err, meta)
            limit = self.limit(topic, key)
            if len(value) > limit:
                err = WartaError("W903", f"the {out.role} record is {len(value):,} bytes; {topic} takes {limit:,}",
                                 stage="emit", hint="raise WARTA_MAX_MESSAGE_BYTES and the topic's max.message.bytes "
                                 "(warta topics create sets it), or lower WARTA_MAX_ARTICLE_BYTES")  # fmt: skip
                return self.dead(payload, err, meta)
            encoded.append(Encoded(out.role, topic, key, value))
        return PathOutcome(routed, encoded)
