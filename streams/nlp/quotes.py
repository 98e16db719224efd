"""Quotations: direct quotes in the body and who said them, resolved to entities where possible."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import yaml

from streams.core.analysis import Analysis, Hit, block_of
from streams.core.doc import Doc
from streams.core.errors import StageError
from streams.core.records import Entity, Quote
from streams.nlp.analysis import analyze

__all__ = ["QuoteStage", "extract_quotes"]

_DATA = Path(__file__).resolve().parent.parent / "data" / "kb" / "speech.yaml"

# Opening mark -> pattern of the quoted text up to its closing mark (same paragraph).
_QUOTE = re.compile(
    r"“(?P<a>[^”\n]+)”"
    r"|«(?P<b>[^»\n]+)»"
    r"|(?<!\w)\"(?P<c>[^\"\n]+)\""
    r"|(?<!\w)‘(?P<d>[^’\n]{12,}?)’(?!\w)"
    r"|(?m:^[“\"](?P<e>[^”\"\n]+)$)"
)


# Punctuation that ends a speaker phrase after an inverted verb; the patterns before a quote and
# the "X said" pattern after it allow brackets inside the phrase.
_STOP = frozenset('.,;:!?“”"()')
_STOP_REV = frozenset('.,;:!?“”"')
_LEAD = frozenset(",.!?")
_DASH = frozenset("-–—")
_THAT = frozenset({"bahwa", "that"})


@dataclass(frozen=True)
class _Speech:
    terminators: frozenset[tuple[str, ...]]  # case-sensitive token tuples ("di", "lebih lanjut")
    term_first: frozenset[str]
    term_longest: int
    pronouns: frozenset[str]
    demonstratives: frozenset[str]
    min_words: int


@lru_cache(maxsize=1)
def _speech() -> _Speech:
    d: dict[str, Any] = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    terms = frozenset(
        t for t in (tuple(analyze(str(w), lexicons=False).words) for w in d["terminators"]) if t
    )
    return _Speech(
        terminators=terms,
        term_first=frozenset(t[0] for t in terms),
        term_longest=max(len(t) for t in terms),
        pronouns=frozenset(str(p).lower() for p in d["pronouns"]),
        demonstratives=frozenset(d["demonstratives"]),
        min_words=int(d.get("min_words", 4)),
    )


@dataclass
class _Verbs:
    """Speech-verb hits of one article by token: inverted verbs and verbs by start, verbs by end,
    "according to" phrases by end."""

    inverted: dict[int, Hit]
    by_start: dict[int, Hit]
    by_end: dict[int, Hit]
    according_end: dict[int, Hit]

    @classmethod
    def of(cls, an: Analysis) -> _Verbs:
        v = cls({}, {}, {}, {})
        for h in an.hits_by_tag("speech"):  # sorted by start, then end: the longest wins
            if "verbs_inverted" in h.keys:
                v.inverted[h.tok_start] = h
            if "verbs" in h.keys:
                v.by_start[h.tok_start] = h
                v.by_end[h.tok_end] = h
            if "according" in h.keys:
                v.according_end[h.tok_end] = h
        return v


def _new_word(an: Analysis, k: int, first: int) -> bool:
    """Whether token ``k`` starts a whitespace-separated word (``first`` always does)."""
    return k == first or an.starts[k] > an.ends[k - 1]


def _terminator_at(an: Analysis, k: int, end: int, sp: _Speech) -> bool:
    words = an.words
    if words[k] not in sp.term_first:
        return False
    for m in range(min(sp.term_longest, end - k), 0, -1):
        if tuple(words[k : k + m]) in sp.terminators and (k + m >= end or _new_word(an, k + m, k)):
            return True
    return False


def _speaker_after(an: Analysis, j: int, end: int, sp: _Speech) -> int:
    """End token of a speaker phrase starting at ``j``: up to 8 words, stopping at punctuation or
    a terminator word ("ujar Zelensky di Kyiv" -> "Zelensky")."""
    words = 0
    k = j
    while k < end:
        if an.words[k] in _STOP:
            break
        if _new_word(an, k, j):
            if words == 8 or _terminator_at(an, k, end, sp):
                break
            words += 1
        k += 1
    return k


def _speaker_before(an: Analysis, begin: int, e: int, max_words: int) -> int:
    """Start token of the longest run of up to ``max_words`` clean words ending before ``e``."""
    words = 0
    k = e
    while k > begin:
        if an.words[k - 1] in _STOP_REV:
            break
        if _new_word(an, k - 1, begin):
            if words == max_words:
                break
            words += 1
        k -= 1
    while k < e and not _new_word(an, k, begin):  # a word cut by punctuation starts after it
        k += 1
    return k


def _tail_speaker(an: Analysis, verbs: _Verbs, j: int, end: int, sp: _Speech) -> tuple[int, int] | None:
    """Speaker tokens after a quote: ``, kata X`` / ``, katanya`` / ``, X mengatakan``."""
    words = an.words
    k = j
    if k < end and words[k] in _LEAD:
        k += 1
    d = k + 1 if k < end and words[k] in _DASH else k
    inv = verbs.inverted.get(d)
    if inv is not None and inv.tok_end <= end:
        b = _speaker_after(an, inv.tok_end, end, sp)
        if b > inv.tok_end or an.lowers[inv.tok_end - 1].endswith("nya"):
            return inv.tok_end, b
    # "…," X said: one to six words, then a verb
    n_words = 0
    t = k
    while t < end:
        if _new_word(an, t, k):
            if n_words >= 1 and t in verbs.by_start:
                return k, t
            if n_words == 6:
                break
            n_words += 1
        if words[t] in _STOP_REV:
            break
        t += 1
    return None


def _head_speaker(an: Analysis, verbs: _Verbs, begin: int, e: int) -> tuple[int, int] | None:
    """Speaker tokens before a quote: ``X mengatakan:`` / ``X said that`` / ``X:`` / ``menurut X,``."""
    words, lowers = an.words, an.lowers
    if e <= begin:
        return None
    last = words[e - 1]
    # X mengatakan [bahwa] [:,]
    v = e - 1 if last in (":", ",") else e
    for end in (v - 1, v) if v - 1 > begin and lowers[v - 1] in _THAT else (v,):
        h = verbs.by_end.get(end)
        if h is not None and h.tok_start > begin and _new_word(an, h.tok_start, begin):
            a = _speaker_before(an, begin, h.tok_start, 8)
            if a < h.tok_start:
                return a, h.tok_start
    if last == ":":  # X:
        a = _speaker_before(an, begin, e - 1, 7)
        if a < e - 1:
            return a, e - 1
    if last == ",":  # menurut X,
        k = e - 1
        while k > begin and words[k - 1] not in ",.;:":
            k -= 1
        for t in range(k, e - 1):
            h = verbs.according_end.get(t)
            if h is not None and h.tok_start >= k and t < e - 1 and an.starts[t] > an.ends[t - 1]:
                return t, e - 1
    return None


def _resolve(
    phrase: str, p_start: int, entities: list[Entity], previous: list[tuple[str, str | None, str]]
) -> tuple[str | None, str | None]:
    """Speaker name and QID for a speaker phrase found at ``p_start`` in the body."""
    sp = _speech()
    phrase = phrase.strip()
    words = phrase.split()
    low = phrase.lower()
    if low in sp.pronouns or (words and low.endswith("nya") and len(words) == 1):
        return (previous[-1][0], previous[-1][1]) if previous else (None, None)
    p_end = p_start + len(phrase)
    # A person named inside the phrase is the speaker; an organisation or place only if it is the phrase.
    best: Entity | None = None
    for e in entities:
        for s, t in e.spans:
            if p_start <= s and t <= p_end:
                if e.type == "PERSON":
                    return e.name, e.id
                if (t - s) >= len(phrase) - 1 and best is None:
                    best = e
    if best is not None:
        return best.name, best.id
    # "juru bicara itu" -> the earlier "juru bicara Kepala Staf Gabungan AS"
    if (words and words[-1] in sp.demonstratives) or (words and words[0].lower() in sp.demonstratives):
        head = " ".join(w for w in words if w not in sp.demonstratives).lower()
        for name, qid, ph in reversed(previous):
            if head and head in ph.lower():
                return name, qid
    return (phrase or None), None


def extract_quotes(text: str | Analysis, entities: list[Entity] | None = None) -> list[Quote]:
    """Direct quotations with their (resolved) speakers, from the analysis of the body (or the
    text, analysed here)."""
    an = text if isinstance(text, Analysis) else analyze(text)
    body = an.text
    sp = _speech()
    entities = entities or []
    out: list[Quote] = []
    verbs: _Verbs | None = None
    previous: list[tuple[str, str | None, str]] = []  # (speaker, qid, phrase) of attributed quotes
    last_line = -2
    last_speaker: tuple[str | None, str | None] = (None, None)
    for m in _QUOTE.finditer(body):
        group = m.lastgroup or "a"
        q_start, q_end = m.start(group), m.end(group)
        inner_toks = an.span_tokens(q_start, q_end)
        if sum(1 for k in inner_toks if _new_word(an, k, inner_toks.start)) < sp.min_words:
            continue
        if verbs is None:
            verbs = _Verbs.of(an)
        first = an.token_at(m.start())
        line = block_of(an.lines, first)
        if line is None:
            continue
        after = an.token_at(m.end())
        found = _tail_speaker(an, verbs, after, line.tok_end, sp) if after < line.tok_end else None
        if found is None:
            found = _head_speaker(an, verbs, line.tok_start, first)
        phrase: str | None = None
        p_start = m.end()
        if found is not None:
            a, b = found
            phrase = body[an.starts[a] : an.ends[b - 1]] if b > a else ""
            p_start = an.starts[a] if b > a else m.end()
        speaker: str | None
        qid: str | None
        at_line_start = first == line.tok_start
        if phrase is not None:
            speaker, qid = _resolve(phrase, p_start, entities, previous)
            if speaker:
                previous.append((speaker, qid, phrase.strip()))
        elif at_line_start and last_line >= 0 and line.i == last_line + 1:
            speaker, qid = last_speaker  # a follow-on quote paragraph keeps its speaker
        elif at_line_start:
            speaker, qid = None, None
        else:
            continue  # a phrase in quotation marks inside a sentence, not a quotation
        inner = body[q_start:q_end]
        out.append(Quote(speaker=speaker, text=inner.strip(), span=(q_start, q_end), speaker_id=qid))
        if speaker:
            last_speaker = (speaker, qid)
            last_line = line.i
        else:
            last_line = -2
    return out


class QuoteStage:
    """Fills ``quotes`` from the analysis of ``body`` (after ``entities``, which resolve speakers)."""

    name: ClassVar[str] = "quotes"
    requires: ClassVar[tuple[str, ...]] = ("body", "entities", "analysis")
    assigns: ClassVar[tuple[str, ...]] = ("quotes",)

    def __init__(self, settings: Any = None, state: Any = None):
        _speech()

    def __call__(self, doc: Doc) -> None:
        if not isinstance(doc.body, str):
            raise StageError("W600", "article body is not text", hint="run the decode stage first")
        an = doc.analysis if doc.analysis is not None else analyze(doc.body, doc.language)
        doc.quotes = extract_quotes(an, doc.entities)
