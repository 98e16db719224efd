"""The small trained top-level topic model: TF-IDF + multinomial logistic regression, as plain JSON.

Word unigrams only: on IndoSum, 5-fold cross-validated macro-F1 was 0.940 with unigrams against 0.927 with
uni+bigrams (bigrams overfit 750 articles), and unigrams halve the work per article.

Training uses scikit-learn (``scripts/train_topics.py``); inference re-implements the TF-IDF
transform and the linear model in plain Python over the exported vocabulary, so the worker does not
unpickle anything and the artefact is a reviewable, versioned data file.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from streams.core import hot
from streams.core.analysis import Analysis

__all__ = [
    "CATEGORY_TO_CLASS",
    "CATEGORY_TO_TOPIC",
    "DEFAULT_MODEL_PATH",
    "MODEL_STOP_WORDS",
    "OTHER",
    "ModelPrediction",
    "TopLevelModel",
    "load_model",
    "model_tokens",
    "tokenize",
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
#: IndoSum categories -> the model's training classes. The two entertainment outlets' categories differ
#: (``hiburan`` is lifestyle and culture, ``showbiz`` celebrities), so each is its own class and their
#: probabilities are summed into the topic (5-fold CV on IndoSum, best-of-three macro-F1 0.969 against
#: 0.964 with one merged class). A class ``TOPIC/name`` belongs to ``TOPIC``.
CATEGORY_TO_CLASS: dict[str, str] = {
    "olahraga": "medtop:15000000",
    "teknologi": "medtop:13000000",
    "hiburan": "medtop:01000000/hiburan",
    "showbiz": "medtop:01000000/showbiz",
}


def topic_of(cls: str) -> str:
    """The topic a model class stands for (``medtop:01000000/showbiz`` -> ``medtop:01000000``)."""
    return cls.split("/", 1)[0]


#: Outlet names and page boilerplate: they identify the source, not the topic, so the model never sees them.
MODEL_STOP_WORDS: tuple[str, ...] = (
    "antaranews", "antara", "cnn", "indonesia", "com", "dailysocial", "kumparan", "juara", "net",
    "merdeka", "poskotanews", "poskota", "rimanews", "suara", "liputan6", "detik", "detikcom",
    "kompas", "tribunnews", "okezone", "baca", "juga", "foto", "dok", "istimewa", "www", "http", "https",
)  # fmt: skip

#: Only terms at least this rare (inverse document frequency) are shown as evidence.
EVIDENCE_MIN_IDF = 2.5
#: The model was trained on Indonesian news; text where these English function words are frequent is
#: outside what it knows (English fragments inflate entertainment), so the model abstains there.
ENGLISH_MARKERS = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "in",
        "is",
        "was",
        "for",
        "on",
        "that",
        "with",
        "as",
        "by",
        "at",
        "from",
        "are",
        "were",
        "has",
        "have",
        "be",
        "its",
        "this",
        "which",
    ]
)
ENGLISH_MAX_SHARE = 0.06


def model_tokens(an: Analysis) -> tuple[list[str], list[int]]:
    """The words the model reads (the shared analysis' lowered tokens of two or more characters that
    start with a letter or digit) and their token numbers."""
    index = [i for i, w in enumerate(an.lowers) if len(w) > 1 and w[0].isalnum()]
    lowers = an.lowers
    return [lowers[i] for i in index], index


def vocab_counts(lowers: list[str], index: dict[str, int]) -> dict[int, int]:
    """How often each vocabulary term occurs among ``lowers``, by the term's index, in the order of
    first occurrence: compiled (``streams.core._hot.vocab_counts``) when the hot path is on, else
    :func:`py_vocab_counts`."""
    h = hot.HOT
    if h is not None and type(lowers) is list and type(index) is dict:
        counts: dict[int, int] = h.vocab_counts(lowers, index)
        return counts
    return py_vocab_counts(lowers, index)


def py_vocab_counts(lowers: list[str], index: dict[str, int]) -> dict[int, int]:
    """The pure-Python reference of :func:`vocab_counts`."""
    grams = Counter(filter(index.__contains__, lowers))  # C-level filter, same order
    return {index[t]: c for t, c in grams.items()}


def tokenize(text: str) -> list[str]:
    """:func:`model_tokens` of a text analysed on its own (training and the convenience methods)."""
    from streams.nlp.analysis import analyze

    return model_tokens(analyze(text, lexicons=False))[0]


@dataclass(frozen=True)
class ModelPrediction:
    """Class probabilities and, per class, the body spans of the terms that pushed towards it."""

    probs: dict[str, float]
    evidence: dict[str, list[tuple[int, int]]] = field(default_factory=dict)


class TopLevelModel:
    """Linear model over sublinear TF-IDF of word uni- and bigrams (the sklearn transform, re-implemented)."""

    def __init__(self, data: dict[str, Any]):
        import numpy as np

        self.version: str = str(data.get("version", ""))
        #: the classes the model was trained on (``TOPIC`` or ``TOPIC/name``)
        self.raw_classes: list[str] = list(data["classes"])
        #: the topics it predicts (``other`` included), in first-seen order of the raw classes
        self.classes: list[str] = list(dict.fromkeys(topic_of(c) for c in self.raw_classes))
        self._topic_index = [self.classes.index(topic_of(c)) for c in self.raw_classes]
        self.intercept: list[float] = [float(x) for x in data["intercept"]]
        self.ngram_max: int = int(data.get("ngram_max", 2))
        self.stop = frozenset(data.get("stop_words", MODEL_STOP_WORDS))
        # term -> (idf, coefficients per class)
        self.vocab: dict[str, tuple[float, tuple[float, ...]]] = {
            term: (float(v[0]), tuple(map(float, v[1:]))) for term, v in data["vocab"].items()
        }
        self.meta: dict[str, Any] = dict(data.get("meta", {}))
        terms = sorted(self.vocab)
        self._index = {t: i for i, t in enumerate(terms)}
        self._terms = terms
        self._idf = np.array([self.vocab[t][0] for t in terms], dtype=np.float64)
        self._coef = np.array([self.vocab[t][1] for t in terms], dtype=np.float64).reshape(len(terms), -1)
        self._intercept = np.array(self.intercept, dtype=np.float64)
        k = len(self.raw_classes)
        # margin of each term for each class over the best other class (for choosing evidence)
        margins = np.empty_like(self._coef)
        for j in range(k):  # over the best class of another topic
            others = [i for i in range(k) if self._topic_index[i] != self._topic_index[j]]
            margins[:, j] = self._coef[:, j] - (self._coef[:, others].max(axis=1) if others else 0.0)
        margins[self._idf < EVIDENCE_MIN_IDF] = 0.0  # function words move the model but are no evidence
        self._margin = margins

    def applies_to(self, text: str, language: str | None = None) -> bool:
        """Whether the model should be used: Indonesian (or Malay) text, by hint or by its words."""
        return self._applies(tokenize(text), language)

    @staticmethod
    def _applies(words: list[str], language: str | None) -> bool:
        if language is not None:
            return language in ("id", "ms")
        if not words:
            return False
        return len([w for w in words if w in ENGLISH_MARKERS]) / len(words) <= ENGLISH_MAX_SHARE

    def predict_analysis(
        self,
        an: Analysis,
        language: str | None = None,
        *,
        evidence_for: Sequence[str] | None = None,
        min_prob: float = 0.0,
        evidence_terms: int = 5,
    ) -> ModelPrediction | None:
        """Probabilities from the shared analysis of a text; ``None`` for text the model does not
        cover (see :meth:`applies_to`)."""
        if language is not None and self.ngram_max == 1:
            # the common case, in one pass: only vocabulary words count, and every vocabulary word
            # passes the model_tokens filter (stop words are not in the vocabulary)
            if not self._applies([], language):
                return None
            lowers = an.lowers
            counts = vocab_counts(lowers, self._index)

            def first(term: str) -> tuple[int, int]:
                i = lowers.index(term)
                return i, i

            return self._scores(
                an, counts, first, evidence_terms=evidence_terms, evidence_for=evidence_for, min_prob=min_prob
            )
        words, index = model_tokens(an)
        if not self._applies(words, language):
            return None
        return self._predict(
            an, words, index, evidence_terms=evidence_terms, evidence_for=evidence_for, min_prob=min_prob
        )

    def predict_if_applicable(
        self,
        text: str,
        language: str | None = None,
        *,
        evidence_for: Sequence[str] | None = None,
        min_prob: float = 0.0,
    ) -> ModelPrediction | None:
        """:meth:`predict_analysis` of ``text`` analysed on its own."""
        from streams.nlp.analysis import analyze

        return self.predict_analysis(
            analyze(text, language, lexicons=False), language, evidence_for=evidence_for, min_prob=min_prob
        )

    def predict(
        self, text: str, *, evidence_terms: int = 5, evidence_for: Sequence[str] | None = None
    ) -> ModelPrediction:
        """Class probabilities for ``text`` and the spans of the terms that pushed towards each class."""
        from streams.nlp.analysis import analyze

        an = analyze(text, lexicons=False)
        words, index = model_tokens(an)
        return self._predict(an, words, index, evidence_terms=evidence_terms, evidence_for=evidence_for)

    def _predict(
        self,
        an: Analysis,
        words: list[str],
        index_of: list[int],
        *,
        evidence_terms: int,
        evidence_for: Sequence[str] | None,
        min_prob: float = 0.0,
    ) -> ModelPrediction:

        stop = self.stop
        keep = [k for k, t in enumerate(words) if t not in stop]
        toks = [words[k] for k in keep]
        grams = Counter(toks)
        pairs: list[str] = []
        if self.ngram_max >= 2 and len(toks) > 1:
            pairs = [a + " " + b for a, b in itertools.pairwise(toks)]
            grams.update(pairs)

        def first(term: str) -> tuple[int, int]:
            """Token numbers of the first place of a gram (only the evidence terms are looked up)."""
            if " " in term:
                j = pairs.index(term)
                return index_of[keep[j]], index_of[keep[j + 1]]
            k = keep[toks.index(term)]
            return index_of[k], index_of[k]

        index = self._index
        # insertion (token) order keeps the float sums, and so the scores, identical across runs
        counts = {index[t]: c for t, c in grams.items() if t in index}
        return self._scores(
            an, counts, first, evidence_terms=evidence_terms, evidence_for=evidence_for, min_prob=min_prob
        )

    def _scores(
        self,
        an: Analysis,
        counts: dict[int, int],
        first: Callable[[str], tuple[int, int]],
        *,
        evidence_terms: int,
        evidence_for: Sequence[str] | None,
        min_prob: float = 0.0,
    ) -> ModelPrediction:
        import numpy as np

        # ``counts``: term index -> count, in token order (keeps the float sums identical across runs)
        if counts:
            idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
            vals = tf * self._idf[idx]
            vals /= float(np.sqrt(vals @ vals))
            logits = self._intercept + vals @ self._coef[idx]
        else:
            idx = np.zeros(0, dtype=np.int64)
            vals = np.zeros(0)
            logits = self._intercept.copy()
        exps = np.exp(logits - logits.max())
        probs_arr = exps / exps.sum()
        probs = dict.fromkeys(self.classes, 0.0)
        best_raw: dict[str, int] = {}
        plist: list[float] = probs_arr.tolist()  # the same doubles as Python floats
        for j, p in enumerate(plist):
            topic = self.classes[self._topic_index[j]]
            probs[topic] += p
            if topic not in best_raw or p > plist[best_raw[topic]]:
                best_raw[topic] = j
        evidence: dict[str, list[tuple[int, int]]] = {}
        wanted = set(evidence_for) if evidence_for is not None else set(self.classes)
        starts, ends = an.starts, an.ends
        for topic, j in best_raw.items():
            if topic == OTHER or topic not in wanted or not len(idx) or probs[topic] < min_prob:
                continue
            contrib = vals * self._margin[idx, j]
            order = np.argsort(-contrib, kind="stable")[:evidence_terms]
            spans = []
            for o in order:
                if contrib[o] > 0:
                    a, b = first(self._terms[int(idx[o])])
                    spans.append((starts[a], ends[b]))
            evidence[topic] = sorted(spans)
        return ModelPrediction(probs, evidence)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "classes": self.raw_classes,
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
    ngram_max: int = 1,
    meta: dict[str, Any] | None = None,
) -> TopLevelModel:
    """Fit TF-IDF + logistic regression deterministically and export it as a :class:`TopLevelModel`."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(
        lowercase=False,  # the analysis' tokens are case-folded already
        tokenizer=tokenize,
        token_pattern=None,
        stop_words=list(MODEL_STOP_WORDS),
        ngram_range=(1, ngram_max),
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
            "ngram_max": ngram_max,
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
