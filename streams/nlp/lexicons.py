"""One Aho-Corasick automaton over every lexicon data file, matched on the analysis tokens."""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from operator import add, attrgetter
from pathlib import Path
from typing import Any

import ahocorasick
import yaml

from streams.core import hot
from streams.core.analysis import Analysis, Hit, HitTag
from streams.core.records import LANGUAGES

__all__ = [
    "LEXICON_FILES",
    "LexiconAutomaton",
    "LexiconEntry",
    "TrieNode",
    "form_key",
    "lexicon_automaton",
    "lexicon_entries",
    "match_lexicons",
    "match_lexicons_by_tag",
    "py_match_lexicons",
    "token_trie",
]

_DATA = Path(__file__).resolve().parent.parent / "data"

#: The lexicon files the automaton is built from, by hit tag (the KB is several files under kb/).
LEXICON_FILES: dict[HitTag, Path] = {
    "kb": _DATA / "kb",
    "cue": _DATA / "figures" / "cues.yaml",
    "trigger": _DATA / "events" / "patterns.yaml",
    "topic": _DATA / "taxonomy" / "lexicon.yaml",
    "speech": _DATA / "kb" / "speech.yaml",
    "captive": _DATA / "figures" / "captives.yaml",
}

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SLOT = "{"


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    """One surface form of one lexicon: ``form`` as written in the file, ``key`` where it is from."""

    tag: HitTag
    key: str
    form: str
    prefix: bool = False
    #: What is matched when it is not ``form`` itself (a trigger pattern's literal start).
    anchor: str | None = None


def _yaml(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)


def _strings(items: Any) -> Iterator[str]:
    for x in items or []:
        if isinstance(x, str | int | float) and not isinstance(x, bool):
            s = str(x).strip()
            if s:
                yield s


def _kb_entries() -> Iterator[LexiconEntry]:
    from streams.nlp.kb import load_kb

    order = {"PERSON": 0, "ORG": 1, "GPE": 2, "LOC": 3, "NORP": 4, "EVENT": 5}
    # people before places for one alias ("Austin"), as the KB's own matcher does
    for e in sorted(load_kb().entries, key=lambda e: order.get(e.type, 9)):
        for alias in e.aliases:
            yield LexiconEntry("kb", e.key, alias)


#: Settings of ``figures/cues.yaml`` that are no surface forms (numbers, qualifier names).
_CUE_SETTINGS = frozenset({"version", "window", "restatement_tolerance", "other_window", "approximate"})


def _cue_entries() -> Iterator[LexiconEntry]:
    d = _yaml(LEXICON_FILES["cue"])
    for lang, table in (d.get("units") or {}).items():
        for w in _strings(table):
            yield LexiconEntry("cue", f"units.{lang}", w)
    for section in ("scales", "vague"):
        for w in _strings(d.get(section)):
            yield LexiconEntry("cue", section, w)
    for side, table in (d.get("currencies") or {}).items():
        for w, code in (table or {}).items():
            yield LexiconEntry("cue", f"currencies.{side}.{code}", str(w))
    # every other section: its word lists, keyed by their path ("qualifiers.at_least", "people",
    # "casualties.killed.toll", "weapons.drones", "other_kinds.aid_amount.cues")
    for section, value in d.items():
        if section in ("units", "scales", "vague", "currencies") or section in _CUE_SETTINGS:
            continue
        yield from _cue_lists(section, value)


def _cue_lists(path: str, value: Any) -> Iterator[LexiconEntry]:
    if isinstance(value, list):
        for w in _strings(value):
            yield LexiconEntry("cue", path, w)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _cue_lists(f"{path}.{k}", v)


def _anchor(pattern: str) -> tuple[str, bool] | None:
    """The literal words a trigger pattern starts with, up to its first slot (and a prefix flag)."""
    words: list[str] = []
    for w in pattern.split():
        if w.startswith(_SLOT):
            break
        if w.endswith("*"):
            words.append(w[:-1])
            return " ".join(words), True
        words.append(w)
    return (" ".join(words), False) if words else None


def _trigger_entries() -> Iterator[LexiconEntry]:
    d = _yaml(LEXICON_FILES["trigger"])
    for kind, langs in (d.get("cues") or {}).items():
        for lang, words in (langs or {}).items():
            for w in _strings(words):
                yield LexiconEntry("trigger", f"cues.{kind}.{lang}", w)
    for i, entry in enumerate(d.get("patterns") or []):
        for lang in LANGUAGES:
            for pat in _strings(entry.get(lang)):
                a = _anchor(pat)
                if a is not None:
                    yield LexiconEntry("trigger", f"patterns.{i}", pat, a[1], a[0])


def _topic_entries() -> Iterator[LexiconEntry]:
    d = _yaml(LEXICON_FILES["topic"])
    for tid, langs in (d.get("topics") or {}).items():
        for lang, tiers in (langs or {}).items():
            for tier, words in (tiers or {}).items():
                for w in _strings(words):
                    yield LexiconEntry("topic", f"{tid}.{lang}.{tier}", w)
    # page notices ("update your browser"): a line holding one gives no topic evidence
    for lang, words in (d.get("neutral") or {}).items():
        for w in _strings(words):
            yield LexiconEntry("topic", f"neutral.{lang}.notice", w)


def _speech_entries() -> Iterator[LexiconEntry]:
    d = _yaml(LEXICON_FILES["speech"])
    # pronouns, terminators and demonstratives are function words the quote parser reads as sets
    for section in ("verbs_inverted", "verbs", "according"):
        for w in _strings(d.get(section)):
            yield LexiconEntry("speech", section, w)


def _captive_entries() -> Iterator[LexiconEntry]:
    d = _yaml(LEXICON_FILES["captive"])
    # hostage / prisoner words, keyed by their class ("classes.hostage"): the figure model's ``cap.*``
    # features read the longest hit at each token (figure_model._captive_index)
    for cls, words in (d.get("classes") or {}).items():
        for w in _strings(words):
            yield LexiconEntry("captive", f"classes.{cls}", w)


def lexicon_entries() -> list[LexiconEntry]:
    """Every surface form of every lexicon, in file order."""
    return [
        *_kb_entries(),
        *_cue_entries(),
        *_trigger_entries(),
        *_topic_entries(),
        *_speech_entries(),
        *_captive_entries(),
    ]


def form_key(form: str, prefix: bool = False) -> str:
    """The automaton key of a lexicon form: its analysis tokens (lowered), space-joined and padded.

    A ``prefix`` form (``word*``) has no trailing space, so it may end inside a token."""
    from streams.nlp.analysis import token_lowers

    if form.endswith("*"):
        form, prefix = form[:-1], True
    toks = token_lowers(form)
    if toks[:2] == ["n", "'t"] or toks[:2] == ["n", "’t"]:  # a form "n't" alone: as after a word
        toks = ["n" + toks[1], *toks[2:]]
    if not toks:
        return ""
    return " " + " ".join(toks) + ("" if prefix else " ")


# One automaton value: (key length, prefix, tokens in the key, ((tag, keys, forms without spaces,
# forms), ...)).
_Group = tuple[HitTag, tuple[str, ...], tuple[str, ...], tuple[str, ...]]


#: A node of the token trie: (automaton value of the full key ending here or None, children by next
#: token or None, prefix keys ending here as (last part, value) shortest first, their first characters).
TrieNode = tuple[Any, "dict[str, TrieNode] | None", tuple[tuple[str, Any], ...], frozenset[str]]


@dataclass(frozen=True, slots=True)
class LexiconAutomaton:
    """The built automaton, how many forms it holds, and the same keys as a token trie (what the
    compiled path walks: one look-up per token instead of one automaton step per character)."""

    automaton: Any
    size: int
    trie: TrieNode | None = None


def token_trie(values: dict[str, Any]) -> TrieNode:
    """The trie of the automaton's keys (``" tok tok "``, or ``" tok pre"`` for a prefix key) by token,
    holding the same values: the root is the node before a key's first token."""
    root: list[Any] = [None, {}, None]
    for key, value in values.items():
        parts = key[1:].split(" ")
        last = parts.pop()  # "" after a full key's trailing space; a prefix key's last part
        node = root
        for tok in parts:
            child = node[1].get(tok)
            if child is None:
                child = node[1][tok] = [None, {}, None]
            node = child
        if not value[1]:
            node[0] = value
        elif last:
            if node[2] is None:
                node[2] = []
            node[2].append((last, value))
    return _frozen(root)


_NO_FIRSTS: frozenset[str] = frozenset()


def _frozen(node: list[Any]) -> TrieNode:
    children = {tok: _frozen(child) for tok, child in node[1].items()} if node[1] else None
    prefixes = node[2]
    if prefixes is None:
        return (node[0], children, (), _NO_FIRSTS)
    prefixes.sort(key=lambda pv: len(pv[0]))
    return (node[0], children, tuple(prefixes), frozenset(part[0] for part, _ in prefixes))


_LOCK = threading.Lock()
_BUILT: LexiconAutomaton | None = None


def _build() -> LexiconAutomaton:
    # automaton key -> tag -> payload key -> [(form, what the text must equal for exact case)]
    table: dict[str, dict[HitTag, dict[str, list[tuple[str, str]]]]] = {}
    prefixes: set[str] = set()
    for e in lexicon_entries():
        surface = e.anchor if e.anchor is not None else e.form
        prefix = e.prefix or surface.endswith("*")
        surface = surface.removesuffix("*")
        key = form_key(surface, prefix)
        if not key.strip():
            continue
        if prefix:
            prefixes.add(key)
        pairs = table.setdefault(key, {}).setdefault(e.tag, {}).setdefault(e.key, [])
        form = e.form.removesuffix("*")
        if (form, surface) not in pairs:
            pairs.append((form, surface))
    auto = ahocorasick.Automaton()
    values: dict[str, Any] = {}
    for key, by_tag in table.items():
        groups: list[_Group] = []
        for tag, by_key in by_tag.items():
            keys: list[str] = []
            forms: list[str] = []
            bare: list[str] = []
            for k, fs in by_key.items():
                for form, surface in fs:
                    keys.append(k)
                    forms.append(form)
                    bare.append(surface.replace(" ", ""))
            groups.append((tag, tuple(keys), tuple(bare), tuple(forms)))
        value = values[key] = (len(key), key in prefixes, key.count(" ") - 1, tuple(groups))
        auto.add_word(key, value)
    auto.make_automaton()
    return LexiconAutomaton(auto, len(table), token_trie(values))


def lexicon_automaton() -> LexiconAutomaton:
    """The automaton over all lexicon files, built once per process (thread-safe)."""
    global _BUILT
    built = _BUILT
    if built is None:
        with _LOCK:
            if _BUILT is None:
                _BUILT = _build()
            built = _BUILT
    return built


def match_lexicons_by_tag(an: Analysis) -> tuple[list[Hit], dict[str, list[Hit]] | None]:
    """:func:`match_lexicons`, and the same hits grouped by tag in their order when the compiled token
    match ran (it groups them as it builds them; else None: ``Analysis.hits_by_tag`` groups them)."""
    h = hot.HOT
    if h is not None and an.lowers:
        built = lexicon_automaton()
        if built.trie is not None:
            by_tag: dict[str, list[Hit]] = {}
            args = (an.lowers, an.words, an.starts, an.ends, an.sent_ids, an.text, Hit)
            got = h.lexicon_token_hits(built.trie, *args, by_tag)
            if got is not None:
                return got, by_tag
    return match_lexicons(an), None


def match_lexicons(an: Analysis) -> list[Hit]:
    """Every lexicon hit in the analysed text, aligned to tokens, within one sentence, sorted by
    start then end (the compiled path when it is built, else :func:`py_match_lexicons`)."""
    h = hot.HOT
    if h is not None:
        if not an.lowers:
            return []
        built = lexicon_automaton()
        if built.trie is not None:
            got = h.lexicon_token_hits(
                built.trie, an.lowers, an.words, an.starts, an.ends, an.sent_ids, an.text, Hit
            )
            if got is not None:
                return got
        return h.lexicon_hits(
            built.automaton, an.lowers, an.words, an.starts, an.ends, an.sent_ids, an.text, Hit
        )
    return py_match_lexicons(an)


def py_match_lexicons(an: Analysis) -> list[Hit]:
    """The pure-Python reference of :func:`match_lexicons`."""
    lowers = an.lowers
    n = len(lowers)
    if not n:
        return []
    auto = lexicon_automaton().automaton
    norm = " " + " ".join(lowers) + " "
    # where each token starts in ``norm`` (and, at n, where the text ends): the position right
    # after a hit's trailing space is where its next token starts
    nstarts = list(map(add, accumulate(map(len, lowers), initial=1), range(n + 1)))
    tok_of = dict(zip(nstarts, range(n + 1), strict=True))
    words, starts, ends, sent_ids = an.words, an.starts, an.ends, an.sent_ids
    out: list[Hit] = []
    append = out.append
    for end_idx, (klen, prefix, ntok, groups) in auto.iter(norm):
        ts = tok_of.get(end_idx - klen + 2)
        if ts is None:  # cannot happen while no token form holds a space; never crash on it
            continue
        if prefix:
            te = bisect_right(nstarts, end_idx)
            end = min(ends[te - 1], starts[te - 1] + end_idx + 1 - nstarts[te - 1])
            surface = an.text[starts[ts] : end].replace(" ", "")
        elif ntok == 1:  # most hits: one token, within its sentence by construction
            surface = words[ts]
            start, end, te = starts[ts], ends[ts], ts + 1
            for tag, keys, bare, forms in groups:
                append(Hit(start, end, ts, te, tag, keys, forms, surface in bare))
            continue
        else:
            # a key's tokens are single-space separated and no token form is empty or holds a
            # space, so a match aligned at token ``ts`` covers exactly ``ntok`` tokens
            te = ts + ntok
            end = ends[te - 1]
            surface = "".join(words[ts:te])
        if sent_ids[ts] != sent_ids[te - 1]:
            continue
        start = starts[ts]
        for tag, keys, bare, forms in groups:
            append(Hit(start, end, ts, te, tag, keys, forms, surface in bare, prefix))
    out.sort(key=attrgetter("start"))  # stable: hits come ordered by end
    return out
