"""Story clustering: articles about the same event share a story, across outlets and languages.

An article is described by a few salient features, language-independent on purpose: canonical
entities (or, without the entities stage, capitalised names), figures (or numbers written in the
text) and CAMEO event codes. Feature keys index the stories that carry them; an article joins the
best story within the time window that shares enough specific features with it. Feature keys
shared by many live stories ("Jakarta", "Indonesia") count as common and are not enough alone.

Tables: ``stories``: story ref -> ``[id, mentions, sources, languages, first, last, "features"]``
(features space-joined); ``keys``: feature key -> ``"ref ref ..."`` (story refs, most recent
last, at most ``max_key_stories``). With several input partitions each partition keeps its own
share of a story (key suffix ``.<partition>``: its mentions, sources, times) and of the feature
keys; a story is the merge of its shares, so no key has two writers (see ``index.py``).
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from operator import itemgetter
from typing import Any

from streams.core.analysis import Analysis
from streams.core.hot import read_yaml
from streams.core.ids import derived_id
from streams.core.records import CameoEvent, Entity, Figure
from streams.dedup.config import DedupConfig
from streams.dedup.index import Sharding
from streams.dedup.minhash import short_ref
from streams.dedup.text import extract_names, extract_numbers

__all__ = ["Placement", "Story", "StoryIndex", "article_features", "close_keys", "feature_key", "place_key"]

Table = MutableMapping[str, Any]


@lru_cache(maxsize=65536)
def feature_key(kind: str, value: str) -> str:
    """``kind`` (e: entity/name, n: number, c: CAMEO) + a 6-byte hash of the value: 9 characters
    (kept per process: names, numbers and codes recur from article to article)."""
    return kind + short_ref(value, 6)


@lru_cache(maxsize=65536)
def _norm(s: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", s).casefold().split())


#: Feature kinds that are not salient features: close-figure keys ("a", indexed) and place marks ("p", not
#: indexed: "p" + the hash of an "e" key says that name is a place). Neither counts in the overlap or the caps.
_EXTRA = frozenset("ap")


def _capped(features: list[str], cap: int) -> list[str]:
    """At most ``cap`` salient features and ``cap`` extra ones (close figures, place marks), in order."""
    main = [f for f in features if f[0] not in _EXTRA]
    return main[:cap] + [f for f in features if f[0] in _EXTRA][:cap]


#: (place-type words written before the name, after it): word tuple -> place type
PlaceTypes = tuple[dict[tuple[str, ...], str], dict[tuple[str, ...], str]]


@lru_cache(maxsize=1)
def _place_types() -> PlaceTypes:
    """The place-type words of ``streams/data/dedup/place_types.yaml``, case-folded."""
    text = (resources.files("streams.data.dedup") / "place_types.yaml").read_text(encoding="utf-8")
    data = read_yaml(text) or {}
    before: dict[tuple[str, ...], str] = {}
    after: dict[tuple[str, ...], str] = {}
    for kind, spec in (data.get("types") or {}).items():
        for side, table in (("before", before), ("after", after)):
            for w in (spec or {}).get(side) or []:
                table[tuple(_norm(str(w)).split())] = str(kind)
    return before, after


@lru_cache(maxsize=65536)
def place_key(name: str) -> str:
    """One key for a place named in either language: ``name`` (normalised) with its place-type word replaced
    by the type ("danau toba", "lake toba", "toba lake" -> "lake:toba"; "gunung semeru", "mt semeru" ->
    "mountain:semeru"). Names without a type word, or that are only one, come back unchanged."""
    words = name.split()
    if len(words) < 2:
        return name
    before, after = _place_types()
    for n in (3, 2, 1):
        if len(words) > n:
            kind = before.get(tuple(words[:n]))
            if kind is not None:
                return f"{kind}:{' '.join(words[n:])}"
            kind = after.get(tuple(words[-n:]))
            if kind is not None:
                return f"{kind}:{' '.join(words[:-n])}"
    return name


def close_keys(kind: str, value: float, ratio: float) -> list[str]:
    """Close-figure keys of one figure: its kind and its bucket on two log-scale grids of width ``ratio``,
    offset by half a bucket. Two values of a kind within ``sqrt(ratio)`` of each other always share a key;
    values further apart than ``ratio`` never do."""
    if value <= 0:
        return []
    pos = math.log(value) / math.log(ratio)
    return [
        feature_key("a", f"{kind}:0:{math.floor(pos)}"),
        feature_key("a", f"{kind}:1:{math.floor(pos + 0.5)}"),
    ]


def _entity_names(entities: Sequence[Entity]) -> tuple[Counter[str], set[str]]:
    """Entity keys by mentions: the KB id, else the name (places folded by :func:`place_key`, people not);
    and the keys of the specific places among them: a place-type word ("lake:toba", "regency:samosir") or
    a geographic feature (LOC) the KB has no id for."""
    names: Counter[str] = Counter()
    places: set[str] = set()
    for e in entities:
        key = _norm(e.id) if e.id else _norm(e.name)
        if not e.id and e.type != "PERSON":
            key = place_key(key)
        names[key] = names.get(key, 0) + max(1, len(e.spans))  # (no Counter.__missing__ call)
        if ":" in key or (e.type == "LOC" and not e.id):
            places.add(key)  # not countries, capitals or provinces: too wide to say "the same place"
    return names, places


def _close_features(figures: Sequence[Figure], cfg: DedupConfig) -> list[str]:
    """Close-figure keys of the headline figures of the kinds that say what happened (killed, missing...)."""
    out: list[str] = []
    for f in figures:
        if f.headline and f.kind in cfg.close_kinds and f.value >= cfg.close_min:
            out += close_keys(f.kind, f.value, cfg.close_ratio)
    return out


_COUNT = itemgetter(1)


def _most_common(counts: Counter[str], n: int) -> list[tuple[str, int]]:
    """``counts.most_common(n)``: ``heapq.nlargest`` is documented as ``sorted(..., reverse=True)[:n]``
    (ties in insertion order), which is faster for the few dozen keys an article has."""
    return sorted(counts.items(), key=_COUNT, reverse=True)[:n] if n > 0 else []


def article_features(
    body: str | Analysis,
    entities: Sequence[Entity],
    figures: Sequence[Figure],
    events: Sequence[CameoEvent],
    cfg: DedupConfig,
    *,
    outlet: Sequence[str] = (),
) -> list[str]:
    """The article's salient feature keys, most salient first (at most ``max_features``), then the
    close-figure keys of its headline figures (weaker evidence, not counted in ``max_features``) and a
    place mark ("p" + the same hash) for each of its names that is a place.

    ``outlet`` names the publisher (name, domain): an outlet naming itself is no story feature.
    """
    names: Counter[str] = Counter()
    places: set[str] = set()
    if entities:
        names, places = _entity_names(entities)
    else:
        for name, count in extract_names(body, cfg.not_names).items():
            names[place_key(name)] += count
    own = {_norm(o) for o in outlet if o} | {_norm(o).split(".")[0] for o in outlet if o}
    for name in [n for n in names if n in own or n.replace(" ", "") in own]:
        del names[name]
    numbers: Counter[str] = Counter()
    if figures:
        for f in figures:
            v = f.value
            if v >= 10 and v == int(v) and not 1900 <= v <= 2100:
                k = str(int(v))
                numbers[k] = numbers.get(k, 0) + 1
    else:
        numbers = extract_numbers(body)
    codes: Counter[str] = Counter(ev.code[:3] for ev in events if not ev.negated and ev.code)
    n_num = min(len(numbers), cfg.max_features // 4)
    n_ev = min(len(codes), 2)
    n_names = cfg.max_features - n_num - n_ev
    top = [n for n, _ in _most_common(names, n_names)]
    out = [feature_key("e", n) for n in top]
    out += [feature_key("n", n) for n, _ in _most_common(numbers, n_num)]
    out += [feature_key("c", c) for c, _ in _most_common(codes, n_ev)]
    out += _close_features(figures, cfg)
    out += [feature_key("p", n) for n in top if n in places]
    return list(dict.fromkeys(out))


@dataclass
class Story:
    """One story's running summary, stored as a short JSON list."""

    id: str
    n: int
    sources: list[str]
    languages: list[str]
    first: float
    last: float
    features: list[str]
    #: publication times of the articles that stated one (None: none did)
    pub_first: float | None = None
    pub_last: float | None = None

    def dump(self) -> list[Any]:
        out = [self.id, self.n, self.sources, self.languages, round(self.first), round(self.last),
               " ".join(self.features)]  # fmt: skip
        if self.pub_first is not None and self.pub_last is not None:
            out += [round(self.pub_first), round(self.pub_last)]
        return out

    @classmethod
    def load(cls, value: Any) -> Story | None:
        if not isinstance(value, list) or len(value) < 7:
            return None
        pub = (float(value[7]), float(value[8])) if len(value) >= 9 else (None, None)
        return cls(str(value[0]), int(value[1]), list(value[2]), list(value[3]), float(value[4]),
                   float(value[5]), str(value[6]).split(), pub[0], pub[1])  # fmt: skip

    def published(self, when: float | None) -> None:
        """Widen the publication range by one article's publication time."""
        if when is None:
            return
        self.pub_first = when if self.pub_first is None else min(self.pub_first, when)
        self.pub_last = when if self.pub_last is None else max(self.pub_last, when)

    def merged(self, other: Story, cap: int) -> Story:
        out = Story(
            self.id,
            self.n + other.n,
            list(dict.fromkeys(self.sources + other.sources)),
            list(dict.fromkeys(self.languages + other.languages)),
            min(self.first, other.first),
            max(self.last, other.last),
            _capped(list(dict.fromkeys(self.features + other.features)), cap),
            self.pub_first,
            self.pub_last,
        )
        out.published(other.pub_first)
        out.published(other.pub_last)
        return out

    def same_time(self, when: float | None, window: float) -> bool:
        """Whether an article published at ``when`` is within ``window`` of the story's publication
        range; False when either time is unknown (nothing says they are close)."""
        if when is None or self.pub_first is None or self.pub_last is None:
            return False
        return self.pub_first - window <= when <= self.pub_last + window


@dataclass
class Placement:
    ref: str
    story: Story
    created: bool
    score: float = 0.0


def _tally(hits: list[tuple[str, bool]]) -> tuple[int, int, int, int]:
    """Shared features by kind: specific names, specific numbers, event codes, specific close figures."""
    names = nums = codes = close = 0
    for f, common in hits:  # names, numbers and close figures count when specific
        kind = f[0]
        if kind == "c":
            codes += 1
        elif not common:
            if kind == "e":
                names += 1
            elif kind == "n":
                nums += 1
            elif kind == "a":
                close += 1
    return names, nums, codes, close


def _same_place(hits: list[tuple[str, bool]], places: set[str], told: list[str]) -> bool:
    """Whether a specific shared name is a place for the article or for the story."""
    marked = places | {f[1:] for f in told if f[0] == "p"}
    return any(f[0] == "e" and not common and f[1:] in marked for f, common in hits)


class StoryIndex:
    def __init__(self, stories: Table, keys: Table, cfg: DedupConfig, sharding: Sharding | None = None):
        self.stories, self.keys, self.cfg = stories, keys, cfg
        self.window = cfg.story_window_hours * 3600.0
        self.shards = sharding or Sharding()

    def get(self, ref: str) -> Story | None:
        """The whole story: the merge of every partition's share."""
        out: Story | None = None
        for key in self.shards.every(ref):
            part = Story.load(self.stories.get(key))
            if part is not None:
                out = part if out is None else out.merged(part, self.cfg.max_story_features)
        return out

    def _refs(self, feature: str) -> list[str]:
        out: list[str] = []
        for key in self.shards.every(feature):
            out.extend((self.keys.get(key) or "").split())
        return list(dict.fromkeys(out))

    def find(self, features: list[str], t: float, published: float | None = None) -> tuple[str, float] | None:
        """The best story this article belongs to, by its features (None: a new story).

        Stories respect time: an article published within the window of the story's articles joins on
        names and figures as before; one published days or years apart, or when either date is unknown,
        joins only when the text says it is the same incident: ``min_numbers_apart`` specific figures
        (tolls, counts) in common besides the names ("157 prisoners", "653 drones").

        Close headline figures of one kind (192 and 180 missing) are weaker evidence than one exact figure:
        they join an article published within the window when ``min_names_with_close`` specific names are
        shared too ("lake:toba", the rescue agency, the province)."""
        cfg = self.cfg
        shared: dict[str, list[tuple[str, bool]]] = {}
        for f in features:
            if f[0] == "p":
                continue  # place marks are not indexed
            refs = self._refs(f)
            common = len(refs) >= cfg.common_key
            for ref in refs:
                shared.setdefault(ref, []).append((f, common))
        main = sum(1 for f in features if f[0] not in _EXTRA)
        places = {f[1:] for f in features if f[0] == "p"}
        best: tuple[float, str] | None = None
        for ref, hits in shared.items():
            score = self._score(ref, hits, main, places, t, published)
            if score is not None and (best is None or score > best[0]):
                best = (score, ref)
        return (best[1], best[0]) if best else None

    def _score(
        self,
        ref: str,
        hits: list[tuple[str, bool]],
        main: int,
        places: set[str],
        t: float,
        published: float | None,
    ) -> float | None:
        """The score of story ``ref`` for an article sharing ``hits`` with it (None: it does not join)."""
        cfg = self.cfg
        names, nums, codes, close = _tally(hits)
        if names < cfg.min_names_with_number:
            return None
        story = self.get(ref)
        if story is None or t < story.first - self.window or t > story.last + self.window:
            return None
        if nums < cfg.min_numbers_apart and not story.same_time(published, self.window):
            return None  # names alone ("Russia", "Ukraine") do not make a 2022 and a 2025 article one story
        # a close figure (192 and 180 missing) is one more shared feature when no exact figure is shared,
        # and only with a place in common ("lake:toba"): an agency and its chief are in every incident
        near = 1 if close and not nums and _same_place(hits, places, story.features) else 0
        told = sum(1 for f in story.features if f[0] not in _EXTRA)
        overlap = (sum(1 for f, _ in hits if f[0] not in _EXTRA) + near) / max(1, min(main, told))
        ok = (
            (nums >= 1 and overlap >= cfg.min_overlap)
            or (names >= cfg.min_names_alone and overlap >= cfg.min_overlap_alone)
            or (near and names >= cfg.min_names_with_close and overlap >= cfg.min_overlap)
        )
        return names + 1.5 * nums + 0.5 * codes + 0.75 * near + overlap if ok else None

    def place(
        self,
        article_id: str,
        features: list[str],
        t: float,
        source: str | None,
        language: str | None,
        *,
        story_ref: str | None = None,
        published: float | None = None,
    ) -> Placement:
        """Add one mention: to ``story_ref`` (a duplicate's story, unless the two were published further apart
        than the window), the best match, or a new story."""
        cfg = self.cfg
        score = 1.0
        whole = self.get(story_ref) if story_ref else None
        if whole is not None and not self._same_days(whole, published):
            # a near copy of an article published months before: a template, not the same incident
            whole = None
        if whole is None:
            found = self.find(features, t, published)
            story_ref, score = (found[0], found[1]) if found else (None, 0.0)
            whole = self.get(story_ref) if story_ref else None
        created = whole is None or story_ref is None
        if whole is None or story_ref is None:
            sid = derived_id("st", article_id)
            story_ref = short_ref(sid)
            whole = Story(sid, 0, [], [], t, t, [])
        own = self.shards.own(story_ref)
        part = Story.load(self.stories.get(own)) or Story(whole.id, 0, [], [], t, t, [])
        for s in (part, whole):
            s.n += 1
            if source and source not in s.sources and len(s.sources) < cfg.max_sources:
                s.sources.append(source)
            if language and language not in s.languages:
                s.languages.append(language)
            s.first, s.last = min(s.first, t), max(s.last, t)
            s.published(published)
            new = [f for f in features if f not in s.features]
            s.features = _capped(s.features + new, cfg.max_story_features)
        for f in features:
            if f[0] == "p":
                continue  # place marks are not indexed
            fkey = self.shards.own(f)
            refs = (self.keys.get(fkey) or "").split()
            if story_ref in refs:
                if refs[-1] == story_ref:
                    continue
                refs.remove(story_ref)
            refs.append(story_ref)
            self.keys[fkey] = " ".join(refs[-cfg.max_key_stories :])
        self.stories[own] = part.dump()
        return Placement(story_ref, whole, created, score)

    def _same_days(self, story: Story, published: float | None) -> bool:
        """Whether a duplicate may join its original's story: unless both publication times are known and
        further apart than the window ("Russia launched 150 drones overnight", the air force's daily template,
        in March 2022 and in December 2023 are near copies of each other and two incidents)."""
        if published is None or story.pub_first is None:
            return True
        return story.same_time(published, self.window)

    def drop_if_ended(self, story_ref: str | None, cutoff: float) -> bool:
        """Forget this partition's share of a story last seen before ``cutoff`` (called as its
        articles expire)."""
        if not story_ref:
            return False
        own = self.shards.own(story_ref)
        story = Story.load(self.stories.get(own))
        if story is None or story.last > cutoff:
            return False
        for f in story.features:
            fkey = self.shards.own(f)
            refs = [r for r in (self.keys.get(fkey) or "").split() if r != story_ref]
            if refs:
                self.keys[fkey] = " ".join(refs)
            elif self.keys.get(fkey) is not None:
                del self.keys[fkey]
        del self.stories[own]
        return True
