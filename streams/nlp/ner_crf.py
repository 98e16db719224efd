"""A linear-chain CRF name tagger (PERSON / ORGANIZATION / LOCATION): features and fast decoding."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, compress, count
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np

from streams.core import hot as _core_hot
from streams.core.errors import StageError
from streams.nlp import ner_features_twin as _features_twin
from streams.nlp.kb import load_given_names, load_kb, load_rules

__all__ = [
    "CASE_PATH",
    "CLUSTER_PATH",
    "HEADLINE",
    "KB_TO_CONLL",
    "LABELS",
    "MODEL_PATH",
    "TYPES",
    "CrfModel",
    "candidate_windows",
    "feature_lang",
    "load_model",
    "py_decode",
    "py_emissions",
    "py_window_rows",
    "py_windows",
    "sentence_features",
    "use_model",
]

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "kb" / "ner_model.json"
#: The ``firsts`` value of every token of an all-caps sentence (a headline), beside False / True.
HEADLINE = 2
CASE_PATH = MODEL_PATH.parent / "ner_case.tsv"
#: Word clusters learned from unlabelled text (``word<TAB>coarse<TAB>fine``, see ``scripts/train_ner.py``).
CLUSTER_PATH = MODEL_PATH.parent / "ner_clusters.tsv"
#: CoNLL types the tagger learns; everything else (QUANTITY, TIME) is O.
TYPES = ("PERSON", "ORGANIZATION", "LOCATION")
LABELS = ("O", *(f"{p}-{t}" for t in TYPES for p in "BI"))
KB_TO_CONLL = {"PERSON": "PERSON", "ORG": "ORGANIZATION", "GPE": "LOCATION", "LOC": "LOCATION"}
#: Lower-case words that may sit inside a name between two capitalized words ("Ministry of Defence").
CONNECTORS = frozenset(
    [
        "of",
        "the",
        "and",
        "for",
        "dan",
        "de",
        "da",
        "del",
        "van",
        "von",
        "der",
        "bin",
        "binti",
        "al",
        "el",
        "&",
        "-",
        "'",
    ]
)


#: The start and end of a decoding window ``(start, end, token before, token after)``.
_FIRST, _SECOND = itemgetter(0), itemgetter(1)


def _load_hot() -> Any:
    """The compiled tagger module (``_ner_hot``) when it is built, else None."""
    return _core_hot.extension("streams.nlp._ner_hot")


def _compiled() -> Any:
    """The compiled tagger path (``_ner_hot``) when it is built and the analysis runs compiled (the
    ``compiled`` setting, ``WARTA_COMPILED``), else None: the pure-Python reference."""
    return _core_hot.compiled_extension("streams.nlp._ner_hot")


@lru_cache(maxsize=1)
def _lexicons() -> dict[str, frozenset[str]]:
    r: dict[str, Any] = load_rules()
    return {
        "title": frozenset(x.split()[-1] for x in r["person_titles"]),
        "org": frozenset(x.split()[0] for x in r["org_heads"]),
        "place": frozenset(x.split()[0] for v in r["place_heads"].values() for x in v),
        "prep": frozenset(r["place_preps"]),
        "stop": frozenset(str(w) for w in [*r["stopwords"], *r.get("not_names", [])]),
        "role": frozenset(r["role_words"]),
        "verb": frozenset(r.get("person_verbs", [])),
    }


@lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    """Indonesian root words (PySastrawi's dictionary): capitalized dictionary words are rarely names."""
    try:
        from importlib.resources import files

        text = (files("Sastrawi") / "Stemmer" / "data" / "kata-dasar.txt").read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError):
        return frozenset()
    return frozenset(w.strip() for w in text.split() if w.strip())


_SUFFIXES = ("nya", "kan", "an", "i", "lah")
_PREFIXES = (
    "meng",
    "mem",
    "men",
    "meny",
    "me",
    "ber",
    "ter",
    "di",
    "ke",
    "se",
    "pe",
    "peng",
    "pem",
    "pen",
    "per",
)


def _in_dictionary(low: str, words: frozenset[str]) -> bool:
    if low in words:
        return True
    for suf in _SUFFIXES:
        if low.endswith(suf) and low[: -len(suf)] in words:
            return True
    for pre in _PREFIXES:
        if low.startswith(pre) and len(low) - len(pre) > 2:
            rest = low[len(pre) :]
            if rest in words or any(rest.endswith(s) and rest[: -len(s)] in words for s in _SUFFIXES):
                return True
    return False


@lru_cache(maxsize=1)
def _alias_words() -> dict[str, str]:
    """Word -> the entity types whose knowledge-base aliases contain it ("Partai" -> ORG)."""
    types: dict[str, set[str]] = {}
    for e in load_kb().entries:
        typ = KB_TO_CONLL.get(e.type)
        if typ is None:
            continue
        for a in e.aliases:
            for w in a.split():
                if len(w) > 1:
                    types.setdefault(w, set()).add(typ[:3])
    return {w: "+".join(sorted(t)) for w, t in types.items()}


@lru_cache(maxsize=1)
def _case_classes() -> dict[str, str]:
    """Lower-cased word -> how it is written inside sentences of unlabelled news (``ner_case.tsv``,
    built by ``scripts/train_ner.py``): L almost always lower-case, l mostly, c mostly capitalized,
    C almost always. "workers" is L, so "Workers" opening a sentence is not a name."""
    try:
        lines = CASE_PATH.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    return dict(line.split("\t", 1) for line in lines if "\t" in line)


@lru_cache(maxsize=1)
def _clusters() -> dict[str, tuple[str, ...]]:
    """Lower-cased word -> (coarse, fine) cluster of its contexts in unlabelled news (``ner_clusters.tsv``):
    words used alike ("bogor", "malang", "lampung") share a cluster, so a name seen in training
    teaches the tagger about the others."""
    try:
        lines = CLUSTER_PATH.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for line in lines:
        parts = line.split("\t")
        if len(parts) in (3, 4):  # coarse, fine [, finest]
            out[parts[0]] = tuple(parts[1:])
    return out


def _shape(w: str) -> str:
    out: list[str] = []
    for ch in w[:8]:
        c = "X" if ch.isupper() else "x" if ch.islower() else "d" if ch.isdigit() else ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


# --- feature groups: every token's features are the union of a few groups, each a function of one
# small key (the word, a neighbour, the knowledge-base tags around it). Decoding caches each group's
# score vector per key, so an article costs a few dictionary look-ups per candidate token.


def feature_lang(lang: str | None) -> str:
    """The language code the tagger's language features use: ``id`` (also Malay), ``en``, else ""."""
    code = (lang or "")[:2].lower()
    return "id" if code in ("id", "ms") else "en" if code == "en" else ""


def _word_group(w: str, first: bool, lang: str = "") -> list[str]:
    f = _word_group_shared(w, first)
    if lang:  # the same evidence weighed per language as well ("frustratingly easy" domain adaptation)
        f += [f"{lang}|{x}" for x in f]
    return f


def _word_group_shared(w: str, first: bool) -> list[str]:
    lex = _lexicons()
    low = w.lower()
    dic = _in_dictionary(low, _dictionary())
    cap = w[:1].isupper()
    sh = _shape(w)
    f = [
        "w=" + low,
        "s2=" + low[-2:],
        "s3=" + low[-3:],
        "s4=" + low[-4:],
        "p2=" + low[:2],
        "p3=" + low[:3],
        "sh=" + sh,
        f"cap|dict|first={cap}|{dic}|{first}",
        f"sh|first={sh}|{first}",
        "aw=" + _alias_words().get(w, "-"),
    ]
    cl = _clusters().get(low)
    if cl is not None:
        f.append("k32=" + cl[0])
        f.append("k256=" + cl[1])
        f.append(f"k256|cap={cl[1]}|{cap}")
        if len(cl) > 2:
            f.append("kf=" + cl[2])
            f.append(f"kf|cap={cl[2]}|{cap}")
    case = _case_classes().get(low)
    if case is not None:
        f.append("cc=" + case)
        f.append(f"cc|cap|first={case}|{cap}|{first}")
    if dic:
        f.append("dict")
    if w in load_given_names():
        f.append("given")
    if w in lex["stop"]:
        f.append("stop")
    if w in lex["role"]:
        f.append("role")
    if w in lex["title"]:
        f.append("tcue")
    if w in lex["org"]:
        f.append("ohead")
    if w in lex["place"]:
        f.append("phead")
    if len(w) == 1:
        f.append("len1")
    return f


def _ctx_group(w: str, d: int) -> list[str]:
    """Features of the neighbour ``w`` at offset ``d`` (-2, -1, 1, 2); "<s>"/"</s>" past the sentence."""
    if w in ("<s>", "</s>"):
        return [f"{d}w={w}"]
    lex = _lexicons()
    low = w.lower()
    f = [f"{d}w={low}", f"{d}sh={_shape(w)}"]
    if abs(d) == 1:
        f.append(f"{d}aw=" + _alias_words().get(w, "-"))
        cl = _clusters().get(low)
        if cl is not None:
            f.append(f"{d}k256=" + cl[1])
            if len(cl) > 2:
                f.append(f"{d}kf=" + cl[2])
        if _in_dictionary(low, _dictionary()):
            f.append(f"{d}dict")
    if d < 0:
        if w in lex["title"]:
            f.append(f"{d}tcue")
        if w in lex["org"]:
            f.append(f"{d}ohead")
        if w in lex["place"]:
            f.append(f"{d}phead")
        if low in lex["prep"]:
            f.append(f"{d}prep")
        if w in lex["role"]:
            f.append(f"{d}role")
    elif low in lex["verb"]:
        f.append(f"{d}verb")
    return f


def _kb_group(prev: str, cur: str, nxt: str, cap: bool) -> list[str]:
    """Gazetteer features: the knowledge-base BIO tags (with type) at, before and after a token."""
    t = cur[2:] if cur != "O" else "O"
    return [
        "kb=" + cur,
        f"kbt|cap={t}|{cap}",
        "kb-1=" + prev,
        "kb+1=" + nxt,
        f"kb3={prev[2:] or prev}|{t}|{nxt[2:] or nxt}",
    ]


def _group_keys(
    words: Sequence[str],
    firsts: Sequence[int],
    kbtags: Sequence[str],
    i: int,
    lo: int = 0,
    hi: int = -1,
    lang: str = "",
) -> list[tuple[Any, ...]]:
    """The feature-group keys of token ``i`` of the sentence ``words[lo:hi]`` (``hi`` -1: the end);
    ``lang`` (see :func:`feature_lang`) adds the word's features once more, per language."""
    n = len(words) if hi < 0 else hi
    w = words[i]
    return [
        ("w", w, firsts[i], lang),
        ("c", words[i - 2] if i - 2 >= lo else "<s>", -2),
        ("c", words[i - 1] if i - 1 >= lo else "<s>", -1),
        ("c", words[i + 1] if i + 1 < n else "</s>", 1),
        ("c", words[i + 2] if i + 2 < n else "</s>", 2),
        ("g", words[i - 1] if i > lo else "<s>", w),
        ("g", w, words[i + 1] if i + 1 < n else "</s>"),
        (
            "k",
            kbtags[i - 1] if i > lo else "<s>",
            kbtags[i],
            kbtags[i + 1] if i + 1 < n else "</s>",
            w[:1].isupper(),
        ),
    ]


def _group_features(key: tuple[Any, ...]) -> list[str]:
    kind = key[0]
    if kind == "w":
        return _word_group(key[1], key[2], key[3])
    if kind == "c":
        return _ctx_group(key[1], key[2])
    if kind == "g":
        return [f"bg={key[1].lower()}|{key[2].lower()}"]
    return _kb_group(key[1], key[2], key[3], key[4])


def sentence_features(
    words: Sequence[str],
    firsts: Sequence[int],
    kbtags: Sequence[str],
    lang: str = "",
    gazetteer: bool = True,
) -> list[list[str]]:
    """CRF attributes of every token of one sentence (training uses exactly what decoding scores).
    ``gazetteer`` False: as if the knowledge base knew none of the words (training drops it for part of
    the sentences, so the tagger does not learn that a name the knowledge base lacks is no name)."""
    if not gazetteer:
        kbtags = ["O"] * len(words)
    out = [
        ["b", *(f for key in _group_keys(words, firsts, kbtags, i, lang=lang) for f in _group_features(key))]
        for i in range(len(words))
    ]
    if not gazetteer:
        out = [[_blind(f) for f in fs] for fs in out]
    return out


def _blind(f: str) -> str:
    """A knowledge-base alias-word feature as if the word were in no alias ("aw=LOC" -> "aw=-")."""
    k = f.find("aw=")
    return f if k < 0 or (k and f[k - 1] not in "|-1") else f[: k + 3] + "-"


#: Capitalized tokens with at most ``WINDOW_GAP`` tokens between them share a decoding window
#: ("C . Hooper", "Ministry of Defence"); a window takes ``WINDOW_PAD`` tokens on each side. Wider
#: settings (2, 1) score the same on the valid sets (CoNLL 0.904 vs 0.902) and cost 0.2 ms an article.
WINDOW_GAP = 1
WINDOW_PAD = 0


def candidate_windows(words: Sequence[str], caps: Sequence[bool] | None = None) -> list[tuple[int, int]]:
    """Token ranges of one sentence that the tagger decodes: runs of tokens with a capital letter
    (``caps``, computed when not given) with what lies between and around them (see ``WINDOW_GAP``,
    ``WINDOW_PAD``). Names are capitalized in Indonesian and English; everything else is O."""
    return [(a, b) for _lo, _hi, a, b in _windows(words, caps, [(0, len(words))])]


def _windows(
    words: Sequence[str], caps: Sequence[bool] | None, sentences: Sequence[tuple[int, int]]
) -> list[tuple[int, int, int, int]]:
    """``candidate_windows`` of every sentence in one pass over the capitalized tokens:
    ``(sentence start, sentence end, window start, window end)``."""
    flags = caps if caps is not None else [w != w.lower() for w in words]
    hot = _compiled()
    if hot is not None:
        return hot.windows(  # type: ignore[no-any-return]
            flags if isinstance(flags, list) else list(flags),
            sentences if isinstance(sentences, list) else list(sentences),
            WINDOW_GAP,
            WINDOW_PAD,
        )
    return py_windows(flags, sentences)


def py_windows(
    flags: Sequence[bool], sentences: Sequence[tuple[int, int]]
) -> list[tuple[int, int, int, int]]:
    """Reference of ``_ner_hot.windows``: the windows of every sentence from the tokens' capitalized
    flags, ``(sentence start, sentence end, window start, window end)``."""
    idx = list(compress(range(len(flags)), flags))
    out: list[tuple[int, int, int, int]] = []
    si, ns, k, nk = 0, len(sentences), 0, len(idx)
    reach = WINDOW_GAP + 1
    while k < nk:
        i = idx[k]
        k += 1
        while si < ns and sentences[si][1] <= i:
            si += 1
        if si == ns:
            break
        lo, hi = sentences[si]
        if i < lo:
            continue
        j = i
        while k < nk and idx[k] < hi and idx[k] - j <= reach:
            j = idx[k]
            k += 1
        a, b = i - WINDOW_PAD, j + 1 + WINDOW_PAD
        out.append((lo, hi, a if a > lo else lo, b if b < hi else hi))
    return out


@dataclass
class CrfModel:
    """CRF weights: attribute -> score per label, label transitions; decodes with cached group scores."""

    weights: dict[str, list[float]]
    transitions: list[list[float]]
    meta: dict[str, Any] = field(default_factory=dict)
    _rows: dict[tuple[Any, ...], int] = field(default_factory=dict, repr=False)
    _mat: Any = field(default=None, repr=False)
    _slot_caches: dict[str, dict[Any, int]] = field(
        default_factory=lambda: {k: {} for k in ("w0", "w1", "w2", "-2", "-1", "1", "2", "g", "k")},
        repr=False,
    )
    _generation: int = field(default=0, repr=False)
    #: (words, kbtags, lang, token -> row, label scores) of the last tagged text
    _last: tuple[Any, ...] | None = field(default=None, repr=False)

    @property
    def kb_support(self) -> float:
        """Least :meth:`support` at which a knowledge-base name the tagger left out is kept."""
        return float(self.meta.get("kb_support", -4.0))

    @property
    def kb_type_margin(self) -> float:
        """How much more the tagger's scores must favour its type over a linked name's type to keep it."""
        return float(self.meta.get("kb_type_margin", 2.0))

    def __post_init__(self) -> None:
        self._trans = np.asarray(self.transitions, dtype=float)
        self._bias = np.asarray(self.weights.get("b", [0.0] * len(LABELS)), dtype=float)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CrfModel:
        if tuple(data["labels"]) != LABELS:
            raise ValueError(f"model labels {data['labels']} differ from {LABELS}")
        return cls(dict(data["weights"]), data["transitions"], data.get("meta", {}))

    def to_json(self) -> dict[str, Any]:
        return {
            "labels": list(LABELS),
            "meta": self.meta,
            "transitions": self.transitions,
            "weights": self.weights,
        }

    def _row(self, key: tuple[Any, ...]) -> int:
        """Row of the score matrix holding the summed weights of the features of one group key."""
        got = self._rows.get(key)
        if got is not None:
            return got
        if self._mat is None or len(self._rows) >= 400_000:  # bounded: new words must not grow it forever
            self._rows.clear()
            for c in self._slot_caches.values():
                c.clear()
            self._generation += 1
            self._mat = np.zeros((1024, len(LABELS)))
        r = len(self._rows)
        if r >= self._mat.shape[0]:
            self._mat = np.concatenate([self._mat, np.zeros_like(self._mat)])
        hot = _compiled()  # hot11/hot12: the strings built and the weights summed in C, the same floats
        if hot is not None and hot.fill_row(self._mat, r, key, self.weights, _features_twin.features(hot)):
            self._rows[key] = r
            return r
        acc = self._mat[r]
        acc[:] = 0.0
        feats = _group_features(key)
        if hot is None or not hot.add_weights(acc, feats, self.weights):
            for f in feats:
                w = self.weights.get(f)
                if w is not None:
                    acc += w
        self._rows[key] = r
        return r

    def path_support(
        self,
        words: Sequence[str],
        firsts: Sequence[int],
        kbtags: Sequence[str],
        sentence: tuple[int, int],
        start: int,
        labels: Sequence[str],
        lang: str | None = None,
    ) -> float:
        """How much the tagger's scores favour ``labels`` on the tokens from ``start`` (inside
        ``sentence``) over O, with O around them: the log-odds of the two label paths (0: even)."""
        lo, hi = sentence
        if not labels or not (lo <= start and start + len(labels) <= hi):
            return float("-inf")
        trans = self._trans
        o = trans[0][0]
        prev = 0
        margin = 0.0
        for k, lab in enumerate(labels):
            y = LABELS.index(lab)
            emit = self._emission(words, firsts, kbtags, start + k, lo, hi, lang)
            margin += trans[prev][y] - o + emit[y] - emit[0]
            prev = y
        return float(margin + trans[prev][0] - o)

    def support(
        self,
        words: Sequence[str],
        firsts: Sequence[int],
        kbtags: Sequence[str],
        sentence: tuple[int, int],
        span: tuple[int, int],
        typ: str,
        lang: str | None = None,
    ) -> float:
        """How much the tagger's scores favour ``span`` (tokens inside ``sentence``) as one name of
        ``typ`` over O, with O around it: the log-odds of the two label paths (0: even)."""
        if f"B-{typ}" not in LABELS:
            return float("-inf")
        return self.supports(words, firsts, kbtags, sentence, span, (typ,), lang)[0]

    def supports(
        self,
        words: Sequence[str],
        firsts: Sequence[int],
        kbtags: Sequence[str],
        sentence: tuple[int, int],
        span: tuple[int, int],
        types: Sequence[str],
        lang: str | None = None,
    ) -> list[float]:
        """:meth:`support` of ``span`` for each of ``types`` (the same values), reading each token's label
        scores once."""
        lo, hi = sentence
        a, b = span
        if not (lo <= a < b <= hi):
            return [float("-inf")] * len(types)
        trans = self._trans
        o = trans[0][0]
        idx = [(LABELS.index(f"B-{t}"), LABELS.index(f"I-{t}")) for t in types]
        margins = [trans[0][bi] + trans[bi if b - a == 1 else ii][0] - 2 * o for bi, ii in idx]
        for g in range(a, b):
            emit = self._emission(words, firsts, kbtags, g, lo, hi, lang)
            for n, (bi, ii) in enumerate(idx):
                if g > a:
                    margins[n] += trans[bi if g == a + 1 else ii][ii] - trans[0][0]
                margins[n] += emit[bi if g == a else ii] - emit[0]
        return [float(m) for m in margins]

    def _emission(
        self,
        words: Sequence[str],
        firsts: Sequence[int],
        kbtags: Sequence[str],
        g: int,
        lo: int,
        hi: int,
        lang: str | None,
    ) -> np.ndarray:
        """Label scores of token ``g``: those the last :meth:`tag_sentences` of these very token lists
        computed (a token of a window, sentence ``lo:hi``), else summed here."""
        seen = self._last
        if seen is not None and seen[0] is words and seen[1] is kbtags and seen[2] == lang:
            k = seen[3].get(g)
            if k is not None:
                return seen[4][k]
        emit = self._bias.copy()
        for key in _group_keys(words, firsts, kbtags, g, lo, hi, self.lang_of(lang)):
            r = self._row(key)  # may grow the matrix: index it after
            emit += self._mat[r]
        return emit

    def lang_of(self, lang: str | None) -> str:
        """The language key of the word features: "" unless the model was trained with them."""
        return feature_lang(lang) if self.meta.get("lang_features") else ""

    def tag(
        self, words: Sequence[str], firsts: Sequence[int], kbtags: Sequence[str], lang: str | None = None
    ) -> list[str]:
        """BIO labels of one sentence."""
        return self.tag_sentences(words, firsts, kbtags, [(0, len(words))], lang=lang)

    def tag_sentences(
        self,
        words: Sequence[str],
        firsts: Sequence[int],
        kbtags: Sequence[str],
        sentences: Sequence[tuple[int, int]],
        caps: Sequence[bool] | None = None,
        lang: str | None = None,
    ) -> list[str]:
        """BIO labels of every token: Viterbi over the candidate windows of each sentence (batched per
        window length), O elsewhere."""
        out = ["O"] * len(words)
        gen = self._generation
        code = self.lang_of(lang)
        wins, rows = self._window_rows(words, firsts, kbtags, sentences, caps, code)
        if self._generation != gen:  # the row cache was emptied midway: rows read before are stale
            wins, rows = self._window_rows(words, firsts, kbtags, sentences, caps, code)
        self._last = None
        if wins:
            hot = _compiled()
            if hot is not None:
                emit = hot.emissions(self._mat, rows, self._bias)
                labels = hot.decode(emit, wins, self._trans)
            else:
                emit = py_emissions(self._mat, rows, self._bias)
                labels = py_decode(emit, wins, self._trans)
            for g, y in labels:
                out[g] = LABELS[y]
            # token -> its row in ``emit`` (windows in order; built in C: no Python loop per token)
            pos = (
                hot.window_positions(wins)  # hot13: the same dict, built in C
                if hot is not None
                else dict(
                    zip(chain.from_iterable(map(range, map(_FIRST, wins), map(_SECOND, wins))), count())
                )
            )
            self._last = (words, kbtags, lang, pos, emit)  # what support() reads again
        return out

    def _window_rows(
        self,
        words: Sequence[str],
        firsts: Sequence[int],
        kbtags: Sequence[str],
        sentences: Sequence[tuple[int, int]],
        caps: Sequence[bool] | None,
        lang: str = "",
    ) -> tuple[list[tuple[int, int, bool, bool]], list[int]]:
        """The candidate windows ``(start, end, token before, token after)`` and, for each of their
        tokens in order, the weight rows of its eight features (flat; one pass, cached per slot)."""
        # per-slot caches keyed by plain strings (their hash is kept on the str object)
        caches = self._slot_caches
        wc = tuple(caches.setdefault(f"w{k}{lang}", {}) for k in range(3))
        slots = (caches["-2"], caches["-1"], caches["1"], caches["2"], caches["g"], caches["k"])
        windows = _windows(words, caps, sentences)
        hot = _compiled()
        if hot is not None:  # hot12: its bigram and knowledge-base caches are nested dicts (no tuple keys)
            nested = (caches.setdefault("g2", {}), caches.setdefault("k2", {}))
            return hot.window_rows(  # type: ignore[no-any-return]
                _as_list(words),
                _as_list(firsts),
                _as_list(kbtags),
                windows,
                wc,
                *slots[:4],
                *nested,
                self._row,
                lang,
            )
        return py_window_rows(words, firsts, kbtags, windows, wc, *slots, self._row, lang)


def _as_list(xs: Sequence[Any]) -> list[Any]:
    """``xs`` itself when it is a list (the text view's are; the compiled path only reads them), else a
    list copy."""
    return xs if type(xs) is list else list(xs)


def py_window_rows(
    words: Sequence[str],
    firsts: Sequence[int],
    kbtags: Sequence[str],
    windows: list[tuple[int, int, int, int]],
    wc: tuple[dict[str, int], ...],
    cm2: dict[Any, int],
    cm1: dict[Any, int],
    cp1: dict[Any, int],
    cp2: dict[Any, int],
    gc: dict[Any, int],
    kc: dict[Any, int],
    row: Callable[[tuple[Any, ...]], int],
    lang: str,
) -> tuple[list[tuple[int, int, bool, bool]], list[int]]:
    """Reference of ``_ner_hot.window_rows``: each window ``(sentence start, sentence end, start, end)``
    as ``(start, end, token before, token after)`` and, for each of its tokens in order, the rows of
    its eight feature groups (flat), read from the per-slot caches (the word's per sentence-start
    state ``wc``; the neighbours at -2, -1, 1, 2; bigrams; knowledge-base tags) or made by ``row``."""
    wins: list[tuple[int, int, bool, bool]] = []
    rows: list[int] = []
    for lo, hi, a, b in windows:
        wins.append((a, b, a > lo, b < hi))
        r6 = -1
        for g in range(a, b):
            w = words[g]
            first = firsts[g]
            p1 = words[g - 1] if g > lo else "<s>"
            p2 = words[g - 2] if g - 2 >= lo else "<s>"
            n1 = words[g + 1] if g + 1 < hi else "</s>"
            n2 = words[g + 2] if g + 2 < hi else "</s>"
            kp = kbtags[g - 1] if g > lo else "<s>"
            kn = kbtags[g + 1] if g + 1 < hi else "</s>"
            kk = (kp, kbtags[g], kn, w[:1].isupper())
            r0 = wc[first].get(w)
            if r0 is None:
                r0 = wc[first][w] = row(("w", w, first, lang))
            r1 = cm2.get(p2)
            if r1 is None:
                r1 = cm2[p2] = row(("c", p2, -2))
            r2 = cm1.get(p1)
            if r2 is None:
                r2 = cm1[p1] = row(("c", p1, -1))
            r3 = cp1.get(n1)
            if r3 is None:
                r3 = cp1[n1] = row(("c", n1, 1))
            r4 = cp2.get(n2)
            if r4 is None:
                r4 = cp2[n2] = row(("c", n2, 2))
            if r6 >= 0:
                r5 = r6  # the bigram (previous, this) was the previous token's (this, next)
            else:
                gk1 = (p1, w)
                g5 = gc.get(gk1)
                r5 = gc[gk1] = row(("g", p1, w)) if g5 is None else g5
            gk2 = (w, n1)
            g6 = gc.get(gk2)
            r6 = gc[gk2] = row(("g", w, n1)) if g6 is None else g6
            r7 = kc.get(kk)
            if r7 is None:
                r7 = kc[kk] = row(("k", *kk))
            rows += (r0, r1, r2, r3, r4, r5, r6, r7)
    return wins, rows


def py_emissions(mat: np.ndarray, rows: list[int], bias: np.ndarray) -> np.ndarray:
    """Reference of ``_ner_hot.emissions``: each token's label scores, the rows of its eight feature
    groups (``rows``, eight per token) summed, plus the bias."""
    idx = np.array(rows, dtype=np.intp).reshape(-1, 8)
    return mat[idx].sum(axis=1) + bias  # type: ignore[no-any-return]


def py_decode(
    emit: np.ndarray, wins: list[tuple[int, int, bool, bool]], trans: np.ndarray
) -> list[tuple[int, int]]:
    """Reference of ``_ner_hot.decode``: Viterbi over every window at once (``emit``: the tokens'
    label scores, window after window), ``(token, label)`` of every token labelled other than O.
    Windows are sorted longest first, so at step ``t`` the windows still running are a prefix of
    the batch: one set of array operations per position of the longest window."""
    nw = len(wins)
    lens = np.fromiter((b - a for a, b, _, _ in wins), dtype=np.int64, count=nw)
    offs = np.zeros(nw, dtype=np.int64)
    np.cumsum(lens[:-1], out=offs[1:])
    order = np.argsort(-lens, kind="stable")
    lens, offs = lens[order], offs[order]
    longest = int(lens[0])
    active = (lens[None, :] > np.arange(longest)[:, None]).sum(axis=1)  # windows longer than t
    flags = np.array([(w[2], w[3]) for w in wins], dtype=float)[order]
    score = emit[offs] + flags[:, :1] * trans[0][None, :]
    back: list[np.ndarray] = []
    ends: list[np.ndarray] = []  # the final scores of the windows ending at step t
    for t in range(1, longest):
        k = int(active[t])
        if k < len(score):
            ends.append(score[k:])
            score = score[:k]
        s = score[:, :, None] + trans[None]
        back.append(s.argmax(axis=1))
        score = s.max(axis=1) + emit[offs[:k] + t]
    ends.append(score)
    final = np.concatenate(ends[::-1]) + flags[:, 1:] * trans[:, 0][None, :]
    best = final.argmax(axis=1)
    paths = np.zeros((nw, longest), dtype=np.int64)
    for t in range(longest - 1, 0, -1):
        k = int(active[t])
        paths[:k, t] = best[:k]
        best[:k] = back[t - 1][np.arange(k), best[:k]]
    paths[:, 0] = best
    w_idx, k_idx = np.nonzero(paths)  # padding past a window's end stays 0 (O)
    labs = paths[w_idx, k_idx].tolist()
    starts = [wins[i][0] for i in order[w_idx].tolist()]
    return [(a + k2, y) for a, k2, y in zip(starts, k_idx.tolist(), labs, strict=True)]


def model_from_crfsuite(path: Path, meta: dict[str, Any] | None = None) -> CrfModel:
    """Read a trained crfsuite model file into a CrfModel (weights per attribute and label)."""
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    info = tagger.info()
    idx = {lab: i for i, lab in enumerate(LABELS)}
    weights: dict[str, list[float]] = {}
    for (attr, lab), w in info.state_features.items():
        weights.setdefault(attr, [0.0] * len(LABELS))[idx[lab]] = round(w, 5)
    trans = [[0.0] * len(LABELS) for _ in LABELS]
    for (a, b), w in info.transitions.items():
        trans[idx[a]][idx[b]] = round(w, 5)
    tagger.close()
    return CrfModel(weights, trans, meta or {})


#: A model set by :func:`use_model` (cross-validation runs the pipeline with a fold's model).
_ACTIVE: list[CrfModel] = []


def use_model(model: CrfModel | None) -> None:
    """Make the pipeline decode with ``model`` (``None``: the shipped model again)."""
    _ACTIVE[:] = [model] if model is not None else []


def load_model() -> CrfModel:
    """The tagger the pipeline runs: the shipped one unless :func:`use_model` set another."""
    return _ACTIVE[0] if _ACTIVE else _shipped_model()


@lru_cache(maxsize=1)
def _shipped_model() -> CrfModel:
    """The shipped CRF tagger (``ner_model.json``, written by ``scripts/train_ner.py``)."""
    try:
        data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StageError(
            "W601", f"NER model not readable at {MODEL_PATH}: {exc}", hint="run scripts/train_ner.py"
        ) from exc
    return CrfModel.from_json(data)
