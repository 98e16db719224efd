"""``warta eval ner``: CoNLL-style exact-span precision, recall and F1 for PERSON, ORGANIZATION, LOCATION."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streams.nlp.ner_crf import (
    TYPES,
    Sentence,
    file_digest,
    model_meta,
    normalize_tag,
    read_conll,
    sentence_features,
    tag_tokens,
    train_crf,
)

__all__ = ["NerScores", "bio_spans", "cross_validate", "evaluate", "kb_rule_tags", "run_ner_eval"]

Span = tuple[int, int, str]


def bio_spans(tags: list[str]) -> set[Span]:
    """``(start, end, type)`` token spans from BIO tags (an I- after O or another type starts a span)."""
    spans: set[Span] = set()
    start, typ = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        p, _, t = tag.partition("-")
        if tag == "O" or p == "B" or (p == "I" and t != typ):
            if typ:
                spans.add((start, i, typ))
            start, typ = (i, t) if tag != "O" else (-1, "")
    return spans


@dataclass
class NerScores:
    tp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TYPES, 0))
    pred: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TYPES, 0))
    gold: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TYPES, 0))

    def add(self, gold_tags: list[str], pred_tags: list[str]) -> None:
        g = {s for s in bio_spans([normalize_tag(t) for t in gold_tags]) if s[2] in TYPES}
        p = {s for s in bio_spans([normalize_tag(t) for t in pred_tags]) if s[2] in TYPES}
        for t in TYPES:
            gt = {s for s in g if s[2] == t}
            pt = {s for s in p if s[2] == t}
            self.tp[t] += len(gt & pt)
            self.pred[t] += len(pt)
            self.gold[t] += len(gt)

    @staticmethod
    def prf(tp: int, pred: int, gold: int) -> tuple[float, float, float]:
        p = tp / pred if pred else 0.0
        r = tp / gold if gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def rows(self) -> list[tuple[str, float, float, float, int]]:
        out = [(t, *self.prf(self.tp[t], self.pred[t], self.gold[t]), self.gold[t]) for t in TYPES]
        tp, pr, go = sum(self.tp.values()), sum(self.pred.values()), sum(self.gold.values())
        out.append(("micro", *self.prf(tp, pr, go), go))
        return out

    @property
    def micro_f1(self) -> float:
        return self.rows()[-1][3]


def evaluate(sents: list[Sentence], tagger: Callable[[list[str]], list[str]]) -> NerScores:
    scores = NerScores()
    for s in sents:
        toks = [t for t, _ in s]
        scores.add([g for _, g in s], tagger(toks))
    return scores


def cross_validate(sents: list[Sentence], k: int = 5, **train_kw: Any) -> NerScores:
    """K-fold cross-validation over contiguous folds: every sentence is tagged by a model that never saw it."""
    feats = [sentence_features([t for t, _ in s]) for s in sents]
    scores = NerScores()
    n = len(sents)
    for fold in range(k):
        lo, hi = fold * n // k, (fold + 1) * n // k
        model = train_crf(sents[:lo] + sents[hi:], features=feats[:lo] + feats[hi:], **train_kw)
        for s, f in zip(sents[lo:hi], feats[lo:hi], strict=True):
            scores.add([g for _, g in s], list(model.predict_single(f)))
    return scores


def kb_rule_tags(tokens: list[str]) -> list[str]:
    """BIO tags from the pipeline's knowledge-base and rule recogniser (no statistical model)."""
    from streams.nlp.ner_crf import rule_tags

    return rule_tags(tokens)


def run_ner_eval(path: Path, cv: int = 5) -> dict[str, NerScores]:
    """Scores of the rule recogniser and of the CRF (cross-validated when it was trained on ``path``)."""
    sents = read_conll(path)
    out = {"kb+rules": evaluate(sents, kb_rule_tags)}
    if model_meta().get("sha256") == file_digest(path):
        out[f"crf ({cv}-fold cross-validation)"] = cross_validate(sents, cv)
    else:
        out["crf (shipped model)"] = evaluate(sents, tag_tokens)
    return out
