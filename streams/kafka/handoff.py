"""The pipeline process's result for the event loop, pre-encoded: the outputs as bytes with holes where the loop stages write.

The event loop used to receive the whole Doc (24 KB pickled for a 6 KB article, ~60 pydantic
models rebuilt on unpickling), then validate the EnrichedArticle, derive the domain events and
encode every record. The pipeline process does all of that now, for everything the loop stages
cannot change: the enriched article is encoded with its ``dedup`` and ``processed_at`` values cut
out, each domain event with its ``story_id`` cut out. The loop receives a slim Doc (what its
stages read), runs its stages and fills the holes with the values they wrote (:func:`unpack`):
the same bytes as :func:`streams.core.routing.route_doc` then
:meth:`streams.core.article_path.ArticlePath.fit` make from the whole Doc
(``tests/kafka/test_handoff.py``). Any surprise (a loop stage that assigns another field, a
value that does not splice) sends the whole Doc instead (:func:`pack` returns None).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from typing import Any, cast

from pydantic_core import to_json

from streams.core.derived import domain_events, duplicate_notice
from streams.core.doc import Doc
from streams.core.records import DedupInfo, EnrichedArticle
from streams.core.routing import Output, Routed
from streams.core.settings import TopicRole

__all__ = ["ArticleHead", "Packed", "Spliced", "fresh_default", "loop_reads", "pack", "packable", "unpack"]

#: Doc fields that only the outputs read (the article's enrichments): not sent to the loop.
OUTPUT_ONLY = ("topics", "events", "entities", "figures", "quotes", "captions", "cited_sources", "lead")


@dataclass(frozen=True)
class Code:
    """A topic's or an event's code: what the worker's metrics read of them."""

    code: str


@dataclass
class ArticleHead:
    """What the worker reads of an enriched article after routing it (its metrics, the
    end-to-end latency), in place of the whole :class:`EnrichedArticle`."""

    id: str
    event_id: str
    ingested_at: float | None
    dedup: DedupInfo
    topics: tuple[Code, ...] = ()
    events: tuple[Code, ...] = ()


@dataclass(frozen=True)
class Spliced:
    """One encoded record with holes: ``parts[0] + value0 + parts[1] + value1 + ...``."""

    parts: tuple[bytes, ...]

    def fill(self, *values: bytes) -> bytes:
        out = [self.parts[0]]
        for value, part in zip(values, self.parts[1:], strict=True):
            out += (value, part)
        return b"".join(out)


@dataclass
class Packed:
    """The pipeline process's result for the loop: the slim Doc and the pre-encoded outputs."""

    doc: Doc
    head: ArticleHead
    #: the enriched article, holes: ``dedup``, ``processed_at`` (in the order they are written)
    article: Spliced
    dedup_first: bool
    #: each domain event (key, record with its ``story_id`` cut out), in order
    events: list[tuple[str, Spliced]]


@cache
def _default_maker(name: str) -> Callable[[], Any]:
    info = Doc.model_fields[name]
    factory = info.default_factory
    if factory is None or info.default_factory_takes_validated_data:
        return partial(info.get_default, call_default_factory=True)
    return cast(Callable[[], Any], factory)


def fresh_default(name: str) -> Any:
    """A new default value of the Doc field ``name``: what
    ``Doc.model_fields[name].get_default(call_default_factory=True)`` gives, without pydantic's
    look at the factory's signature on every call (``inspect.signature`` of ``list`` parses its
    text signature: 50-130 µs a call, ~0.4 ms an article for the fields a handoff resets)."""
    return _default_maker(name)()


def loop_reads(stages: Sequence[Any]) -> set[str]:
    """The Doc fields the loop stages read when their ``prepare`` ran in the pipeline process:
    a stage's ``loop_reads``, else all it may read (``requires`` and ``optional``)."""
    out: set[str] = set()
    for stage in stages:
        reads = getattr(stage, "loop_reads", None)
        out.update(reads if reads is not None else (*stage.requires, *getattr(stage, "optional", ())))
    return out


def packable(stages: Sequence[Any]) -> bool:
    """Whether the loop stages write nothing of the article but ``dedup`` (which the handoff
    splices in); otherwise the loop gets the whole Doc."""
    return all(set(getattr(st, "assigns", ("?",))) <= {"dedup"} for st in stages)


def _cut(encoded: bytes, *holes: bytes) -> tuple[tuple[bytes, ...], list[int]] | None:
    """``encoded`` cut around each hole (a ``"key":value`` found exactly once); the parts keep
    the ``"key":`` and the holes' order of appearance. None when a hole is not found exactly once."""
    spans = []
    for i, hole in enumerate(holes):
        at = encoded.find(hole)
        if at < 0 or encoded.find(hole, at + 1) >= 0:
            return None
        key_len = hole.index(b":") + 1
        spans.append((at + key_len, at + len(hole), i))
    spans.sort()
    parts, start = [], 0
    for begin, end, _ in spans:
        parts.append(encoded[start:begin])
        start = end
    parts.append(encoded[start:])
    return tuple(parts), [i for _, _, i in spans]


def pack(doc: Doc, keep: set[str]) -> Packed | None:
    """The handoff of a finished Doc (its pipeline run and its loop stages' ``prepare``): None
    when it does not splice (the caller then sends the whole Doc; the loop reports any error)."""
    try:
        return _pack(doc, keep)
    except (TypeError, ValueError):
        return None  # W901, W904: the loop makes the dead letter from the whole Doc, as before


def _pack(doc: Doc, keep: set[str]) -> Packed | None:
    article = doc.to_enriched()
    dedup_hole = b'"dedup":' + to_json(article.dedup)
    cut = _cut(article.to_json(), dedup_hole, b'"processed_at":' + to_json(article.processed_at))
    if cut is None:
        return None
    events: list[tuple[str, Spliced]] = []
    for ev in domain_events(article):  # story_id is None here: the loop's dedup sets it
        ev_cut = _cut(ev.to_json(), b'"story_id":null')
        if ev_cut is None:
            return None
        events.append((ev.id, Spliced(ev_cut[0])))
    head = ArticleHead(
        article.id, article.event_id, article.ingested_at, article.dedup,
        tuple(Code(t.code) for t in article.topics), tuple(Code(e.code) for e in article.events),
    )  # fmt: skip
    slim = doc.model_copy(update={f: fresh_default(f) for f in OUTPUT_ONLY if f not in keep})
    return Packed(slim, head, Spliced(cut[0]), cut[1] == [0, 1], events)


def unpack(packed: Packed, now: float | None = None) -> Routed:
    """The routed outputs of a packed result after the loop stages ran over ``packed.doc``: the
    records :func:`streams.core.routing.outputs_for` makes, as pre-encoded bytes (``now``: the
    article's ``processed_at``, default the time)."""
    doc = packed.doc
    dedup = doc.dedup
    head = packed.head
    head.dedup = dedup
    values = (to_json(dedup), to_json(time.time() if now is None else now))
    encoded = packed.article.fill(*(values if packed.dedup_first else values[::-1]))
    outs = [Output("enriched", head.id, cast(Any, encoded))]
    notice = duplicate_notice(cast(EnrichedArticle, head))
    if notice is not None:
        outs.append(Output("duplicates", head.id, notice))
    else:
        story = to_json(dedup.story_id)
        outs.extend(Output("events", key, cast(Any, ev.fill(story))) for key, ev in packed.events)
    for role, record in doc.outbox:
        key = getattr(record, "id", None) or head.id
        outs.append(Output(cast(TopicRole, role), str(key), record))
    return Routed(outs, article=cast(EnrichedArticle, head))
