"""Cross-validated top-level topic candidates, Platt calibration, thresholds and reliability tables."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from streams.nlp.classify_model import CATEGORY_TO_CLASS, CATEGORY_TO_TOPIC, OTHER, train_model
from streams.nlp.topics import MIN_HITS, Calibration, TopCandidate, top_candidates

__all__ = [
    "MODEL_TOPICS",
    "ArticleCandidates",
    "cross_fitted_probs",
    "cv_candidates",
    "fit_calibration",
    "folds",
    "reliability",
]

#: Topics whose labels IndoSum can check (its sport, technology and entertainment categories).
MODEL_TOPICS: tuple[str, ...] = ("medtop:15000000", "medtop:13000000", "medtop:01000000")
BINS: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001)


@dataclass(frozen=True)
class ArticleCandidates:
    index: int
    fold: int
    gold: str | None  #: IPTC topic of the IndoSum category, None for the other categories
    cands: tuple[TopCandidate, ...]

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
                out[i] = ArticleCandidates(i, f, CATEGORY_TO_TOPIC.get(cats[i]), tuple(cands))
        if progress:
            progress(f + 1, k)
    return [a for a in out if a is not None]


def _platt(x: list[list[float]], y: list[int]) -> tuple[tuple[float, ...], float]:
    from sklearn.linear_model import LogisticRegression

    if len(set(y)) < 2:
        raise ValueError("calibration needs both right and wrong labels")
    clf = LogisticRegression(C=100.0, max_iter=1000, solver="lbfgs")
    clf.fit(x, y)
    return tuple(round(float(v), 5) for v in clf.coef_[0]), round(float(clf.intercept_[0]), 5)


def _rows(arts: Sequence[ArticleCandidates]) -> list[tuple[ArticleCandidates, TopCandidate, int]]:
    return [
        (a, c, lab)
        for a in arts
        for c in a.cands
        if (lab := a.label(c.code)) is not None and c.hits >= MIN_HITS
    ]


def _choose_threshold(pairs: list[tuple[float, int]], positives: int) -> float:
    """The probability threshold with the best F1 of the labels it keeps (ties: the higher one)."""
    best = (-1.0, 0.5)
    for t in [i / 100 for i in range(10, 91, 2)]:
        kept = [y for p, y in pairs if p >= t]
        tp = sum(kept)
        prec = tp / len(kept) if kept else 0.0
        rec = tp / positives if positives else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        if f1 >= best[0] - 1e-12:
            best = (f1, t)
    return best[1]


def fit_calibration(arts: Sequence[ArticleCandidates], meta: dict[str, Any] | None = None) -> Calibration:
    """Platt scaling of the lexicon features, then of (lexicon logit, model logit), and thresholds.

    Fitted on the labels IndoSum can check: whether an article's sport / technology / entertainment
    candidate matches its outlet category (articles of other categories are wrong for all three).
    """
    rows = _rows(arts)
    lex = _platt([[math.log1p(c.raw), c.share] for _, c, _ in rows if c.raw > 0],
                 [y for _, c, y in rows if c.raw > 0])  # fmt: skip
    base = Calibration(lex, None, 0.5, 0.2, {})
    with_model = [(c, y) for _, c, y in rows if c.p_model is not None]
    model = None
    if with_model:
        x = []
        for c, _ in with_model:
            p = min(max(c.p_model or 0.0, 1e-4), 1 - 1e-4)
            x.append([base.lexicon_logit(c.raw, c.share), math.log(p / (1 - p))])
        model = _platt(x, [y for _, y in with_model])
    cal = Calibration(lex, model, 0.5, 0.2, {})
    primary, secondary = _split_by_rank(arts, cal)
    p_t = _choose_threshold(primary, sum(y for _, y in primary) + sum(y for _, y in secondary))
    s_t = _choose_threshold(secondary, sum(y for _, y in secondary))
    return Calibration(lex, model, s_t, p_t, dict(meta or {}))


def _split_by_rank(
    arts: Sequence[ArticleCandidates], cal: Calibration
) -> tuple[list[tuple[float, int]], list[tuple[float, int]]]:
    """(probability, right) of the checkable labels, for each article's strongest topic and the rest."""
    primary: list[tuple[float, int]] = []
    secondary: list[tuple[float, int]] = []
    for a in arts:
        scored = sorted(
            ((cal.prob(c.raw, c.share, c.p_model), c.code) for c in a.cands if c.hits >= MIN_HITS),
            reverse=True,
        )
        for i, (p, code) in enumerate(scored):
            lab = a.label(code)
            if lab is not None:
                (primary if i == 0 else secondary).append((p, lab))
    return primary, secondary


def cross_fitted_probs(arts: Sequence[ArticleCandidates], k: int) -> list[tuple[float, int, bool]]:
    """(probability, right, reported) of every checkable label, each fold calibrated on the others."""
    out: list[tuple[float, int, bool]] = []
    for f in range(k):
        train = [a for a in arts if a.fold != f]
        test = [a for a in arts if a.fold == f]
        if not test:
            continue
        cal = fit_calibration(train)
        for a in test:
            scored = sorted(
                ((cal.prob(c.raw, c.share, c.p_model), c.code) for c in a.cands if c.hits >= MIN_HITS),
                reverse=True,
            )
            for i, (p, code) in enumerate(scored):
                lab = a.label(code)
                if lab is not None:
                    out.append((p, lab, p >= (cal.primary if i == 0 else cal.secondary)))
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
