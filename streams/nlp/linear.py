"""Small deterministic multinomial logistic regression over named sparse features (train and score)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["LinearModel", "train_listwise", "train_softmax"]

Features = Mapping[str, float]


@dataclass(frozen=True)
class LinearModel:
    """Per class a bias and per feature name a weight; ``probs`` is the softmax of the scores."""

    classes: tuple[str, ...]
    bias: tuple[float, ...]
    weights: dict[str, tuple[float, ...]]
    _diff: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.classes) == 2:
            self._diff.update({f: w[1] - w[0] for f, w in self.weights.items()})

    def scores(self, feats: Features) -> list[float]:
        if len(self.bias) == 3:
            return self._scores3(feats)
        out = list(self.bias)
        k = len(out)
        get = self.weights.get
        for name, value in feats.items():
            w = get(name)
            if w is None:
                continue
            for c in range(k):
                out[c] += w[c] * value
        return out

    def _scores3(self, feats: Features) -> list[float]:
        """``scores`` of a three-class model, unrolled: the same additions in the same order (``x * 1.0 == x``
        exactly, so a feature of value 1 adds its weight without the product)."""
        s0, s1, s2 = self.bias
        get = self.weights.get
        for name, value in feats.items():
            w = get(name)
            if w is None:
                continue
            if value == 1.0:
                s0 += w[0]
                s1 += w[1]
                s2 += w[2]
            else:
                s0 += w[0] * value
                s1 += w[1] * value
                s2 += w[2] * value
        return [s0, s1, s2]

    def p_second(self, feats: Features) -> float:
        """A two-class model's probability of its second class (``probs(feats)[classes[1]]``, no dict built)."""
        z = self.bias[1] - self.bias[0]
        get = self._diff.get
        for name, value in feats.items():
            z += get(name, 0.0) * value
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

    def probs(self, feats: Features) -> dict[str, float]:
        if len(self.classes) == 2:  # one dot product: the log-odds of the second class
            z = self.bias[1] - self.bias[0]
            get = self._diff.get
            for name, value in feats.items():
                z += get(name, 0.0) * value
            p1 = 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
            return {self.classes[0]: 1.0 - p1, self.classes[1]: p1}
        return self.softmax(self.scores(feats))

    def softmax(self, s: Sequence[float]) -> dict[str, float]:
        """Class probabilities of the scores ``s`` (as ``probs`` gives them for a model of three or more classes)."""
        top = max(s)
        ex = [math.exp(x - top) for x in s]
        z = sum(ex)
        return {c: e / z for c, e in zip(self.classes, ex, strict=True)}

    @property
    def diff(self) -> Mapping[str, float]:
        """A two-class model's per feature weight of the second class minus the first's (the log-odds)."""
        return self._diff

    def to_json(self) -> dict[str, Any]:
        return {
            "classes": list(self.classes),
            "bias": [round(b, 6) for b in self.bias],
            "weights": {f: [round(x, 6) for x in w] for f, w in sorted(self.weights.items())},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LinearModel:
        return cls(
            classes=tuple(str(c) for c in data["classes"]),
            bias=tuple(float(b) for b in data["bias"]),
            weights={str(f): tuple(float(x) for x in w) for f, w in data["weights"].items()},
        )

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))


def _adam(param: Any, grad: Any, m: Any, v: Any, t: int, step: float) -> None:
    """One in-place Adam update (beta1 0.9, beta2 0.999)."""
    import numpy as np

    m *= 0.9
    m += 0.1 * grad
    v *= 0.999
    v += 0.001 * grad * grad
    param -= step * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)


def train_softmax(
    rows: Sequence[Features],
    labels: Sequence[str],
    classes: Sequence[str],
    *,
    l2: float = 1.0,
    epochs: int = 300,
    lr: float = 0.5,
    min_count: int = 1,
    class_weight: Mapping[str, float] | None = None,
) -> LinearModel:
    """Full-batch gradient descent (Adam) on the L2-regularised log loss: deterministic for the same input.

    Features seen in fewer than ``min_count`` rows are dropped; ``class_weight`` weighs each row's loss by
    its label."""
    import numpy as np

    counts: dict[str, int] = {}
    for r in rows:
        for f in r:
            counts[f] = counts.get(f, 0) + 1
    names = sorted(f for f, n in counts.items() if n >= min_count)
    index = {f: i for i, f in enumerate(names)}
    n, d, k = len(rows), len(names), len(classes)
    cidx = {c: i for i, c in enumerate(classes)}
    x = np.zeros((n, d), dtype=np.float64)
    for i, r in enumerate(rows):
        for f, v in r.items():
            j = index.get(f)
            if j is not None:
                x[i, j] = v
    y = np.zeros((n, k))
    y[np.arange(n), [cidx[lab] for lab in labels]] = 1.0
    cw = np.array([(class_weight or {}).get(lab, 1.0) for lab in labels])[:, None]
    w = np.zeros((d, k))
    b = np.zeros(k)
    m_w, v_w, m_b, v_b = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
    norm = float(cw.sum()) or 1.0
    for t in range(1, epochs + 1):
        z = x @ w + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - y) * cw / norm
        gw = x.T @ g + l2 * w / norm
        gb = g.sum(axis=0)
        step = lr * 0.1
        _adam(w, gw, m_w, v_w, t, step)
        _adam(b, gb, m_b, v_b, t, step)
    weights = {f: tuple(float(a) for a in w[j]) for f, j in index.items() if np.abs(w[j]).max() > 1e-4}
    return LinearModel(tuple(classes), tuple(float(a) for a in b), weights)


def train_listwise(
    groups: Sequence[tuple[Sequence[Features], Sequence[bool]]],
    *,
    l2: float = 1.0,
    epochs: int = 300,
    lr: float = 0.5,
    min_count: int = 1,
) -> LinearModel:
    """A conditional logit ranker: in each group (the candidates of one decision, some marked right, or none
    when nothing in the group is) the softmax of the candidates' scores and a learned "nothing" score puts its
    mass on the right ones. Returned as a two-class model whose P("yes") is the sigmoid of a candidate's score
    against "nothing": argmax over a group picks the ranker's choice, P >= 0.5 says it beats "nothing".
    Deterministic (full-batch Adam from zeros)."""
    import numpy as np

    counts: dict[str, int] = {}
    for rows, _ in groups:
        for r in rows:
            for f in r:
                counts[f] = counts.get(f, 0) + 1
    names = sorted(f for f, n in counts.items() if n >= min_count)
    index = {f: i for i, f in enumerate(names)}
    flat = [(g, r, y) for g, (rows, ys) in enumerate(groups) for r, y in zip(rows, ys, strict=True)]
    n, d, k = len(flat), len(names), len(groups)
    x = np.zeros((n, d))
    for i, (_, r, _) in enumerate(flat):
        for f, v in r.items():
            j = index.get(f)
            if j is not None:
                x[i, j] = v
    gid = np.array([g for g, _, _ in flat], dtype=np.int64)
    pos = np.array([1.0 if y else 0.0 for _, _, y in flat])
    none_pos = np.array([0.0 if any(ys) else 1.0 for _, ys in groups])
    w = np.zeros(d)
    b = np.zeros(1)  # the "nothing" score
    m_w, v_w, m_b, v_b = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
    for t in range(1, epochs + 1):
        s = x @ w
        top = np.maximum(np.full(k, b[0]), np.full(k, -np.inf))
        np.maximum.at(top, gid, s)
        e = np.exp(s - top[gid])
        e_none = np.exp(b[0] - top)
        z = e_none + np.bincount(gid, weights=e, minlength=k)
        zpos = none_pos * e_none + np.bincount(gid, weights=e * pos, minlength=k)
        # d(-log zpos/z)/ds_i = p_i - q_i, with p the softmax and q the softmax restricted to the right ones
        p = e / z[gid]
        q = np.where(pos > 0, e / np.maximum(zpos[gid], 1e-300), 0.0)
        gs = (p - q) / k
        gb = float(((e_none / z) - np.where(none_pos > 0, e_none / np.maximum(zpos, 1e-300), 0.0)).sum()) / k
        _adam(w, x.T @ gs + l2 * w / k, m_w, v_w, t, lr * 0.1)
        _adam(b, np.array([gb]), m_b, v_b, t, lr * 0.1)
    weights: dict[str, tuple[float, ...]] = {
        f: (0.0, float(w[j])) for f, j in index.items() if abs(w[j]) > 1e-4
    }
    return LinearModel(("no", "yes"), (0.0, -float(b[0])), weights)
