"""The analysis stage: tokenise the body once, split sentences, parse numbers and match lexicons."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import accumulate, compress, pairwise
from operator import not_
from pathlib import Path
from typing import Any, ClassVar

from streams.core import hot
from streams.core.analysis import DATE_SCANNER, Analysis, Block, Sentence, normalize_form
from streams.core.doc import Doc
from streams.core.errors import StageError
from streams.core.hot import read_yaml
from streams.nlp.event_time import find_dates

#: ``Analysis.dates`` scans with the events stage's date forms (core imports no stage code)
DATE_SCANNER[0] = find_dates

__all__ = [
    "AnalysisStage",
    "analyze",
    "py_lowers",
    "py_split_sentences",
    "py_tokenize",
    "split_sentences",
    "token_lowers",
    "tokenize",
]

_DATA = Path(__file__).resolve().parent.parent / "data" / "text" / "tokens.yaml"
_KB_RULES = Path(__file__).resolve().parent.parent / "data" / "kb" / "rules.yaml"

# One capture group: re.split keeps the tokens at odd positions, the gaps (whitespace) at even ones.
_SPLIT = re.compile(
    r"("
    r"Rp(?=\d)"  # Rp30.000 -> Rp 30.000
    r"|[^\W\d_](?:(?:\.[^\W\d_])+\.|[^\W_]*)"  # U.S. a.m. S.H.; words, digits inside (G20)
    r"|\d+(?:[.,]\d+)*"  # 55.000  3,2  1.250.000,50  2024
    r"|['’](?:s|re|ll|ve|d|m|t)\b"  # 's 're 'll 've 'd 'm 't (didn 't -> did n't below)
    r"|\S"  # any other character: punctuation, symbols
    r")"
)


@lru_cache(maxsize=1)
def _rules() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    d: dict[str, Any] = read_yaml(_DATA.read_text(encoding="utf-8"))
    kb: dict[str, Any] = read_yaml(_KB_RULES.read_text(encoding="utf-8"))
    titles = [
        w[:-1]
        for w in [*kb.get("person_titles", []), *kb.get("honorifics", [])]
        if w.endswith(".") and " " not in w
    ]
    abbrevs = frozenset([*(str(a) for a in d["abbreviations"]), *titles])
    return abbrevs, frozenset(d["terminals"]), frozenset(d["closers"])


#: Whether a gap (the whitespace before a token) holds a line break: one C call per gap.
_has_nl = re.compile("\n").search


def tokenize(text: str) -> tuple[list[int], list[int], list[str], list[str]]:
    """``(starts, ends, words, gaps)``: token offsets and texts, and the whitespace before each
    token (``gaps[i]`` precedes token ``i``; ``gaps[-1]`` trails the last one). The compiled path
    when it is built (``streams.core.hot``), else :func:`py_tokenize`."""
    h = hot.HOT
    if h is not None:
        return h.tokenize(text)
    return py_tokenize(text)


def py_tokenize(text: str) -> tuple[list[int], list[int], list[str], list[str]]:
    """The pure-Python reference of :func:`tokenize`: the ``_SPLIT`` regex, then ``_split_nt``."""
    parts = _SPLIT.split(text)
    if "'t" in text or "’t" in text:
        parts = _split_nt(parts)
    offs = list(accumulate(map(len, parts), initial=0))
    return offs[1:-1:2], offs[2::2], parts[1::2], parts[0::2]


def _split_nt(parts: list[str]) -> list[str]:
    """``didn 't`` -> ``did n't`` (as spaCy does), keeping the parts' total length."""
    for k in range(3, len(parts), 2):
        p = parts[k]
        if len(p) == 2 and p[1] == "t" and p[0] in "'’" and not parts[k - 1]:
            w = parts[k - 2]
            if len(w) > 1 and w[-1] in "nN":
                parts[k - 2] = w[:-1]
                parts[k] = w[-1] + p
    return parts


def split_sentences(
    words: list[str], starts: list[int], ends: list[int], breaks: list[int]
) -> list[tuple[int, int]]:
    """Sentences as token ranges ``[(a, b), ...]``. ``breaks`` are the token numbers that start a
    new line; a sentence also ends at ``. ! ?`` (plus closing quotes/brackets) before a word that
    starts with a capital, a digit or an opening mark, unless the dot ends an abbreviation.
    The compiled path when it is built, else :func:`py_split_sentences`."""
    h = hot.HOT
    if h is not None:
        return h.split_sentences(words, starts, ends, breaks, *_rules())
    return py_split_sentences(words, starts, ends, breaks)


def py_split_sentences(
    words: list[str], starts: list[int], ends: list[int], breaks: list[int]
) -> list[tuple[int, int]]:
    """The pure-Python reference of :func:`split_sentences`."""
    abbrevs, terminals, closers = _rules()
    n = len(words)
    cuts = set(breaks)
    for i in list(compress(range(n), map(terminals.__contains__, words))):
        j = i + 1
        while j < n and words[j] in closers and starts[j] == ends[j - 1]:
            j += 1
        if j >= n or j in cuts or starts[j] == ends[j - 1]:
            continue  # attached: "3.5", "www.x.com", "?!" handled by the next terminal
        nxt = words[j][:1]
        if not (nxt.isupper() or nxt.isdigit() or nxt in "\"“‘'(«[-–—•"):
            continue
        if words[i] == "." and i > 0 and starts[i] == ends[i - 1]:
            prev = words[i - 1]
            if prev in abbrevs or (len(prev) == 1 and prev.isupper()):
                continue
        cuts.add(j)
    cuts.discard(0)
    bounds = [0, *sorted(c for c in cuts if c < n), n]
    return [(bounds[k], bounds[k + 1]) for k in range(len(bounds) - 1) if bounds[k] < bounds[k + 1]]


def _runs(ids_at: list[int], n: int) -> list[int]:
    """Per-token block numbers from the token numbers where a new block starts."""
    h = hot.HOT
    if h is not None:
        return h.runs(ids_at, n)
    return _py_runs(ids_at, n)


def _py_runs(ids_at: list[int], n: int) -> list[int]:
    out: list[int] = []
    k = 0
    prev = 0
    for b in ids_at:
        out.extend([k] * (b - prev))
        prev = b
        k += 1
    out.extend([k] * (n - prev))
    return out


def _blocks(bounds: list[int], n: int, starts: list[int], ends: list[int]) -> list[Block]:
    edges = [0, *bounds, n]
    return [Block(k, starts[a], ends[b - 1], a, b) for k, (a, b) in enumerate(pairwise(edges)) if a < b]


#: What the layout pass gives: sentence, line and paragraph numbers per token, then the sentences,
#: lines and paragraphs.
_Layout = tuple[list[int], list[int], list[int], list[Sentence], list[Block], list[Block]]


def _py_layout(text: str, starts: list[int], ends: list[int], words: list[str], gaps: list[str]) -> _Layout:
    """Lines (a line break in the gap before a token), paragraphs (two), sentences, and the block
    numbers of every token (the reference of the compiled ``layout``)."""
    n = len(words)
    nl = [k for k in compress(range(n), map(_has_nl, gaps)) if k] if "\n" in text else []
    para_b = [k for k in nl if gaps[k].count("\n") >= 2]
    line_ids = _runs(nl, n)
    para_ids = _runs(para_b, n)
    lines = _blocks(nl, n, starts, ends)
    paragraphs = _blocks(para_b, n, starts, ends)
    spans = split_sentences(words, starts, ends, nl)
    sentences = [Sentence(k, starts[a], ends[b - 1], a, b, para_ids[a]) for k, (a, b) in enumerate(spans)]
    sent_ids = _runs([a for a, _ in spans[1:]], n)
    return sent_ids, line_ids, para_ids, sentences, lines, paragraphs


def _lowers(text: str, words: list[str]) -> list[str]:
    """The lowered forms of the tokens ``words`` of ``text`` (``Analysis.lowers``; compiled: ``_hot.lowers``)."""
    h = hot.HOT
    if h is not None:
        return h.lowers(text, words, normalize_form)  # type: ignore[no-any-return]
    return py_lowers(text, words)


def py_lowers(text: str, words: list[str]) -> list[str]:
    """The pure-Python reference of :func:`_lowers`."""
    lowers = list(map(str.casefold, words))
    if not text.isascii():
        for k in list(compress(range(len(words)), map(not_, map(str.isascii, lowers)))):
            lowers[k] = normalize_form(words[k])
    return lowers


def token_lowers(text: str) -> list[str]:
    """``analyze(text).lowers`` without the rest of the analysis (lexicon keys are built from
    thousands of short forms at start-up)."""
    return _lowers(text, tokenize(text)[2])


def analyze(text: str, language: str | None = None, *, lexicons: bool = True) -> Analysis:
    """The analysis of ``text``: tokens, sentences, lines, paragraphs, numbers and lexicon hits."""
    starts, ends, words, gaps = tokenize(text)
    lowers = _lowers(text, words)
    h = hot.HOT
    if h is not None:
        layout = h.layout(text, starts, ends, words, gaps, Sentence, Block, *_rules())
    else:
        layout = _py_layout(text, starts, ends, words, gaps)
    sent_ids, line_ids, para_ids, sentences, lines, paragraphs = layout
    an = Analysis(
        text=text,
        language=language,
        starts=starts,
        ends=ends,
        words=words,
        lowers=lowers,
        sent_ids=sent_ids,
        line_ids=line_ids,
        para_ids=para_ids,
        sentences=sentences,
        lines=lines,
        paragraphs=paragraphs,
    )
    if lexicons:
        from streams.nlp.lexicons import match_lexicons_by_tag
        from streams.nlp.numbers import parse_numbers

        an.set_hits(*match_lexicons_by_tag(an))
        an.numbers = parse_numbers(an)
    return an


class AnalysisStage:
    """Fills ``analysis`` from ``body`` and ``language``: the one tokenisation every stage reads."""

    name: ClassVar[str] = "analysis"
    requires: ClassVar[tuple[str, ...]] = ("body", "language")
    assigns: ClassVar[tuple[str, ...]] = ("analysis",)

    def __init__(self, settings: Any = None, state: Any = None):
        from streams.nlp.lexicons import lexicon_automaton
        from streams.nlp.numbers import number_rules

        if settings is not None:  # the compiled hot path or the pure-Python reference, process-wide
            hot.select(bool(getattr(settings, "compiled", True)))
        _rules()
        lexicon_automaton()
        number_rules()

    def __call__(self, doc: Doc) -> None:
        if not isinstance(doc.body, str):
            raise StageError("W600", "article body is not text", hint="run the decode stage first")
        doc.analysis = analyze(doc.body, doc.language)
