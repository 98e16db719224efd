"""The shared analysis of an article's body: tokens, sentences, blocks, numbers and lexicon hits.

The ``analysis`` stage (``streams.nlp.analysis``) builds one :class:`Analysis` per article, after
``body`` and ``language`` are final, and stores it in ``doc.analysis``. Every later stage reads it
instead of tokenising the body again (spaCy's ``Doc`` is the model: one object, many annotators).
Declare ``requires = (..., "analysis")`` in a stage that reads it.

How a stage reads it::

    a = doc.analysis                      # an Analysis; a.text is doc.body
    for i in range(len(a)):               # tokens are parallel lists, indexed by token number
        a.starts[i], a.ends[i]            # character offsets into doc.body, [start, end)
        a.words[i], a.lowers[i]           # surface text; NFKC + casefolded form
        a.sent_ids[i], a.line_ids[i], a.para_ids[i]
        a.is_punct(i), a.is_title(i), a.is_upper(i), a.shape(i)   # lazy, cached per string
    a.token(i)                            # the same as one Token object (slower; for convenience)
    for s in a.sentences:                 # Sentence: start/end chars, tok_start/tok_end, para
        a.words[s.tok_start : s.tok_end]
    a.sentence_tokens(k)                  # range of token numbers of sentence k
    a.sentence_at(char_offset)            # sentence number holding a character offset
    a.token_at(char_offset)               # token number covering (or following) an offset
    a.paragraphs, a.lines                 # Blocks (blank-line separated / "\\n" separated)
    for n in a.numbers:                   # NumberToken, parsed once (see streams.nlp.numbers)
        n.value, n.raw, n.qualifier, n.vague, n.multiplier, n.percent, n.currency, n.unit
    a.number_at(i)                        # the NumberToken starting at token i, or None
    a.dates()                             # DateMentions (streams.nlp.event_time), scanned once
    for h in a.hits_by_tag("kb"):         # Hit: one lexicon surface found in the text
        h.start, h.end, h.tok_start, h.tok_end, h.tag, h.keys, h.forms, h.exact_case
    a.hits_starting_at(i, "cue"), a.hits_ending_at(i)      # longest first
    a.hits_with_key("speech", "verbs"), a.hits_with_prefix("cue", "kinds.killed")
    a.span_tokens(start, end), a.word_lowers(), block_of(a.lines, i)

The tokenizer, sentence splitter, layout, number parser and lexicon alignment run compiled
(``streams.core._hot``, Cython; ``streams.core.hot`` chooses, docs/hot.md) when the extension is
built, with results identical to their pure-Python references (the ``py_*`` functions); stages
never see the difference.

A stage called directly on a hand-made Doc (unit tests) may fall back to
``streams.nlp.analysis.analyze(doc.body, doc.language)`` when ``doc.analysis`` is None.
Sentences never cross a line break; ``lines`` and ``paragraphs`` skip blank lines.

Token spans are half-open: token ``i`` is ``text[starts[i]:ends[i]]``, a hit covers tokens
``tok_start .. tok_end - 1``. Tokens never contain whitespace. Words are split at hyphens and
apostrophes (``luka-luka`` -> ``luka - luka``, ``Jakarta's`` -> ``Jakarta 's``,
``didn't`` -> ``did n't``); ``55.000``, ``3,2`` and ``1.250.000,50`` are one number token;
``U.S.`` / ``a.m.`` are one token; ``Rp30.000`` is ``Rp 30.000``.

Lexicon hits (one pyahocorasick automaton over every lexicon file, see ``streams.nlp.lexicons``)
are matched on the token ``lowers`` joined by single spaces, so a hit always starts at a token
start and ends at a token end (a ``prefix`` entry, from a ``word*`` form, may end inside its
last token), never crosses a sentence boundary, and ignores case and the amount of whitespace
between words. ``Hit.exact_case`` says whether the text is written exactly like one of the
lexicon forms (KB names use it, with ``Analysis.is_title``, to require capitals). All hits are
kept, overlapping ones included: a consumer picks longest/leftmost itself. Hit ``keys`` say where
the surface comes from in its lexicon file (``forms`` is the parallel lexicon spelling):

- ``kb``: the KBEntry key (``person:Joko Widodo``, ``country:ID``; ``load_kb().by_key[key]``).
- ``cue`` (``figures/cues.yaml``): ``units.id``, ``units.en``, ``scales``, ``vague``,
  ``qualifiers.<name>``, ``currencies.before.<CODE>``, ``currencies.after.<CODE>``, ``percent``,
  ``not_figures``, ``count_nouns``, and every other word list by its path (``people``,
  ``weapons.drones``, ``casualties.<kind>.cues``, ``casualties.<kind>.toll``, ``weapons_kinds.downed``,
  ``links``, ``clause_breaks``, ``other_kinds.<kind>.cues``).
- ``trigger`` (``events/patterns.yaml``): ``patterns.<index>`` for a pattern (the hit is its
  literal words up to the first slot; ``forms`` holds the whole pattern) and
  ``cues.<kind>.<lang>`` for the modality cues.
- ``topic`` (``taxonomy/lexicon.yaml``): ``<topic id>.<lang>.<tier>`` (``medtop:03000000.id.strong``).
- ``speech`` (``kb/speech.yaml``): ``verbs``, ``verbs_inverted``, ``according`` (its function-word
  lists, pronouns, terminators and demonstratives, are sets the quote parser reads, not hits).
- ``captive`` (``figures/captives.yaml``): ``classes.hostage``, ``classes.prisoner`` (the figure
  model's ``cap.*`` features).
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress
from operator import attrgetter, not_
from typing import Any, Literal

from streams.core import hot

__all__ = [
    "DATE_SCANNER",
    "Analysis",
    "Block",
    "Hit",
    "HitTag",
    "NumberToken",
    "Sentence",
    "Token",
    "block_of",
    "normalize_form",
    "py_word_lowers",
    "token_shape",
]

HitTag = Literal["kb", "cue", "trigger", "topic", "speech", "captive"]


@dataclass(slots=True)
class Sentence:
    """Sentence ``i``: characters ``[start, end)`` and tokens ``[tok_start, tok_end)``."""

    i: int
    start: int
    end: int
    tok_start: int
    tok_end: int
    para: int


@dataclass(slots=True)
class Block:
    """A paragraph (blank-line separated) or a line (``\\n`` separated) of the body."""

    i: int
    start: int
    end: int
    tok_start: int
    tok_end: int


@dataclass(slots=True)
class Hit:
    """A lexicon surface found in the text (see the module docstring for ``keys``)."""

    start: int
    end: int
    tok_start: int
    tok_end: int
    tag: HitTag
    keys: tuple[str, ...]
    forms: tuple[str, ...]
    exact_case: bool
    prefix: bool = False


@dataclass(slots=True)
class NumberToken:
    """A number written in the text, parsed once (``streams.nlp.numbers``).

    ``start``/``end`` and ``tok_start``/``tok_end`` cover the number and its multiplier word
    (``5 juta``, ``1.5 million``, ``dua belas``, ``tens of thousands``), not the qualifier, the
    currency or the percent sign. ``unit`` is the token number of the word right after the
    expression (after ``%``/``persen``, and after ``of`` following a vague amount), or None when
    punctuation or the end of the sentence follows. ``qualifier`` is the name of the qualifier
    phrase right before the number or its currency (``at_least``, ``about``, ``nearly``,
    ``more_than``, ``less_than``, ``up_to``: the names in ``figures/cues.yaml``), which starts at
    ``qualifier_start``. ``vague`` is the label of a vague amount (``thousands``), whose value is
    the lower bound. ``currency`` is an ISO code from a marker before or after the number.
    """

    start: int
    end: int
    tok_start: int
    tok_end: int
    value: float
    raw: str
    is_word: bool = False
    vague: str | None = None
    qualifier: str | None = None
    qualifier_start: int | None = None
    multiplier: str | None = None
    percent: bool = False
    currency: str | None = None
    unit: int | None = None

    @property
    def is_integer(self) -> bool:
        return float(self.value).is_integer()


@dataclass(slots=True)
class Token:
    """One token as an object (the Analysis keeps tokens as parallel lists; this is a view)."""

    i: int
    start: int
    end: int
    text: str
    lower: str
    sent: int
    line: int
    para: int

    @property
    def shape(self) -> str:
        return token_shape(self.text)

    @property
    def is_punct(self) -> bool:
        return _is_punct(self.text)

    @property
    def is_title(self) -> bool:
        return self.text.istitle()

    @property
    def is_upper(self) -> bool:
        return self.text.isupper()

    @property
    def is_lower(self) -> bool:
        return self.text.islower()

    @property
    def is_digit(self) -> bool:
        return self.text[:1].isdigit()


@lru_cache(maxsize=65536)
def token_shape(text: str) -> str:
    """spaCy-style shape: ``Jakarta`` -> ``Xxxxx``, ``55.000`` -> ``dd.ddd``, ``U.S.`` -> ``X.X.``;
    runs longer than four of the same class are cut to four."""
    out: list[str] = []
    last = ""
    run = 0
    for ch in text:
        if ch.isalpha():
            c = "X" if ch.isupper() else "x"
        elif ch.isdigit():
            c = "d"
        else:
            c = ch
        if c == last:
            run += 1
            if run >= 4:
                continue
        else:
            last, run = c, 0
        out.append(c)
    return "".join(out)


_TAG = attrgetter("tag")

#: ``[find_dates]``: the function :meth:`Analysis.dates` scans with, ``(text, starts, lowers) -> dates``.
#: ``streams.nlp.analysis`` (which builds every Analysis) puts ``streams.nlp.event_time.find_dates`` here
#: when it is imported: core imports no stage code, the date forms are the events stage's data.
DATE_SCANNER: list[Callable[[str, list[int], list[str]], Iterable[Any]] | None] = [None]


@lru_cache(maxsize=65536)
def _is_punct(text: str) -> bool:
    return not any(ch.isalnum() for ch in text)


def py_word_lowers(lowers: list[str]) -> list[str]:
    """The pure-Python reference of :meth:`Analysis.word_lowers`: the forms holding a letter or digit."""
    return list(compress(lowers, map(not_, map(_is_punct, lowers))))


def normalize_form(text: str) -> str:
    """The ``lowers`` form of a token: NFKC (non-ASCII only), without whitespace, casefolded."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        if not text.isprintable() or " " in text:  # NFKC can add spaces ("¨" -> " ̈"): keep one token
            text = "".join(text.split())
    return text.casefold()


@dataclass(slots=True)
class Analysis:
    """Tokens (parallel lists), sentences, blocks, numbers and lexicon hits of one text."""

    text: str
    language: str | None
    starts: list[int]
    ends: list[int]
    words: list[str]
    lowers: list[str]
    sent_ids: list[int]
    line_ids: list[int]
    para_ids: list[int]
    sentences: list[Sentence]
    lines: list[Block]
    paragraphs: list[Block]
    numbers: list[NumberToken] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    # Look-up tables built from the fields above on first use: not part of what the analysis is
    # (two analyses of the same text are equal whichever tables were built).
    _by_tag: dict[str, list[Hit]] | None = field(default=None, compare=False, repr=False)
    _by_start: dict[int, list[Hit]] | None = field(default=None, compare=False, repr=False)
    _by_end: dict[int, list[Hit]] | None = field(default=None, compare=False, repr=False)
    _num_at: dict[int, NumberToken] | None = field(default=None, compare=False, repr=False)
    _sent_starts: list[int] | None = field(default=None, compare=False, repr=False)
    #: ``tuple[DateMention, ...]`` once scanned (typed Any: pydantic reads these annotations for ``Doc``)
    _dates: tuple[Any, ...] | None = field(default=None, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.words)

    # ---------------------------------------------------------------- tokens
    def token(self, i: int) -> Token:
        return Token(
            i,
            self.starts[i],
            self.ends[i],
            self.words[i],
            self.lowers[i],
            self.sent_ids[i],
            self.line_ids[i],
            self.para_ids[i],
        )

    def tokens(self, start: int = 0, end: int | None = None) -> list[Token]:
        return [self.token(i) for i in range(start, len(self.words) if end is None else end)]

    def is_punct(self, i: int) -> bool:
        return _is_punct(self.words[i])

    def is_title(self, i: int) -> bool:
        return self.words[i].istitle()

    def is_upper(self, i: int) -> bool:
        return self.words[i].isupper()

    def is_lower(self, i: int) -> bool:
        return self.words[i].islower()

    def is_digit(self, i: int) -> bool:
        return self.words[i][:1].isdigit()

    def shape(self, i: int) -> str:
        return token_shape(self.words[i])

    def space_before(self, i: int) -> bool:
        """Whether whitespace (or the start of the text) separates token ``i`` from the previous."""
        return i == 0 or self.starts[i] > self.ends[i - 1]

    def word_lowers(self) -> list[str]:
        """The lowered forms of the non-punctuation tokens (what shingles and counts use)."""
        h = hot.HOT
        if h is not None:
            return h.word_lowers(self.lowers)
        return py_word_lowers(self.lowers)

    def token_at(self, offset: int) -> int:
        """Number of the token covering ``offset``, or of the first token after it (``len`` at end)."""
        i = bisect_right(self.starts, offset) - 1
        if i >= 0 and offset < self.ends[i]:
            return i
        return i + 1

    def span_tokens(self, start: int, end: int) -> range:
        """Token numbers of the tokens that overlap the characters ``[start, end)``."""
        a = self.token_at(start)
        b = bisect_right(self.starts, end - 1) if end > start else a
        return range(a, max(a, b))

    # ---------------------------------------------------------------- sentences
    def sentence_tokens(self, k: int) -> range:
        s = self.sentences[k]
        return range(s.tok_start, s.tok_end)

    def sentence_at(self, offset: int) -> int:
        """Number of the sentence holding ``offset`` (the previous one in the gap between two)."""
        if self._sent_starts is None:
            self._sent_starts = [s.start for s in self.sentences]
        return max(0, bisect_right(self._sent_starts, offset) - 1)

    def sentence_text(self, k: int) -> str:
        s = self.sentences[k]
        return self.text[s.start : s.end]

    # ---------------------------------------------------------------- dates
    def dates(self) -> list[Any]:
        """The dates written in the text, sorted by position (``streams.nlp.event_time.DateMention``s,
        found by :data:`DATE_SCANNER` over these tokens), scanned once per analysis: the events stage
        classes them, the dedup stage reads an undated article's date from them. A new list on every call."""
        if self._dates is None:
            scan = DATE_SCANNER[0]
            if scan is None:
                raise RuntimeError("no date scanner: streams.nlp.analysis registers it when imported")
            self._dates = tuple(scan(self.text, self.starts, self.lowers))
        return list(self._dates)

    # ---------------------------------------------------------------- numbers
    def number_at(self, i: int) -> NumberToken | None:
        """The number whose expression starts at token ``i``."""
        if self._num_at is None:
            self._num_at = {n.tok_start: n for n in self.numbers}
        return self._num_at.get(i)

    # ---------------------------------------------------------------- lexicon hits
    def set_hits(self, hits: list[Hit], by_tag: dict[str, list[Hit]] | None = None) -> None:
        """Sets the lexicon hits; ``by_tag``, when the matcher grouped them already: every tag's hits
        in the order of ``hits`` (what :meth:`hits_by_tag` would build)."""
        self.hits = hits
        self._by_tag = by_tag
        self._by_start = self._by_end = None

    def hits_by_tag(self, tag: HitTag) -> list[Hit]:
        """Hits of one lexicon, sorted by start then end (computed once per tag)."""
        by = self._by_tag
        if by is None:
            # every tag's list in one pass over the hits (the stages ask for about five tags; one
            # filter pass per tag cost ~8x more), each list in the order of ``hits``
            by = self._by_tag = {}
            for h, t in zip(self.hits, map(_TAG, self.hits), strict=True):
                got = by.get(t)
                if got is None:
                    by[t] = [h]
                else:
                    got.append(h)
        got = by.get(tag)
        if got is None:
            got = by[tag] = []
        return got

    def hits_starting_at(self, i: int, tag: HitTag | None = None) -> list[Hit]:
        """Hits whose first token is ``i`` (longest first), optionally of one lexicon."""
        if self._by_start is None:
            by: dict[int, list[Hit]] = {}
            for h in sorted(self.hits, key=lambda h: h.start - h.end):
                by.setdefault(h.tok_start, []).append(h)
            self._by_start = by
        got = self._by_start.get(i, [])
        return got if tag is None else [h for h in got if h.tag == tag]

    def hits_ending_at(self, i: int, tag: HitTag | None = None) -> list[Hit]:
        """Hits whose last token is ``i`` (longest first), optionally of one lexicon."""
        if self._by_end is None:
            by: dict[int, list[Hit]] = {}
            for h in sorted(self.hits, key=lambda h: h.start - h.end):
                by.setdefault(h.tok_end - 1, []).append(h)
            self._by_end = by
        got = self._by_end.get(i, [])
        return got if tag is None else [h for h in got if h.tag == tag]

    def hits_with_key(self, tag: HitTag, key: str) -> list[Hit]:
        """Hits of lexicon ``tag`` carrying ``key`` (e.g. ``("speech", "verbs")``)."""
        return [h for h in self.hits_by_tag(tag) if key in h.keys]

    def hits_with_prefix(self, tag: HitTag, prefix: str) -> list[Hit]:
        """Hits of lexicon ``tag`` with a key starting with ``prefix`` (``("cue", "kinds.")``)."""
        return [h for h in self.hits_by_tag(tag) if any(k.startswith(prefix) for k in h.keys)]


def block_of(blocks: Sequence[Block], tok: int) -> Block | None:
    """The block holding token ``tok`` (blocks sorted by token)."""
    lo, hi = 0, len(blocks)
    while lo < hi:
        mid = (lo + hi) // 2
        if blocks[mid].tok_end <= tok:
            lo = mid + 1
        else:
            hi = mid
    return blocks[lo] if lo < len(blocks) and blocks[lo].tok_start <= tok else None
