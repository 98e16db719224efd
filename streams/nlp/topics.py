"""IPTC Media Topics for an article: weighted id/en lexicons plus a small trained top-level model."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, cast

from streams.core import hot
from streams.core.analysis import Analysis, Hit
from streams.core.derived import plain_construct
from streams.core.doc import Doc
from streams.core.hot import read_yaml
from streams.core.records import Span, Topic
from streams.nlp.analysis import analyze
from streams.nlp.classify_model import OTHER, ModelPrediction, TopLevelModel, load_model

__all__ = [
    "CALIBRATION_PATH",
    "TAXONOMY_PATH",
    "Calibration",
    "Lexicon",
    "TaxonomyEntry",
    "TopCandidate",
    "TopicStage",
    "choose_top_level",
    "classify_topics",
    "load_calibration",
    "load_lexicon",
    "load_taxonomy",
    "ranked_candidates",
    "top_candidates",
    "top_level",
]

_DATA = Path(__file__).resolve().parent.parent / "data" / "taxonomy"
TAXONOMY_PATH = _DATA / "mediatopics.yaml"
LEXICON_PATH = _DATA / "lexicon.yaml"
CALIBRATION_PATH = _DATA / "calibration.json"

#: Top-level topics are reported from calibrated probabilities (``calibration.json``); subtopics need
#: SUB_THRESHOLD, a strong lexicon term and a reported top level.
SUB_THRESHOLD = 0.45
#: Lexicon evidence ``raw`` maps to a score ``1 - exp(-raw / SCALE)``.
SCALE = 2.5
#: Hits in the first LEAD_CHARS characters (title and lead) count LEAD_BONUS times.
LEAD_CHARS = 400
LEAD_BONUS = 1.5
#: Terms of the other language than the article's (when known) count this much.
OTHER_LANGUAGE = 0.7
#: The model's evidence spans are collected for topics from this probability on.
MODEL_FLOOR = 0.2
#: A top-level topic needs evidence at this many distinct places (one place in bodies up to SHORT_BODY
#: characters, e.g. a one-sentence item).
MIN_HITS = 2
SHORT_BODY = 280
#: Hit keys of the lexicon's page-notice phrases (``neutral.<lang>.notice``); a line holding one gives
#: no topic evidence.
NEUTRAL_PREFIX = "neutral."
#: Lines longer than this are cut to the sentence that holds the notice.
NEUTRAL_MAX_SPAN = 400
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
    data = read_yaml(Path(path or TAXONOMY_PATH).read_text(encoding="utf-8"))
    out: dict[str, TaxonomyEntry] = {}
    for row in data["topics"]:
        out[row["code"]] = TaxonomyEntry(row["code"], row["en"], row["id"], row.get("parent"))
    for entry in out.values():
        if entry.parent is not None and entry.parent not in out:
            raise ValueError(f"taxonomy: {entry.code} has unknown parent {entry.parent}")
    return out


@lru_cache(maxsize=1)
def _top_codes() -> frozenset[str]:
    """The top-level codes of the shipped taxonomy (``TaxonomyEntry.is_top``), for set tests in the
    per-article loops (every lexicon code is in the taxonomy: :func:`load_lexicon` checks)."""
    return frozenset(c for c, e in load_taxonomy().items() if e.is_top)


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
    """The topic lexicon's weights; its terms are matched by the shared automaton (``doc.analysis``)."""

    #: hit key ``<topic>.<lang>.<tier>`` -> (topic, language, weight)
    weights: dict[str, tuple[str, str, float]]
    propagate: float
    version: str
    #: topic -> its broader topics with the share of evidence each receives
    lift: dict[str, tuple[tuple[str, float], ...]]
    #: subtopics Warta classifies (those with lexicon terms); structural parents such as "government"
    #: are carried as ``parent`` links and count evidence, but are not reported on their own
    targets: frozenset[str]
    #: hit keys -> what they resolve to (filled as articles come)
    resolved: dict[tuple[str, ...], tuple[tuple[str, str, float], ...]] = field(default_factory=dict)


@lru_cache(maxsize=1)
def load_lexicon(path: str | None = None) -> Lexicon:
    data = read_yaml(Path(path or LEXICON_PATH).read_text(encoding="utf-8"))
    taxonomy = load_taxonomy()
    tiers: dict[str, float] = {k: float(v) for k, v in data["weights"].items()}
    weights: dict[str, tuple[str, str, float]] = {}
    for code, langs in data["topics"].items():
        if code not in taxonomy:
            raise ValueError(f"lexicon: unknown topic {code}; add it to mediatopics.yaml first")
        for lang, by_tier in langs.items():
            for tier in by_tier:
                weights[f"{code}.{lang}.{tier}"] = (code, lang, tiers[tier])
    propagate = float(data.get("propagate", 0.5))
    lift = {
        code: tuple((anc, propagate ** (i + 1)) for i, anc in enumerate(_ancestors(code, taxonomy)))
        for code in taxonomy
    }
    targets = frozenset(data["topics"])
    return Lexicon(weights, propagate, str(data.get("version", "")), lift, targets)


def _masked_units(an: Analysis, notices: list[Hit]) -> tuple[set[int], set[int]]:
    """Lines (and, for lines longer than NEUTRAL_MAX_SPAN, sentences) holding a page notice."""
    lines: set[int] = set()
    sents: set[int] = set()
    for h in notices:
        line = an.lines[an.line_ids[h.tok_start]]
        if line.end - line.start <= NEUTRAL_MAX_SPAN:
            lines.add(line.i)
        else:
            sents.add(an.sent_ids[h.tok_start])
    return lines, sents


def _resolve(
    keys: tuple[str, ...], weights: dict[str, tuple[str, str, float]]
) -> tuple[tuple[str, str, float], ...]:
    """(topic, language, weight) of one hit's keys: the best tier per topic; page notices are none."""
    best: dict[str, tuple[str, float]] = {}
    for key in keys:
        info = weights.get(key)
        if info is None:
            continue
        code, lang, weight = info
        if code not in best or weight > best[code][1]:
            best[code] = (lang, weight)
    return tuple((code, lang, w) for code, (lang, w) in best.items())


_Scores = tuple[dict[str, float], dict[str, float], dict[str, list[Span]], set[str], dict[str, set[int]]]


def _lexicon_scores(an: Analysis, language: str | None, lexicon: Lexicon) -> _Scores:
    """:func:`_py_lexicon_scores`, on the compiled path when it runs (``streams.core._hot``)."""
    h = hot.HOT
    if h is None:
        return _py_lexicon_scores(an, language, lexicon)
    spans: dict[str, list[Span]] = defaultdict(list)
    sents: dict[str, set[int]] = defaultdict(set)
    args = (NEUTRAL_PREFIX, OTHER_LANGUAGE, LEAD_CHARS, LEAD_BONUS, SCALE, spans, sents)
    return cast("_Scores", h.topic_lexicon_scores(an, language, lexicon, _masked_units, _resolve, *args))


def _py_lexicon_scores(an: Analysis, language: str | None, lexicon: Lexicon) -> _Scores:
    """Per topic: score, raw evidence mass, evidence spans; the topics carried by a strong term; and
    per topic the sentence numbers of its evidence.

    Reads the topic-lexicon hits of the shared analysis; a hit inside a longer one is dropped, and
    hits on a line holding a page notice (the lexicon's ``neutral`` phrases) count for nothing.
    """
    own = "en" if language == "en" else "id"
    hinted = language in ("id", "en", "ms")
    weights = lexicon.weights
    found = an.hits_by_tag("topic")
    notices = [h for h in found if h.keys[0].startswith(NEUTRAL_PREFIX)]
    masked_lines, masked_sents = _masked_units(an, notices) if notices else (set(), set())
    # (topic, term) -> [weight, count, lead hits, spans]; a term counts once per topic, repeats diminish
    hits: dict[tuple[str, tuple[str, ...]], list[Any]] = {}
    strong: set[str] = set()
    sents: dict[str, set[int]] = defaultdict(set)
    line_ids, sent_ids = an.line_ids, an.sent_ids
    resolved = lexicon.resolved
    for h in _py_longest(found):
        if notices and (line_ids[h.tok_start] in masked_lines or sent_ids[h.tok_start] in masked_sents):
            continue
        term = h.forms  # the lexicon spelling: the same term whatever its case or spacing here
        best = resolved.get(h.keys)
        if best is None:
            best = resolved[h.keys] = _resolve(h.keys, weights)
        for code, lang, weight in best:
            if weight >= 1.0:
                strong.add(code)
            if hinted and lang != own:
                weight *= OTHER_LANGUAGE
            k = (code, term)
            rec = hits.get(k)
            if rec is None:
                hits[k] = [weight, 1, h.start < LEAD_CHARS, [(h.start, h.end)], {sent_ids[h.tok_start]}]
            else:
                if weight > rec[0]:
                    rec[0] = weight
                rec[1] += 1
                rec[2] = rec[2] or h.start < LEAD_CHARS
                rec[3].append((h.start, h.end))
                rec[4].add(sent_ids[h.tok_start])
    raw: dict[str, float] = defaultdict(float)
    spans: dict[str, list[Span]] = defaultdict(list)
    lift = lexicon.lift
    for (code, _), (weight, count, lead, hit_spans, hit_sents) in hits.items():
        contrib = weight * (1.0 + 0.5 * math.log(count)) * (LEAD_BONUS if lead else 1.0)
        raw[code] += contrib
        spans[code].extend(hit_spans)
        sents[code] |= hit_sents
        for anc, factor in lift[code]:
            raw[anc] += contrib * factor
            spans[anc].extend(hit_spans)
            sents[anc] |= hit_sents
    scores = {code: 1.0 - math.exp(-r / SCALE) for code, r in raw.items()}
    for code in list(strong):
        strong.update(a for a, _ in lift[code])
    return scores, dict(raw), spans, strong, sents


def _py_longest(hits: Iterable[Hit]) -> list[Hit]:
    """Drop hits inside a longer hit ("senjata" inside "gencatan senjata"); equal spans all stay."""
    ordered = sorted(hits, key=lambda h: (h.start, -h.end))
    out: list[Hit] = []
    reach_start, reach_end = -1, -1
    for h in ordered:
        if h.end <= reach_end and (h.start, h.end) != (reach_start, reach_end):
            continue
        out.append(h)
        if h.end > reach_end:
            reach_start, reach_end = h.start, h.end
    return out


def _dedupe_spans(spans: list[Span], limit: int = MAX_EVIDENCE) -> list[Span]:
    """The evidence of one topic: its distinct spans in order, an overlapping span replacing the kept one
    when longer, at most ``limit``; compiled (``streams.core._hot.dedupe_spans``) when the hot path is on,
    else :func:`_py_dedupe_spans`."""
    h = hot.HOT
    if h is not None and type(spans) is list:
        got: list[Span] | None = h.dedupe_spans(spans, limit)
        if got is not None:
            return got
    return _py_dedupe_spans(spans, limit)


def _py_dedupe_spans(spans: list[Span], limit: int = MAX_EVIDENCE) -> list[Span]:
    """The pure-Python reference of :func:`_dedupe_spans`."""
    out: list[Span] = []
    for s in sorted(set(spans)):
        if out and s[0] < out[-1][1]:  # overlapping: keep the longer
            if s[1] - s[0] > out[-1][1] - out[-1][0]:
                out[-1] = s
            continue
        if 0 <= limit <= len(out):
            break  # what follows only appends or replaces spans past the limit
        out.append(s)
    return out[:limit]


@dataclass(frozen=True)
class Calibration:
    """Platt scaling of the top-level evidence into probabilities, fitted on held-out data.

    ``lexicon``: ``[log1p(raw), share]`` -> P(label right), for every top-level topic.
    ``model``: ``[lexicon logit, model logit]`` plus a per-topic offset (``offsets``) -> P(label right),
    for the model's topics when it ran.
    ``secondary``: a top-level topic other than the strongest, backed by the model, is reported from
    this probability on; ``secondary_lexicon`` is the same for a topic only the lexicon backs.
    """

    lexicon: tuple[tuple[float, ...], float]
    model: tuple[tuple[float, ...], float] | None
    secondary: float
    primary: float
    meta: dict[str, Any]
    offsets: dict[str, float] = field(default_factory=dict)
    secondary_lexicon: float = 0.5

    def threshold(self, rank: int, p_model: float | None) -> float:
        if rank == 0:
            return self.primary
        return self.secondary if p_model is not None else self.secondary_lexicon

    def lexicon_logit(self, raw: float, share: float) -> float:
        (a, b), c = self.lexicon
        return a * math.log1p(raw) + b * share + c

    def prob(self, code: str, raw: float, share: float, p_model: float | None) -> float:
        z = self.lexicon_logit(raw, share)
        if p_model is not None and self.model is not None:
            (a, b), c = self.model
            p = min(max(p_model, 1e-4), 1 - 1e-4)
            z = a * z + b * math.log(p / (1 - p)) + c + self.offsets.get(code, 0.0)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


#: Used when no calibration file is shipped (tests, first training run): monotone, uncalibrated.
_DEFAULT_CALIBRATION = Calibration(((1.5, 2.0), -4.0), ((1.0, 1.0), 0.0), 0.5, 0.2, {"fitted": False})


@lru_cache(maxsize=4)
def load_calibration(path: str | None = None) -> Calibration:
    p = Path(path) if path else CALIBRATION_PATH
    if not p.exists():
        return _DEFAULT_CALIBRATION
    data = json.loads(p.read_text(encoding="utf-8"))
    lex = data["lexicon"]
    mdl = data.get("model")
    return Calibration(
        (tuple(float(x) for x in lex["coef"]), float(lex["intercept"])),
        (tuple(float(x) for x in mdl["coef"]), float(mdl["intercept"])) if mdl else None,
        float(data["secondary_threshold"]),
        float(data.get("primary_threshold", 0.2)),
        dict(data.get("meta", {})),
        {str(k): float(v) for k, v in (mdl or {}).get("offsets", {}).items()},
        float(data.get("secondary_lexicon_threshold", data["secondary_threshold"])),
    )


@dataclass(frozen=True)
class TopCandidate:
    """What the lexicons and the model say about one top-level topic of one article."""

    code: str
    raw: float  #: lexicon evidence mass (subtopic hits lifted)
    share: float  #: raw / the strongest top-level topic's raw
    p_model: float | None  #: the model's probability, when it ran and knows this topic
    hits: int  #: distinct evidence spans
    #: sentence numbers (of the shared analysis) holding its evidence
    sents: frozenset[int] = frozenset()


def _model_prediction(
    an: Analysis, language: str | None, mdl: TopLevelModel | None
) -> ModelPrediction | None:
    if mdl is None or not len(an):
        return None
    return mdl.predict_analysis(
        an, language, evidence_for=[c for c in mdl.classes if c != OTHER], min_prob=MODEL_FLOOR
    )


def top_candidates(
    body: str,
    *,
    language: str | None = None,
    model: TopLevelModel | bool | None = True,
    analysis: Analysis | None = None,
) -> tuple[list[TopCandidate], dict[str, list[Span]], dict[str, float], set[str]]:
    """Top-level candidates with their evidence features; also the spans, lexicon scores and strong
    topics of every code (for the subtopics). ``analysis`` is the body's shared analysis (computed
    here when not given)."""
    taxonomy = load_taxonomy()
    lexicon = load_lexicon()
    an = analysis if analysis is not None else analyze(body, language)
    scores, raw, spans, strong, sents = _lexicon_scores(an, language, lexicon)
    mdl: TopLevelModel | None = load_model() if model is True else (model or None)
    pred = _model_prediction(an, language, mdl)
    probs: dict[str, float] = {}
    if pred is not None:
        for cls, p in pred.probs.items():
            if cls == OTHER or cls not in taxonomy:
                continue
            probs[cls] = p
            ev = pred.evidence.get(cls, [])
            if ev and p >= MODEL_FLOOR:
                spans[cls] = spans.get(cls, []) + ev
                sents[cls] = sents[cls] | {an.sentence_at(st) for st, _ in ev}
    tops = _top_codes()
    top_raw = max((r for c, r in raw.items() if c in tops), default=0.0)
    codes = {c for c in raw if c in tops} | set(probs)
    out = []
    for c in sorted(codes):
        r = raw.get(c, 0.0)
        out.append(
            TopCandidate(
                c,
                r,
                r / top_raw if top_raw > 0 else 0.0,
                probs.get(c) if pred is not None else None,
                len(set(spans.get(c, ()))),
                frozenset(sents.get(c, ())),
            )
        )
    return out, spans, scores, strong


def ranked_candidates(
    cands: list[TopCandidate], calibration: Calibration, *, min_hits: int = MIN_HITS
) -> list[tuple[float, TopCandidate]]:
    """Candidates that may be reported, with their calibrated probabilities, best first.

    A topic needs evidence at ``min_hits`` distinct places (one furniture line such as "update your
    browser" never makes a topic). Below the strongest, a topic only the lexicon backs also needs
    evidence in a sentence of its own (without the strongest topic's evidence): hospitals and the
    wounded in a war report are part of the war story, not a health story. Not for topics the model
    backs (it reads the whole article, its evidence is a few words' first places), nor with
    ``min_hits`` 1 (a one-sentence item).
    """
    scored = sorted(
        ((calibration.prob(c.code, c.raw, c.share, c.p_model), c) for c in cands if c.hits >= min_hits),
        key=lambda pc: (-pc[0], pc[1].code),
    )
    if not scored or min_hits <= 1:
        return scored
    first = scored[0][1].sents
    return [scored[0], *((p, c) for p, c in scored[1:] if c.p_model is not None or not c.sents <= first)]


def choose_top_level(
    cands: list[TopCandidate], calibration: Calibration, *, min_hits: int = MIN_HITS
) -> list[tuple[str, float]]:
    """The reported top-level topics with their calibrated probabilities, best first.

    Among :func:`ranked_candidates`, the strongest is reported from ``calibration.primary`` on, the
    others from ``calibration.secondary`` (model-backed) or ``secondary_lexicon`` on (chosen on
    held-out data by ``scripts/train_topics.py``).
    """
    out: list[tuple[str, float]] = []
    for i, (p, c) in enumerate(ranked_candidates(cands, calibration, min_hits=min_hits)):
        if p >= calibration.threshold(i, c.p_model):
            out.append((c.code, p))
        if len(out) >= MAX_TOP:
            break
    return out


def classify_topics(
    body: str,
    *,
    language: str | None = None,
    model: TopLevelModel | bool | None = True,
    calibration: Calibration | None = None,
    analysis: Analysis | None = None,
) -> list[Topic]:
    """Top-level topics and subtopics with scores and evidence spans into ``body``.

    ``model=True`` uses the shipped trained model, ``None``/``False`` the lexicon only, or pass one.
    Top-level scores are calibrated probabilities; subtopic scores are lexicon scores.
    """
    taxonomy = load_taxonomy()
    lexicon = load_lexicon()
    cands, spans, scores, strong = top_candidates(body, language=language, model=model, analysis=analysis)
    tops = choose_top_level(
        cands, calibration or load_calibration(), min_hits=1 if len(body) <= SHORT_BODY else MIN_HITS
    )
    chosen = {c for c, _ in tops}
    top_codes = _top_codes()
    subs = sorted(
        (
            c
            for c in scores
            if c not in top_codes
            and scores[c] >= SUB_THRESHOLD
            and top_level(c, taxonomy) in chosen
            and c in strong
            and c in lexicon.targets
            and spans.get(c)
        ),
        key=lambda c: (-scores[c], c),
    )[:MAX_SUB]
    out: list[Topic] = []
    for code, score in [*tops, *((c, scores[c]) for c in subs)]:
        entry = taxonomy[code]
        values = {  # built here and in range: no validation (``Topic.model_construct``, without its walk)
            "code": code,
            "label": entry.label,
            "score": round(min(1.0, max(0.0, score)), 4),
            "evidence": _dedupe_spans(spans[code]),
            "parent": entry.parent,
        }
        out.append(plain_construct(Topic, values))
    return out


class TopicStage:
    """Assigns ``topics``: IPTC Media Topics with scores and evidence (offsets into ``body``)."""

    name: ClassVar[str] = "topics"
    requires: ClassVar[tuple[str, ...]] = ("body", "analysis")
    #: the article's language chooses the model and the taxonomy label (Indonesian without it)
    optional: ClassVar[tuple[str, ...]] = ("language",)
    assigns: ClassVar[tuple[str, ...]] = ("topics",)

    def __init__(self, settings: Any = None, state: Any = None):
        load_taxonomy()
        load_lexicon()
        self._model = load_model()
        self._calibration = load_calibration()

    def __call__(self, doc: Doc) -> None:
        doc.topics = classify_topics(
            doc.body,
            language=doc.language,
            model=self._model,
            calibration=self._calibration,
            analysis=doc.analysis,
        )
