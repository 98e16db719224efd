"""The ``dedup`` stage: flags exact and near duplicates and places each article in a story."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, ClassVar

from streams.core.doc import Doc, prepared_key
from streams.core.errors import StageError
from streams.core.ids import derived_id
from streams.core.records import DomainEvent
from streams.dedup.config import DedupConfig, load_config
from streams.dedup.index import ArticleRecord, DedupIndex, Sharding, TextSignature, text_signature
from streams.dedup.story import Story, StoryIndex, article_features
from streams.dedup.text import analysis_of
from streams.nlp.event_time import LEAD_CHARS, DateMention, find_dates

__all__ = ["DedupSignature", "DedupStage", "article_time", "published_time", "story_event", "text_time"]

#: Article times more than this far in the future are not trusted (processing time is used).
_FUTURE_SLACK = 86400.0


def article_time(doc: Doc, now: float | None = None) -> float:
    """Dedup time of an article: when it reached Warta (the producer's ``ingested_at``), else its
    ``published_at`` (cleaned, else the producer's), else now.

    Arrival time, because the window is about what the stream has seen: a copy of an old article
    published today must still meet its original, whatever dates the two pages print (and one
    page without a date must not push the other out of the window). It is part of the raw
    record, so replays stay deterministic. A time far in the future is not trusted.
    """
    now = time.time() if now is None else now
    if doc.raw.ingested_at and 0 < doc.raw.ingested_at <= now + _FUTURE_SLACK:
        return float(doc.raw.ingested_at)
    when = doc.published_at or doc.raw.published_at
    if when:
        try:
            dt = (
                when
                if isinstance(when, datetime)
                else datetime.fromisoformat(str(when).replace("Z", "+00:00"))
            )
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=UTC)
            ts = dt.timestamp()
            if ts <= now + _FUTURE_SLACK:
                return ts
        except (ValueError, OverflowError, OSError):
            pass
    return now


def published_time(doc: Doc) -> float | None:
    """The publication time the article states (cleaned, else the producer's), None when unknown: stories
    compare it, never the arrival time (a replay delivers articles of many years in one minute)."""
    when = doc.published_at or doc.raw.published_at
    if not when:
        return None
    try:
        dt = when if isinstance(when, datetime) else datetime.fromisoformat(str(when).replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    try:
        return dt.timestamp()
    except (OverflowError, OSError):
        return None


def _full_dates(dates: Iterable[DateMention]) -> list[tuple[int, datetime]]:
    """(position, midnight UTC) of every date written in full (day, month, year) among ``dates``."""
    out = []
    for d in dates:
        if d.year is None or d.month is None or d.day is None:
            continue
        try:
            out.append((d.start, datetime(d.year, d.month, d.day, tzinfo=UTC)))
        except ValueError:
            continue
    return out


def text_time(
    body: str,
    starts: Any = None,
    lowers: Any = None,
    *,
    latest: float | None = None,
    dates: Iterable[DateMention] | None = None,
) -> float | None:
    """When an article's text says it happened: the first full date of its lead (the dateline's "Senin
    (14/3/2022)", "Thursday, August 28, 2025"), else the latest full date it writes; None when it writes no
    date with day, month and year. Dates after ``latest`` (plans: "elections on 14 February") are not read.

    A stand-in for a missing publication date only: a dated article is placed by its own date. ``dates``: the
    dates of ``body`` found already (``Analysis.dates``, which the events stage scanned), else scanned here."""
    found = dates if dates is not None else find_dates(body, starts, lowers)
    full = [(pos, dt.timestamp()) for pos, dt in _full_dates(found)]
    if latest is not None:
        full = [(pos, ts) for pos, ts in full if ts <= latest]
    if not full:
        return None
    lead = [ts for pos, ts in full if pos < LEAD_CHARS]
    return lead[0] if lead else max(ts for _, ts in full)


@lru_cache(maxsize=1024)
def _iso(ts: float) -> str:
    """ISO 8601 in UTC; cached: a story's first and last times recur in every mention's event."""
    return datetime.fromtimestamp(ts, tz=UTC).isoformat()


def story_event(story: Story, article_id: str, mention: int, *, duplicate: bool) -> DomainEvent:
    """``StoryUpdated``: the story after one more mention; the id is story id + mention count."""
    sid = story.id
    last = _iso(story.last)
    return DomainEvent(
        id=derived_id("story", sid, str(mention)),
        type="StoryUpdated",
        article_id=article_id,
        story_id=sid,
        occurred_at=last,
        data={
            "mentions": mention,
            "sources": list(story.sources),
            "languages": list(story.languages),
            "first_seen": _iso(story.first),
            "last_seen": last,
            "duplicate": duplicate,
        },
    )


@dataclass(frozen=True)
class DedupSignature:
    """Everything dedup reads from the article's text, computed without state: the MinHash
    signature and band keys, and the story features. :meth:`DedupStage.prepare` makes it; the
    worker runs that in the pipeline process, so no text is analysed on the event loop."""

    text: TextSignature
    features: tuple[str, ...]
    #: the date the text writes (:func:`text_time`), read only when the article states no publication date
    text_date: float | None = None


class DedupStage:
    """Exact (content hash) and near (MinHash LSH) duplicates within the window, and stories."""

    name: ClassVar[str] = "dedup"
    requires: ClassVar[tuple[str, ...]] = ("body", "id", "dedup", "raw")
    #: Read when an earlier stage assigned them (story features, arrival time, the shared
    #: analysis); a pipeline without those stages still deduplicates on the body. ``scratch``:
    #: only this stage's own :class:`DedupSignature` (``prepared_key("dedup")``), which the worker
    #: computes in the pipeline process with :meth:`prepare` and sends back alone.
    optional: ClassVar[tuple[str, ...]] = (
        "analysis", "language", "published_at", "source", "entities", "figures", "events", "scratch",
    )  # fmt: skip
    #: What :meth:`__call__` reads when :meth:`prepare` ran already (the worker's pipeline
    #: process): the rest of the Doc need not travel to the event loop (streams/kafka/handoff.py).
    loop_reads: ClassVar[tuple[str, ...]] = (
        "id", "dedup", "raw", "source", "language", "published_at", "scratch", "body",
    )  # fmt: skip
    assigns: ClassVar[tuple[str, ...]] = ("dedup",)
    tables: ClassVar[tuple[str, ...]] = (
        "dedup_articles",
        "dedup_bands",
        "dedup_hashes",
        "dedup_meta",
        "dedup_stories",
        "dedup_story_keys",
    )
    #: Tables every worker must see whole (all partitions): see streams/dedup/README.md.
    global_tables: ClassVar[tuple[str, ...]] = tables

    def __init__(self, settings: Any = None, state: Any = None, *, config: DedupConfig | None = None):
        window = float(getattr(settings, "dedup_window_days", 7.0) or 7.0)
        self.cfg = config or load_config(window_days=window)
        if state is None:
            from streams.core.pipeline import MemoryState

            state = MemoryState()
        t = {name: state.table(name) for name in self.tables}
        # In the worker the state knows the input partitions (see streams/dedup/README.md).
        self._partition = getattr(state, "current_partition", None)
        self.shards = Sharding(int(getattr(state, "partitions", 1) or 1))
        self.index = DedupIndex(
            t["dedup_articles"], t["dedup_bands"], t["dedup_hashes"], t["dedup_meta"], self.cfg, self.shards
        )
        self.stories = StoryIndex(t["dedup_stories"], t["dedup_story_keys"], self.cfg, self.shards)
        self.index.on_expire = self._on_expire

    def _on_expire(self, rec: ArticleRecord, cutoff: float) -> None:
        self.stories.drop_if_ended(rec.story, cutoff)

    def prepare(self, doc: Doc) -> DedupSignature:
        """The stateless part of the stage: read the text once (its shared analysis, else the
        body) into a :class:`DedupSignature`. Reads ``analysis``/``body``, ``entities``,
        ``figures``, ``events``, ``source`` and ``raw.source``; writes nothing."""
        text = doc.analysis if doc.analysis is not None else analysis_of(doc.body)
        outlet = (doc.source.name or "", doc.source.domain or "", doc.raw.source or "")
        features = article_features(text, doc.entities, doc.figures, doc.events, self.cfg, outlet=outlet)
        when = None
        if published_time(doc) is None:
            when = text_time(text.text, latest=article_time(doc) + _FUTURE_SLACK, dates=text.dates())
        return DedupSignature(text_signature(text, self.cfg), tuple(features), when)

    def __call__(self, doc: Doc) -> None:
        if not doc.id:
            raise StageError(
                "W300", "article has no id at the dedup stage", hint="run the `ids` stage before `dedup`"
            )
        chash = doc.dedup.content_hash
        if not chash:
            raise StageError("W301", "article has no content hash", hint="run the `ids` stage before `dedup`")
        if self._partition is not None:
            self.shards.partition = int(self._partition())
        t = article_time(doc)
        # signed in the pipeline process (the worker), else here from the analysis or the body
        signed = doc.scratch.get(prepared_key(self.name))
        if not isinstance(signed, DedupSignature):
            signed = self.prepare(doc)
        verdict = self.index.check(doc.id, signed.text, chash, t)
        source = doc.source.domain or doc.source.name or doc.raw.source
        if verdict.redelivered:
            story = self.stories.get(verdict.story) if verdict.story else None
            if story is not None and verdict.mention:
                dup = bool(verdict.duplicate_of)
                doc.emit("events", story_event(story, doc.id, verdict.mention, duplicate=dup))
            sid = story.id if story is not None else None
        else:
            # a duplicate joins its original's story; no need to look
            features = list(signed.features) if verdict.story is None else []
            published = published_time(doc)
            if published is None:
                published = signed.text_date  # undated: the date its text writes, if any
            placed = self.stories.place(
                doc.id,
                features,
                t,
                source,
                doc.language,
                story_ref=verdict.story,
                published=published,
            )
            mention = placed.story.n
            self.index.commit(verdict, placed.ref, mention)
            self.index.expire()
            doc.emit(
                "events", story_event(placed.story, doc.id, mention, duplicate=bool(verdict.duplicate_of))
            )
            sid = placed.story.id
            doc.measure("stories_open", len(self.stories.stories))
        doc.dedup = doc.dedup.model_copy(
            update={
                "duplicate_of": verdict.duplicate_of,
                "similarity": verdict.similarity,
                "method": verdict.method,
                "story_id": sid,
            }
        )
