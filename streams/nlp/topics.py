"""IPTC Media Topics for an article: weighted id/en lexicons plus a small trained top-level model."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import yaml

from streams.core.doc import Doc
from streams.core.records import Span, Topic
from streams.nlp.classify_match import Match, PhraseMatcher, lower_same_length
from streams.nlp.classify_model import OTHER, TopLevelModel, load_model

__all__ = [
    "TAXONOMY_PATH",
    "Lexicon",
    "TaxonomyEntry",
    "TopicStage",
    "classify_topics",
    "load_lexicon",
    "load_taxonomy",
    "top_level",
]

_DATA = Path(__file__).resolve().parent.parent / "data" / "taxonomy"
TAXONOMY_PATH = _DATA / "mediatopics.yaml"
LEXICON_PATH = _DATA / "lexicon.yaml"

#: Score a top-level topic needs to be reported; subtopics need SUB_THRESHOLD and a reported top level.
#: Every reported topic also needs at least one strong lexicon term (or a confident model) behind it.
TOP_THRESHOLD = 0.5
SUB_THRESHOLD = 0.45
#: Lexicon evidence ``raw`` maps to a score ``1 - exp(-raw / SCALE)``.
SCALE = 2.5
#: Hits in the first LEAD_CHARS characters (title and lead) count LEAD_BONUS times.
LEAD_CHARS = 400
LEAD_BONUS = 1.5
#: Terms of the other language than the article's (when known) count this much.
OTHER_LANGUAGE = 0.7
#: A secondary top-level topic needs at least this share of the evidence of the strongest one.
RELATIVE = 0.15
#: The model is skipped when another top-level topic has this much lexicon evidence (raw) and the
#: model's classes have less than this share of it.
CASCADE_MIN = 6.0
CASCADE_SHARE = 0.1
#: Model probabilities up to this floor add nothing (four classes: 0.25 is a shrug).
MODEL_FLOOR = 0.2
MAX_TOP = 4
MAX_SUB = 10
MAX_EVIDENCE = 12


@dataclass(frozen=True)
class TaxonomyEntry:
    code: str
    label: str
    label_id: str
    parent: str | None

    @property
    def is_top(self) -> bool:
        return self.parent is None


@lru_cache(maxsize=1)
def load_taxonomy(path: str | None = None) -> dict[str, TaxonomyEntry]:
    data = yaml.safe_load(Path(path or TAXONOMY_PATH).read_text(encoding="utf-8"))
    out: dict[str, TaxonomyEntry] = {}
    for row in data["topics"]:
        out[row["code"]] = TaxonomyEntry(row["code"], row["en"], row["id"], row.get("parent"))
    for entry in out.values():
        if entry.parent is not None and entry.parent not in out:
            raise ValueError(f"taxonomy: {entry.code} has unknown parent {entry.parent}")
    return out


def top_level(code: str, taxonomy: dict[str, TaxonomyEntry]) -> str:
    entry = taxonomy[code]
    while entry.parent is not None:
        entry = taxonomy[entry.parent]
    return entry.code


def _ancestors(code: str, taxonomy: dict[str, TaxonomyEntry]) -> list[str]:
    out = []
    parent = taxonomy[code].parent
    while parent is not None:
        out.append(parent)
        parent = taxonomy[parent].parent
    return out


@dataclass(frozen=True)
class Lexicon:
    matcher: PhraseMatcher
    propagate: float
    version: str
    #: topic -> its broader topics with the share of evidence each receives
    lift: dict[str, tuple[tuple[str, float], ...]]
    #: subtopics Warta classifies (those with lexicon terms); structural parents such as "government"
    #: are carried as ``parent`` links and count evidence, but are not reported on their own
    targets: frozenset[str]


@lru_cache(maxsize=1)
def load_lexicon(path: str | None = None) -> Lexicon:
    data = yaml.safe_load(Path(path or LEXICON_PATH).read_text(encoding="utf-8"))
    taxonomy = load_taxonomy()
    tiers: dict[str, float] = {k: float(v) for k, v in data["weights"].items()}
    best: dict[tuple[str, str, str], float] = {}
    for code, langs in data["topics"].items():
        if code not in taxonomy:
            raise ValueError(f"lexicon: unknown topic {code}; add it to mediatopics.yaml first")
        for lang, by_tier in langs.items():
            for tier, terms in by_tier.items():
                for term in terms:
                    key = (code, lang, str(term).lower())
                    best[key] = max(best.get(key, 0.0), tiers[tier])
    phrases = [(term, (code, lang, w)) for (code, lang, term), w in best.items()]
    propagate = float(data.get("propagate", 0.5))
    lift = {
        code: tuple((anc, propagate ** (i + 1)) for i, anc in enumerate(_ancestors(code, taxonomy)))
        for code in taxonomy
    }
    targets = frozenset(data["topics"])
    return Lexicon(PhraseMatcher(phrases), propagate, str(data.get("version", "")), lift, targets)


def _lexicon_scores(
    body: str, language: str | None, lexicon: Lexicon, taxonomy: dict[str, TaxonomyEntry]
) -> tuple[dict[str, float], dict[str, float], dict[str, list[Span]], set[str]]:
    """Per topic: score, raw evidence mass, evidence spans; and the topics carried by a strong term."""
    low = lower_same_length(body)
    own = "en" if language == "en" else "id"
    hinted = language in ("id", "en", "ms")
    # (topic, term) -> [weight, count, lead hits, spans]; a term counts once per topic, repeats diminish
    hits: dict[tuple[str, str], list[Any]] = {}
    strong: set[str] = set()
    for m in _longest(lexicon.matcher.find(low)):
        code, lang, weight = m.key
        if weight >= 1.0:
            strong.add(code)
        if hinted and lang != own:
            weight *= OTHER_LANGUAGE
        key = (code, low[m.start : m.end])
        h = hits.get(key)
        if h is None:
            hits[key] = [weight, 1, m.start < LEAD_CHARS, [(m.start, m.end)]]
        else:
            if weight > h[0]:
                h[0] = weight
            h[1] += 1
            h[2] = h[2] or m.start < LEAD_CHARS
            h[3].append((m.start, m.end))
    raw: dict[str, float] = defaultdict(float)
    spans: dict[str, list[Span]] = defaultdict(list)
    lift = lexicon.lift
    for (code, _), (weight, count, lead, hit_spans) in hits.items():
        contrib = weight * (1.0 + 0.5 * math.log(count)) * (LEAD_BONUS if lead else 1.0)
        raw[code] += contrib
        spans[code].extend(hit_spans)
        for anc, factor in lift[code]:
            raw[anc] += contrib * factor
            spans[anc].extend(hit_spans)
    scores = {code: 1.0 - math.exp(-r / SCALE) for code, r in raw.items()}
    for code in list(strong):
        strong.update(a for a, _ in lift[code])
    return scores, dict(raw), spans, strong


def _lexicon_decides(raw: dict[str, float], mdl: TopLevelModel, taxonomy: dict[str, TaxonomyEntry]) -> bool:
    """A cascade: skip the model when the lexicons already put the article squarely outside its classes.

    The model only scores its own classes (sport, technology, entertainment); when another top-level
    topic has overwhelming lexicon evidence and those classes have next to none, it cannot change the
    outcome, so the cheaper stage decides (war, politics, disaster news: most of a monitoring stream).
    """
    model_best = max((raw.get(c, 0.0) for c in mdl.classes if c != OTHER), default=0.0)
    other_best = max((r for c, r in raw.items() if taxonomy[c].is_top and c not in mdl.classes), default=0.0)
    return other_best >= CASCADE_MIN and model_best < CASCADE_SHARE * other_best


def _longest(matches: Iterable[Match]) -> list[Match]:
    """Drop matches inside a longer match ("senjata" inside "gencatan senjata"); equal spans all stay."""
    ordered = sorted(matches, key=lambda m: (m.start, -m.end))
    out: list[Match] = []
    reach_start, reach_end = -1, -1
    for m in ordered:
        if m.end <= reach_end and (m.start, m.end) != (reach_start, reach_end):
            continue
        out.append(m)
        if m.end > reach_end:
            reach_start, reach_end = m.start, m.end
    return out


def _dedupe_spans(spans: list[Span], limit: int = MAX_EVIDENCE) -> list[Span]:
    out: list[Span] = []
    for s in sorted(set(spans)):
        if out and s[0] < out[-1][1]:  # overlapping: keep the longer
            if s[1] - s[0] > out[-1][1] - out[-1][0]:
                out[-1] = s
            continue
        out.append(s)
    return out[:limit]


def classify_topics(
    body: str,
    *,
    language: str | None = None,
    model: TopLevelModel | bool | None = True,
) -> list[Topic]:
    """Top-level topics and subtopics with scores and evidence spans into ``body``.

    ``model=True`` uses the shipped trained model, ``None``/``False`` the lexicon only, or pass one.
    """
    taxonomy = load_taxonomy()
    lexicon = load_lexicon()
    scores, raw, spans, strong = _lexicon_scores(body, language, lexicon, taxonomy)
    mdl: TopLevelModel | None = load_model() if model is True else (model or None)
    pred = None
    if mdl is not None and body.strip() and not _lexicon_decides(raw, mdl, taxonomy):
        pred = mdl.predict_if_applicable(
            body, language, evidence_for=[c for c in mdl.classes if c != OTHER], min_prob=MODEL_FLOOR
        )
    if pred is not None:
        for cls, p in pred.probs.items():
            if cls == OTHER or cls not in taxonomy:
                continue
            p_eff = max(0.0, (p - MODEL_FLOOR) / (1.0 - MODEL_FLOOR))
            ev = pred.evidence.get(cls, [])
            if p_eff <= 0 or not ev:
                continue
            scores[cls] = 1.0 - (1.0 - scores.get(cls, 0.0)) * (1.0 - p_eff)
            spans[cls] = spans.get(cls, []) + ev
            if p_eff >= TOP_THRESHOLD:
                strong.add(cls)
                raw[cls] = max(raw.get(cls, 0.0), -SCALE * math.log(1.0 - min(scores[cls], 0.999)))
    top_raw = max((raw.get(c, 0.0) for c in scores if taxonomy[c].is_top), default=0.0)
    tops = sorted(
        (
            c
            for c in scores
            if taxonomy[c].is_top
            and scores[c] >= TOP_THRESHOLD
            and c in strong
            and raw.get(c, 0.0) >= RELATIVE * top_raw
            and spans.get(c)
        ),
        key=lambda c: (-scores[c], c),
    )[:MAX_TOP]
    chosen = set(tops)
    subs = sorted(
        (
            c
            for c in scores
            if not taxonomy[c].is_top
            and scores[c] >= SUB_THRESHOLD
            and top_level(c, taxonomy) in chosen
            and c in strong
            and c in lexicon.targets
            and spans.get(c)
        ),
        key=lambda c: (-scores[c], c),
    )[:MAX_SUB]
    out: list[Topic] = []
    for code in [*tops, *subs]:
        entry = taxonomy[code]
        out.append(
            Topic.model_construct(  # values are built here and in range: skip re-validation
                code=code,
                label=entry.label,
                score=round(min(1.0, scores[code]), 4),
                evidence=_dedupe_spans(spans[code]),
                parent=entry.parent,
            )
        )
    return out


class TopicStage:
    """Assigns ``topics``: IPTC Media Topics with scores and evidence (offsets into ``body``)."""

    name: ClassVar[str] = "topics"
    requires: ClassVar[tuple[str, ...]] = ("body",)
    assigns: ClassVar[tuple[str, ...]] = ("topics",)

    def __init__(self, settings: Any = None, state: Any = None):
        load_taxonomy()
        load_lexicon()
        self._model = load_model()

    def __call__(self, doc: Doc) -> None:
        doc.topics = classify_topics(doc.body, language=doc.language, model=self._model)
