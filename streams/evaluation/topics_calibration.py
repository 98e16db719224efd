"""Cross-validated top-level topic candidates, Platt calibration, thresholds and reliability tables."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from streams.nlp.classify_model import CATEGORY_TO_CLASS, CATEGORY_TO_TOPIC, OTHER, train_model
from streams.nlp.topics import (
    MIN_HITS,
    Calibration,
    TopCandidate,
    load_calibration,
    ranked_candidates,
    top_candidates,
)

__all__ = [
    "MODEL_TOPICS",
    "ArticleCandidates",
    "cross_fitted_probs",
    "cv_candidates",
    "fit_calibration",
    "folds",
    "manifest_probs",
    "reliability",
]

#: Topics whose labels IndoSum can check (its sport, technology and entertainment categories).
MODEL_TOPICS: tuple[str, ...] = ("medtop:15000000", "medtop:13000000", "medtop:01000000")
#: Secondary topics are kept from the threshold with the best F-beta on held-out labels. Model-backed
#: ones: F1. Lexicon-only ones: F0.5 (a wrong tag weighs twice a missed one), because IndoSum checks the
#: lexicon on three topics only and lexicon-only secondaries of the other topics are over-confident on
#: real pages (see the realdev reliability table of ``warta eval topics --real``).
MODEL_SECONDARY_BETA = 1.0
LEXICON_SECONDARY_BETA = 0.5
BINS: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001)


@dataclass(frozen=True)
class ArticleCandidates:
    index: int
    fold: int
    gold: str | None  #: IPTC topic of the IndoSum category, None for the other categories
    cands: tuple[TopCandidate, ...]
    #: the same article's candidates from the lexicon alone (as for text the model does not cover)
    lex_cands: tuple[TopCandidate, ...] = ()

    def label(self, code: str) -> int | None:
        """1/0 when IndoSum says whether ``code`` is right for this article, else None."""
        if code not in MODEL_TOPICS:
            return None
        return int(self.gold == code)


def folds(labels: Sequence[str], k: int) -> list[int]:
    """Deterministic stratified fold index per article (round robin within each label, input order)."""
    seen: dict[str, int] = {}
    out = []
    for lab in labels:
        n = seen.get(lab, 0)
        out.append(n % k)
        seen[lab] = n + 1
    return out


def cv_candidates(
    texts: Sequence[str],
    categories: Sequence[str],
    k: int = 5,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> list[ArticleCandidates]:
    """Every article's top-level candidates, the model part from a model trained on the other folds."""
    cats = [c.strip().lower() for c in categories]
    train_labels = [CATEGORY_TO_CLASS.get(c, OTHER) for c in cats]
    fold_of = folds([CATEGORY_TO_TOPIC.get(c, OTHER) for c in cats], k)
    out: list[ArticleCandidates | None] = [None] * len(texts)
    for f in range(k):
        idx = [i for i, g in enumerate(fold_of) if g != f]
        model = train_model([texts[i] for i in idx], [train_labels[i] for i in idx])
        for i, g in enumerate(fold_of):
            if g == f:
                cands, *_ = top_candidates(texts[i], model=model)
                lex, *_ = top_candidates(texts[i], model=False)
                out[i] = ArticleCandidates(i, f, CATEGORY_TO_TOPIC.get(cats[i]), tuple(cands), tuple(lex))
        if progress:
            progress(f + 1, k)
    return [a for a in out if a is not None]


def _platt(x: list[list[float]], y: list[int]) -> tuple[tuple[float, ...], float] | None:
    """Logistic regression of ``y`` on ``x``; None when ``y`` holds only one class."""
    from sklearn.linear_model import LogisticRegression

    if len(set(y)) < 2:
        return None
    clf = LogisticRegression(C=100.0, max_iter=1000, solver="lbfgs")
    clf.fit(x, y)
    return tuple(round(float(v), 5) for v in clf.coef_[0]), round(float(clf.intercept_[0]), 5)


def _rows(arts: Sequence[ArticleCandidates], *, lexicon: bool = False) -> list[tuple[TopCandidate, int]]:
    return [
        (c, lab)
        for a in arts
        for c in (a.lex_cands if lexicon else a.cands)
        if (lab := a.label(c.code)) is not None and c.hits >= MIN_HITS
    ]


def _choose_threshold(pairs: list[tuple[float, int]], positives: int, beta: float = 1.0) -> float:
    """The probability threshold with the best F-beta of the labels it keeps (ties: the higher one)."""
    best = (-1.0, 0.5)
    b2 = beta * beta
    for t in [i / 100 for i in range(10, 91, 2)]:
        kept = [y for p, y in pairs if p >= t]
        tp = sum(kept)
        prec = tp / len(kept) if kept else 0.0
        rec = tp / positives if positives else 0.0
        f = (1 + b2) * prec * rec / (b2 * prec + rec) if prec + rec else 0.0
        if f >= best[0] - 1e-12:
            best = (f, t)
    return best[1]


def fit_calibration(arts: Sequence[ArticleCandidates], meta: dict[str, Any] | None = None) -> Calibration:
    """Platt scaling of the lexicon features, then of (lexicon logit, model logit) with a per-topic
    offset, and the reporting thresholds.

    Fitted on the labels IndoSum can check: whether an article's sport / technology / entertainment
    candidate matches its outlet category (articles of other categories are wrong for all three).
    A part whose labels are all right (or all wrong), as on a tiny file, keeps the shipped fit.
    The lexicon part and the threshold of lexicon-only secondary topics come from the lexicon-alone
    candidates (what text the model does not cover gets), the rest from the cross-validated ones.
    """
    shipped = load_calibration()  # the fallback for a part whose labels are all right or all wrong
    lex_rows = [(c, y) for c, y in _rows(arts, lexicon=True) if c.raw > 0]
    lex_fit = _platt([[math.log1p(c.raw), c.share] for c, _ in lex_rows], [y for _, y in lex_rows])
    lex = lex_fit or shipped.lexicon
    base = Calibration(lex, None, 0.5, 0.2, {})
    with_model = [(c, y) for c, y in _rows(arts) if c.p_model is not None]
    model = None
    offsets: dict[str, float] = {}
    if with_model:
        x = []
        for c, _ in with_model:
            p = min(max(c.p_model or 0.0, 1e-4), 1 - 1e-4)
            onehot = [float(c.code == t) for t in MODEL_TOPICS[1:]]
            x.append([base.lexicon_logit(c.raw, c.share), math.log(p / (1 - p)), *onehot])
        fitted = _platt(x, [y for _, y in with_model])
        if fitted is None:
            model, offsets = shipped.model, dict(shipped.offsets)
        else:
            coef, intercept = fitted
            model = (coef[:2], intercept)
            offsets = {t: coef[2 + i] for i, t in enumerate(MODEL_TOPICS[1:])}
    cal = Calibration(lex, model, 0.5, 0.2, {}, offsets)
    primary, secondary = _split_by_rank(arts, cal)
    p_t = _choose_threshold(primary, sum(y for _, y in primary) + sum(y for _, y in secondary))
    s_t = _choose_threshold(secondary, sum(y for _, y in secondary), MODEL_SECONDARY_BETA)
    _, lex_secondary = _split_by_rank(arts, cal, lexicon=True)
    l_t = _choose_threshold(lex_secondary, sum(y for _, y in lex_secondary), LEXICON_SECONDARY_BETA)
    return Calibration(lex, model, s_t, p_t, dict(meta or {}), offsets, l_t)


def _split_by_rank(
    arts: Sequence[ArticleCandidates], cal: Calibration, *, lexicon: bool = False
) -> tuple[list[tuple[float, int]], list[tuple[float, int]]]:
    """(probability, right) of the checkable labels, for each article's strongest topic and the rest."""
    primary: list[tuple[float, int]] = []
    secondary: list[tuple[float, int]] = []
    for a in arts:
        ranked = ranked_candidates(list(a.lex_cands if lexicon else a.cands), cal)
        for i, (p, c) in enumerate(ranked):
            lab = a.label(c.code)
            if lab is not None:
                (primary if i == 0 else secondary).append((p, lab))
    return primary, secondary


def cross_fitted_probs(
    arts: Sequence[ArticleCandidates], k: int, *, lexicon: bool = False
) -> list[tuple[float, int, bool]]:
    """(probability, right, reported) of every checkable label, each fold calibrated on the others
    (``lexicon``: of the lexicon-alone candidates)."""
    out: list[tuple[float, int, bool]] = []
    for f in range(k):
        train = [a for a in arts if a.fold != f]
        test = [a for a in arts if a.fold == f]
        if not test:
            continue
        cal = fit_calibration(train)
        for a in test:
            ranked = ranked_candidates(list(a.lex_cands if lexicon else a.cands), cal)
            for i, (p, c) in enumerate(ranked):
                lab = a.label(c.code)
                if lab is not None:
                    out.append((p, lab, p >= cal.threshold(i, c.p_model)))
    return out


def reliability(pairs: Sequence[tuple[float, int]]) -> list[tuple[float, float, int, float, float]]:
    """Rows ``(bin low, bin high, labels, mean score, share right)`` over non-empty score bins."""
    rows = []
    for lo, hi in itertools.pairwise(BINS):
        inside = [(p, y) for p, y in pairs if lo <= p < hi]
        if inside:
            rows.append(
                (lo, min(hi, 1.0), len(inside), sum(p for p, _ in inside) / len(inside),
                 sum(y for _, y in inside) / len(inside))
            )  # fmt: skip
    return rows


def manifest_probs(manifest: Path, articles_dir: Path | None = None) -> list[tuple[float, int, bool]]:
    """(probability, acceptable, reported) of every top-level candidate on hand-annotated real pages
    (the ``warta eval real`` manifest; required and optional codes are acceptable), with the shipped
    model and calibration: an out-of-sample check, nothing is fitted on these pages."""
    from streams.core.pipeline import build_pipeline
    from streams.core.records import RawArticle
    from streams.evaluation.real import load_manifest
    from streams.nlp.topics import SHORT_BODY, load_calibration

    articles_dir = articles_dir or manifest.parent / "articles"
    pipeline = build_pipeline()
    cal = load_calibration()
    out: list[tuple[float, int, bool]] = []
    for gold in load_manifest(manifest):
        path = articles_dir / f"{gold['id']}.txt"
        if not path.is_file():
            continue
        art = pipeline.run(
            RawArticle(id=str(gold["id"]), text=path.read_text(encoding="utf-8"), url=gold.get("url"))
        )
        ok = {str(c).split(":")[-1] for c in [*gold.get("topics", []), *gold.get("topics_optional", [])]}
        cands, *_ = top_candidates(art.body, language=art.language)
        min_hits = 1 if len(art.body) <= SHORT_BODY else MIN_HITS
        for i, (p, c) in enumerate(ranked_candidates(cands, cal, min_hits=min_hits)):
            out.append((p, int(c.code.split(":")[-1] in ok), p >= cal.threshold(i, c.p_model)))
    return out
