"""The near-duplicate index over key-value tables: exact hashes, MinHash LSH bands, expiry.

Everything lives in the tables passed in (dicts in-process, Faust tables in the worker), so a
restarted worker finds the index in its changelog. Tables and their values:

- ``articles``: article ref -> ``[id, signature, t, n_shingles, hash12, root_id, similarity,
  method, story_ref, story_mention]``
- ``bands``: LSH band key -> ``"ref ref ..."`` (article refs, most recent last, at most
  ``max_bucket``; a space-joined string is the most compact JSON value)
- ``hashes``: first 12 hex digits of the content hash -> article ref (the first one seen)
- ``meta``: ``wm`` -> watermark (largest article time seen); ``hours`` -> hours with expiry
  buckets; ``h<hour>`` -> refs indexed in that hour

Single writer per key: with more than one input partition, every mutable key (band buckets,
meta) carries the suffix ``.<partition>`` of the partition whose articles wrote it; reads fan out
over all partitions. Article records and content hashes are written once, by the article's own
partition. So no key is ever written from two partitions (or two workers), and a table whose
store keeps one database per partition (Faust's RocksDB store) never holds two versions of a key.
"""

from __future__ import annotations

import math
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from streams.core.analysis import Analysis
from streams.dedup.config import DedupConfig
from streams.dedup.minhash import (
    band_keys,
    estimate_containment,
    estimate_jaccard,
    pack,
    short_ref,
    signature,
    unpack,
)
from streams.dedup.text import shingles, words

__all__ = [
    "ArticleRecord",
    "DedupIndex",
    "Sharding",
    "TextSignature",
    "Verdict",
    "signature_of",
    "text_signature",
]

Table = MutableMapping[str, Any]


class Sharding:
    """Which input partition is being processed, and the key of a mutable entry for it."""

    def __init__(self, partitions: int = 1):
        self.partitions = max(1, partitions)
        self.partition = 0

    def own(self, key: str) -> str:
        return key if self.partitions == 1 else f"{key}.{self.partition}"

    def every(self, key: str) -> list[str]:
        if self.partitions == 1:
            return [key]
        return [f"{key}.{q}" for q in range(self.partitions)]


@dataclass
class ArticleRecord:
    """One indexed article, stored as a short JSON list."""

    id: str
    sig: str
    t: float
    n: int
    hash12: str
    root: str | None = None
    similarity: float | None = None
    method: str | None = None
    story: str | None = None
    mention: int = 0

    def dump(self) -> list[Any]:
        return [self.id, self.sig, round(self.t), self.n, self.hash12, self.root,
                self.similarity, self.method, self.story, self.mention]  # fmt: skip

    @classmethod
    def load(cls, value: Any) -> ArticleRecord | None:
        if not isinstance(value, list) or len(value) < 10:
            return None
        return cls(str(value[0]), str(value[1]), float(value[2]), int(value[3]), str(value[4]),
                   value[5], value[6], value[7], value[8], int(value[9] or 0))  # fmt: skip


@dataclass
class Verdict:
    """What the index says about an article."""

    ref: str
    duplicate_of: str | None = None
    similarity: float | None = None
    method: str | None = None
    #: The story of the article it duplicates (or its own story when re-delivered).
    story: str | None = None
    #: Same id and same content as an article already indexed: at-least-once redelivery or replay.
    redelivered: bool = False
    mention: int = 0
    #: Set for articles to be indexed (not for redeliveries).
    record: ArticleRecord | None = None
    keys: list[str] | None = None
    previous: ArticleRecord | None = None


@dataclass(frozen=True)
class TextSignature:
    """What the index reads from an article's text: its shingle count, MinHash signature (None
    for a text too short to compare) and LSH band keys. A pure function of the text
    (:func:`text_signature`), so the worker computes it in the pipeline process, next to the
    analysis, and only the table look-ups run on the event loop."""

    n_shingles: int
    sig: np.ndarray | None
    keys: tuple[str, ...]


def text_signature(body: str | Analysis, cfg: DedupConfig) -> TextSignature:
    """Shingles and MinHash of ``body`` (its shared analysis, or the text, analysed here)."""
    sh = shingles(words(body), cfg.shingle_size)
    sig = signature(sh, cfg) if len(sh) >= cfg.min_shingles else None
    return TextSignature(len(sh), sig, tuple(band_keys(sig, cfg)) if sig is not None else ())


class DedupIndex:
    """Finds exact and near duplicates of an article among those seen within the window."""

    def __init__(
        self,
        articles: Table,
        bands: Table,
        hashes: Table,
        meta: Table,
        cfg: DedupConfig,
        sharding: Sharding | None = None,
    ):
        self.articles, self.bands, self.hashes, self.meta, self.cfg = articles, bands, hashes, meta, cfg
        self.shards = sharding or Sharding()
        self.window = cfg.window_days * 86400.0
        #: Called with each expired record (the story index drops stories that ended with it).
        self.on_expire: Callable[[ArticleRecord, float], None] | None = None

    def _record(self, ref: str) -> ArticleRecord | None:
        return ArticleRecord.load(self.articles.get(ref))

    def check(
        self, article_id: str, body: str | Analysis | TextSignature, content_hash: str, t: float
    ) -> Verdict:
        """Look the article up (no state is changed; :meth:`commit` indexes it). ``body`` is the
        body's :class:`TextSignature`, or its shared analysis or text (signed here)."""
        cfg = self.cfg
        ref = short_ref(article_id)
        hash12 = content_hash[:12]
        previous = self._record(ref)
        if previous is not None and previous.id == article_id and previous.hash12 == hash12:
            return Verdict(ref, previous.root, previous.similarity, previous.method, previous.story,
                           redelivered=True, mention=previous.mention)  # fmt: skip
        if previous is not None and previous.id != article_id:
            previous = None  # a short-ref collision: treat as a different article
        signed = body if isinstance(body, TextSignature) else text_signature(body, cfg)
        sig, n_sh, keys = signed.sig, signed.n_shingles, list(signed.keys)
        record = ArticleRecord(article_id, pack(sig) if sig is not None else "", t, n_sh, hash12)
        verdict = Verdict(ref, record=record, keys=keys, previous=previous)
        # Exact: the same normalized body.
        first = self.hashes.get(hash12)
        if first and first != ref:
            other = self._record(first)
            if other is not None and other.hash12 == hash12 and abs(other.t - t) <= self.window:
                verdict.duplicate_of = other.root or other.id
                verdict.similarity, verdict.method, verdict.story = 1.0, "exact", other.story
                return verdict
        if sig is None:
            return verdict
        # Near: LSH candidates, verified on the stored signatures.
        best = self._nearest(ref, signed, t)
        if best is not None:
            score, other = best
            verdict.duplicate_of = other.root or other.id
            verdict.similarity, verdict.method, verdict.story = round(score, 3), "near", other.story
        return verdict

    def _nearest(self, ref: str, signed: TextSignature, t: float) -> tuple[float, ArticleRecord] | None:
        """The best near duplicate among the LSH candidates within the window: (score, record)."""
        cfg = self.cfg
        sig, n_sh = signed.sig, signed.n_shingles
        if sig is None:
            return None
        best: tuple[float, ArticleRecord] | None = None
        seen: set[str] = {ref}
        for key in signed.keys:
            for cand in self._bucket_refs(key):
                if cand in seen:
                    continue
                seen.add(cand)
                other = self._record(cand)
                if other is None or not other.sig or abs(other.t - t) > self.window:
                    continue
                j = estimate_jaccard(sig, unpack(other.sig, cfg), cfg)
                c = estimate_containment(j, n_sh, other.n)
                ratio = min(n_sh, other.n) / max(n_sh, other.n, 1)
                if j >= cfg.near_jaccard:
                    score = j
                elif c >= cfg.near_containment and j >= cfg.containment_min_jaccard and ratio >= 0.3:
                    score = c
                else:
                    continue
                if best is None or (score, -other.t) > (best[0], -best[1].t):
                    best = (score, other)
        return best

    def commit(self, verdict: Verdict, story: str | None, mention: int) -> None:
        """Index the article of ``verdict`` (after the story index has placed it)."""
        rec, keys = verdict.record, verdict.keys or []
        if rec is None:
            return
        rec.root, rec.similarity, rec.method = verdict.duplicate_of, verdict.similarity, verdict.method
        rec.story, rec.mention = story, mention
        ref = verdict.ref
        if verdict.previous is not None and verdict.previous.sig:  # an update under the same id
            old = unpack(verdict.previous.sig, self.cfg)
            for key in set(band_keys(old, self.cfg)) - set(keys):
                self._unlink(key, ref)
        if verdict.method != "exact":
            for key in keys:
                own = self.shards.own(key)
                bucket = (self.bands.get(own) or "").split()
                if ref not in bucket:
                    bucket.append(ref)
                    self.bands[own] = " ".join(bucket[-self.cfg.max_bucket :])
        else:
            rec.sig = ""  # an exact copy is found through its hash; its signature adds nothing
        if not self.hashes.get(rec.hash12):
            self.hashes[rec.hash12] = ref
        self.articles[ref] = rec.dump()
        self._bucket(ref, rec.t)

    def _bucket_refs(self, key: str) -> list[str]:
        out: list[str] = []
        for k in self.shards.every(key):
            out.extend((self.bands.get(k) or "").split())
        return out

    def _unlink(self, key: str, ref: str) -> None:
        key = self.shards.own(key)  # an article's entries were written by its own partition
        bucket = [r for r in (self.bands.get(key) or "").split() if r != ref]
        if bucket:
            self.bands[key] = " ".join(bucket)
        elif self.bands.get(key) is not None:
            del self.bands[key]

    # -- expiry ------------------------------------------------------------------------------
    def _bucket(self, ref: str, t: float) -> None:
        own = self.shards.own
        hour = math.floor(t / 3600)
        name = own(f"h{hour}")
        refs = list(self.meta.get(name) or ())
        refs.append(ref)
        self.meta[name] = refs
        hours = list(self.meta.get(own("hours")) or ())
        if hour not in hours:
            hours.append(hour)
            hours.sort()
            self.meta[own("hours")] = hours
        wm = self.meta.get(own("wm"))
        if wm is None or t > wm:
            self.meta[own("wm")] = round(t)

    def expire(self) -> int:
        """Drop this partition's articles older than its watermark minus the window."""
        own = self.shards.own
        wm = self.meta.get(own("wm"))
        if wm is None:
            return 0
        cutoff = float(wm) - self.window
        before = list(self.meta.get(own("hours")) or ())
        hours = list(before)
        done = 0
        while hours and (hours[0] + 1) * 3600 <= cutoff:
            hour = hours.pop(0)
            name = own(f"h{hour}")
            for ref in self.meta.get(name) or ():
                rec = self._record(ref)
                if rec is None or rec.t > cutoff:
                    continue  # re-indexed later (an update): it lives in a newer bucket
                self._drop(ref, rec)
                done += 1
                if self.on_expire is not None:
                    self.on_expire(rec, cutoff)
            if self.meta.get(name) is not None:
                del self.meta[name]
        if hours != before:
            self.meta[own("hours")] = hours
        return done

    def _drop(self, ref: str, rec: ArticleRecord) -> None:
        if rec.sig:
            for key in band_keys(unpack(rec.sig, self.cfg), self.cfg):
                self._unlink(key, ref)
        if self.hashes.get(rec.hash12) == ref:
            del self.hashes[rec.hash12]
        if self.articles.get(ref) is not None:
            del self.articles[ref]


def signature_of(body: str | Analysis, cfg: DedupConfig) -> np.ndarray | None:
    """The signature the index would store for ``body`` (None for texts too short to compare)."""
    return text_signature(body, cfg).sig
