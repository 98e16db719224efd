"""Word clusters for the name tagger, learned deterministically from unlabelled text (training time only)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

__all__ = ["cluster_words", "context_vectors", "kmeans", "write_clusters"]

#: Context slots besides the frequent words: a capitalized word, a number, anything else.
_SPECIAL = ("<cap>", "<num>", "<rare>", "<s>", "</s>")


def _context_id(w: str, index: dict[str, int]) -> int:
    low = w.lower()
    got = index.get(low)
    if got is not None:
        return got
    n = len(index)
    if w[:1].isupper():
        return n
    if any(c.isdigit() for c in w):
        return n + 1
    return n + 2


def context_vectors(
    sentences: Iterable[Sequence[str]], min_count: int = 3, contexts: int = 600, dims: int = 80
) -> tuple[list[str], np.ndarray]:
    """Lower-cased words seen ``min_count`` times or more and a dense vector for each: the counts of
    the word before and after it (the ``contexts`` most frequent words, or a class: capitalized, number,
    rare, sentence edge), weighted by positive PMI and reduced to ``dims`` dimensions by an eigen-
    decomposition of the context Gram matrix (deterministic: no random start)."""
    sents = [list(s) for s in sentences]
    freq = Counter(w.lower() for s in sents for w in s)
    vocab = sorted((w for w, c in freq.items() if c >= min_count), key=lambda w: (-freq[w], w))
    ctx_words = vocab[:contexts]
    cidx = {w: i for i, w in enumerate(ctx_words)}
    width = len(ctx_words) + len(_SPECIAL)
    widx = {w: i for i, w in enumerate(vocab)}
    rows: list[int] = []
    cols: list[int] = []
    for s in sents:
        ids = [_context_id(w, cidx) for w in s]
        for i, w in enumerate(s):
            r = widx.get(w.lower())
            if r is None:
                continue
            left = ids[i - 1] if i > 0 else len(ctx_words) + 3
            right = ids[i + 1] if i + 1 < len(s) else len(ctx_words) + 4
            rows += [r, r]
            cols += [left, width + right]
    mat = np.zeros((len(vocab), 2 * width), dtype=np.float64)
    np.add.at(mat, (np.asarray(rows), np.asarray(cols)), 1.0)
    total = mat.sum()
    pw = mat.sum(axis=1, keepdims=True) / total
    pc = mat.sum(axis=0, keepdims=True) / total
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log((mat / total) / (pw * pc))
    ppmi = np.where(np.isfinite(pmi) & (pmi > 0), pmi, 0.0)
    vals, vecs = np.linalg.eigh(ppmi.T @ ppmi)
    order = np.argsort(-vals, kind="stable")[:dims]
    basis = vecs[:, order]
    basis *= np.where(basis[np.abs(basis).argmax(axis=0), np.arange(basis.shape[1])] < 0, -1.0, 1.0)
    emb = ppmi @ basis
    emb /= np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
    return vocab, emb


def kmeans(x: np.ndarray, k: int, iterations: int = 25, seed: int = 0) -> np.ndarray:
    """Cluster of every row of ``x`` (cosine k-means, k-means++ start from a fixed seed)."""
    rng = np.random.default_rng(seed)
    n = x.shape[0]
    k = min(k, n)
    centres = [int(rng.integers(n))]
    dist = 1.0 - x @ x[centres[0]]
    for _ in range(1, k):
        p = np.maximum(dist, 0.0) ** 2
        nxt = int(rng.choice(n, p=p / p.sum())) if p.sum() > 0 else int(rng.integers(n))
        centres.append(nxt)
        dist = np.minimum(dist, 1.0 - x @ x[nxt])
    c = x[centres].copy()
    assign = np.zeros(n, dtype=np.int64)
    for _ in range(iterations):
        assign = (x @ c.T).argmax(axis=1)
        for j in range(k):
            members = x[assign == j]
            if len(members):
                m = members.sum(axis=0)
                c[j] = m / max(float(np.linalg.norm(m)), 1e-12)
    return assign


def cluster_words(
    sentences: Iterable[Sequence[str]],
    fine: int = 256,
    coarse: int = 32,
    min_count: int = 3,
    finest: int = 0,
) -> dict[str, tuple[int, ...]]:
    """Lower-cased word -> (coarse, fine) cluster: ``fine`` k-means clusters of :func:`context_vectors`,
    their centroids grouped again into ``coarse`` clusters (a two-level hierarchy, like a Brown-cluster
    bit-string prefix); ``finest`` > 0 adds a third, finer clustering of the same vectors into that many
    clusters (k-means from seed 2): (coarse, fine, finest)."""
    vocab, emb = context_vectors(sentences, min_count=min_count)
    fine_of = kmeans(emb, fine)
    cents = np.zeros((int(fine_of.max()) + 1, emb.shape[1]))
    np.add.at(cents, fine_of, emb)
    cents /= np.maximum(np.linalg.norm(cents, axis=1, keepdims=True), 1e-12)
    coarse_of = kmeans(cents, coarse, seed=1)
    out: dict[str, tuple[int, ...]] = {
        w: (int(coarse_of[f]), int(f)) for w, f in zip(vocab, fine_of.tolist(), strict=True)
    }
    if finest > 0:
        finest_of = kmeans(emb, finest, seed=2)
        out = {w: (*out[w], int(x)) for w, x in zip(vocab, finest_of.tolist(), strict=True)}
    return out


def write_clusters(path: Path, sentences: Iterable[Sequence[str]], finest: int = 0) -> int:
    """Write ``word<TAB>coarse<TAB>fine[<TAB>finest]`` lines (sorted) to ``path``; the number of words."""
    clusters = cluster_words(sentences, finest=finest)
    path.write_text(
        "".join(w + "".join(f"\t{c}" for c in cs) + "\n" for w, cs in sorted(clusters.items())),
        encoding="utf-8",
    )
    return len(clusters)
