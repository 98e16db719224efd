"""``warta eval ner``: training the CRF name tagger and scoring the pipeline's recogniser on CoNLL data."""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from streams.nlp.entities import find_mentions, text_view
from streams.nlp.kb import KB_DIR, load_kb
from streams.nlp.ner_crf import KB_TO_CONLL, LABELS, TYPES, CrfModel, load_model, sentence_features

__all__ = [
    "CORPUS_LANG",
    "DEFAULT_TAG_MAP",
    "EN_TRAIN",
    "MANIFESTS",
    "NER_TRAIN",
    "NER_VALID",
    "Example",
    "NerScores",
    "RealCv",
    "bio_spans",
    "case_classes",
    "cross_validate",
    "default_training",
    "entity_measures",
    "evaluate",
    "examples",
    "internal_split",
    "normalize_tag",
    "outermost",
    "outlet_folds",
    "parse_tag_map",
    "pipeline_tagger",
    "read_bracketed",
    "read_conll",
    "real_cv",
    "run_ner_eval",
    "sentences_language",
    "silver_by_outlet",
    "spans_to_bio",
    "tagger_only",
    "text_language",
    "train",
    "train_rows",
    "unlabelled_texts",
    "write_case_classes",
    "write_word_clusters",
]

Sentence = list[tuple[str, str]]
Span = tuple[int, int, str]
#: A training text with its gold character spans ``(start, end, CoNLL type)``.
Example = tuple[str, list[Span]]
EN_TRAIN = KB_DIR / "ner_en_train.txt"


#: Corpus tag types -> the recogniser's types (anything not listed, e.g. MISC, QUANTITY, TIME, is O).
DEFAULT_TAG_MAP: dict[str, str] = {
    "PER": "PERSON",
    "PERSON": "PERSON",
    "ORG": "ORGANIZATION",
    "ORGANIZATION": "ORGANIZATION",
    "ORGANISATION": "ORGANIZATION",
    "LOC": "LOCATION",
    "LOCATION": "LOCATION",
    "PLACE": "LOCATION",
    "GPE": "LOCATION",
}


def parse_tag_map(spec: str | None) -> dict[str, str]:
    """``"PLACE=LOCATION,MISC=O"`` on top of :data:`DEFAULT_TAG_MAP` (``O`` or empty drops a type)."""
    out = dict(DEFAULT_TAG_MAP)
    for part in (spec or "").split(","):
        if "=" in part:
            k, v = (x.strip() for x in part.split("=", 1))
            out[k.upper()] = v.upper()
    return out


def read_conll(path: Path, tag_map: dict[str, str] | None = None) -> list[Sentence]:
    """Sentences of ``(token, tag)`` from a CoNLL file (first and last column; blank line between
    sentences; ``-DOCSTART-`` lines skipped), tags mapped to PERSON/ORGANIZATION/LOCATION BIO or O."""
    tmap = tag_map if tag_map is not None else DEFAULT_TAG_MAP
    sents: list[Sentence] = []
    cur: Sentence = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split()
        if not parts or parts[0] == "-DOCSTART-":
            if cur:
                sents.append(cur)
                cur = []
            continue
        cur.append((parts[0], normalize_tag(parts[-1] if len(parts) > 1 else "O", tmap)))
    if cur:
        sents.append(cur)
    return sents


def normalize_tag(tag: str, tag_map: dict[str, str] | None = None) -> str:
    """A corpus tag as a BIO tag of the recogniser's types (``B-PER`` -> ``B-PERSON``), else O."""
    if tag == "O" or "-" not in tag:
        return "O"
    p, t = tag.split("-", 1)
    t = (tag_map if tag_map is not None else DEFAULT_TAG_MAP).get(t.upper(), t)
    if p == "S":
        p = "B"
    elif p == "E":
        p = "I"
    return f"{p}-{t}" if t in TYPES and p in ("B", "I") else "O"


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


#: The language of the training corpora (others: detected per example).
CORPUS_LANG = {
    "conll2003_en_train": "en",
    "conll2003_en_valid": "en",
    "english": "en",
    "nergrit_train": "id",
    "nergrit_valid": "id",
    "nerui": "id",
    "nerugm_dev": "id",
}


def text_language(text: str) -> str:
    """The language of a training or evaluation text as the tagger's language features name it."""
    from streams.nlp.language import detect_language
    from streams.nlp.ner_crf import feature_lang

    return feature_lang(detect_language(text).language)


def _sentence_rows(
    ex: Example,
    spanned_only: bool = False,
    lang: str = "",
    gaz_dropout: float = 0.0,
    salt: int = 0,
    domain: str = "",
) -> Iterator[tuple[list[list[str]], list[str]]]:
    """CRF attributes and gold labels of every pipeline sentence of one example (``spanned_only``:
    only the sentences holding a gold span, for silver data whose other names are not marked;
    ``lang``: the language features' code, "" for none; ``gaz_dropout``: the share of sentences whose
    knowledge-base features are left out, chosen by a hash of the sentence and ``salt``; ``domain``: every
    attribute once more, prefixed with the corpus, see :data:`DOMAIN_MARK`)."""
    text, spans = ex
    view = text_view(text)
    for lo, hi in view.sentences:
        labels = ["O"] * (hi - lo)
        for s, e, t in spans:
            first = True
            for i in range(lo, hi):
                if view.starts[i] >= s and view.ends[i] <= e:
                    labels[i - lo] = ("B-" if first else "I-") + t
                    first = False
        if spanned_only and all(y == "O" for y in labels):
            continue
        gaz = not gaz_dropout or _unit_hash(f"{salt}|{view.starts[lo]}|{text}") >= gaz_dropout
        feats = sentence_features(view.words[lo:hi], view.firsts[lo:hi], view.kbtags[lo:hi], lang, gaz)
        if domain:
            feats = [[*fs, *(f"{DOMAIN_MARK}{domain}|{f}" for f in fs)] for fs in feats]
        yield feats, labels


#: Prefix of the per-corpus copies of the attributes (``TrainConfig.corpus_domains``): they absorb what one
#: corpus teaches against the others (its own conventions), never fire when decoding, and are dropped from
#: the trained model.
DOMAIN_MARK = "@"


def _unit_hash(key: str) -> float:
    """A number in [0, 1) from a string (deterministic across runs, unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") / 2.0**64


def examples(
    exs: Sequence[Example], spanned_only: bool = False
) -> tuple[list[list[list[str]]], list[list[str]]]:
    """CRF attribute sequences and gold labels, one per pipeline sentence of every example."""
    xs: list[list[list[str]]] = []
    ys: list[list[str]] = []
    for ex in exs:
        for x, y in _sentence_rows(ex, spanned_only):
            xs.append(x)
            ys.append(y)
    return xs, ys


@dataclass(frozen=True)
class TrainConfig:
    """How the tagger is trained (``algorithm``: ``lbfgs`` is a CRF, ``ap`` an averaged perceptron)."""

    algorithm: str = "lbfgs"
    c1: float = 0.05
    c2: float = 0.01
    iterations: int = 100
    en_copies: int = 2
    #: times the NER-UGM sentences (the target convention) are repeated in the training set
    ugm_repeat: int = 1
    #: times the silver sentences of the real pages are repeated
    silver_repeat: int = 2
    #: times the NERGrit sentences (Indonesian Wikipedia) are repeated (docs/ner11.md)
    nergrit_repeat: int = 1
    #: least tagger support (log-odds) for a knowledge-base name the tagger left out (model meta)
    kb_support: float = -4.0
    #: how much the tagger's own type must beat a linked name's type to keep it (model meta)
    kb_type_margin: float = 2.0
    #: the word features once more per language (id / en) besides the shared ones
    lang_features: bool = True
    #: share of training sentences that see no knowledge-base features ("gazetteer dropout"; 0.5 was
    #: neutral on the valid files and lost "kata Putin." — see docs/ner.md)
    gaz_dropout: float = 0.0
    #: the corpora whose sentences see every attribute once more, prefixed with the corpus ("frustratingly
    #: easy" domain adaptation over corpora, not only languages): those copies absorb what the corpus
    #: teaches against the others and never fire when decoding ("*": every corpus; docs/ner10.md)
    corpus_domains: tuple[str, ...] = ()


def _trainer_params(cfg: TrainConfig) -> dict[str, Any]:
    params: dict[str, Any] = {"max_iterations": cfg.iterations, "feature.possible_transitions": True}
    if cfg.algorithm == "lbfgs":
        params.update({"c1": cfg.c1, "c2": cfg.c2})
    return params


def train_rows(
    rows: Iterable[tuple[list[list[str]], list[str]]], cfg: TrainConfig = TrainConfig()
) -> CrfModel:
    """Train on ``(attributes, labels)`` sentences with python-crfsuite, appended as they come (the
    attribute strings of 20,000 sentences never sit in memory at once); deterministic."""
    import pycrfsuite

    from streams.nlp.ner_crf import model_from_crfsuite

    trainer = pycrfsuite.Trainer(algorithm=cfg.algorithm, verbose=False)
    trainer.set_params(_trainer_params(cfg))
    for x, y in rows:
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


def train(xs: list[list[list[str]]], ys: list[list[str]], cfg: TrainConfig = TrainConfig()) -> CrfModel:
    """Train on attribute sequences with python-crfsuite (deterministic for the same input)."""
    return train_rows(zip(xs, ys, strict=True), cfg)


#: Public corpora under ``<shared>/eval/ner``: always the train files, the valid files only for the
#: shipped model (``final``), never when a score on them is reported.
NER_TRAIN = ("conll2003_en_train", "nergrit_train")
NER_VALID = ("conll2003_en_valid", "nergrit_valid")
MANIFESTS = ("realdev", "realtrain")
_SILVER_TYPES = {"people": "PERSON", "orgs": "ORGANIZATION", "places": "LOCATION"}


def silver_by_outlet(shared: Path) -> dict[str, list[Example]]:
    """Silver training lines of the hand-annotated real pages, per outlet: every exact, whole-word
    occurrence of an annotated name (people, orgs, places; longest first, no overlaps) in the page's
    lines. Only lines holding a name are kept."""
    out: dict[str, list[Example]] = {}
    for man in MANIFESTS:
        path = shared / "eval" / man / "manifest.jsonl"
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            gold = json.loads(line)
            art = path.parent / "articles" / f"{gold['id']}.txt"
            if not art.is_file():
                continue
            names = sorted(_with_surnames(gold), key=lambda x: (-len(x[0]), x))
            exs = out.setdefault(str(gold.get("outlet") or gold["id"]), [])
            for text in art.read_text(encoding="utf-8").splitlines():
                spans = _silver_spans(text, names)
                if spans:
                    exs.append((text, spans))
    return out


def _with_surnames(gold: dict[str, Any]) -> set[tuple[str, str]]:
    """The annotated names with their types, and the surname of every person named with two words or
    more ("kata Putin" after "Vladimir Putin"): the annotators list full names, and a later surname
    left unmarked would teach the tagger that it is no name."""
    names = {(str(n), t) for key, t in _SILVER_TYPES.items() for n in gold.get(key, []) if str(n).strip()}
    surfaces = {n for n, _ in names}
    for n, t in list(names):
        parts = n.split()
        if (
            t == "PERSON"
            and len(parts) >= 2
            and len(parts[-1]) >= 3
            and parts[-1][:1].isupper()
            and parts[-1] not in surfaces
        ):
            names.add((parts[-1], "PERSON"))
    return names


def _silver_spans(text: str, names: list[tuple[str, str]]) -> list[Span]:
    taken = bytearray(len(text) + 1)
    spans: list[Span] = []
    for name, typ in names:
        if name not in text:
            continue
        for m in re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text):
            if not any(taken[m.start() : m.end()]):
                taken[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
                spans.append((m.start(), m.end(), typ))
    return sorted(spans)


def default_training(
    shared: Path, *, final: bool = False, silver_outlets: Callable[[str], bool] | None = None
) -> dict[str, list[Example]]:
    """The training corpora: CoNLL-2003 English and NERGrit train (+ valid when ``final``), NER-UGM,
    NER-UI, the hand-written English sentences, and silver lines of the real pages whose outlet
    ``silver_outlets`` accepts (all when not given)."""
    out: dict[str, list[Example]] = {}
    for name in NER_TRAIN + (NER_VALID if final else ()):
        p = shared / "eval" / "ner" / f"{name}.conll"
        if p.exists():
            out[name] = [conll_example(s) for s in read_conll(p)]
    for name in ("nerugm_dev", "nerui"):
        p = shared / "eval" / f"{name}.conll"
        if p.exists():
            out[name] = [conll_example(s) for s in read_conll(p)]
    out["english"] = read_bracketed(EN_TRAIN)
    silver = [
        e
        for outlet, exs in sorted(silver_by_outlet(shared).items())
        if silver_outlets is None or silver_outlets(outlet)
        for e in exs
    ]
    if silver:
        out["silver"] = silver
    return out


def _training_rows(
    corpora: dict[str, list[Example]], cfg: TrainConfig
) -> Iterator[tuple[list[list[str]], list[str]]]:
    for name, exs in corpora.items():
        reps = (
            cfg.ugm_repeat
            if name in ("nerugm_dev", "train")
            else cfg.silver_repeat
            if name == "silver"
            else cfg.nergrit_repeat
            if name.startswith("nergrit")
            else 1
        )
        langs = [_example_lang(name, ex, cfg) for ex in exs]
        dom = name if _domain(cfg, name) else ""
        for rep in range(reps):
            for ex, lang in zip(exs, langs, strict=True):
                yield from _sentence_rows(ex, name == "silver", lang, cfg.gaz_dropout, rep, dom)
    for ex in augment(corpora.get("english", []), cfg.en_copies):
        yield from _sentence_rows(
            ex,
            lang="en" if cfg.lang_features else "",
            gaz_dropout=cfg.gaz_dropout,
            domain="english" if _domain(cfg, "english") else "",
        )


def _domain(cfg: TrainConfig, corpus: str) -> bool:
    return corpus in cfg.corpus_domains or "*" in cfg.corpus_domains


def _example_lang(corpus: str, ex: Example, cfg: TrainConfig) -> str:
    if not cfg.lang_features:
        return ""
    return CORPUS_LANG.get(corpus) or text_language(ex[0])


def fit(corpora: dict[str, list[Example]], cfg: TrainConfig = TrainConfig()) -> CrfModel:
    """Train on every corpus (the English sentences also with knowledge-base names swapped in)."""
    model = train_rows(_training_rows(corpora, cfg), cfg)
    model.weights = {a: w for a, w in model.weights.items() if not a.startswith(DOMAIN_MARK)}
    digest = hashlib.sha256("\n".join(t for c in corpora.values() for t, _ in c).encode()).hexdigest()[:16]
    model.meta = {
        "algorithm": cfg.algorithm,
        "c1": cfg.c1,
        "c2": cfg.c2,
        "iterations": cfg.iterations,
        "kb_support": cfg.kb_support,
        "kb_type_margin": cfg.kb_type_margin,
        "lang_features": cfg.lang_features,
        "gaz_dropout": cfg.gaz_dropout,
        **({"corpus_domains": list(cfg.corpus_domains)} if cfg.corpus_domains else {}),
        **({"nergrit_repeat": cfg.nergrit_repeat} if cfg.nergrit_repeat != 1 else {}),
        "sentences": {k: len(v) for k, v in corpora.items()},
        "training_digest": digest,
    }
    return model


def pipeline_tagger(
    model: CrfModel | None = None, lang: str | None = None
) -> Callable[[list[str]], list[str]]:
    """BIO tags for CoNLL tokens from the recogniser the pipeline runs (tagger, span cleaning, linking,
    knowledge-base hits and coreference) over the tokens joined by spaces; ``lang``: the language of
    the text (a pipeline article has it from the language stage)."""

    def tag(tokens: list[str]) -> list[str]:
        text = " ".join(tokens)
        if model is None:
            mentions = find_mentions(text, lang)
        else:
            from streams.nlp.entities import _coref, _recognise

            view = text_view(text)
            view.lang = view.lang or lang
            mentions = _coref(view, _recognise(view, model))
        conll = {"PERSON": "PERSON", "ORG": "ORGANIZATION", "GPE": "LOCATION", "LOC": "LOCATION"}
        spans = [(m.start, m.end, conll[m.type]) for m in mentions if m.type in conll]
        return spans_to_bio(tokens, outermost(spans))

    return tag


def tagger_only(model: CrfModel, lang: str | None = None) -> Callable[[list[str]], list[str]]:
    """BIO tags for CoNLL tokens from the tagger alone (Viterbi over the pipeline's decoding windows, no
    span pass, linking or coreference): what the tagger learned, apart from what the passes change."""

    def tag(tokens: list[str]) -> list[str]:
        view = text_view(" ".join(tokens))
        labels = model.tag_sentences(view.words, view.firsts, view.kbtags, view.sentences, lang=lang)
        spans: list[Span] = []
        for lo, hi, typ in bio_spans(labels):
            spans.append((view.starts[lo], view.ends[hi - 1], typ))
        return spans_to_bio(tokens, spans)

    return tag


#: The train-internal split (docs/ner10.md, docs/ner11.md): candidates are chosen on it, never on the valid
#: files. NERGrit train is cut into ``INTERNAL_FOLDS`` contiguous folds (:func:`folds`) and fold 0 is held
#: out; so is the last ``INTERNAL_CONLL_SHARE`` of CoNLL-2003 train.
INTERNAL_FOLDS = 5
INTERNAL_CONLL_SHARE = 0.1


def internal_split(shared: Path) -> tuple[dict[str, list[Example]], dict[str, list[Sentence]]]:
    """The training corpora without the held-out sentences (every copy of a held-out sentence removed
    from every corpus), and the held-out sentences: ``{"nergrit": …, "conll": …}``."""
    ner = shared / "eval" / "ner"
    ng = read_conll(ner / "nergrit_train.conll")
    fold_of = folds(ng, INTERNAL_FOLDS)
    co = read_conll(ner / "conll2003_en_train.conll")
    cut = len(co) - int(len(co) * INTERNAL_CONLL_SHARE)
    dev = {"nergrit": [s for s, f in zip(ng, fold_of, strict=True) if f == 0], "conll": co[cut:]}
    keys = {_norm_text(" ".join(t for t, _ in s)) for d in dev.values() for s in d}
    corpora = default_training(shared)
    corpora["nergrit_train"] = [conll_example(s) for s, f in zip(ng, fold_of, strict=True) if f != 0]
    corpora["conll2003_en_train"] = [conll_example(s) for s in co[:cut]]
    return {k: [e for e in v if _norm_text(e[0]) not in keys] for k, v in corpora.items()}, dev


def outermost(spans: Iterable[Span]) -> list[Span]:
    """The spans no other span holds: CoNLL names are flat, so a name the recogniser also finds inside a
    longer one ("Persatuan Tamansiswa" in "Majelis Luhur Persatuan Tamansiswa", an entity of its own) is
    left out of the BIO tags instead of cutting the longer name in two."""
    out: list[Span] = []
    for s in sorted(spans, key=lambda x: (x[0], -x[1])):
        if out and s[0] >= out[-1][0] and s[1] <= out[-1][1]:
            continue
        out.append(s)
    return out


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


def sentences_language(sents: list[Sentence]) -> str:
    """The language of a CoNLL file, from its first 200 sentences."""
    return text_language("\n".join(" ".join(t for t, _ in s) for s in sents[:200]))


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
        tagger = pipeline_tagger(model, sentences_language(sents))
        for s in test:
            scores.add([g for _, g in s], tagger([t for t, _ in s]))
    return scores


def run_ner_eval(
    path: Path, cv: int = 0, shared: Path | None = None, tag_map: dict[str, str] | None = None
) -> dict[str, NerScores]:
    """Scores of the pipeline recogniser on ``path`` (tags mapped by ``tag_map``): with the shipped
    model, and with ``cv`` > 1 cross-validated (folds of ``path``; the other training corpora, never
    ``path`` itself, are added to every fold)."""
    sents = read_conll(path, tag_map)
    out: dict[str, NerScores] = {}
    trained_on = set(load_model().meta.get("sentences", {}))
    label = "shipped model" + (" (trained on this file: not held out)" if path.stem in trained_on else "")
    out[label] = evaluate(sents, pipeline_tagger(lang=sentences_language(sents)))
    if cv > 1:
        if shared is None:
            shared = path.parent.parent.parent if path.parent.name == "ner" else path.parent.parent
        extra = default_training(shared)
        extra = {k: v for k, v in extra.items() if k != path.stem}
        out[f"{cv}-fold cross-validation (+ {', '.join(extra) or 'nothing'})"] = cross_validate(
            sents, cv, extra
        )
    return out


assert LABELS[0] == "O"


def outlet_folds(outlets: Iterable[str], k: int) -> dict[str, int]:
    """Fold of every outlet: outlets ordered by a hash of their name, dealt round-robin (deterministic)."""
    ordered = sorted(set(outlets), key=lambda o: (hashlib.sha256(o.encode()).hexdigest(), o))
    return {o: i % k for i, o in enumerate(ordered)}


@dataclass
class RealCv:
    """Entity measures of ``warta eval real`` summed over held-out folds, with what was missed/extra."""

    counts: dict[str, list[int]] = field(default_factory=dict)
    misses: dict[str, list[str]] = field(default_factory=dict)

    def value(self, key: str) -> float:
        right, checked = self.counts.get(key, [0, 0])
        return right / checked if checked else 0.0


def entity_measures(gold: dict[str, Any], art: Any) -> dict[str, tuple[int, int, list[str]]]:
    """``warta eval real``'s entity measures of one page: recall of the annotated names (any type,
    right type; a name counts when an entity's text, name or a span reads the same, folded) and the
    share of entities matching a gold name (extra entities listed)."""
    from streams.evaluation.real import norm_text

    types = {"people": {"PERSON"}, "orgs": {"ORG"}, "places": {"GPE", "LOC"}}
    forms: list[tuple[set[str], str, str]] = []
    for e in art.entities:
        fs = {
            norm_text(f, diacritics=True) for f in {e.text, e.name} | {art.body[a:b] for a, b in e.spans} if f
        }
        forms.append((fs, e.type, f"{e.text} ({e.type})"))
    known: dict[str, set[str]] = {f: set() for fs, _, _ in forms for f in fs}
    for fs, t, _ in forms:
        for f in fs:
            known[f].add(t)
    found = typed = total = 0
    missed: list[str] = []
    mistyped: list[str] = []
    gold_names: set[str] = set()
    for key, want in types.items():
        for name in gold.get(key, []):
            n = norm_text(str(name), diacritics=True)
            gold_names.add(n)
            total += 1
            if n in known:
                found += 1
                if known[n] & want:
                    typed += 1
                else:
                    mistyped.append(f"{name} ({key}: found as {'/'.join(sorted(known[n]))})")
            else:
                missed.append(f"{name} ({key})")
    extra = [label for fs, _, label in forms if not fs & gold_names]
    return {
        "entity_recall": (found, total, missed),
        "entity_recall_typed": (typed, total, mistyped),
        "entity_gold_share": (len(forms) - len(extra), len(forms), extra),
    }


def real_cv(
    shared: Path,
    k: int = 5,
    cfg: TrainConfig = TrainConfig(),
    log: Callable[[str], None] | None = None,
    cache: Path | None = None,
) -> RealCv:
    """Entity recall and gold share of the whole pipeline on realdev + realtrain, ``k`` folds with the
    outlets held out: each fold's pages run with a model trained without the silver lines of their
    outlets (the public corpora are in every fold). ``cache``: a folder keeping each fold's model
    (named by a digest of its training data and settings), so a change after recognition is measured
    again without training."""
    from streams.core.pipeline import build_pipeline
    from streams.core.records import RawArticle
    from streams.evaluation.real import load_manifest
    from streams.nlp.ner_crf import use_model

    pages = [
        (shared / "eval" / man / "articles" / f"{g['id']}.txt", g)
        for man in MANIFESTS
        if (shared / "eval" / man / "manifest.jsonl").is_file()
        for g in load_manifest(shared / "eval" / man / "manifest.jsonl")
    ]
    fold_of = outlet_folds((str(g.get("outlet") or g["id"]) for _, g in pages), k)
    base = default_training(shared, silver_outlets=lambda o: False)
    silver = silver_by_outlet(shared)
    out = RealCv()
    try:
        for fold in range(k):
            corpora = dict(base)
            corpora["silver"] = [
                e for o, exs in sorted(silver.items()) if fold_of.get(o, -1) != fold for e in exs
            ]
            use_model(_fold_model(corpora, cfg, cache))
            pipeline = build_pipeline()
            for path, gold in pages:
                if fold_of[str(gold.get("outlet") or gold["id"])] != fold or not path.is_file():
                    continue
                art = pipeline.run(
                    RawArticle(id=str(gold["id"]), text=path.read_text(encoding="utf-8"), url=gold.get("url"))
                )
                for key, (right, checked, misses) in entity_measures(gold, art).items():
                    acc = out.counts.setdefault(key, [0, 0])
                    acc[0] += right
                    acc[1] += checked
                    out.misses.setdefault(key, []).extend(f"{gold['id']}: {m}" for m in misses)
            if log is not None:
                log(f"fold {fold + 1}/{k}: entity recall so far {out.value('entity_recall'):.3f}")
    finally:
        use_model(None)
    return out


def case_classes(texts: Iterable[str], min_count: int = 3) -> dict[str, str]:
    """How each word is written inside sentences (not first, not in an all-caps line) of unlabelled
    text: ``L`` under 10% capitalized, ``l`` under 50%, ``c`` under 90%, ``C`` above; words seen fewer
    than ``min_count`` times are left out."""
    counts: dict[str, list[int]] = {}
    for text in texts:
        view = text_view(text)
        for w, first in zip(view.words, view.firsts, strict=True):
            if first or len(w) < 2 or not w[0].isalpha() or w.isupper():
                continue
            c = counts.setdefault(w.lower(), [0, 0])
            c[0 if w[0].islower() else 1] += 1
    out: dict[str, str] = {}
    for w, (low, up) in counts.items():
        if low + up >= min_count:
            r = up / (low + up)
            out[w] = "L" if r < 0.1 else "l" if r < 0.5 else "c" if r < 0.9 else "C"
    return out


def unlabelled_texts(shared: Path) -> Iterator[str]:
    """Text without labels for the case classes: the training corpora's sentences (never the valid
    files) and the IndoSum articles."""
    for name in NER_TRAIN:
        p = shared / "eval" / "ner" / f"{name}.conll"
        if p.exists():
            yield from (" ".join(t for t, _ in s) for s in read_conll(p))
    for name in ("nerui", "nerugm_dev"):
        p = shared / "eval" / f"{name}.conll"
        if p.exists():
            yield from (" ".join(t for t, _ in s) for s in read_conll(p))
    p = shared / "eval" / "indosum_dev.jsonl"
    if p.exists():
        for line in p.read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield from (x for x in str(json.loads(line).get("text", "")).split("\n") if x.strip())


def write_case_classes(shared: Path) -> int:
    """Build ``ner_case.tsv`` from :func:`unlabelled_texts` (sorted lines); the number of words."""
    from streams.nlp.ner_crf import CASE_PATH, _case_classes

    classes = case_classes(unlabelled_texts(shared))
    CASE_PATH.write_text("".join(f"{w}\t{c}\n" for w, c in sorted(classes.items())), encoding="utf-8")
    _case_classes.cache_clear()
    return len(classes)


def write_word_clusters(shared: Path, finest: int = 0) -> int:
    """Build ``ner_clusters.tsv``: word clusters of the sentences of :func:`unlabelled_texts`, tokenised
    as the pipeline does; the number of words."""
    from streams.evaluation.ner_clusters import write_clusters
    from streams.nlp.ner_crf import CLUSTER_PATH, _clusters

    sents: list[list[str]] = []
    for text in unlabelled_texts(shared):
        view = text_view(text)
        sents.extend(view.words[lo:hi] for lo, hi in view.sentences)
    n = write_clusters(CLUSTER_PATH, sents, finest=finest)
    _clusters.cache_clear()
    return n


_TRAINING_FIELDS = (
    "algorithm",
    "c1",
    "c2",
    "iterations",
    "en_copies",
    "ugm_repeat",
    "silver_repeat",
    "lang_features",
    "gaz_dropout",
)


def _training_repr(cfg: TrainConfig) -> str:
    """The settings that change the trained weights (the knowledge-base thresholds do not)."""
    fields = [
        *_TRAINING_FIELDS,
        *(["corpus_domains"] if cfg.corpus_domains else []),
        *(["nergrit_repeat"] if cfg.nergrit_repeat != 1 else []),
    ]
    return "TrainConfig(" + ", ".join(f"{f}={getattr(cfg, f)!r}" for f in fields) + ")"


def _fold_model(corpora: dict[str, list[Example]], cfg: TrainConfig, cache: Path | None) -> CrfModel:
    from streams.nlp.ner_crf import CASE_PATH, CLUSTER_PATH

    key = hashlib.sha256(
        json.dumps([_training_repr(cfg), sorted(corpora.items())], sort_keys=True).encode()
        + b"".join(p.read_bytes() for p in (CASE_PATH, CLUSTER_PATH) if p.exists())
    ).hexdigest()[:16]
    path = cache / f"ner-fold-{key}.json" if cache is not None else None
    if path is not None and path.is_file():
        return CrfModel.from_json(json.loads(path.read_text(encoding="utf-8")))
    model = fit(corpora, cfg)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(model.to_json()), encoding="utf-8")
    return model
