"""Named entities: knowledge-base matches, cue-word rules for unknown names, in-article coreference."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import Any, ClassVar

from streams.core.doc import Doc
from streams.core.errors import StageError
from streams.core.records import Entity
from streams.nlp.kb import KBEntry, load_given_names, load_kb, load_rules

__all__ = ["EntityStage", "Mention", "extract_entities", "find_mentions"]

# A word: letters/digits with inner apostrophes, hyphens or dots ("Sana'a", "al-Sharaa", "U.S"), or one
# punctuation mark. Abbreviations with a final dot ("Dr.", "Gen.") are rejoined (see ``_abbrevs``).
_SPLIT = re.compile(r"(\w+(?:['’.\-]\w+)*|[^\w\s])")


@dataclass(slots=True)
class Mention:
    """One span of text that names an entity, before mentions are grouped per referent."""

    start: int
    end: int
    type: str
    key: str
    name: str
    confidence: float
    entry: KBEntry | None = None
    source: str = "kb"


class _Tok:
    __slots__ = ("cap", "end", "start", "text")

    def __init__(self, start: int, end: int, text: str):
        self.start = start
        self.end = end
        self.text = text
        self.cap = text[:1].isupper()


Seqs = dict[str, tuple[tuple[str, ...], ...]]


def _index(words: list[str]) -> Seqs:
    """Word sequences indexed by their first word, longest first."""
    out: dict[str, set[tuple[str, ...]]] = {}
    for w in words:
        seq = tuple(w.split())
        if seq:
            out.setdefault(seq[0], set()).add(seq)
            if seq[0][:1].islower():  # also at the start of a sentence: "Juru bicara ..."
                cap = (seq[0][:1].upper() + seq[0][1:], *seq[1:])
                out.setdefault(cap[0], set()).add(cap)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in out.items()}


@dataclass(frozen=True)
class _Lex:
    person_titles: Seqs
    role_words: frozenset[str]
    honorifics: frozenset[str]
    org_heads: Seqs
    org_weak_heads: frozenset[str]
    org_joiners: frozenset[str]
    place_heads: dict[str, Seqs]
    place_suffixes: frozenset[str]
    place_preps: frozenset[str]
    stopwords: frozenset[str]
    portfolios: dict[str, str]
    metonyms: dict[str, str] = field(default_factory=dict)
    #: lower-case words that can start a rule (titles like "juru bicara", prepositions like "di")
    starters: frozenset[str] = frozenset()
    person_verbs: frozenset[str] = frozenset()
    #: every first word of a title, organisation head or place head
    firsts: frozenset[str] = frozenset()


@lru_cache(maxsize=1)
def _lex() -> _Lex:
    r: dict[str, Any] = load_rules()

    return _Lex(
        person_titles=_index(r["person_titles"]),
        role_words=frozenset(r["role_words"]),
        honorifics=frozenset(r["honorifics"]),
        org_heads=_index(r["org_heads"]),
        org_weak_heads=frozenset(r.get("org_weak_heads", [])),
        org_joiners=frozenset(r["org_joiners"]),
        place_heads={t: _index(v) for t, v in r["place_heads"].items()},
        place_suffixes=frozenset(r["place_suffixes"]),
        place_preps=frozenset(r["place_preps"]),
        stopwords=frozenset(r["stopwords"]),
        portfolios=dict(r.get("portfolios", {})),
        metonyms=dict(r.get("metonyms", {})),
        person_verbs=frozenset(r.get("person_verbs", [])),
        firsts=frozenset(
            k
            for table in (
                _index(r["person_titles"]),
                _index(r["org_heads"]),
                *(_index(v) for v in r["place_heads"].values()),
            )
            for k in table
        ),
        starters=frozenset(
            w.split()[0]
            for w in [*r["person_titles"], *r["org_heads"], *r["place_preps"]]
            if not w[:1].isupper()
        ),
    )


@lru_cache(maxsize=1)
def _abbrevs() -> frozenset[str]:
    """Titles written with a final dot in the rules file ("Dr.", "Gen."), without the dot."""
    r = load_rules()
    return frozenset(
        w[:-1] for w in [*r["person_titles"], *r["honorifics"]] if w.endswith(".") and " " not in w
    )


def _tokens(text: str) -> list[_Tok]:
    # split() keeps the tokens at odd positions; offsets are running sums of the part lengths (all in C)
    parts = _SPLIT.split(text)
    offs = list(accumulate(map(len, parts), initial=0))
    texts = parts[1::2]
    toks = list(map(_Tok, offs[1::2], offs[2::2], texts))
    abbrevs = _abbrevs()
    dots = [i for i, w in enumerate(texts) if w == "."]
    for i in reversed(dots):
        prev = toks[i - 1] if i else None
        if prev is not None and prev.end == toks[i].start and prev.text in abbrevs:
            toks[i - 1] = _Tok(prev.start, toks[i].end, prev.text + ".")
            del toks[i]
    return toks


def _seq_at(toks: list[_Tok], i: int, seqs: Seqs) -> int:
    """Length of the longest word sequence of ``seqs`` starting at token ``i`` (0 if none)."""
    cands = seqs.get(toks[i].text)
    if not cands:
        return 0
    for seq in cands:
        n = len(seq)
        if i + n <= len(toks) and all(toks[i + k].text == seq[k] for k in range(1, n)):
            return n
    return 0


def _sentence_initial(text: str, tok: _Tok) -> bool:
    j = tok.start - 1
    while j >= 0 and text[j] in " \t“\"'‘(«":
        j -= 1
    return j < 0 or text[j] in ".!?\n:"


def _is_namey(tok: _Tok, lex: _Lex) -> bool:
    t = tok.text
    return (
        t[:1].isupper()
        and any(c.isalpha() for c in t)
        and t.rstrip(".") not in lex.stopwords
        and t not in lex.stopwords
        and not t.isdigit()
    )


def _kb_mentions(text: str, lang: str | None) -> list[Mention]:
    kb = load_kb()
    lex = _lex()
    out: list[Mention] = []
    for m in kb.match(text):
        e = m.entry
        # Metonymy: a capital used as its government ("Washington said") names the country.
        if e.ambiguous == "washington":
            prev = text[max(0, m.start - 12) : m.start].split()
            if e.name.startswith("Washington") and (not prev or prev[-1].lower() not in lex.place_preps):
                us = kb.by_key.get("country:US")
                if us is not None:
                    e = us
            elif e.name == "Washington":
                dc = kb.by_key.get("place:Washington, D.C.")
                e = dc or e
        conf = 0.95 if len(m.alias.split()) > 1 else 0.85
        out.append(Mention(m.start, m.end, e.type, e.key, e.name, conf, e, "kb"))
    return out


def _claimed(spans: bytearray, start: int, end: int) -> bool:
    return any(spans[start:end])


def _claim(spans: bytearray, start: int, end: int) -> None:
    spans[start:end] = b"\x01" * (end - start)


def _rule_mentions(text: str, toks: list[_Tok], kb_ments: list[Mention]) -> list[Mention]:
    """Names outside the knowledge base, found from titles, organisation and place cues."""
    lex = _lex()
    kb_at: dict[int, Mention] = {m.start: m for m in kb_ments}
    kb_end: dict[int, Mention] = {m.end: m for m in kb_ments}
    spans = bytearray(len(text) + 1)
    for m in kb_ments:
        _claim(spans, m.start, m.end)
    out: list[Mention] = []
    given = load_given_names()
    n = len(toks)
    i = 0
    starters = lex.starters
    firsts = lex.firsts
    while i < n:
        tok = toks[i]
        if (
            spans[tok.start]
            or (not tok.cap and tok.text not in starters)
            or (
                tok.cap
                and tok.text not in firsts
                and tok.text not in given
                and (i + 1 >= n or toks[i + 1].text not in lex.place_suffixes)
                and not _speaker_run(toks, i, spans, lex)
            )
        ):
            i += 1  # nothing can start here: inside a known name, or no cue word
            continue
        # --- a name right before a speech verb: "Anna Kowalska mengatakan" ---
        k = _speaker_run(toks, i, spans, lex)
        if k and (i == 0 or not toks[i - 1].cap):
            start, end = tok.start, toks[i + k - 1].end
            name = text[start:end]
            out.append(Mention(start, end, "PERSON", "person:" + name, name, 0.6, None, "rule"))
            _claim(spans, start, end)
            i += k
            continue
        # --- organisations: "Kementerian Pertahanan Rusia", "Ministry of Foreign Affairs" ---
        h = _seq_at(toks, i, lex.org_heads) if tok.cap else 0
        if h and not _claimed(spans, tok.start, tok.end):
            j = i + h
            has_gpe = False
            last = i + h - 1
            while j < n:
                t = toks[j]
                km = kb_at.get(t.start)
                if km is not None and km.type in ("GPE", "LOC"):
                    # a country or place closes the name ("Kementerian Energi Ukraina")
                    j += 1
                    while j < n and toks[j].start < km.end:
                        j += 1
                    last = j - 1
                    has_gpe = True
                    break
                if km is not None:
                    break
                if (t.cap and _is_namey(t, lex)) or t.text in lex.role_words:
                    last = j
                    j += 1
                    continue
                if t.text in lex.org_joiners and j + 1 < n and toks[j + 1].cap:
                    j += 1
                    continue
                break
            weak = toks[i].text in lex.org_weak_heads
            if last > i + h - 1 and (has_gpe or not weak):
                start, end = toks[i].start, toks[last].end
                if not _claimed(spans, start, end) or has_gpe:
                    phrase = text[start:end]
                    out.append(
                        Mention(
                            start,
                            end,
                            "ORG",
                            "org:" + phrase.casefold(),
                            _org_name(phrase, kb_ments, start, end),
                            0.7,
                            None,
                            "rule",
                        )
                    )
                    _claim(spans, start, end)
                    i = last + 1
                    continue
        # --- people after a title or role: "Presiden Ukraina Volodymyr Zelensky" ---
        h = _seq_at(toks, i, lex.person_titles)
        if h:
            j = i + h
            run: list[int] = []
            while j < n:
                t = toks[j]
                km = kb_at.get(t.start)
                if km is not None and km.type in ("GPE", "LOC", "NORP") and not run:
                    # "Presiden Ukraina(,) Volodymyr Zelensky": skip the country, keep looking
                    j += 1
                    while j < n and toks[j].start < km.end:
                        j += 1
                    if j < n and toks[j].text == "," and j + 1 < n and toks[j + 1].cap:
                        j += 1
                    continue
                if km is not None:
                    break
                if t.text in lex.role_words or t.text in lex.honorifics:
                    run = []
                    j += 1
                    continue
                if _is_namey(t, lex) and not _claimed(spans, t.start, t.end):
                    run.append(j)
                    j += 1
                    if len(run) >= 4:
                        break
                    continue
                if t.text in ("bin", "binti", "van", "von", "de", "al", "der", "da") and run:
                    j += 1
                    continue
                break
            if run and run[-1] + 1 < n and toks[run[-1] + 1].cap:
                run = []  # Title Case runs on: a headline, not a name after a title
            if run:
                start, end = toks[run[0]].start, toks[run[-1]].end
                name = text[start:end]
                if len(name) > 1 and not name.isupper():
                    out.append(Mention(start, end, "PERSON", "person:" + name, name, 0.7, None, "rule"))
                    _claim(spans, start, end)
                    i += 1  # words between the title and the name may hold an organisation
                    continue
        # --- people with a common given name: "Budi Santoso", "Michael Kofman" ---
        if (
            tok.text in given
            and i + 1 < n
            and _is_namey(toks[i + 1], lex)
            and toks[i + 1].text not in lex.role_words
            and not _claimed(spans, tok.start, toks[i + 1].end)
        ):
            j = i + 1
            while (
                j + 1 < n
                and j - i < 3
                and _is_namey(toks[j + 1], lex)
                and not _claimed(spans, toks[j + 1].start, toks[j + 1].end)
                and toks[j + 1].text not in lex.role_words
            ):
                j += 1
            start, end = tok.start, toks[j].end
            name = text[start:end]
            out.append(Mention(start, end, "PERSON", "person:" + name, name, 0.65, None, "rule"))
            _claim(spans, start, end)
            i = j + 1
            continue
        # --- places: "Provinsi X", "Kabupaten X", "X Oblast", "di X" ---
        for ptype, heads in lex.place_heads.items():
            h = _seq_at(toks, i, heads) if tok.cap else 0
            if (
                h
                and i + h < n
                and _is_namey(toks[i + h], lex)
                and not _claimed(spans, toks[i + h].start, toks[i + h].end)
            ):
                j = i + h
                while (
                    j + 1 < n
                    and _is_namey(toks[j + 1], lex)
                    and not _claimed(spans, toks[j + 1].start, toks[j + 1].end)
                ):
                    j += 1
                start, end = toks[i].start, toks[j].end
                phrase = text[start:end]
                out.append(Mention(start, end, ptype, "place:" + phrase, phrase, 0.7, None, "rule"))
                _claim(spans, start, end)
                i = j + 1
                break
        else:
            if (
                tok.cap
                and i + 1 < n
                and toks[i + 1].text in lex.place_suffixes
                and _is_namey(tok, lex)
                and not _claimed(spans, tok.start, toks[i + 1].end)
            ):
                start, end = tok.start, toks[i + 1].end
                out.append(Mention(start, end, "LOC", "place:" + tok.text, tok.text, 0.7, None, "rule"))
                _claim(spans, start, end)
                i += 2
                continue
            if (
                tok.text in lex.place_preps
                and i + 1 < n
                and _is_namey(toks[i + 1], lex)
                and len(toks[i + 1].text) > 2
                and not toks[i + 1].text.isupper()
                and not _claimed(spans, toks[i + 1].start, toks[i + 1].end)
                and (i + 2 >= n or not toks[i + 2].cap)
                and toks[i + 1].text not in lex.role_words
                and _seq_at(toks, i + 1, lex.org_heads) == 0
                and _seq_at(toks, i + 1, lex.person_titles) == 0
            ):
                t = toks[i + 1]
                out.append(Mention(t.start, t.end, "GPE", "place:" + t.text, t.text, 0.5, None, "rule"))
                _claim(spans, t.start, t.end)
                i += 2
                continue
            i += 1
            continue
        i += 1
    del kb_end
    return out


def _speaker_run(toks: list[_Tok], i: int, spans: bytearray, lex: _Lex) -> int:
    """Length of a run of 2-3 unclaimed name-like words at ``i`` followed by a speech verb, else 0."""
    n = len(toks)
    for k in (2, 3):
        if i + k >= n or toks[i + k].text not in lex.person_verbs:
            continue
        run = toks[i : i + k]
        if all(_is_namey(t, lex) and t.text not in lex.role_words and not spans[t.start] for t in run):
            return k
    return 0


def _org_name(phrase: str, kb_ments: list[Mention], start: int, end: int) -> str:
    """English canonical name for "Kementerian <portfolio> <country>", else the phrase itself."""
    lex = _lex()
    words = phrase.split()
    if words and words[0] == "Kementerian":
        country = next((m for m in kb_ments if start <= m.start and m.end <= end and m.type == "GPE"), None)
        rest = phrase[len("Kementerian ") :]
        if country is not None:
            rest = rest[: country.start - start - len("Kementerian ")].strip()
        port = lex.portfolios.get(rest)
        if port and country is not None:
            return f"Ministry of {port} of {country.name}"
    return phrase


def _coref(text: str, toks: list[_Tok], mentions: list[Mention]) -> list[Mention]:
    """Join short forms to the full names used in the same article ("Witkoff" -> "Steve Witkoff")."""
    lex = _lex()
    persons: dict[str, Mention] = {}
    for m in mentions:
        if m.type == "PERSON":
            words = [w for w in m.name.split() if w not in lex.honorifics]
            if len(words) >= 2:
                persons.setdefault(words[-1], m)
                persons.setdefault(" ".join(words[-2:]), m)
    if not persons:
        return mentions
    # A bare surname matched as something else (a city "Austin") or as its own person joins the full name.
    out: list[Mention] = []
    for m in mentions:
        surface = text[m.start : m.end]
        full = persons.get(surface)
        if (
            full is not None
            and full.key != m.key
            and (m.type == "PERSON" or (m.entry is not None and m.entry.ambiguous == "person_surname"))
        ):
            out.append(Mention(m.start, m.end, "PERSON", full.key, full.name, 0.8, full.entry, "coref"))
        else:
            out.append(m)
    used = bytearray(len(text) + 1)
    for m in out:
        _claim(used, m.start, m.end)
    for t in toks:
        full = persons.get(t.text)
        if full is not None and not used[t.start]:
            out.append(Mention(t.start, t.end, "PERSON", full.key, full.name, 0.75, full.entry, "coref"))
            _claim(used, t.start, t.end)
    return out


def find_mentions(text: str, lang: str | None = None) -> list[Mention]:
    """Every entity mention in ``text``, sorted by offset."""
    kb_ments = _kb_mentions(text, lang)
    toks = _tokens(text)
    rule = _rule_mentions(text, toks, kb_ments)
    mentions = _coref(text, toks, kb_ments + rule)
    mentions.sort(key=lambda m: m.start)
    return mentions


def extract_entities(text: str, lang: str | None = None) -> list[Entity]:
    """One Entity per referent with all its spans, in order of first mention."""
    groups: dict[str, list[Mention]] = {}
    for m in find_mentions(text, lang):
        groups.setdefault(m.key, []).append(m)
    out: list[Entity] = []
    for ms in groups.values():
        first = ms[0]
        e = first.entry
        surfaces = [text[m.start : m.end] for m in ms]
        surface = max(surfaces, key=lambda s: (len(s), -surfaces.index(s)))
        conf = min(0.99, max(m.confidence for m in ms) + 0.02 * (len(ms) - 1))
        country = e.country if e is not None and first.type == "GPE" else None
        out.append(
            Entity(
                text=surface,
                name=e.name if e is not None else first.name,
                type=first.type,  # type: ignore[arg-type]
                id=e.id if e is not None else None,
                country=country,
                spans=[(m.start, m.end) for m in ms],
                confidence=round(conf, 3),
            )
        )
    return out


class EntityStage:
    """Fills ``entities`` from ``body``."""

    name: ClassVar[str] = "entities"
    requires: ClassVar[tuple[str, ...]] = ("body",)
    assigns: ClassVar[tuple[str, ...]] = ("entities",)

    def __init__(self, settings: Any = None, state: Any = None):
        load_kb()

    def __call__(self, doc: Doc) -> None:
        if not isinstance(doc.body, str):
            raise StageError("W600", "article body is not text", hint="run the decode stage first")
        doc.entities = extract_entities(doc.body, doc.language)
