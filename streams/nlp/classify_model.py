"""The small trained top-level topic model: TF-IDF + multinomial logistic regression, as plain JSON.

Training uses scikit-learn (``scripts/train_topics.py``); inference re-implements the TF-IDF
transform and the linear model in plain Python over the exported vocabulary, so the worker does not
unpickle anything and the artefact is a reviewable, versioned data file.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = [
    "CATEGORY_TO_TOPIC",
    "DEFAULT_MODEL_PATH",
    "MODEL_STOP_WORDS",
    "OTHER",
    "ModelPrediction",
    "TopLevelModel",
    "load_model",
    "train_model",
]

DEFAULT_MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "taxonomy" / "toplevel_model.json"

#: IndoSum outlet categories -> IPTC top-level topic; everything else is "other".
CATEGORY_TO_TOPIC: dict[str, str] = {
    "olahraga": "medtop:15000000",
    "teknologi": "medtop:13000000",
    "hiburan": "medtop:01000000",
    "showbiz": "medtop:01000000",
}
OTHER = "other"

#: Outlet names and page boilerplate: they identify the source, not the topic, so the model never sees them.
MODEL_STOP_WORDS: tuple[str, ...] = (
    "antaranews", "antara", "cnn", "indonesia", "com", "dailysocial", "kumparan", "juara", "net",
    "merdeka", "poskotanews", "poskota", "rimanews", "suara", "liputan6", "detik", "detikcom",
    "kompas", "tribunnews", "okezone", "baca", "juga", "foto", "dok", "istimewa", "www", "http", "https",
)  # fmt: skip

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
#: Only terms at least this rare (inverse document frequency) are shown as evidence.
EVIDENCE_MIN_IDF = 2.5
#: The model was trained on Indonesian news; text where these English function words are frequent is
#: outside what it knows (English fragments inflate entertainment), so the model abstains there.
ENGLISH_MARKERS = frozenset(
    "the and of to in is was for on that with as by at from are were has have be its this which".split()
)
ENGLISH_MAX_SHARE = 0.06


def _tokens(text: str, stop: frozenset[str]) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text.lower()) if m.group(0) not in stop]


@dataclass(frozen=True)
class ModelPrediction:
    """Class probabilities and, per class, the body spans of the terms that pushed towards it."""

    probs: dict[str, float]
    evidence: dict[str, list[tuple[int, int]]] = field(default_factory=dict)


class TopLevelModel:
    """Linear model over sublinear TF-IDF of word uni- and bigrams (the sklearn transform, re-implemented)."""

    def __init__(self, data: dict[str, Any]):
        self.version: str = str(data.get("version", ""))
        self.classes: list[str] = list(data["classes"])
        self.intercept: list[float] = [float(x) for x in data["intercept"]]
        self.ngram_max: int = int(data.get("ngram_max", 2))
        self.stop = frozenset(data.get("stop_words", MODEL_STOP_WORDS))
        # term -> (idf, coefficients per class)
        self.vocab: dict[str, tuple[float, tuple[float, ...]]] = {
            term: (float(v[0]), tuple(float(x) for x in v[1:])) for term, v in data["vocab"].items()
        }
        self.meta: dict[str, Any] = dict(data.get("meta", {}))

    def applies_to(self, text: str, language: str | None = None) -> bool:
        """Whether the model should be used: Indonesian (or Malay) text, by hint or by its words."""
        if language is not None:
            return language in ("id", "ms")
        words = _TOKEN.findall(text.lower())
        if not words:
            return False
        return sum(w in ENGLISH_MARKERS for w in words) / len(words) <= ENGLISH_MAX_SHARE

    def predict(self, text: str, *, evidence_terms: int = 5) -> ModelPrediction:
        toks = _tokens(text, self.stop)
        counts: dict[str, int] = {}
        first_span: dict[str, tuple[int, int]] = {}
        for i, (tok, s, e) in enumerate(toks):
            counts[tok] = counts.get(tok, 0) + 1
            first_span.setdefault(tok, (s, e))
            if self.ngram_max >= 2 and i + 1 < len(toks):
                nxt, _, e2 = toks[i + 1]
                bg = tok + " " + nxt
                counts[bg] = counts.get(bg, 0) + 1
                first_span.setdefault(bg, (s, e2))
        feats: list[tuple[str, float, tuple[float, ...]]] = []
        norm = 0.0
        for term, c in counts.items():
            entry = self.vocab.get(term)
            if entry is None:
                continue
            idf, coefs = entry
            val = (1.0 + math.log(c)) * idf
            norm += val * val
            feats.append((term, val, coefs))
        k = len(self.classes)
        logits = list(self.intercept)
        if norm > 0:
            inv = 1.0 / math.sqrt(norm)
            for _, val, coefs in feats:
                v = val * inv
                for j in range(k):
                    logits[j] += v * coefs[j]
        top = max(logits)
        exps = [math.exp(x - top) for x in logits]
        total = sum(exps)
        probs = {c: e / total for c, e in zip(self.classes, exps, strict=True)}
        evidence: dict[str, list[tuple[int, int]]] = {}
        for j, cls in enumerate(self.classes):
            if cls == OTHER:
                continue
            scored = []
            for term, val, coefs in feats:
                if self.vocab[term][0] < EVIDENCE_MIN_IDF:
                    continue  # function words push the model too, but they are no evidence to show
                margin = coefs[j] - max(coefs[m] for m in range(k) if m != j)
                if margin > 0:
                    scored.append((val * margin, term))
            scored.sort(reverse=True)
            evidence[cls] = sorted(first_span[t] for _, t in scored[:evidence_terms])
        return ModelPrediction(probs, evidence)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "classes": self.classes,
            "intercept": self.intercept,
            "ngram_max": self.ngram_max,
            "stop_words": sorted(self.stop),
            "meta": self.meta,
            "vocab": {t: [idf, *coefs] for t, (idf, coefs) in sorted(self.vocab.items())},
        }


def train_model(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    version: str = "",
    c: float = 10.0,
    min_df: int = 2,
    max_features: int = 20000,
    meta: dict[str, Any] | None = None,
) -> TopLevelModel:
    """Fit TF-IDF + logistic regression deterministically and export it as a :class:`TopLevelModel`."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    import numpy as np

    vec = TfidfVectorizer(
        lowercase=True,
        token_pattern=_TOKEN.pattern,
        stop_words=list(MODEL_STOP_WORDS),
        ngram_range=(1, 2),
        min_df=min_df,
        max_features=max_features,
        sublinear_tf=True,
        dtype=np.float64,
    )
    x = vec.fit_transform(texts)
    clf = LogisticRegression(C=c, max_iter=2000, solver="lbfgs", random_state=0)
    clf.fit(x, list(labels))
    classes = [str(cl) for cl in clf.classes_]
    coef = clf.coef_
    intercept = clf.intercept_
    if len(classes) == 2:  # binary: sklearn stores one row for the positive class
        coef = [[-v for v in coef[0]], list(coef[0])]
        intercept = [-intercept[0] / 2, intercept[0] / 2]
        coef_rows = [[float(v) for v in row] for row in coef]
        intercept_list = [float(v) for v in intercept]
    else:
        coef_rows = [[float(v) for v in row] for row in coef]
        intercept_list = [float(v) for v in intercept]
    vocab: dict[str, list[float]] = {}
    for term, idx in vec.vocabulary_.items():
        vocab[term] = [round(float(vec.idf_[idx]), 5), *(round(row[idx], 5) for row in coef_rows)]
    return TopLevelModel(
        {
            "version": version,
            "classes": classes,
            "intercept": [round(v, 5) for v in intercept_list],
            "ngram_max": 2,
            "stop_words": list(MODEL_STOP_WORDS),
            "meta": meta or {},
            "vocab": vocab,
        }
    )


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> TopLevelModel | None:
    """The shipped model (or the one at ``path``); ``None`` when the file is absent."""
    p = Path(path) if path else DEFAULT_MODEL_PATH
    if not p.exists():
        return None
    return TopLevelModel(json.loads(p.read_text(encoding="utf-8")))
