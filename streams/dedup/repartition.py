"""Hand-off between the two worker agents when dedup runs on its own single-partition topic.

With ``WARTA_DEDUP_REPARTITION=true`` the first agent runs every stage but ``dedup`` on the raw
topic (any number of partitions and workers) and sends the document to ``<raw>.dedup`` (one
partition); the second agent runs ``dedup`` there, as the only writer of the index, and routes
the outputs exactly as the single agent would (see README.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import orjson
from pydantic import ValidationError

from streams.core.decode import decode_raw
from streams.core.doc import DOC_FIELDS, Doc
from streams.core.errors import StageError, WartaError
from streams.core.pipeline import Pipeline
from streams.core.records import EnrichedArticle, RawArticle
from streams.core.routing import MessageMeta, Output, Routed, dead_letter, outputs_for

__all__ = ["dedup_topic_name", "handoff", "payload_of", "resume", "route_dedup", "route_pre"]


def dedup_topic_name(raw_topic: str) -> str:
    return f"{raw_topic}.dedup"


def handoff(doc: Doc) -> bytes:
    """The document after the earlier stages, as JSON: the RawArticle and the article fields."""
    article = doc.to_enriched()
    return orjson.dumps({"raw": doc.raw.model_dump(mode="json"), "article": article.model_dump(mode="json")})


def resume(payload: bytes) -> Doc:
    """Rebuild the Doc from :func:`handoff` output (raises StageError W302 when malformed)."""
    try:
        obj = orjson.loads(payload)
        raw = RawArticle.model_validate(obj["raw"])
        article = EnrichedArticle.model_validate(obj["article"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValidationError) as exc:
        raise StageError("W302", f"dedup hand-off record is malformed: {exc}",
                         hint="only the worker writes this topic; check for a version mismatch") from exc  # fmt: skip
    return Doc(raw=raw, text=raw.text or "", **{name: getattr(article, name) for name in DOC_FIELDS})


def route_pre(pipeline: Pipeline, payload: bytes | None, meta: MessageMeta, *, max_bytes: int) -> Routed:
    """First agent: decode and run the earlier stages; outputs are the hand-off (role ``dedup``)
    and the records those stages emitted, or the dead letter."""
    try:
        raw = decode_raw(payload, max_bytes=max_bytes)
        if raw.id is None and meta.key:
            raw = raw.model_copy(update={"id": meta.key})
        doc = pipeline.run_doc(raw)
        body = handoff(doc)
    except WartaError as err:
        key = meta.key or f"{meta.topic}-{meta.partition}-{meta.offset}"
        return Routed([Output("dlq", key, dead_letter(payload or b"", err, meta))], error=err)
    except ValueError as exc:
        bad = WartaError("W901", f"pipeline output failed validation: {exc}", stage="finish")
        key = meta.key or f"{meta.topic}-{meta.partition}-{meta.offset}"
        return Routed([Output("dlq", key, dead_letter(payload or b"", bad, meta))], error=bad)
    outs = [Output("dedup", doc.id, _Bytes(body))]  # type: ignore[arg-type]
    outs.extend(Output(role, str(getattr(rec, "id", None) or doc.id), rec) for role, rec in doc.outbox)
    return Routed(outs)


class _Bytes:
    """Raw bytes carried in an Output (the hand-off record is already serialized)."""

    def __init__(self, data: bytes):
        self.data = data


def route_dedup(
    stage: Callable[[Doc], None],
    payload: bytes | None,
    meta: MessageMeta,
    *,
    on_stage: Callable[[str, float], None] | None = None,
    on_measure: Callable[[str, float], None] | None = None,
) -> Routed:
    """Second agent: run the dedup stage and route like the single agent does."""
    try:
        doc = resume(payload or b"")
        t0 = time.perf_counter()
        try:
            stage(doc)
        except WartaError as exc:
            exc.stage = exc.stage or "dedup"
            raise
        except Exception as exc:
            raise StageError("W900", f"stage 'dedup' raised {type(exc).__name__}: {exc}", stage="dedup",
                             hint="this is a bug in Warta; the input is in the DLQ") from exc  # fmt: skip
        finally:
            if on_stage is not None:
                on_stage("dedup", time.perf_counter() - t0)
            if on_measure is not None:
                for name, value in doc.measures.items():
                    on_measure(name, value)
        try:
            article = doc.to_enriched()
        except ValueError as exc:
            raise WartaError("W901", f"pipeline output failed validation: {exc}", stage="finish") from exc
    except WartaError as err:
        key = meta.key or f"{meta.topic}-{meta.partition}-{meta.offset}"
        return Routed([Output("dlq", key, dead_letter(payload or b"", err, meta))], error=err)
    return Routed(outputs_for(doc, article), article=article)


def payload_of(out: Output) -> Any:
    """What to send for an Output of :func:`route_pre` (bytes for the hand-off)."""
    rec: Any = out.record
    return rec.data if isinstance(rec, _Bytes) else rec
