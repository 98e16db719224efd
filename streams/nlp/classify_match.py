"""Fast phrase and pattern matching over article text (Aho-Corasick), shared by topics and events."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import ahocorasick

from streams.core import hot

__all__ = [
    "Match",
    "PatternMatcher",
    "PhraseMatcher",
    "Sentence",
    "compile_pattern",
    "lower_same_length",
    "padded_words",
    "py_padded",
    "sentences",
]

_WORD = re.compile(r"\w", re.UNICODE)
_NONWORD = re.compile(r"[\W_]")


def lower_same_length(text: str) -> str:
    """Lower-case ``text`` without changing its length, so offsets stay valid."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


class Match(NamedTuple):
    """One occurrence of a phrase (``key``) at ``[start, end)`` of the text."""

    start: int
    end: int
    key: Any


class _Boundaries(dict[int, int | None]):
    """``str.translate`` table: word characters map to themselves, everything else to a space."""

    def __missing__(self, code: int) -> int:
        ch = chr(code)
        value = code if (ch.isalnum() or (ch != "_" and _WORD.match(ch))) else 32
        self[code] = value
        return value


_TABLE = _Boundaries()


@lru_cache(maxsize=8)
def _padded(low: str) -> str:
    """Words of ``low`` separated by spaces (same offsets), padded by one space at each end (the
    compiled path when it is built)."""
    h = hot.HOT
    if h is not None:
        padded: str = h.padded_words(low)
        return padded
    return py_padded(low)


def padded_words(low: str) -> str:
    """What a :class:`PhraseMatcher`'s automaton reads for ``low``: its words separated by spaces, padded."""
    return _padded(low)


def py_padded(low: str) -> str:
    """The pure-Python reference of :func:`_padded`."""
    return " " + _NONWORD.sub(" ", low) + " "


class PhraseMatcher:
    """Finds whole-word occurrences of many literal phrases in one pass.

    A phrase ending in ``*`` matches as a word prefix (``serang*`` matches ``serangan``).
    Phrases are matched case-insensitively; any run of non-word characters inside a phrase matches
    one non-word character (``de-eskalasi`` matches "de-eskalasi" and "de eskalasi").

    Implementation: text and phrases are mapped to lower-case words separated by spaces (same length
    as the text, non-word characters become spaces) and padded with a space, so the automaton only
    reports matches that start and end on word boundaries.
    """

    def __init__(self, phrases: Iterable[tuple[str, Any]]):
        self._automaton = ahocorasick.Automaton()
        table: dict[str, list[Any]] = {}
        for phrase, key in phrases:
            prefix = phrase.endswith("*")
            norm = " ".join(phrase.rstrip("*").lower().translate(_TABLE).split())
            if not norm:
                continue
            table.setdefault(" " + norm + ("" if prefix else " "), []).append(key)
        for padded, keys in table.items():
            self._automaton.add_word(padded, (len(padded), not padded.endswith(" "), tuple(keys)))
        self._empty = not table
        if not self._empty:
            self._automaton.make_automaton()

    @property
    def empty(self) -> bool:
        """Whether the matcher has no phrase (it finds nothing)."""
        return self._empty

    @property
    def automaton(self) -> Any:
        """The Aho-Corasick automaton over :func:`padded_words`; each payload is ``(length of the padded
        phrase, prefix?, keys)``."""
        return self._automaton

    def find(self, low: str) -> list[Match]:
        """Matches in ``low`` (the output of :func:`lower_same_length`), in order of their end (the
        compiled path when it is built, else :meth:`py_find`)."""
        if self._empty or not low:
            return []
        h = hot.HOT
        if h is not None:
            found: list[Match] = h.phrase_find(self._automaton, _padded(low), len(low), Match)
            return found
        return self.py_find(low)

    def py_find(self, low: str) -> list[Match]:
        """The pure-Python reference of :meth:`find`."""
        if self._empty or not low:
            return []
        padded = py_padded(low)
        n = len(low)
        new = tuple.__new__
        out: list[Match] = []
        for end_idx, (length, prefix, keys) in self._automaton.iter(padded):
            start = end_idx - length + 1  # index in `low` of the word start (padding shifts by one)
            if prefix:
                stop = end_idx
                while stop < n and padded[stop + 1] != " ":
                    stop += 1
            else:
                stop = end_idx - 1
            for key in keys:
                out.append(new(Match, (start, stop, key)))
        return out


# --- patterns with slots -------------------------------------------------------------------------
# A pattern is a phrase whose tokens are literal words (``*`` suffix = prefix) or slots:
#   {n}    a number ("157", "55.000", "5 juta") or a number word ("ratusan", "dozens")
#   {w}    any one word;  {w?} an optional word;  {0-3} between 0 and 3 words
#   {Cap}  a capitalised word (a name)
_NUMBER = (
    r"(?:\d[\d.,]*(?:\s+(?:ribu|juta|miliar|thousand|million|billion))?"
    r"|puluhan|ratusan|ribuan|belasan|lusinan|dozens|hundreds|thousands|scores|several|beberapa|sejumlah)"
)
_ANYWORD = r"[^\s]+"


def compile_pattern(pattern: str) -> tuple[re.Pattern[str], str]:
    """Compile a slot pattern into a regex (applied with ``match`` at a position) and its anchor.

    The anchor is the run of leading literal tokens (lower-cased, a ``*`` token ends it); the pattern
    must start with a literal token.
    """
    tokens = pattern.split()
    if not tokens or tokens[0].startswith("{"):
        raise ValueError(f"pattern must start with a literal word: {pattern!r}")
    parts: list[str] = []
    for i, tok in enumerate(tokens):
        sep = r"\s+" if i else ""
        if tok == "{n}":
            parts.append(sep + _NUMBER)
        elif tok == "{w}":
            parts.append(sep + _ANYWORD)
        elif tok == "{w?}":
            parts.append(r"(?:\s+" + _ANYWORD + ")?" if i else "(?:" + _ANYWORD + r"\s+)?")
        elif tok == "{Cap}":
            parts.append(sep + r"(?-i:[A-Z][\w'’-]*)")
        elif m := re.fullmatch(r"\{(\d)-(\d)\}", tok):
            lo, hi = int(m.group(1)), int(m.group(2))
            parts.append(r"(?:\s+" + _ANYWORD + "){" + f"{lo},{hi}" + "}")
        else:
            prefix = tok.endswith("*")
            word = re.escape(tok.rstrip("*"))
            parts.append(sep + word + (r"\w*" if prefix else r"(?!\w)"))
    lead: list[str] = []
    for tok in tokens:
        if tok.startswith("{"):
            break
        lead.append(tok.lower())
        if tok.endswith("*"):
            break
    return re.compile("".join(parts), re.IGNORECASE), " ".join(lead)


class PatternMatcher:
    """Anchored slot patterns: Aho-Corasick finds anchors, each pattern's regex confirms there."""

    def __init__(self, patterns: Iterable[tuple[str, Any]]):
        compiled: list[tuple[str, re.Pattern[str] | None, Any]] = []
        for pat, key in patterns:
            rx, anchor = compile_pattern(pat)
            literal = len(anchor.split()) == len(pat.split()) and not pat.endswith("*")
            compiled.append((anchor, None if literal else rx, key))
        self._rx = [(rx, key) for _, rx, key in compiled]
        self._anchors = PhraseMatcher((anchor, i) for i, (anchor, _, _) in enumerate(compiled))

    def find(self, text: str, low: str) -> list[Match]:
        out: list[Match] = []
        new = tuple.__new__
        for anchor in self._anchors.find(low):
            rx, key = self._rx[anchor.key]
            if rx is None:  # a literal phrase: the anchor is the match
                out.append(new(Match, (anchor.start, anchor.end, key)))
                continue
            m = rx.match(text, anchor.start)
            if m:
                out.append(new(Match, (m.start(), m.end(), key)))
        return out


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int


_SENT_END = re.compile(r"[.!?…][\"”’)]*[^\S\n]+(?=[\"“‘(]?[A-Z0-9])")
_CLOSERS = '"”’)'


@lru_cache(maxsize=64)
def _sentences_cached(text: str) -> tuple[Sentence, ...]:
    cuts: list[tuple[int, int]] = []  # (end of the sentence, start of the next)
    for m in _SENT_END.finditer(text):
        end = m.start() + 1
        while end < m.end() and text[end] in _CLOSERS:
            end += 1
        cuts.append((end, m.end()))
    nl = text.find("\n")
    while nl >= 0:
        stop = nl
        while stop < len(text) and text[stop] == "\n":
            stop += 1
        cuts.append((nl, stop))
        nl = text.find("\n", stop)
    cuts.sort()
    out: list[Sentence] = []
    pos = 0
    for end, nxt in cuts:
        if end > pos:
            out.append(Sentence(pos, end))
        pos = max(pos, nxt)
    if pos < len(text):
        out.append(Sentence(pos, len(text)))
    return tuple(out)


def sentences(text: str) -> tuple[Sentence, ...]:
    """Sentence spans (line breaks and ``. ! ?`` before a capital or digit end a sentence)."""
    return _sentences_cached(text)
