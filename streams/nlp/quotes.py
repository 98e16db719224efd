"""Quotations: direct quotes in the body and who said them, resolved to entities where possible."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, cast

from streams.core import hot as _core_hot
from streams.core.analysis import Analysis, Block, Hit, block_of
from streams.core.doc import Doc
from streams.core.errors import StageError
from streams.core.hot import read_yaml
from streams.core.records import Entity, Quote
from streams.nlp.analysis import analyze

__all__ = ["QuoteStage", "extract_quotes"]

_DATA = Path(__file__).resolve().parent.parent / "data" / "kb" / "speech.yaml"

# Opening mark -> pattern of the quoted text up to its closing mark (same paragraph). A curly quote
# closed by a second opening mark (“…,“ he said) is closed there; one left open runs to the end of
# its paragraph (the convention for a quotation that goes on in the next paragraph); a straight
# single quote needs punctuation before its closing mark ('We left,' she said), so apostrophes
# (neighbors' houses, there's) do not end it. Every alternative is bounded by its line.
_QUOTE = re.compile(
    r"“(?P<a>[^”“\"\n]+)[”“\"]"
    r"|«(?P<b>[^»\n]+)»"
    r"|(?<!\w)\"(?P<c>[^\"\n]+)\""
    r"|(?<!\w)‘(?P<d>(?:[^’\n]|’(?=\w)){12,600}?)’(?!\w)"
    r"|(?<![\w'])'(?P<s>(?:[^'\n]|(?<![,.!?…])'){12,600}?[,.!?…])'(?!\w)"
    r"|(?:“|(?<!\w)\")(?P<e>[^”“\"\n]+)(?=\n|\Z)"
)


# Where the text of an opening mark must end (its closer or the line end; no closer is further than
# _LONGEST for the bounded kinds): when an attempt fails there, every other opening mark of its kind
# before that point fails too, so a line of openers without closers is read once, not once per opener.
_LONGEST = 600
_HORIZON = {
    "‘": (re.compile(r"’(?!\w)|\n"), True),
    "'": (re.compile(r"[,.!?…]'|\n"), True),
    "«": (re.compile(r"[»\n]"), False),
}
_OPENERS = "“«\"‘'"  # the first character of every _QUOTE alternative

# Punctuation that ends a speaker phrase after an inverted verb; the patterns before a quote and
# the "X said" pattern after it allow brackets inside the phrase.
_STOP = frozenset('.,;:!?“”"()')
_STOP_REV = frozenset('.,;:!?“”"')
_LEAD = frozenset(",.!?")
_DASH = frozenset("-–—")
_THAT = frozenset({"bahwa", "that"})
_ARTICLE = re.compile(r"(?i)(?:the|a|an)\s+")
#: Adverbs between a speech verb and its colon ("said afterwards:", "mengatakan kemudian:").
_AFTER_VERB = frozenset({"afterwards", "later", "earlier", "today", "yesterday", "then", "kemudian", "lagi"})
#: Participles that hand a sentence's subject to the quote after the colon ("…, saying:").
_SAYING = frozenset({"saying", "adding", "declaring", "writing", "seraya", "sambil"})
_REPORT_WORDS = 40  # tokens searched back from a quote inside a sentence for its speech verb
_LOOKBACK = 2000  # characters searched back for the person a pronoun or a description refers to


@dataclass(frozen=True)
class _Speech:
    terminators: frozenset[tuple[str, ...]]  # case-sensitive token tuples ("di", "lebih lanjut")
    term_first: frozenset[str]
    term_longest: int
    pronouns: frozenset[str]
    person_pronouns: frozenset[str]
    demonstratives: frozenset[str]
    person_nouns: frozenset[str]
    reported_openers: frozenset[str]
    agencies: frozenset[str]
    min_words: int


@lru_cache(maxsize=1)
def _speech() -> _Speech:
    d: dict[str, Any] = read_yaml(_DATA.read_text(encoding="utf-8"))
    terms = frozenset(
        t for t in (tuple(analyze(str(w), lexicons=False).words) for w in d["terminators"]) if t
    )
    return _Speech(
        terminators=terms,
        term_first=frozenset(t[0] for t in terms),
        term_longest=max(len(t) for t in terms),
        pronouns=frozenset(str(p).lower() for p in d["pronouns"]),
        person_pronouns=frozenset(str(p).lower() for p in d.get("person_pronouns", [])),
        demonstratives=frozenset(d["demonstratives"]),
        person_nouns=frozenset(str(w).lower() for w in d.get("person_nouns", [])),
        reported_openers=frozenset(str(w).lower() for w in d.get("reported_openers", [])),
        agencies=frozenset(str(w).lower() for w in d.get("agencies", [])),
        min_words=int(d.get("min_words", 4)),
    )


@dataclass
class _Verbs:
    """Speech-verb hits of one article by token: inverted verbs and verbs by start, verbs by end,
    "according to" phrases by end, and every hit in text order."""

    inverted: dict[int, Hit]
    by_start: dict[int, Hit]
    by_end: dict[int, Hit]
    according_end: dict[int, Hit]
    ordered: list[Hit]

    @classmethod
    def of(cls, an: Analysis) -> _Verbs:
        v = cls({}, {}, {}, {}, [])
        for h in an.hits_by_tag("speech"):  # sorted by start, then end: the longest wins
            if "verbs_inverted" in h.keys:
                v.inverted[h.tok_start] = h
            if "verbs" in h.keys:
                v.by_start[h.tok_start] = h
                v.by_end[h.tok_end] = h
            if "according" in h.keys:
                v.according_end[h.tok_end] = h
            v.ordered.append(h)
        return v


class _Mentions:
    """The entity mentions of one article sorted by start, for lookups by position (no scan of every
    entity per quote)."""

    def __init__(self, entities: list[Entity]):
        self._by_word: dict[str, Entity] | None = None
        if (hot := _compiled()) is not None:
            self.spans, self.starts = hot.mention_spans(entities)
            return
        spans = sorted(((s, t, e) for e in entities for s, t in e.spans), key=lambda x: (x[0], -x[1]))
        self.spans = spans
        self.starts = [s for s, _, _ in spans]

    def within(self, lo: int, hi: int) -> list[tuple[int, int, Entity]]:
        """Mentions inside ``[lo, hi)``, in text order."""
        if (hot := _compiled()) is not None:
            return cast("list[tuple[int, int, Entity]]", hot.within(self.spans, self.starts, lo, hi))
        out = []
        i = bisect_left(self.starts, lo)
        while i < len(self.spans) and self.spans[i][0] < hi:
            if self.spans[i][1] <= hi:
                out.append(self.spans[i])
            i += 1
        return out

    def person_before(self, lo: int, hi: int) -> tuple[int, int, Entity] | None:
        """The PERSON mention that ends last inside ``[lo, hi)`` (searching back at most _LOOKBACK)."""
        lo = max(lo, hi - _LOOKBACK)
        i = bisect_left(self.starts, hi) - 1
        while i >= 0 and self.spans[i][0] >= lo:
            _, t, e = self.spans[i]
            if e.type == "PERSON" and t <= hi:
                return self.spans[i]
            i -= 1
        return None

    def person_after(self, lo: int, hi: int) -> tuple[int, int, Entity] | None:
        """The first PERSON mention inside ``[lo, hi)``."""
        i = bisect_left(self.starts, lo)
        while i < len(self.spans) and self.spans[i][0] < hi:
            _, t, e = self.spans[i]
            if e.type == "PERSON" and t <= hi:
                return self.spans[i]
            i += 1
        return None

    def full_name(self, word: str) -> Entity | None:
        """The PERSON entity with the longest name holding ``word`` ("Soh" -> "Soh Wooi Yik")."""
        if self._by_word is None:
            self._by_word = {}
            for _, _, e in self.spans:
                if e.type != "PERSON":
                    continue
                for w in e.name.lower().split():
                    old = self._by_word.get(w)
                    if old is None or len(e.name) > len(old.name):
                        self._by_word[w] = e
        return self._by_word.get(word.lower())

    def longer(self, name: str) -> Entity | None:
        """The person a one-word name shortens: "Alex" -> "Alexander Marwata" (the only PERSON of
        two words or more whose first name starts with it), else None."""
        word = name.lower()
        if " " in word or len(word) < 3:
            return None
        found = {
            x.name: x
            for _, _, x in self.spans
            if x.type == "PERSON" and " " in x.name and x.name.lower().split()[0].startswith(word)
        }
        return next(iter(found.values())) if len(found) == 1 else None


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
    a terminator word ("ujar Zelensky di Kyiv" -> "Zelensky"); a short bracket ("Bank Indonesia (BI)
    Agusman") is part of the phrase."""
    words = 0
    k = j
    while k < end:
        w = an.words[k]
        if w == "(" and k > j:
            close = next((x for x in range(k + 1, min(k + 5, end)) if an.words[x] == ")"), None)
            if close is None:
                break
            k = close + 1
            continue
        if w in _STOP:
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


# Speaker tokens [a, b) and, for "X, a role, said", the tokens of the apposition.
_Found = tuple[int, int, tuple[int, int] | None]


def _tail_speaker(an: Analysis, verbs: _Verbs, j: int, end: int, sp: _Speech) -> _Found | None:
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
            return inv.tok_end, b, None
    # "…," X said: one to six words, then a verb; "…," the governor, Perry Warjiyo, said: the words
    # before the first comma, with the apposition as the alternative
    n_words = 0
    commas: list[int] = []
    t = k
    while t < end:
        if _new_word(an, t, k):
            if n_words >= 1 and t in verbs.by_start:
                if not commas:
                    return k, t, None
                two = len(commas) == 2 and commas[1] == t - 1
                alt_end = commas[1] if two else t
                alt = (commas[0] + 1, alt_end) if alt_end > commas[0] + 1 else None
                return k, commas[0], alt
            if n_words == 12 or (n_words == 6 and not commas):
                break
            n_words += 1
        if words[t] == "," and n_words >= 1 and len(commas) < 2:
            commas.append(t)
        elif words[t] in _STOP_REV:
            break
        t += 1
    return None


def _subject_before_verb(an: Analysis, begin: int, k: int, sp: _Speech) -> _Found | None:
    """Speaker tokens before a verb at ``k``: ``X said`` / ``who he said`` (the pronoun) /
    ``X, a role, said`` (``X``, with the role as the alternative)."""
    words = an.words
    if k - 1 >= begin and an.lowers[k - 1] in sp.person_pronouns:
        return k - 1, k, None
    a = _speaker_before(an, begin, k, 8)
    if a < k and a - 1 > begin and words[a - 1] == "," and _time_adverbial(an, a, k):
        # "Kepala BPBD Jombang Gunadi, Selasa mengatakan": the day is not the subject
        a2 = _speaker_before(an, begin, a - 1, 8)
        if a2 < a - 1:
            return a2, a - 1, None
    if a < k:
        # "the health department on Wednesday night said": the subject ends at a terminator word
        for t in range(a + 1, k):
            if _new_word(an, t, a) and _terminator_at(an, t, k, sp):
                return a, t, None
        return a, k, None
    if k - 1 > begin and words[k - 1] == ",":
        b1 = _speaker_before(an, begin, k - 1, 8)
        if b1 < k - 1 and b1 - 1 > begin and words[b1 - 1] == ",":
            a1 = _speaker_before(an, begin, b1 - 1, 6)
            if a1 < b1 - 1:
                return a1, b1 - 1, (b1, k - 1)
        if b1 < k - 1:
            return b1, k - 1, None
    return None


@lru_cache(maxsize=1)
def _time_words() -> frozenset[str]:
    from streams.ingest.rules import metadata

    meta = metadata()
    return frozenset(
        [w.casefold() for w in meta["days"]]
        + [m.casefold() for group in meta["months"] for m in group]
        + ["kemarin", "yesterday", "today", "tonight", "malam", "pagi", "siang", "sore", "on", "lalu", "last"]
    )


def _time_adverbial(an: Analysis, a: int, k: int) -> bool:
    """Tokens ``[a, k)`` only name a time ("Selasa", "Rabu (21/10)", "on Monday", "Selasa malam")."""
    seen = False
    for t in range(a, k):
        w = an.lowers[t]
        if w in _time_words():
            seen = True
        elif not (w in "()/.,-" or w.isdigit() or re.fullmatch(r"[\d/.\-]+", w)):
            return False
    return seen


def _colon_speaker(an: Analysis, verbs: _Verbs, begin: int, e: int, sp: _Speech) -> _Found | None:
    """Speaker tokens of ``X:`` / ``X told Y:`` / ``…, saying:`` before a quote (``e`` is the colon + 1)."""
    lowers = an.lowers
    if e - 2 > begin and lowers[e - 2] in _SAYING:
        # "Kwasi Kwarteng congratulated the company on the launch, saying:": the sentence's subject
        s0 = max(begin, an.sentences[an.sent_ids[e - 2]].tok_start)
        b = _speaker_after(an, s0, e - 2, sp)
        if b > s0:
            return s0, b, None
    a = _speaker_before(an, begin, e - 1, 7)
    inv = verbs.inverted.get(a)
    if inv is not None and inv.tok_end < e - 1:
        if a > begin and a in verbs.by_start and (f := _subject_before_verb(an, begin, a, sp)) is not None:
            return f  # "Berty Kowas, the head of the rescue team, told Metro TV:"
        a = inv.tok_end
    for t in range(a + 1, e - 1):  # "X told the minister:": the speaker is before the verb
        if t in verbs.by_start and _new_word(an, t, a):
            return _subject_before_verb(an, begin, t, sp)
    if a < e - 1:
        return a, e - 1, None
    return None


def _head_speaker(an: Analysis, verbs: _Verbs, begin: int, e: int, sp: _Speech) -> _Found | None:
    """Speaker tokens before a quote: ``X mengatakan:`` / ``X said that`` / ``X:`` / ``menurut X,``."""
    words, lowers = an.words, an.lowers
    if e <= begin:
        return None
    last = words[e - 1]
    # X mengatakan [bahwa] [:,]
    v = e - 1 if last in (":", ",") else e
    ends = [v - 1, v] if v - 1 > begin and lowers[v - 1] in _THAT else [v]
    if v - 1 > begin and lowers[v - 1] in _AFTER_VERB:
        ends.append(v - 1)  # "Muguruza, who won the French Open, said afterwards:"
    for end in ends:
        h = verbs.by_end.get(end)
        if h is not None and h.tok_start > begin and _new_word(an, h.tok_start, begin):
            found = _subject_before_verb(an, begin, h.tok_start, sp)
            if found is not None:
                return found
    if last == ":":  # X:  ("Said Soh:" -> "Soh")
        found = _colon_speaker(an, verbs, begin, e, sp)
        if found is not None:
            return found
    if last == ",":  # menurut X,
        k = e - 1
        while k > begin and words[k - 1] not in ",.;:":
            k -= 1
        for t in range(k, e - 1):
            h = verbs.according_end.get(t)
            if h is not None and h.tok_start >= k and t < e - 1 and an.starts[t] > an.ends[t - 1]:
                return t, e - 1, None
    return None


def _reporting_subject(an: Analysis, verbs: _Verbs, first: int, sp: _Speech) -> _Found | None:
    """Speaker tokens of the reported speech a quote inside a sentence belongs to: the subject of the
    speech verb before it in the sentence (``X said [that] … “…”``), searched back at most
    _REPORT_WORDS tokens."""
    sent = an.sentences[an.sent_ids[first]]
    for t in range(first - 1, max(sent.tok_start, first - _REPORT_WORDS) - 1, -1):
        if an.words[t] in _STOP_REV and an.words[t] not in (",", "“", "”", '"'):
            return None  # another clause
        if t in verbs.by_start and t > sent.tok_start:
            return _subject_before_verb(an, sent.tok_start, t, sp)
    return None


def _title_like(text: str) -> bool:
    """Whether quoted words look like a title or a name ("A Long Way Home") rather than speech."""
    words = [w for w in text.split() if any(c.isalpha() for c in w)]
    caps = sum(1 for w in words if w[:1].isupper())
    return not words or caps * 2 > len(words)


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    """Words that are never a speaker on their own: stop words, honorifics and titles (lower case)."""
    from streams.nlp.kb import load_rules

    r = load_rules()
    words = [*r["stopwords"], *r["honorifics"], *r.get("not_names", [])]
    return frozenset(str(w).lower().rstrip(".") for w in words) | frozenset(_speech().pronouns)


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    """Stop words, honorifics and pronouns (lower case): never a speaker, even in a role phrase."""
    from streams.nlp.kb import load_rules

    r = load_rules()
    words = [*r["stopwords"], *r["honorifics"]]
    return frozenset(str(w).lower().rstrip(".") for w in words) | frozenset(_speech().pronouns)


@lru_cache(maxsize=1)
def _role_words() -> frozenset[str]:
    """Words that are never part of a person's name in a speaker phrase: titles, ranks, role and
    organisation words, place heads, plus the function words (lower case)."""
    from streams.nlp.kb import load_rules

    r = load_rules()
    lists: list[Any] = [r.get(k, []) for k in ("person_titles", "role_words", "org_heads", "org_weak_heads")]
    lists += list((r.get("place_heads") or {}).values())
    lists.append(read_yaml(_DATA.read_text(encoding="utf-8")).get("not_name_words", []))
    words = {w.lower().rstrip(".") for lst in lists for item in lst for w in str(item).split()}
    return frozenset(words) | _function_words()


_WORD = re.compile(r"\S+")
_WORD_PARTS = re.compile(r"[-‐'’]")
_WORD_EDGE = ".,;:()'\""


def _capitalised(word: str) -> bool:
    """Whether a word, or one of its hyphen/apostrophe parts, starts with a capital ("al-Atouneh")."""
    return word[:1].isupper() or any(x[:1].isupper() for x in _WORD_PARTS.split(word))


def _trailing_name(body: str, p_start: int, phrase: str, mentions: _Mentions) -> tuple[int, int] | None:
    """Characters of the capitalised words that end a speaker phrase, past its role words ("aid
    worker Wai Hun Aung", "45-year-old Mahmudi"): a name the entity stage did not tag."""
    tail = phrase.rstrip(_WORD_EDGE + " ").rsplit(None, 1)[-1:]
    if not tail or not _capitalised(tail[0]):
        return None  # the phrase does not end in a capitalised word
    roles = _role_words()
    # places and organisations the knowledge base knows are not a name (an unlinked guess may be)
    others = [
        (s, t) for s, t, e in mentions.within(p_start, p_start + len(phrase)) if e.type != "PERSON" and e.id
    ]
    end = p_start + len(phrase)
    first: int | None = None
    n = 0
    for m in reversed(list(_WORD.finditer(phrase))):
        word = m.group().strip(_WORD_EDGE)
        s = p_start + m.start()
        if (
            n == 4
            or not word
            or not _capitalised(word)
            or (word.isupper() and len(word) > 1)
            or word.lower() in roles
            or not any(c.isalpha() for c in word)
            or any(a <= s < b for a, b in others)
        ):
            break
        first, n = s, n + 1
    if first is None:
        return None
    while end > first and body[end - 1] in _WORD_EDGE + " ":
        end -= 1
    return first, end


@dataclass
class _Speaker:
    name: str | None
    qid: str | None
    kind: str  # person, name (an untagged capitalised name), org, role, pronoun, none


def _named(name: str, mentions: _Mentions) -> _Speaker:
    """An untagged name as a speaker: a lone surname is the article's person holding it."""
    full = mentions.full_name(name) if " " not in name else None
    if " " not in name and (full is None or " " not in full.name):
        full = mentions.longer(name) or full  # "Alex" -> "Alexander Marwata"
    if full is not None:
        return _Speaker(full.name, full.id, "person")
    return _Speaker(name, None, "name")


def _resolve(
    phrase: str,
    p_start: int,
    mentions: _Mentions,
    previous: list[tuple[str, str | None, str]],
    body: str,
    q_start: int,
    before: int,
) -> _Speaker:
    """Speaker of a speaker phrase found at ``p_start`` in the body (a quote at ``q_start``, its line
    and the one before from ``before``). A pronoun is left to the caller."""
    sp = _speech()
    lead = len(phrase) - len(phrase.lstrip())
    phrase = phrase.strip()
    p_start += lead
    words = phrase.split()
    low = phrase.lower()
    if low in sp.pronouns or (words and low.endswith("nya") and len(words) == 1):
        return _Speaker(None, None, "pronoun")
    p_end = p_start + len(phrase)
    inside = mentions.within(p_start, p_end)
    span = _trailing_name(body, p_start, phrase, mentions)
    who = _person_inside(inside, span, body, mentions)
    if who is None:
        who = _org_phrase(phrase, p_start, p_end, inside)
    if who is not None:
        return who
    if span is not None and span[0] == p_start:  # the phrase is a name the entity stage did not tag here
        return _named(body[span[0] : span[1]], mentions)
    who = _person_following(body, p_end, mentions)
    if who is None and words and (words[-1] in sp.demonstratives or words[0].lower() in sp.demonstratives):
        who = _demonstrative_speaker(words, previous, mentions, q_start, sp)
    if who is not None:
        return who
    if span is not None:
        return _named(body[span[0] : span[1]], mentions)
    return _role_speaker(phrase, p_start, body, mentions)


def _person_inside(
    inside: list[tuple[int, int, Entity]], span: tuple[int, int] | None, body: str, mentions: _Mentions
) -> _Speaker | None:
    """A person named inside the phrase is the speaker (the last one: titles and offices come first,
    "Kapendam XVII/Cenderawasih Kolonel Kav Herman Taryawan"); names that touch are one name. Not
    when an untagged name ends the phrase past it (``span``: "Guerrilla commander Petrus Wenda")."""
    persons = [x for x in inside if x[2].type == "PERSON"]
    if not persons or (span is not None and span[0] >= persons[-1][1]):
        return None
    s, t, e = persons[-1]
    s0 = s
    for ps, pt, _ in reversed(persons[:-1]):
        if pt <= s0 and not body[pt:s0].strip():
            s0 = ps
        else:
            break
    if s0 < s:
        return _Speaker(body[s0:t], None, "person")
    e = mentions.longer(e.name) or e
    return _Speaker(e.name, e.id, "person")


def _org_phrase(
    phrase: str, p_start: int, p_end: int, inside: list[tuple[int, int, Entity]]
) -> _Speaker | None:
    """An organisation (or place) only if it is the phrase, past an article ("the RSF")."""
    m = _ARTICLE.match(phrase)
    c0 = p_start + (m.end() if m else 0)
    for s, t, e in inside:
        if s <= c0 + 1 and (t - c0) >= (p_end - c0) - 1:
            return _Speaker(e.name, e.id, "org")
    return None


def _person_following(body: str, p_end: int, mentions: _Mentions) -> _Speaker | None:
    """ "Kepala Pusat Gempa Bumi [dan Tsunami BMKG] Daryono": the role phrase is followed by the name
    (within 120 characters, no sentence break)."""
    near = mentions.person_after(p_end, min(len(body), p_end + 120))
    if near is not None and not any(c in '.;:"“”!?\n' for c in body[p_end : near[0]]):
        return _Speaker(near[2].name, near[2].id, "person")
    return None


def _demonstrative_speaker(
    words: list[str],
    previous: list[tuple[str, str | None, str]],
    mentions: _Mentions,
    q_start: int,
    sp: _Speech,
) -> _Speaker | None:
    """The speaker a phrase with a demonstrative refers to: "juru bicara itu" -> the earlier "juru
    bicara Kepala Staf Gabungan AS"; "lelaki asal Banyuwangi itu", "the man" -> the person named last
    before the quote."""
    head = " ".join(w for w in words if w not in sp.demonstratives).lower()
    for name, qid, ph in reversed(previous):
        if head and head in ph.lower():
            return _Speaker(name, qid, "role")
    content = [w.lower() for w in words if w.lower() not in sp.demonstratives]
    if content and content[0] in sp.person_nouns:
        found = mentions.person_before(q_start - _LOOKBACK, q_start)
        if found is not None:
            return _Speaker(found[2].name, found[2].id, "person")
    return None


def _role_speaker(phrase: str, p_start: int, body: str, mentions: _Mentions) -> _Speaker:
    """A role phrase ("juru bicara militer Israel") is a speaker, the person named with it earlier
    when there is one; a function word or title alone is not."""
    words = phrase.split()
    content = [w for w in words if w.strip(".,").lower() not in _function_words()]
    if not content:
        # "The Israeli military", "the ministry", "prosecutors": words that are never names still
        # make a role
        content = [w for w in words if w.strip(".,").lower() not in _stop_words()]
    if not content:
        return _Speaker(None, None, "none")
    holder = _role_holder(phrase, p_start, body, mentions)
    if holder is not None:
        return holder
    return _Speaker(phrase or None, None, "role")


def _role_holder(phrase: str, p_start: int, body: str, mentions: _Mentions) -> _Speaker | None:
    """The person an earlier sentence named with this role: "kata Kapolres" after "Kapolres Bogor
    AKBP Asep Syafrudin menjelaskan" (the role, then a name within a few words, no sentence break)."""
    if len(phrase) < 3 or len(phrase.split()) > 4:
        return None
    hot = _compiled()
    if hot is not None and not hot.may_occur(body, phrase, max(0, p_start - 4 * _LOOKBACK), p_start):
        return None  # the role is not written before: no search (an exact pre-check)
    rx = re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", re.IGNORECASE)
    lo = max(0, p_start - 4 * _LOOKBACK)
    for m in reversed(list(rx.finditer(body, lo, p_start))):
        stop = m.end() + 80
        cut = next((i for i in range(m.end(), min(len(body), stop)) if body[i] in '.;:"“”!?\n'), stop)
        persons = [x for x in mentions.within(m.end(), cut) if x[2].type == "PERSON"]
        if persons and not _verb_between(body, m.end(), persons[0][0]):
            # the last name of the run: "Kapolres Muaraenim, AKBP Donni Eka Syaputra"
            return _Speaker(persons[-1][2].name, persons[-1][2].id, "person")
    return None


def _verb_between(body: str, start: int, end: int) -> bool:
    """Whether a lower-case word other than a connector stands between a role and a name: "Prosecutors
    | give | Scanlon credit" names the one they spoke of, not the role's holder ("Kapolres Muaraenim,
    AKBP Donni", "juru bicara militer Israel, Avichay Adraee" have none)."""
    return any(
        w[:1].islower() and w not in ("dan", "and", "of", "the", "de", "bin", "binti", "al", "van", "von")
        for w in re.findall(r"[^\W\d_][\w'’-]*", body[start:end])
    )


def _quote_marks(body: str) -> Iterator[re.Match[str]]:
    """``_QUOTE.finditer(body)``, tried only where an opening mark is (much faster on long text)."""
    if (hot := _compiled()) is not None:
        yield from hot.quote_marks(body, _QUOTE, _HORIZON, _OPENERS, _LONGEST)
        return
    marks: list[int] = []
    for ch in _OPENERS:
        p = body.find(ch)
        while p >= 0:
            marks.append(p)
            p = body.find(ch, p + 1)
    marks.sort()
    last = 0
    dead: dict[str, int] = {}  # opening mark -> where the failed attempt before stopped
    for p in marks:
        ch = body[p]
        if p < last or p < dead.get(ch, 0):
            continue
        m = _QUOTE.match(body, p)
        if m is not None:
            last = m.end()
            yield m
        elif ch in _HORIZON:
            pattern, bounded = _HORIZON[ch]
            limit = p + _LONGEST + 2 if bounded else len(body)
            h = pattern.search(body, p + 1, limit)
            if h is not None or not bounded:
                dead[ch] = h.start() if h is not None else len(body)


class _Context:
    """People an article has attributed speech to so far, in text order: the speakers of its quotes
    and the subjects of its reported speech ("Suresh Sunar told Reuters", "said aid worker Wai Hun
    Aung"), which a later "he said" / "katanya" refers to."""

    def __init__(self, an: Analysis, verbs: _Verbs, mentions: _Mentions, sp: _Speech):
        self.an, self.verbs, self.mentions, self.sp = an, verbs, mentions, sp
        self.latest: tuple[int, str, str | None] | None = None  # (position, name, qid) spoken of last
        self._next = 0  # next verb hit to read
        self._pending: list[tuple[int, int]] = []  # text between quotations not read yet

    def add(self, pos: int, name: str, qid: str | None) -> None:
        if self.latest is None or pos >= self.latest[0]:
            self.latest = (pos, name, qid)

    def read_until(self, lo: int, hi: int) -> None:
        """Note ``[lo, hi)`` (text between quotations) to read when a pronoun needs it."""
        self._pending.append((lo, hi))

    def _read(self, lo: int, hi: int) -> None:
        """Take in the reported speech of ``[lo, hi)`` (hits before ``lo`` are skipped). Every hit is
        read at most once per article."""
        an, hits = self.an, self.verbs.ordered
        while self._next < len(hits) and hits[self._next].start < hi:
            h = hits[self._next]
            self._next += 1
            if h.start < lo or h.end > hi:
                continue
            sent = an.sentences[an.sent_ids[h.tok_start]]
            found: tuple[int, int] | None = None
            opens = h.tok_start == sent.tok_start
            if "according" in h.keys or (
                "verbs_inverted" in h.keys
                and (
                    (not opens and an.words[h.tok_start - 1] == ",")
                    or (opens and an.lowers[h.tok_start] in self.sp.reported_openers)
                )
            ):
                # "…, said aid worker Wai Hun Aung." / "Diungkapkan Suryana, …" / "Menurut Budi, …"
                b = _speaker_after(an, h.tok_end, sent.tok_end, self.sp)
                if b > h.tok_end:
                    found = (h.tok_end, b)
            elif "verbs" in h.keys:
                f = _subject_before_verb(an, max(sent.tok_start, an.token_at(lo)), h.tok_start, self.sp)
                if f is not None:
                    found = (f[0], f[1])
            if found is None:
                continue
            a, b = found
            p_start = an.starts[a]
            phrase = an.text[p_start : an.ends[b - 1]]
            who = _resolve(phrase, p_start, self.mentions, [], an.text, p_start, p_start)
            if who.kind in ("person", "name") and who.name:
                self.add(p_start, who.name, who.qid)

    def last_person(self, lo: int, hi: int) -> tuple[str, str | None] | None:
        """The person spoken of last before ``hi``; without one in the last _LOOKBACK characters, the
        person named last after ``lo`` (the line before the quote)."""
        for lo_hi in self._pending:
            self._read(*lo_hi)
        self._pending.clear()
        best = self.latest
        first = self.mentions.person_after(lo, hi)
        if first is not None and (best is None or first[0] > best[0]):
            # "Everett Evans, 45, fled as the fire came down. / “…,” he said.": the person the
            # paragraph before the quote is about, named after the last reported speaker
            return first[2].name, first[2].id
        if best is None or best[0] < hi - _LOOKBACK:
            near = self.mentions.person_before(lo, hi)
            if near is not None:
                return near[2].name, near[2].id
        return (best[1], best[2]) if best is not None else None


def _count_words(an: Analysis, q_start: int, q_end: int, cap: int) -> int:
    """Words in ``[q_start, q_end)``, counted up to ``cap``."""
    if (hot := _compiled()) is not None:
        return cast(int, hot.count_words(an, q_start, q_end, cap))
    toks = an.span_tokens(q_start, q_end)
    n = 0
    for k in toks:
        if _new_word(an, k, toks.start):
            n += 1
            if n == cap:
                break
    return n


@dataclass
class _Phrase:
    """A speaker phrase found for a quote: its text from ``start``, and an apposition that may name
    the speaker instead (``alt`` from ``alt_start``)."""

    text: str
    start: int
    alt: str | None = None
    alt_start: int = 0
    in_report: bool = False  # the quote is a partial quote in reported speech


@dataclass
class _Site:
    """Where a quotation sits: its match, first token and line, and how it stands in that line."""

    m: re.Match[str]
    first: int
    line: Block
    at_line_start: bool
    same_line: bool  # the line of the last attributed quote
    sentence_opener: bool  # the quote opens a sentence inside its line


class _QuoteReader:
    """Reads the quotations of one article in text order, keeping what attribution carries from one
    quote to the next: the speakers so far, the last attributed line and the reported speech read."""

    def __init__(self, an: Analysis, entities: list[Entity], sp: _Speech):
        self.an, self.body, self.sp = an, an.text, sp
        self.verbs = _Verbs.of(an)
        self.mentions = _Mentions(entities)
        self.context = _Context(an, self.verbs, self.mentions, sp)
        self.previous: list[tuple[str, str | None, str]] = []  # (speaker, qid, phrase) of attributed quotes
        self.last_line = -2
        self.last_speaker: tuple[str | None, str | None] = (None, None)
        self.read_from = 0  # end of the last quotation: reported speech is read between quotations

    def read(self, m: re.Match[str], q_start: int, q_end: int, short: bool) -> Quote | None:
        """The quotation of match ``m`` (text ``[q_start, q_end)``) with its speaker, or None when it
        is not one; ``short`` quotes are kept only as partial quotes in reported speech."""
        site = self._site(m)
        if site is None:
            return None
        self.context.read_until(self.read_from, m.start())
        phrase = self._phrase(site, q_start, q_end, short)
        if short and (phrase is None or not phrase.in_report):
            return None  # two or three words in quotation marks: a term, unless a sentence reports them
        who = self._attributed(site, phrase) if phrase is not None else self._carried(site)
        if who is None:
            return None
        return self._emit(site, q_start, q_end, who)

    def _site(self, m: re.Match[str]) -> _Site | None:
        an, body = self.an, self.body
        first = an.token_at(m.start())
        line = block_of(an.lines, first)
        if line is None:
            return None
        at_line_start = first == line.tok_start
        opener = not at_line_start and body[an.starts[line.tok_start] : m.start()].rstrip()[-1:] in (
            ".",
            "!",
            "?",
        )
        same_line = self.last_line == line.i and self.last_speaker[0] is not None
        return _Site(m, first, line, at_line_start, same_line, opener)

    def _phrase(self, site: _Site, q_start: int, q_end: int, short: bool) -> _Phrase | None:
        """The speaker phrase of a quote: next to its marks, else a person named right after it, else
        the person of its paragraph, else the subject of the reported speech it is part of."""
        found = None if short else self._marked(site)
        if found is not None:
            return self._phrase_of(found, site.m.end())
        m = site.m
        phrase = self._person_after(m)
        if phrase is None and site.sentence_opener and not site.same_line:
            phrase = self._paragraph_person(site)
        if (
            phrase is None
            and not site.at_line_start
            and not site.sentence_opener
            and not _title_like(self.body[q_start:q_end])
        ):
            # X said the patients were "killed on the spot": a partial quote in reported speech
            partial = _reporting_subject(self.an, self.verbs, site.first, self.sp)
            if partial is not None:
                phrase = self._phrase_of(partial, m.end())
                phrase.in_report = True
        return phrase

    def _marked(self, site: _Site) -> _Found | None:
        """Speaker tokens right after the quote (``, kata X``), else right before it (``X said:``)."""
        an, line = self.an, site.line
        after = an.token_at(site.m.end())
        found = _tail_speaker(an, self.verbs, after, line.tok_end, self.sp) if after < line.tok_end else None
        if found is None:
            found = _head_speaker(an, self.verbs, line.tok_start, site.first, self.sp)
        return found

    def _phrase_of(self, found: _Found, default_start: int) -> _Phrase:
        an, body = self.an, self.body
        a, b, other = found
        phrase = _Phrase(
            body[an.starts[a] : an.ends[b - 1]] if b > a else "", an.starts[a] if b > a else default_start
        )
        if other is not None:
            phrase.alt_start = an.starts[other[0]]
            phrase.alt = body[phrase.alt_start : an.ends[other[1] - 1]]
        return phrase

    def _person_after(self, m: re.Match[str]) -> _Phrase | None:
        """“…,” Rudy Rinaldi, head of the agency, told AFP: a person named right after the quote."""
        body, mentions = self.body, self.mentions
        k = m.end()
        while k < len(body) and body[k] in " ,–—-":
            k += 1
        i = bisect_left(mentions.starts, k)
        while i < len(mentions.spans) and mentions.spans[i][0] == k:
            if mentions.spans[i][2].type == "PERSON":
                return _Phrase(body[k : mentions.spans[i][1]], k)
            i += 1
        return None

    def _paragraph_person(self, site: _Site) -> _Phrase | None:
        """…, Suresh Sunar told Reuters by phone. “I am out…”: a quote opening a sentence continues the
        person named earlier in the paragraph."""
        lo = self.an.starts[site.line.tok_start]
        near = self.mentions.person_before(lo, site.m.start())
        return _Phrase(self.body[near[0] : near[1]], near[0]) if near is not None else None

    def _attributed(self, site: _Site, phrase: _Phrase) -> tuple[str | None, str | None] | None:
        """Speaker and id a speaker phrase resolves to (None: the quote is dropped)."""
        m, line = site.m, site.line
        before = self.an.lines[line.i - 1].start if line.i > 0 else 0  # this line and the one before
        who = _resolve(phrase.text, phrase.start, self.mentions, self.previous, self.body, m.start(), before)
        if who.kind == "role" and phrase.alt is not None:
            # "A local group, the Madani Resistance Committee, said": the apposition names it
            alt = _resolve(
                phrase.alt, phrase.alt_start, self.mentions, self.previous, self.body, m.start(), before
            )
            if alt.kind in ("person", "name", "org"):
                who = alt
        if who.kind == "pronoun":
            who = self._pronoun(phrase.text, before, m.start())
        speaker, qid = who.name, who.qid
        if speaker and speaker.lower() in self.sp.agencies:
            speaker, qid = None, None
        if speaker:
            self.previous.append((speaker, qid, phrase.text.strip()))
            if who.kind in ("person", "name"):
                self.context.add(phrase.start, speaker, qid)
        elif phrase.in_report:
            return None  # quoted words in a sentence whose speaker is unknown: not a quotation
        return speaker, qid

    def _pronoun(self, text: str, before: int, q_at: int) -> _Speaker:
        """The person a pronoun speaker ("he said", "katanya") refers to; a pronoun-like role ("the
        official") is the previous speaker."""
        low = text.strip().lower()
        if not low or low in self.sp.person_pronouns or low.endswith("nya"):  # "katanya" leaves it empty
            person = self.context.last_person(before, q_at)
            if person is None and self.previous:
                person = self.previous[-1][0], self.previous[-1][1]
            name, pid = person if person is not None else (None, None)
            return _Speaker(name, pid, "person")
        if self.previous:
            return _Speaker(self.previous[-1][0], self.previous[-1][1], "role")
        return _Speaker(None, None, "pronoun")

    def _carried(self, site: _Site) -> tuple[str | None, str | None] | None:
        """Speaker of a quote without a speaker phrase: the one it continues, if any (None: a phrase
        in quotation marks inside a sentence, not a quotation)."""
        line = site.line
        if site.at_line_start and self.last_line >= 0 and line.i == self.last_line + 1:
            return self.last_speaker  # a follow-on quote paragraph keeps its speaker
        if site.same_line and site.sentence_opener:
            return self.last_speaker  # “…,” he said. “…”: the next quote in the paragraph
        if site.at_line_start:
            return None, None
        return None

    def _emit(self, site: _Site, q_start: int, q_end: int, who: tuple[str | None, str | None]) -> Quote:
        body = self.body
        speaker, qid = who
        inner = body[q_start:q_end]
        q_start += len(inner) - len(inner.lstrip())  # the span covers the text, without its edge spaces
        q_end -= len(inner) - len(inner.rstrip())
        self.read_from = site.m.end()
        if speaker:
            self.last_speaker = (speaker, qid)
            self.last_line = site.line.i
        else:
            self.last_line = -2
        return Quote(speaker=speaker, text=body[q_start:q_end], span=(q_start, q_end), speaker_id=qid)


def _compiled() -> Any:
    """``streams.nlp._quotes_hot`` when it is built, the analysis runs compiled (``WARTA_COMPILED``) and every
    reference function its twins copy is unchanged (``_quotes_hot.current``), else None: the reference."""
    global _EXT
    if _core_hot.HOT is None:
        return None
    if _EXT is _UNSET:
        _EXT = _core_hot.extension("streams.nlp._quotes_hot")
    return _EXT if _EXT is not None and _EXT.current() else None


_UNSET: Any = object()
_EXT: Any = _UNSET


def extract_quotes(text: str | Analysis, entities: list[Entity] | None = None) -> list[Quote]:
    """Direct quotations with their (resolved) speakers, from the analysis of the body (or the
    text, analysed here)."""
    an = text if isinstance(text, Analysis) else analyze(text)
    sp = _speech()
    out: list[Quote] = []
    reader: _QuoteReader | None = None  # built at the first quote long enough to read
    for m in _quote_marks(an.text):
        group = m.lastgroup or "a"
        q_start, q_end = m.start(group), m.end(group)
        n_words = _count_words(an, q_start, q_end, sp.min_words)
        if n_words < 2:
            continue
        if reader is None:
            reader = _QuoteReader(an, entities or [], sp)
        quote = reader.read(m, q_start, q_end, short=n_words < sp.min_words)
        if quote is not None:
            out.append(quote)
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
