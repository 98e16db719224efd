"""A CRF sequence tagger for PERSON / ORGANIZATION / LOCATION with knowledge-base and cue features."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from streams.core.errors import StageError
from streams.nlp.kb import load_given_names, load_kb, load_rules

__all__ = [
    "MODEL_PATH",
    "load_model",
    "read_conll",
    "rule_tags",
    "sentence_features",
    "spans_to_bio",
    "tag_tokens",
    "train_crf",
]

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "kb" / "ner_crf.crfsuite"
META_PATH = MODEL_PATH.with_suffix(".json")
#: CoNLL types the tagger learns; everything else (QUANTITY, TIME) is O.
TYPES = ("PERSON", "ORGANIZATION", "LOCATION")
_KB_TO_CONLL = {"PERSON": "PERSON", "ORG": "ORGANIZATION", "GPE": "LOCATION", "LOC": "LOCATION"}

Sentence = list[tuple[str, str]]


def read_conll(path: Path) -> list[Sentence]:
    """Sentences of ``(token, tag)`` from a two-column CoNLL file (blank line between sentences)."""
    sents: list[Sentence] = []
    cur: Sentence = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split()
        if not parts:
            if cur:
                sents.append(cur)
                cur = []
            continue
        tok, tag = parts[0], parts[-1] if len(parts) > 1 else "O"
        cur.append((tok, tag))
    if cur:
        sents.append(cur)
    return sents


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@lru_cache(maxsize=1)
def _lexicons() -> dict[str, frozenset[str]]:
    r: dict[str, Any] = load_rules()
    first = lambda xs: frozenset(x.split()[-1] for x in xs)  # noqa: E731
    return {
        "title": first(r["person_titles"]),
        "org": frozenset(x.split()[0] for x in r["org_heads"]),
        "place": frozenset(x.split()[0] for v in r["place_heads"].values() for x in v),
        "prep": frozenset(r["place_preps"]),
        "stop": frozenset(r["stopwords"]),
        "role": frozenset(r["role_words"]),
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


_AFFIXES = ("nya", "kan", "an", "i", "lah")
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
    for suf in _AFFIXES:
        if low.endswith(suf) and low[: -len(suf)] in words:
            return True
    for pre in _PREFIXES:
        if low.startswith(pre) and len(low) - len(pre) > 2:
            rest = low[len(pre) :]
            if rest in words or any(rest.endswith(s) and rest[: -len(s)] in words for s in _AFFIXES):
                return True
    return False


@lru_cache(maxsize=1)
def _alias_words() -> dict[str, str]:
    """Word -> the entity types whose knowledge-base aliases contain it ("Partai" -> ORG)."""
    types: dict[str, set[str]] = {}
    for e in load_kb().entries:
        typ = _KB_TO_CONLL.get(e.type)
        if typ is None:
            continue
        for a in e.aliases:
            for w in a.split():
                if len(w) > 1:
                    types.setdefault(w, set()).add(typ)
    return {w: "+".join(sorted(t)) for w, t in types.items()}


def _shape(w: str) -> str:
    out: list[str] = []
    for ch in w[:6]:
        c = "X" if ch.isupper() else "x" if ch.islower() else "d" if ch.isdigit() else ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


def spans_to_bio(tokens: list[str], spans: Iterable[tuple[int, int, str]]) -> list[str]:
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


def _kb_tags(tokens: list[str]) -> list[str]:
    """BIO tags of knowledge-base matches over the tokens joined by single spaces."""
    matches = load_kb().match(" ".join(tokens))
    return spans_to_bio(tokens, ((m.start, m.end, _KB_TO_CONLL[m.entry.type]) for m in matches
                                 if m.entry.type in _KB_TO_CONLL))  # fmt: skip


def rule_tags(tokens: list[str], *, with_source: bool = False) -> list[str]:
    """BIO tags of the pipeline's rule recogniser (knowledge base, titles, organisation and place
    cues); with ``with_source`` each label carries the rule that found it (a CRF feature)."""
    from streams.nlp.entities import find_mentions

    mentions = find_mentions(" ".join(tokens))
    return spans_to_bio(
        tokens,
        (
            (m.start, m.end, _KB_TO_CONLL[m.type] + (":" + m.source if with_source else ""))
            for m in mentions
            if m.type in _KB_TO_CONLL
        ),
    )


def sentence_features(tokens: list[str]) -> list[dict[str, Any]]:
    """Feature dicts for every token of a sentence."""
    lex = _lexicons()
    given = load_given_names()
    words = _dictionary()
    aw = _alias_words()
    kb = _kb_tags(tokens)
    rt = rule_tags(tokens, with_source=True)
    feats: list[dict[str, Any]] = []
    n = len(tokens)
    for i, w in enumerate(tokens):
        low = w.lower()
        f: dict[str, Any] = {
            "b": 1.0,
            "w": low,
            "suf2": low[-2:],
            "suf3": low[-3:],
            "suf4": low[-4:],
            "pre2": low[:2],
            "pre3": low[:3],
            "pre4": low[:4],
            "bi-": (tokens[i - 1].lower() if i else "<s>") + "|" + low,
            "bi+": low + "|" + (tokens[i + 1].lower() if i + 1 < n else "</s>"),
            "shape": _shape(w),
            "title": w[:1].isupper(),
            "upper": w.isupper() and len(w) > 1,
            "digit": any(c.isdigit() for c in w),
            "first": i == 0,
            "kb": kb[i],
            "kbt": kb[i][2:] if kb[i] != "O" else "O",
            "rule": rt[i],
            "rule-1": rt[i - 1] if i else "<s>",
            "rule+1": rt[i + 1] if i + 1 < n else "</s>",
            "kb&cap": kb[i] + "|" + _shape(w),
            "kbt3": (kb[i - 1][2:] or "O" if i else "<s>")
            + "|"
            + (kb[i][2:] or "O")
            + "|"
            + (kb[i + 1][2:] or "O" if i + 1 < n else "</s>"),
            "rule3": "|".join(
                (rt[k][2:].split(":")[0] or "O") if 0 <= k < n else "<>" for k in (i - 1, i, i + 1)
            ),
            "given|shape+1": f"{w in given}|" + (_shape(tokens[i + 1]) if i + 1 < n else "</s>"),
            "dict|shape": f"{_in_dictionary(low, words)}|{_shape(w)}",
            "shape3": (_shape(tokens[i - 1]) if i else "<s>")
            + "|"
            + _shape(w)
            + "|"
            + (_shape(tokens[i + 1]) if i + 1 < n else "</s>"),
            "rulet": rt[i][2:].split(":")[0] if rt[i] != "O" else "O",
            "given": w in given,
            "aw": aw.get(w, "-"),
            "cap&dict": f"{w[:1].isupper()}|{_in_dictionary(low, words)}|{i == 0}",
            "dict": _in_dictionary(low, words),
            "capmid": w[:1].isupper() and i > 0 and tokens[i - 1] not in ('"', "“", "(", ":"),
            "stop": w in lex["stop"],
            "role": w in lex["role"],
            "titlecue": w in lex["title"],
            "orghead": w in lex["org"],
            "placehead": w in lex["place"],
        }
        for d in (-2, -1, 1, 2):
            j = i + d
            if 0 <= j < n:
                o = tokens[j]
                f[f"{d}:w"] = o.lower()
                f[f"{d}:shape"] = _shape(o)
                f[f"{d}:kbt"] = kb[j][2:] if kb[j] != "O" else "O"
                f[f"{d}:rulet"] = rt[j][2:].split(":")[0] if rt[j] != "O" else "O"
                f[f"{d}:dict"] = _in_dictionary(o.lower(), words)
                f[f"{d}:aw"] = aw.get(o, "-")
                if d in (-1, -2):
                    f[f"{d}:titlecue"] = o in lex["title"]
                    f[f"{d}:orghead"] = o in lex["org"]
                    f[f"{d}:prep"] = o in lex["prep"]
            else:
                f[f"{d}:w"] = "<s>" if j < 0 else "</s>"
        feats.append(f)
    return feats


def normalize_tag(tag: str) -> str:
    """Keep PERSON/ORGANIZATION/LOCATION BIO tags, everything else becomes O."""
    if tag == "O" or "-" not in tag:
        return "O"
    p, t = tag.split("-", 1)
    return f"{p}-{t}" if t in TYPES else "O"


@lru_cache(maxsize=1)
def _aliases_by_type() -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {t: [] for t in TYPES}
    for e in load_kb().entries:
        typ = _KB_TO_CONLL.get(e.type)
        if typ is not None:
            out[typ].extend(a.split() for a in e.aliases if len(a) > 2)
    return out


def augment(sents: list[Sentence], copies: int, seed: int = 0) -> list[Sentence]:
    """Mention replacement: copies of sentences with each entity swapped for a knowledge-base alias
    of the same type (more names in the same contexts). Deterministic for a given seed."""
    import random

    rng = random.Random(seed)
    pool = _aliases_by_type()
    out: list[Sentence] = []
    for s in sents:
        tags = [normalize_tag(g) for _, g in s]
        if all(t == "O" for t in tags):
            continue
        for _ in range(copies):
            new: Sentence = []
            i = 0
            while i < len(s):
                t = tags[i]
                if t.startswith("B-") and pool.get(t[2:]):
                    j = i + 1
                    while j < len(s) and tags[j] == "I-" + t[2:]:
                        j += 1
                    words = rng.choice(pool[t[2:]])
                    new.extend((w, ("B-" if k == 0 else "I-") + t[2:]) for k, w in enumerate(words))
                    i = j
                else:
                    new.append((s[i][0], tags[i]))
                    i += 1
            out.append(new)
    return out


def train_crf(
    sents: list[Sentence],
    *,
    c1: float = 0.02,
    c2: float = 0.02,
    iterations: int = 200,
    features: list[list[dict[str, Any]]] | None = None,
    copies: int = 0,
) -> Any:
    """Train a CRF on CoNLL sentences (deterministic for the same input); ``features`` may be precomputed."""
    import sklearn_crfsuite

    x = features if features is not None else [sentence_features([t for t, _ in s]) for s in sents]
    y = [[normalize_tag(g) for _, g in s] for s in sents]
    if copies:
        extra = augment(sents, copies)
        x = x + [sentence_features([t for t, _ in s]) for s in extra]
        y = y + [[g for _, g in s] for s in extra]
    crf = sklearn_crfsuite.CRF(
        algorithm="lbfgs", c1=c1, c2=c2, max_iterations=iterations, all_possible_transitions=True
    )
    crf.fit(x, y)
    return crf


def save_model(crf: Any, source: Path) -> None:
    """Write the CRF as a crfsuite file and its metadata (the training file's digest)."""
    import shutil

    shutil.copyfile(crf.modelfile.name, MODEL_PATH)
    META_PATH.write_text(
        json.dumps({"version": 1, "trained_on": source.name, "sha256": file_digest(source)}, indent=2) + "\n"
    )


@lru_cache(maxsize=1)
def load_model() -> Any:
    """The shipped CRF tagger (pycrfsuite.Tagger)."""
    import pycrfsuite

    if not MODEL_PATH.exists():
        raise StageError("W601", f"NER model not found at {MODEL_PATH}", hint="run scripts/train_ner_crf.py")
    tagger = pycrfsuite.Tagger()
    tagger.open(str(MODEL_PATH))
    return tagger


def model_meta() -> dict[str, Any]:
    try:
        meta: dict[str, Any] = json.loads(META_PATH.read_text())
        return meta
    except (OSError, ValueError):
        return {}


def tag_tokens(tokens: list[str], model: Any = None) -> list[str]:
    """BIO tags for ``tokens`` from ``model`` (a trained CRF or Tagger; default: the shipped one)."""
    if not tokens:
        return []
    model = model or load_model()
    feats = sentence_features(tokens)
    if hasattr(model, "predict_single"):
        return list(model.predict_single(feats))
    return list(model.tag(feats))
