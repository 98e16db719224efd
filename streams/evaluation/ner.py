"""``warta eval ner``: training the CRF name tagger and scoring the pipeline's recogniser on CoNLL data."""

from __future__ import annotations

import hashlib
import os
import random
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from streams.nlp.entities import find_mentions, text_view
from streams.nlp.kb import KB_DIR, load_kb
from streams.nlp.ner_crf import KB_TO_CONLL, LABELS, TYPES, CrfModel, load_model, sentence_features

__all__ = [
    "EN_TRAIN",
    "Example",
    "NerScores",
    "bio_spans",
    "cross_validate",
    "default_training",
    "evaluate",
    "examples",
    "normalize_tag",
    "pipeline_tagger",
    "read_bracketed",
    "read_conll",
    "run_ner_eval",
    "spans_to_bio",
    "train",
]

Sentence = list[tuple[str, str]]
Span = tuple[int, int, str]
#: A training text with its gold character spans ``(start, end, CoNLL type)``.
Example = tuple[str, list[Span]]
EN_TRAIN = KB_DIR / "ner_en_train.txt"


def read_conll(path: Path) -> list[Sentence]:
    """Sentences of ``(token, tag)`` from a CoNLL file (first and last column; blank line between sentences)."""
    sents: list[Sentence] = []
    cur: Sentence = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split()
        if not parts:
            if cur:
                sents.append(cur)
                cur = []
            continue
        cur.append((parts[0], parts[-1] if len(parts) > 1 else "O"))
    if cur:
        sents.append(cur)
    return sents


def normalize_tag(tag: str) -> str:
    """Keep PERSON/ORGANIZATION/LOCATION BIO tags, everything else becomes O."""
    if tag == "O" or "-" not in tag:
        return "O"
    p, t = tag.split("-", 1)
    return f"{p}-{t}" if t in TYPES else "O"


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


def spans_to_bio(tokens: list[str], spans: Iterable[Span]) -> list[str]:
    """BIO tags for ``tokens`` (joined by single spaces) from ``(start, end, label)`` character spans."""
    starts: list[int] = []
    pos = 0
    for t in tokens:
        starts.append(pos)
        pos += len(t) + 1
    tags = ["O"] * len(tokens)
    for start, end, label in spans:
        inside = [i for i, s in enumerate(starts) if start <= s < end]
        for k, i in enumerate(inside):
            tags[i] = ("B-" if k == 0 else "I-") + label
    return tags


def conll_example(sent: Sentence) -> Example:
    """The sentence as text (tokens joined by spaces) with its gold character spans."""
    toks = [t for t, _ in sent]
    text = " ".join(toks)
    starts, pos = [], 0
    for t in toks:
        starts.append(pos)
        pos += len(t) + 1
    spans = [
        (starts[a], starts[b - 1] + len(toks[b - 1]), t)
        for a, b, t in bio_spans([normalize_tag(g) for _, g in sent])
    ]
    return text, sorted(spans)


_BRACKET = re.compile(r"\[(PER|ORG|LOC) ([^\]]+)\]")
_TYPE = {"PER": "PERSON", "ORG": "ORGANIZATION", "LOC": "LOCATION"}


def read_bracketed(path: Path) -> list[Example]:
    """Sentences written with ``[PER name]``, ``[ORG name]``, ``[LOC name]`` marks ('#' lines skipped)."""
    out: list[Example] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, spans, pos = "", [], 0
        for m in _BRACKET.finditer(line):
            text += line[pos : m.start()]
            spans.append((len(text), len(text) + len(m.group(2)), _TYPE[m.group(1)]))
            text += m.group(2)
            pos = m.end()
        text += line[pos:]
        out.append((text, spans))
    return out


@lru_cache(maxsize=1)
def _aliases_by_type() -> dict[str, list[str]]:
    """Knowledge-base aliases (two characters or more, written with a capital) per CoNLL type, sorted."""
    out: dict[str, set[str]] = {t: set() for t in TYPES}
    for e in load_kb().entries:
        typ = KB_TO_CONLL.get(e.type)
        if typ is not None:
            out[typ].update(a for a in e.aliases if len(a) > 2 and a[:1].isupper() and "(" not in a)
    return {t: sorted(v) for t, v in out.items()}


def augment(exs: list[Example], copies: int, seed: int = 0) -> list[Example]:
    """Copies of the sentences with every name swapped for a knowledge-base alias of the same type
    (the same contexts with many more names); deterministic for a given seed."""
    rng = random.Random(seed)
    pool = _aliases_by_type()
    out: list[Example] = []
    for text, spans in exs:
        if not spans:
            continue
        for _ in range(copies):
            new, new_spans, pos = "", [], 0
            for s, e, t in spans:
                new += text[pos:s]
                name = rng.choice(pool[t]) if pool[t] else text[s:e]
                new_spans.append((len(new), len(new) + len(name), t))
                new += name
                pos = e
            new += text[pos:]
            out.append((new, new_spans))
    return out


def examples(exs: Sequence[Example]) -> tuple[list[list[list[str]]], list[list[str]]]:
    """CRF attribute sequences and gold labels, one per pipeline sentence of every example."""
    xs: list[list[list[str]]] = []
    ys: list[list[str]] = []
    for text, spans in exs:
        view = text_view(text)
        for lo, hi in view.sentences:
            labels = ["O"] * (hi - lo)
            for s, e, t in spans:
                first = True
                for i in range(lo, hi):
                    if view.starts[i] >= s and view.ends[i] <= e:
                        labels[i - lo] = ("B-" if first else "I-") + t
                        first = False
            xs.append(sentence_features(view.words[lo:hi], view.firsts[lo:hi], view.kbtags[lo:hi]))
            ys.append(labels)
    return xs, ys


@dataclass(frozen=True)
class TrainConfig:
    """How the tagger is trained (``algorithm``: ``lbfgs`` is a CRF, ``ap`` an averaged perceptron)."""

    algorithm: str = "lbfgs"
    c1: float = 0.05
    c2: float = 0.01
    iterations: int = 150
    en_copies: int = 4
    #: times the NER-UGM sentences (the target convention) are repeated in the training set
    ugm_repeat: int = 1


def train(xs: list[list[list[str]]], ys: list[list[str]], cfg: TrainConfig = TrainConfig()) -> CrfModel:
    """Train on attribute sequences with python-crfsuite (deterministic for the same input)."""
    import pycrfsuite

    from streams.nlp.ner_crf import model_from_crfsuite

    trainer = pycrfsuite.Trainer(algorithm=cfg.algorithm, verbose=False)
    params: dict[str, Any] = {"max_iterations": cfg.iterations, "feature.possible_transitions": True}
    if cfg.algorithm == "lbfgs":
        params.update({"c1": cfg.c1, "c2": cfg.c2})
    trainer.set_params(params)
    for x, y in zip(xs, ys, strict=True):
        trainer.append(x, y)
    fd, name = tempfile.mkstemp(suffix=".crfsuite")
    os.close(fd)
    try:
        trainer.train(name)
        model = model_from_crfsuite(Path(name))
    finally:
        os.unlink(name)
    model.weights = {a: w for a, w in model.weights.items() if any(w)}
    return model


def default_training(shared: Path) -> dict[str, list[Example]]:
    """The training corpora: NER-UGM, NER-UI (from ``shared``/eval) and the English sentences."""
    out: dict[str, list[Example]] = {}
    for name in ("nerugm_dev", "nerui"):
        p = shared / "eval" / f"{name}.conll"
        if p.exists():
            out[name] = [conll_example(s) for s in read_conll(p)]
    out["english"] = read_bracketed(EN_TRAIN)
    return out


def fit(corpora: dict[str, list[Example]], cfg: TrainConfig = TrainConfig()) -> CrfModel:
    """Train on every corpus (the English sentences also with knowledge-base names swapped in)."""
    exs = [
        e
        for name, c in corpora.items()
        for e in c * (cfg.ugm_repeat if name in ("nerugm_dev", "train") else 1)
    ]
    exs += augment(corpora.get("english", []), cfg.en_copies)
    xs, ys = examples(exs)
    model = train(xs, ys, cfg)
    digest = hashlib.sha256("\n".join(t for t, _ in exs).encode()).hexdigest()[:16]
    model.meta = {
        "algorithm": cfg.algorithm,
        "c1": cfg.c1,
        "c2": cfg.c2,
        "iterations": cfg.iterations,
        "sentences": {k: len(v) for k, v in corpora.items()},
        "training_digest": digest,
    }
    return model


def pipeline_tagger(model: CrfModel | None = None) -> Callable[[list[str]], list[str]]:
    """BIO tags for CoNLL tokens from the recogniser the pipeline runs (tagger, span cleaning, linking,
    knowledge-base hits and coreference) over the tokens joined by spaces."""

    def tag(tokens: list[str]) -> list[str]:
        text = " ".join(tokens)
        if model is None:
            mentions = find_mentions(text)
        else:
            from streams.nlp.entities import _coref, _recognise

            view = text_view(text)
            mentions = _coref(view, _recognise(view, model))
        conll = {"PERSON": "PERSON", "ORG": "ORGANIZATION", "GPE": "LOCATION", "LOC": "LOCATION"}
        return spans_to_bio(tokens, ((m.start, m.end, conll[m.type]) for m in mentions if m.type in conll))

    return tag


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
        scores.add([g for _, g in s], tagger([t for t, _ in s]))
    return scores


def _norm_text(text: str) -> str:
    return " ".join(text.split()).casefold()


def folds(sents: list[Sentence], k: int) -> list[int]:
    """Fold of every sentence: contiguous blocks, identical sentences always in the same fold."""
    n = len(sents)
    first: dict[str, int] = {}
    out = []
    for i, s in enumerate(sents):
        key = _norm_text(" ".join(t for t, _ in s))
        out.append(first.setdefault(key, min(k - 1, i * k // max(n, 1))))
    return out


def cross_validate(
    sents: list[Sentence],
    k: int = 5,
    extra: dict[str, list[Example]] | None = None,
    cfg: TrainConfig = TrainConfig(),
) -> NerScores:
    """K-fold cross-validation of the pipeline recogniser: each fold's sentences are tagged by a model
    trained on the other folds plus ``extra`` corpora, with every copy of a test sentence removed from
    the training part (no sentence is in both)."""
    fold_of = folds(sents, k)
    scores = NerScores()
    for fold in range(k):
        test = [s for s, f in zip(sents, fold_of, strict=True) if f == fold]
        if not test:
            continue
        test_keys = {_norm_text(" ".join(t for t, _ in s)) for s in test}
        train_part = [conll_example(s) for s, f in zip(sents, fold_of, strict=True) if f != fold]
        corpora = {"train": train_part}
        for name, exs in (extra or {}).items():
            corpora[name] = [e for e in exs if _norm_text(e[0]) not in test_keys]
        assert not any(_norm_text(t) in test_keys for c in corpora.values() for t, _ in c)
        model = fit(corpora, cfg)
        tagger = pipeline_tagger(model)
        for s in test:
            scores.add([g for _, g in s], tagger([t for t, _ in s]))
    return scores


def run_ner_eval(path: Path, cv: int = 0, shared: Path | None = None) -> dict[str, NerScores]:
    """Scores of the pipeline recogniser on ``path``: with the shipped model, and with ``cv`` > 1
    cross-validated (folds of ``path``; the other training corpora are added to every fold)."""
    sents = read_conll(path)
    out: dict[str, NerScores] = {}
    trained_on = set(load_model().meta.get("sentences", {}))
    label = "shipped model" + (" (trained on this file: not held out)" if path.stem in trained_on else "")
    out[label] = evaluate(sents, pipeline_tagger())
    if cv > 1:
        extra = default_training(shared or path.parent.parent)  # PATH is <shared>/eval/<file>
        extra = {k: v for k, v in extra.items() if k != path.stem}
        out[f"{cv}-fold cross-validation (+ {', '.join(extra) or 'nothing'})"] = cross_validate(
            sents, cv, extra
        )
    return out


assert LABELS[0] == "O"
