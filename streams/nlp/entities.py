"""Named entities: a CRF tagger finds the names, the knowledge base links them, coreference groups them."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress
from operator import attrgetter, gt
from typing import Any, ClassVar

from streams.core.analysis import Analysis
from streams.core.doc import Doc
from streams.core.errors import StageError
from streams.core.records import Entity
from streams.nlp.analysis import analyze
from streams.nlp.kb import KBEntry, KBMatch, kb_matches, load_given_names, load_kb, load_rules
from streams.nlp.name_heads import head_runs, is_head, load_heads, place_tail_end, tail_head_start
from streams.nlp.ner_crf import (
    CONNECTORS,
    HEADLINE,
    KB_TO_CONLL,
    CrfModel,
    _case_classes,
    _compiled,
    feature_lang,
    load_model,
)
from streams.nlp.ner_twins import Twins, bound, twin

__all__ = [
    "EntityStage",
    "Mention",
    "TextView",
    "extract_entities",
    "find_mentions",
    "py_free_caps",
    "py_keep_span",
    "py_name_word",
    "py_strip_bounds",
    "py_tag_spans",
    "text_view",
]

#: The sort key of mentions by their start (C-level, no Python call per mention).
_START = attrgetter("start")
_END = attrgetter("end")
_CONFIDENCE = attrgetter("confidence")

_CONLL_TO_KB = {"PERSON": "PERSON", "ORGANIZATION": "ORG", "LOCATION": "GPE"}
#: The BIO tags of a knowledge-base hit of each type the tagger learns (by the knowledge base's type).
_KB_BIO = {k: ("B-" + t, "I-" + t) for k, t in KB_TO_CONLL.items()}


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
    source: str = "crf"


@dataclass(slots=True)
class TextView:
    """What the tagger reads: tokens with offsets, sentence token ranges, knowledge-base hits."""

    text: str
    words: list[str]
    starts: list[int]
    ends: list[int]
    sentences: list[tuple[int, int]]
    kb_hits: list[KBMatch]
    kbtags: list[str]
    firsts: list[int]  # True at a sentence's first word; HEADLINE (2) throughout an all-caps sentence
    caps: list[bool]
    lang: str | None = None
    hit_toks: list[tuple[int, int]] = field(default_factory=list)  # token span of every KB hit
    #: 1 at every token a knowledge-base hit overlaps (a quick "no hit here" for the span passes)
    hit_cover: bytearray = field(default_factory=bytearray)


_OPENERS = frozenset("“\"‘'(«:-–—[")


def _all_caps(words: list[str], lo: int, hi: int) -> bool:
    """A headline or dateline in capitals ("LEICESTERSHIRE TAKE OVER AT TOP"): case says nothing there."""
    if sum(map(str.isupper, words[lo:hi])) < 3:
        return False  # (quick) fewer than three words in capitals
    alpha = [w for w in words[lo:hi] if len(w) > 1 and w[:1].isalpha()]
    return len(alpha) >= 3 and sum(map(str.isupper, alpha)) >= 0.8 * len(alpha)


def py_view_caps(words: list[str], lowers: list[str]) -> list[bool]:
    """Reference of ``_ner_hot.view_caps``: the tokens whose lowered form differs (``TextView.caps``)."""
    return list(map(str.__ne__, words, lowers))


def py_headlines(
    words: list[str], sentences: list[tuple[int, int]], firsts: list[int], headline: int
) -> None:
    """Reference of ``_ner_hot.headlines``: every token of a sentence in capitals marked ``headline``."""
    for lo, hi in sentences:
        if hi - lo >= 3 and _all_caps(words, lo, hi):
            firsts[lo:hi] = [headline] * (hi - lo)


def py_view_tags(
    words: list[str],
    starts: list[int],
    ends: list[int],
    sentences: list[tuple[int, int]],
    hstarts: list[int],
    hends: list[int],
    hbio: list[tuple[str, str] | None],
    openers: frozenset[str],
) -> tuple[list[str], list[tuple[int, int]], bytearray, list[int]]:
    """Reference of ``_ner_hot.view_tags``: ``(kbtags, hit_toks, cover, firsts)`` of a text view. Each
    knowledge-base hit (``hstarts``/``hends``, sorted by start) gets its token span, the BIO tags of its
    type (``hbio``: (B, I), or None for a type the tagger does not learn) and marks in ``cover`` every
    token its characters overlap; ``firsts`` marks each sentence's first word after openers and the
    word after an opener inside a sentence."""
    n = len(words)
    if len(starts) != n or len(ends) != n or len(hends) != len(hstarts) or len(hbio) != len(hstarts):
        raise ValueError("words, starts, ends (and the hits' lists) differ in length")
    kbtags = ["O"] * n
    hit_toks: list[tuple[int, int]] = []
    cover = bytearray(n + 1)
    for hs, he, bio in zip(hstarts, hends, hbio, strict=True):
        i = bisect_left(starts, hs)
        lo = i
        if i and ends[i - 1] > hs:
            cover[i - 1] = 1  # the hit starts inside the token before
        while i < n and starts[i] < he:
            if bio is not None:
                kbtags[i] = bio[0] if i == lo else bio[1]
            i += 1
        hit_toks.append((lo, i))
        cover[lo:i] = b"\x01" * (i - lo)  # every token the hit's characters overlap
    firsts: list[int] = [False] * n
    for lo, hi in sentences:
        i = lo
        while i < hi and words[i] in openers:
            i += 1
        if i < hi:
            firsts[i] = True
    sent_end = bytearray(n + 1)
    for _lo, hi in sentences:
        sent_end[hi] = 1
    for j in compress(range(n), map(openers.__contains__, words)):
        if j + 1 < n and not sent_end[j + 1]:
            firsts[j + 1] = True  # after an opener inside the sentence
    return kbtags, hit_toks, cover, firsts


def text_view(text: str, analysis: Analysis | None = None) -> TextView:
    """What the tagger reads, from the shared analysis of ``text`` (computed here when not given)."""
    an = analysis if analysis is not None else analyze(text)
    sentences = [(s.tok_start, s.tok_end) for s in an.sentences]
    hot = _compiled()
    caps = hot.view_caps(an.words, an.lowers) if hot is not None else py_view_caps(an.words, an.lowers)
    view = _view(text, an.words, an.starts, an.ends, sentences, kb_matches(an), caps)
    view.lang = an.language
    return view


def _view(
    text: str,
    words: list[str],
    starts: list[int],
    ends: list[int],
    sentences: list[tuple[int, int]],
    hits: list[KBMatch],
    caps: list[bool],
) -> TextView:
    hot = _compiled()
    args = (
        words,
        starts,
        ends,
        sentences,
        list(map(_START, hits)),
        list(map(_END, hits)),
        [_KB_BIO.get(h.entry.type) for h in hits],
        _OPENERS,
    )
    kbtags, hit_toks, cover, firsts = hot.view_tags(*args) if hot is not None else py_view_tags(*args)
    (hot.headlines if hot is not None else py_headlines)(words, sentences, firsts, HEADLINE)
    return TextView(
        text, words, starts, ends, sentences, hits, kbtags, firsts, caps, hit_toks=hit_toks, hit_cover=cover
    )


# --- recognition --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Lex:
    titles: frozenset[str]
    title_seqs: tuple[tuple[str, ...], ...]
    roles: frozenset[str]
    honorifics: frozenset[str]
    #: stop words, non-names, titles and roles: a span of these alone is not a name
    unnamed: frozenset[str]
    final_abbrevs: frozenset[str]
    stop: frozenset[str]
    loc_heads: frozenset[str]
    not_names: frozenset[str]
    gpe_heads: frozenset[str]
    org_heads: frozenset[str]
    portfolios: dict[str, str]
    blocked: frozenset[str] = frozenset()
    blocked_stop: frozenset[str] = frozenset()
    free_before: frozenset[str] = frozenset()
    particles: frozenset[str] = frozenset()
    hyphen_particles: frozenset[str] = frozenset()


def _english_stop() -> frozenset[str]:
    """The shipped English stop words, capitalized as at the start of a sentence ("Among", "Of")."""
    from streams.data.text import english_stop_words

    return frozenset(w.capitalize() for w in english_stop_words())


@lru_cache(maxsize=1)
def _lex() -> _Lex:
    r: dict[str, Any] = load_rules()
    seqs = {tuple(t.split()) for t in r["person_titles"]}
    seqs |= {(s[0].upper() + s[0][1:], *s[1:]) for s in list(seqs) if s[0][:1].islower()}
    titles = frozenset(w for s in seqs for w in s) | load_heads().extra_titles
    # the tokenizer splits a title's stop off ("Hj" "." "Dede Lutfi"): the stop-less form is the title
    titles |= frozenset(w.rstrip(".") for w in titles if w.endswith(".") and len(w) > 2)
    honorifics = frozenset(r["honorifics"])
    stop = frozenset(str(w) for w in r["stopwords"]) | _english_stop()
    roles = frozenset(r["role_words"]) | frozenset(r.get("rank_words", []))
    return _Lex(
        free_before=titles
        | honorifics
        | stop
        | roles
        | frozenset(str(w) for w in r.get("not_names", []))
        | load_heads().free_before,
        blocked=titles | honorifics,
        blocked_stop=titles | honorifics | stop,
        titles=titles,
        title_seqs=tuple(sorted(seqs, key=len, reverse=True)),
        roles=roles,
        honorifics=honorifics,
        unnamed=stop | frozenset(str(w) for w in r.get("not_names", [])) | titles | roles,
        final_abbrevs=frozenset(r.get("name_final_abbreviations", [])),
        stop=stop,
        not_names=frozenset(str(w) for w in r.get("not_names", [])),
        loc_heads=frozenset(x.split()[0] for x in r["place_heads"]["LOC"]),
        org_heads=frozenset(x for x in r["org_heads"] if " " not in x),
        gpe_heads=frozenset(x for x in r["place_heads"]["GPE"] if " " not in x and x[:1].isupper()),
        portfolios=dict(r.get("portfolios", {})),
        particles=frozenset(str(w) for w in r.get("name_particles", [])),
        hyphen_particles=frozenset(str(w) for w in r.get("name_hyphen_particles", [])),
    )


def _no_alnum(w: str) -> bool:
    """Whether ``w`` holds no letter or digit (punctuation; the empty word too)."""
    return not w.isalnum() and not any(c.isalnum() for c in w)


def py_strip_bounds(
    words: list[str],
    caps: list[bool],
    starts: list[int],
    ends: list[int],
    lo: int,
    hi: int,
    person: bool,
    org: bool,
    sets: tuple[frozenset[str], ...],
) -> tuple[int, int]:
    """Reference of ``_ner_hot.strip_bounds``: the token bounds of a tagged span without leading
    punctuation and lower-case words (lower-case connectors only before an organisation, ``org``; titles,
    roles and honorifics before a person, and everything up to the last title inside a person's span),
    and without trailing possessives, punctuation, titles before a capitalized word (not an
    organisation's own lead), a person's degrees and lower-case words; a final abbreviation keeps its
    attached stop. ``sets``: titles, roles, honorifics, connectors, final abbreviations, degrees, the
    organisations' leading titles (``_strip_sets``)."""
    lo = _strip_lead(words, lo, hi, person, org, sets)
    return lo, _strip_end(words, caps, starts, ends, lo, hi, person, sets)


def _strip_lead(
    words: list[str], lo: int, hi: int, person: bool, org: bool, sets: tuple[frozenset[str], ...]
) -> int:
    """The start of ``py_strip_bounds``."""
    titles, roles, honorifics, connectors = sets[:4]
    while hi - lo > 1:
        w = words[lo]
        if (person and (w in titles or w in roles or w in honorifics)) or (
            _no_alnum(w) or (w[:1].islower() and (not org or w in connectors))
        ):
            lo += 1
        else:
            break
    if person:
        # "Kanitlaka Polres Situbondo Ipda Teguh Santoso": the name follows the last title
        for k in range(hi - 2, lo - 1, -1):
            if words[k] in titles:
                return k + 1
    return lo


def _strip_end(
    words: list[str],
    caps: list[bool],
    starts: list[int],
    ends: list[int],
    lo: int,
    hi: int,
    person: bool,
    sets: tuple[frozenset[str], ...],
) -> int:
    """The end of ``py_strip_bounds``."""
    titles, final_abbrevs, degrees, org_lead = sets[0], sets[4], sets[5], sets[6]
    n = len(words)
    while hi > lo and (words[hi - 1] in ("'s", "’s", "'S") or _no_alnum(words[hi - 1])):
        hi -= 1
    if not person and hi < n and caps[hi]:
        # "Polres Situbondo Ipda Teguh": a rank before a name starts the person's name, not part of this one
        while hi - lo > 1 and words[hi - 1] in titles and words[hi - 1] not in org_lead:
            hi -= 1
    if person:
        hi = _strip_degrees(words, lo, hi, degrees)
    while hi > lo and words[hi - 1].islower():
        hi -= 1  # a name does not end in a connector ("Ministry of"); "detikHot", "iNews" are names
    if lo < hi < n and words[hi] == "." and words[hi - 1] in final_abbrevs and ends[hi - 1] == starts[hi]:
        hi += 1  # "Toyota Motor Corp." keeps its stop
    return hi


@lru_cache(maxsize=1)
def _strip_sets() -> tuple[frozenset[str], ...]:
    """The word sets ``strip_bounds`` reads (see ``py_strip_bounds``)."""
    lex = _lex()
    heads = load_heads()
    return (
        lex.titles,
        lex.roles,
        lex.honorifics,
        frozenset(CONNECTORS),
        lex.final_abbrevs,
        frozenset(heads.degrees),
        frozenset(heads.org_lead),
    )


def _strip_degrees(words: list[str], lo: int, hi: int, degrees: frozenset[str]) -> int:
    """The end of a person's name without the academic degrees written after it ("Husni Chandra | SH
    MH", "Budi | S.Sos."); at least one word stays."""
    k = cut = hi
    while k - lo > 1:
        w = words[k - 1]
        if w.rstrip(".") in degrees:
            cut = k - 1
        elif w not in (",", "."):
            break
        k -= 1
    while cut - lo > 1 and words[cut - 1] in (",", "."):
        cut -= 1
    return cut


def _place_noun_end(view: TextView, hi: int) -> int:
    """The end of a place's mention with the lower-case place noun after it that the annotated pages
    count as part of the name ("Gansu | province", "Aida | refugee camp"; ``place_nouns_in_name``)."""
    words = view.words
    cands = load_heads().place_in_name.get(words[hi]) if hi < len(words) else None
    if (
        not cands
        or hi >= _sentence_end(view, hi - 1)
        or view.text[view.ends[hi - 1] : view.starts[hi]] != " "
    ):
        return hi
    for cand in cands:
        k = len(cand)
        if tuple(words[hi : hi + k]) == cand and all(
            view.text[view.ends[j - 1] : view.starts[j]] == " " for j in range(hi + 1, hi + k)
        ):
            return hi + k
    return hi


def py_name_word(words: list[str], lo: int, hi: int, unnamed: frozenset[str]) -> bool:
    """Reference of ``_ner_hot.name_word``: whether some word of ``words[lo:hi]`` is a name's (not in
    ``unnamed``, holding a letter); ``0 <= lo`` and ``hi <= len(words)``."""
    if lo < 0 or hi > len(words):
        raise IndexError("span outside the words")
    return any(w not in unnamed and (w[:1].isalpha() or any(c.isalpha() for c in w)) for w in words[lo:hi])


def py_keep_span(
    words: list[str],
    text: str,
    starts: list[int],
    ends: list[int],
    lo: int,
    hi: int,
    sets: tuple[frozenset[str], ...],
    is_head: Any,
    roman: Any,
) -> bool:
    """Reference of ``_ner_hot.keep_span``: whether the span ``words[lo:hi]`` may be a name: some word
    is a name's (``py_name_word``), its surface is two characters or more and no known non-entity, it is
    not exactly a head word (``is_head`` of its words when the first is a head's first word) nor one
    facility word or one Roman numeral (``roman(surface)``). ``sets``: the words no name is made of,
    the non-entities, the heads' first words, the facility words (``_keep_sets``)."""
    unnamed, not_entities, head_firsts, facility = sets
    if hi <= lo or not py_name_word(words, lo, hi, unnamed):
        return False
    ws = words[lo:hi]
    surface = text[starts[lo] : ends[hi - 1]]
    if len(surface) < 2 or surface in not_entities or (ws[0] in head_firsts and is_head(ws)):
        return False
    if len(ws) == 1 and ws[0] in facility:
        return False
    return not (len(ws) == 1 and roman(surface))  # "XVII" left of "Kapendam XVII"


@lru_cache(maxsize=1)
def _keep_sets() -> tuple[frozenset[str], ...]:
    """The word sets ``keep_span`` reads (see ``py_keep_span``)."""
    heads = load_heads()
    return (_lex().unnamed, frozenset(heads.not_entities), frozenset(heads.firsts), frozenset(heads.facility))


def _keep(view: TextView, lo: int, hi: int) -> bool:
    hot = _compiled()
    keep = hot.keep_span if hot is not None else py_keep_span
    return keep(  # type: ignore[no-any-return]
        view.words, view.text, view.starts, view.ends, lo, hi, _keep_sets(), is_head, _ROMAN.fullmatch
    )


_ROMAN = re.compile(r"[IVXLCDM]+")


def _tagged_spans(view: TextView, model: CrfModel) -> list[tuple[int, int, str]]:
    tags = model.tag_sentences(view.words, view.firsts, view.kbtags, view.sentences, view.caps, view.lang)
    hot = _compiled()
    return hot.tag_spans(tags, view.sentences) if hot is not None else py_tag_spans(tags, view.sentences)  # type: ignore[no-any-return]


def py_tag_spans(tags: list[str], sentences: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Reference of ``_ner_hot.tag_spans``: the ``(start, end, type)`` spans of BIO ``tags`` ("B-X",
    "I-X", "O"): a span ends before a "B-", a change of type, a gap, and at each sentence's end."""
    out: list[tuple[int, int, str]] = []
    sent_end = [0] * len(tags)
    for _lo, hi in sentences:
        sent_end[hi - 1] = 1
    start, last, typ = -1, -1, ""
    for k in list(compress(range(len(tags)), map("O".__ne__, tags))):
        tag = tags[k]
        p, t = tag[0], tag[2:]
        if typ and (p == "B" or t != typ or k != last + 1):
            out.append((start, last + 1, typ))
            typ = ""
        if not typ:
            start, typ = k, t
        last = k
        if sent_end[k]:
            out.append((start, k + 1, typ))
            typ = ""
    if typ:
        out.append((start, last + 1, typ))
    return out


#: A head after a capitalized word the tagger left out of every name starts a run ("Kanitlaka | Polres
#: Situbondo", "Kasie Operasi | Penanggulangan …"): only a word the tagger read as a name puts the head inside
#: another name ("Angkasa Pura I"); False: any capitalized word outside ``head_free_before`` does.
HEAD_AFTER_UNNAMED = True


def _head_runs(view: TextView, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Runs after institution heads and place type words, stopping at the people the knowledge base
    or the tagger found ("Kota Semarang | Hevearita Gunaryanti Rahayu")."""
    lex = _lex()
    words = view.words
    given = load_given_names()
    kb_persons: set[int] = set()
    kb_starts: set[int] = set()
    org_ends: set[int] = set()
    region_starts: set[int] = set()
    for h, (k, e) in zip(view.kb_hits, view.hit_toks, strict=True):
        kb_starts.add(k)
        t = h.entry.type
        if t == "PERSON":
            kb_persons.add(k)
        elif t == "ORG":
            org_ends.add(e)
        elif h.entry.key.startswith("place:"):
            region_starts.add(k)
    strong = set(kb_persons)
    for lo, hi, typ in spans:
        if typ == "PERSON" and (words[lo] in given or hi - lo >= 2):
            strong.add(lo)
    org_stops = set(strong)
    for lo, hi, typ in spans:
        if (
            typ == "PERSON"
            and view.kbtags[lo] == "O"
            and (
                hi - lo >= 2
                or words[lo] in given
                or (lo and len(words[lo - 1]) > 1 and words[lo - 1].isupper())
            )
        ):
            org_stops.add(lo)
    return head_runs(
        view.text,
        words,
        view.starts,
        view.ends,
        view.caps,
        view.sentences,
        strong,
        org_stops,
        lex.blocked,
        free_before=lex.free_before,
        kb_starts=kb_starts,
        org_ends=org_ends,
        region_starts=region_starts,
        given_names=given,
        named={k for lo, hi, _ in spans for k in range(lo, hi)} if HEAD_AFTER_UNNAMED else None,
    )


def _shape_spans(view: TextView, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str, str]]:
    """The tagger's spans reshaped by head words: runs after an institution head or a place type word
    replace the tagged pieces they overlap ("Komisi V DPR", "Kota Tua Yerusalem"; what a tagged span
    has outside the run stays a span), an English organisation ending in a tail head takes the
    capitalized words before it ("West Sumatra Disaster Mitigation Agency"). Each span comes with its
    kind: "crf", "run", or the place type ("GPE"/"LOC") of a place run. Linear in the tokens."""
    runs = twin(_head_runs)(view, spans)
    merged: list[tuple[int, int, str, str]] = []
    r = 0
    for lo, hi, typ in spans:
        while r < len(runs) and runs[r][1] <= lo:
            merged.append(_run_span(runs[r]))
            r += 1
        if r < len(runs) and runs[r][0] < hi:
            if _split_by_run(view, lo, hi, typ, runs[r], merged):
                r += 1
            continue
        lo, typ = _tail_head_span(view, lo, hi, typ, merged)
        merged.append((lo, hi, typ, "crf"))
    merged.extend(_run_span(run) for run in runs[r:])
    merged.sort()
    return merged


def _run_span(run: tuple[int, int, str]) -> tuple[int, int, str, str]:
    """A head run as a shaped span: an organisation run, or a place run of its place type."""
    a, b, t = run
    return a, b, "ORGANIZATION" if t == "ORGANIZATION" else "LOCATION", "run" if t == "ORGANIZATION" else t


def _split_by_run(
    view: TextView,
    lo: int,
    hi: int,
    typ: str,
    run: tuple[int, int, str],
    merged: list[tuple[int, int, str, str]],
) -> bool:
    """Add what a tagged span overlapping a head run keeps: the whole span when it is a place holding
    a place run ("Tepi Barat Sungai Yordan"; True: the run is used up), else its parts outside the run
    (the run itself is added later, the list is sorted at the end)."""
    a, b, t = run
    if typ == "LOCATION" and t != "ORGANIZATION" and lo < a and b <= hi:
        merged.append((lo, hi, typ, "crf"))
        return True
    # what the tagged span has outside the run stays a span when it is more than one word
    # (a lone word before an institution is a unit or role: "Humas PA Jakarta Selatan")
    if a - lo >= 2:
        merged.append((lo, a, typ, "crf"))
    if hi - b >= 2 or (hi - b == 1 and view.kbtags[b] != "O"):
        merged.append((b, hi, typ, "crf"))
    return False


def _tail_head_span(
    view: TextView, lo: int, hi: int, typ: str, merged: list[tuple[int, int, str, str]]
) -> tuple[int, str]:
    """Start and type of a tagged span outside every head run: an English organisation named by a
    tail head ("Centre for | Seismology", "Geological Survey") takes the capitalized words before it."""
    heads = load_heads()
    words, text = view.words, view.text
    headed = False
    if (
        lo >= 2
        and words[lo - 1] in ("of", "for")
        and words[lo - 2] in heads.tail_org
        and text[view.ends[lo - 2] : view.starts[lo]] == f" {words[lo - 1]} "
        and view.kbtags[lo] == "O"
    ):
        lo, typ, headed = lo - 2, "ORGANIZATION", True  # "(National) Centre for | Seismology"
    if (
        typ != "ORGANIZATION"
        and hi - lo >= 2
        and words[hi - 1] in heads.tail_org
        and view.kbtags[hi - 1] == "O"
    ):
        typ = "ORGANIZATION"  # "Geological Survey", "U.S. Treasury" name institutions
    if typ == "ORGANIZATION" and (headed or words[hi - 1] in heads.tail_org):
        lo = _tail_head_back(view, lo, merged)
    return lo, typ


def _tail_head_back(view: TextView, lo: int, merged: list[tuple[int, int, str, str]]) -> int:
    """New start of an organisation ending in a tail head: back over the capitalized words before
    ``lo``, over at most the span right before it (linear: no token is walked over twice), which is
    dropped from ``merged`` when the organisation takes it in."""
    prev_bound = 0 if not merged else merged[-1][1] if merged[-1][3] != "crf" else merged[-1][0]
    stop = max(prev_bound, _sentence_start(view, lo))
    new_lo = tail_head_start(
        view.text, view.words, view.starts, view.ends, view.caps, lo, stop, _lex().blocked_stop
    )
    while merged and merged[-1][0] >= new_lo and merged[-1][3] == "crf":
        merged.pop()
    if merged and merged[-1][1] > new_lo:
        new_lo = merged[-1][1]
    return new_lo


def _sentence_of(view: TextView, k: int) -> tuple[int, int]:
    """The (first, end) token range of the sentence holding token ``k``."""
    return view.sentences[bisect_left(view.sentences, (k + 1, -1)) - 1]


def _support(
    view: TextView, model: CrfModel, sent: tuple[int, int], span: tuple[int, int], typ: str
) -> float:
    """``CrfModel.support`` of ``span`` (inside ``sent``) as one name of ``typ``, over this view's words."""
    return model.support(view.words, view.firsts, view.kbtags, sent, span, typ, view.lang)


def _supports(
    view: TextView, model: CrfModel, sent: tuple[int, int], span: tuple[int, int], types: Sequence[str]
) -> list[float]:
    """``CrfModel.supports``: :func:`_support` of ``span`` for each of ``types``, each token read once."""
    return model.supports(view.words, view.firsts, view.kbtags, sent, span, types, view.lang)


def _sentence_start(view: TextView, k: int) -> int:
    i = bisect_left(view.sentences, (k + 1, -1)) - 1
    return view.sentences[i][0] if i >= 0 else 0


def _sentence_end(view: TextView, k: int) -> int:
    i = bisect_left(view.sentences, (k + 1, -1)) - 1
    return view.sentences[i][1] if i >= 0 else len(view.words)


def _org_name(view: TextView, lo: int, hi: int, hits: dict[int, KBMatch]) -> str:
    """English canonical name for "Kementerian <portfolio> <country>", else the phrase itself."""
    words = view.words
    phrase = view.text[view.starts[lo] : view.ends[hi - 1]]
    if words[lo] == "Kementerian" and hi - lo >= 3:
        last = hits.get(view.starts[hi - 1]) or next(
            (h for h in hits.values() if view.starts[lo] < h.start and h.end == view.ends[hi - 1]), None
        )
        if last is not None and last.entry.type == "GPE":
            rest = view.text[view.ends[lo] : last.start].strip(" ,")
            port = _lex().portfolios.get(rest)
            if port:
                return f"Ministry of {port} of {last.entry.name}"
    return phrase


def _link_type(view: TextView, lo: int, hi: int, typ: str, entry: KBEntry, model: CrfModel | None) -> str:
    """The type of a tagged span the knowledge base knows: a known person or institution keeps the
    knowledge base's type ("Gedung Putih", the White House); a known place takes it only where the
    tagger's scores hardly prefer their own type ("Chicago" beat Boston is a team, not the city)."""
    theirs = KB_TO_CONLL.get(entry.type, "")
    if entry.type in ("PERSON", "ORG"):
        return theirs
    if theirs == typ or not theirs or model is None:
        return typ
    sent = _sentence_of(view, lo)
    ours = _support(view, model, sent, (lo, hi), typ)
    alt = _support(view, model, sent, (lo, hi), theirs)
    return theirs if ours - alt < model.kb_type_margin else typ


def _link(
    view: TextView,
    lo: int,
    hi: int,
    typ: str,
    hit_at: dict[tuple[int, int], KBMatch],
    hits: dict[int, KBMatch],
    place_type: str = "",
    model: CrfModel | None = None,
) -> Mention:
    start, end = view.starts[lo], view.ends[hi - 1]
    surface = view.text[start:end]
    kb_type = _CONLL_TO_KB[typ]
    h = hit_at.get((start, end))
    entry = h.entry if h is not None else None
    if entry is None and view.words[lo] in _lex().gpe_heads and hi - lo > 1:
        inner = hit_at.get((view.starts[lo + 1], end))
        if inner is not None and inner.entry.type in ("GPE", "LOC"):
            entry = inner.entry  # "Kabupaten Cianjur" is the KB's Cianjur
    if entry is not None and KB_TO_CONLL.get(entry.type) != typ:  # (the same type stays)
        typ = _link_type(view, lo, hi, typ, entry, model)
    if entry is None or KB_TO_CONLL.get(entry.type) != typ:
        cands = load_kb().candidates(surface)
        same = [c for c in cands if KB_TO_CONLL.get(c.type) == typ]
        entry = same[0] if same else None
    if entry is not None and not (entry.ambiguous == "person_surname" and typ == "PERSON"):
        return Mention(start, end, entry.type, entry.key, entry.name, 0.95, entry, "crf+kb")
    if typ == "LOCATION" and (place_type == "LOC" or (not place_type and view.words[lo] in _lex().loc_heads)):
        kb_type = "LOC"
    if typ == "ORGANIZATION":
        return Mention(start, end, kb_type, "org:" + surface.casefold(), _org_name(view, lo, hi, hits), 0.8)
    prefix = "person:" if kb_type == "PERSON" else "place:"
    return Mention(start, end, kb_type, prefix + surface, surface, 0.8)


def _kb_split(view: TextView, start: int, end: int, inside: list[KBMatch]) -> bool:
    """Whether knowledge-base hits cover a tagged span up to connectors and punctuation
    ("Reuters dan Antara", "AS-Rusia"): then the hits are the names, not the span."""
    if len(inside) < 2:
        return False
    rest = view.text[start:end]
    for h in sorted(inside, key=lambda h: -h.start):
        rest = rest[: h.start - start] + " " * (h.end - h.start) + rest[h.end - start :]
    return all(w.lower() in CONNECTORS or not any(c.isalnum() for c in w) for w in rest.split())


#: Whether runs after institution and place head words reshape the tagger's spans (``_shape_spans``).
HEAD_RUNS = True


def _recognise(view: TextView, model: CrfModel, twins: Twins | None = None) -> list[Mention]:
    """Mentions from the tagger's spans (cleaned, extended, linked), then the knowledge-base names
    the tagger left out where its scores support them."""
    tw = twins or bound()
    hit_at = {(h.start, h.end): h for h in view.kb_hits}
    hits = {h.start: h for h in view.kb_hits}
    tagged = _tagged_spans(view, model)
    spans = tw._shape_spans(view, tagged) if HEAD_RUNS else [(lo, hi, t, "crf") for lo, hi, t in tagged]
    # the article's own evidence: last words of the spans the tagger read as people
    people = {view.words[hi - 1] for lo, hi, typ in tagged if typ == "PERSON"}
    out = _span_mentions(view, model, spans, people, hit_at, hits)
    out.extend(tw._kb_additions(view, model, out))
    out.sort(key=_START)
    out = _span_passes(view, model, out, hit_at, hits, tw)
    out = _place_nouns(view, tw._washington(view, tw._retype(view, tw._bracket_join(view, out))))
    return _headed_places(view, model, _place_heads(view, model, out), hit_at, hits)


#: The place type (``_link``'s ``place_type``) of a shaped span's kind: a place run's own.
_PLACE_KINDS = {"GPE": "GPE", "LOC": "LOC"}


def _span_checks() -> tuple[Any, Any]:
    """``strip_bounds`` and ``keep_span``: compiled, or their references (``WARTA_COMPILED=0``)."""
    hot = _compiled()
    return (hot.strip_bounds, hot.keep_span) if hot is not None else (py_strip_bounds, py_keep_span)


def _span_mentions(
    view: TextView,
    model: CrfModel,
    spans: list[tuple[int, int, str, str]],
    people: set[str],
    hit_at: dict[tuple[int, int], KBMatch],
    hits: dict[int, KBMatch],
) -> list[Mention]:
    """:func:`py_span_mentions`, compiled when the tagger runs compiled (``_ner_hot.span_mentions``)."""
    return twin(py_span_mentions)(view, model, spans, people, hit_at, hits)


def py_span_mentions(
    view: TextView,
    model: CrfModel,
    spans: list[tuple[int, int, str, str]],
    people: set[str],
    hit_at: dict[tuple[int, int], KBMatch],
    hits: dict[int, KBMatch],
) -> list[Mention]:
    """The mention of each shaped span (cleaned, extended, linked; none for a span that is no name or
    whose knowledge-base names win), in order; a span starting inside the one before is skipped."""
    out: list[Mention] = []
    hit_starts = [h.start for h in view.kb_hits]
    loc_at = {lo: hi for lo, hi, typ, _kind in spans if typ == "LOCATION"}
    claimed = 0
    text, words, starts, ends, n = view.text, view.words, view.starts, view.ends, len(view.words)
    place_in_name = load_heads().place_in_name
    strip, keep = _span_checks()
    strip_sets, keep_sets, roman = _strip_sets(), _keep_sets(), _ROMAN.fullmatch
    # (each helper's own first test is made here too, before the call: most spans need none of them)
    for lo0, hi0, typ0, kind0 in spans:
        if lo0 < claimed:
            continue
        lo, hi, typ, kind = lo0, hi0, typ0, kind0
        if kind == "crf":
            # leading punctuation and lower-case words (before a person's name, titles and roles) and
            # trailing possessives, punctuation and lower-case words go; the type is the tagger's
            person = typ == "PERSON"
            lo, hi = strip(words, view.caps, starts, ends, lo, hi, person, typ == "ORGANIZATION", strip_sets)
            if person and hi > lo:
                lo = _first_name(view, model, lo, hi, claimed)
        if hi <= lo or (
            not keep(words, text, starts, ends, lo, hi, keep_sets, is_head, roman)
            and not _tagger_keeps(view, model, lo, hi, typ, kind)
        ):
            continue
        lo, hi, typ, kind = _extend_span(view, lo, hi, typ, kind, hit_at, hits, loc_at)
        claimed = hi
        if typ != "PERSON" and hi - lo >= 2:
            cut = _person_tail(
                view, model, lo, hi, typ, PERSON_TAIL_DOC_MARGIN if words[hi - 1] in people else None
            )
            if cut:  # "Kabupaten Jombang | Gunadi": the name closing the span is a person's
                out.append(_link(view, cut, hi, "PERSON", hit_at, hits, "", model))
                hi = cut
        if (
            kind == "crf"
            and (starts[lo], ends[hi - 1]) not in hit_at
            and _kb_names_win(view, lo, hi, typ, hit_starts)
        ):
            continue  # the knowledge-base names are added below
        if typ == "ORGANIZATION":
            hi = _ministry_country(view, lo, hi, typ, hits)
        m = _link(view, lo, hi, typ, hit_at, hits, _PLACE_KINDS.get(kind, ""), model)
        if hi < n and m.type in ("GPE", "LOC") and words[hi] in place_in_name:
            end = _place_noun_end(view, hi)
            if end > hi:
                m.end = view.ends[end - 1]  # the mention takes the noun, the name stays the place's
                claimed = end
        out.append(m)
    return out


#: A tagged span of words the lists call no name's ("Air Force", "the Navy", "National Police": role and
#: head words) is kept when the tagger's log-odds of it are at least this: the
#: word lists are a feature the tagger already weighed, not a veto; None: the lists decide.
KEEP_SUPPORT: float | None = 2.0


def _tagger_keeps(view: TextView, model: CrfModel, lo: int, hi: int, typ: str, kind: str) -> bool:
    """Whether the tagger's scores keep a span ``keep_span`` rejects (``KEEP_SUPPORT``): a tagged organisation
    or place of capitalized words that opens no sentence, holds no title or stop word, is no lone acronym
    or head, and is no known non-entity."""
    if KEEP_SUPPORT is None or kind != "crf" or typ == "PERSON" or view.firsts[lo]:
        return False
    words, lex = view.words, _lex()
    if any(
        w in lex.titles or w in lex.honorifics or w in lex.stop or not w[:1].isupper() for w in words[lo:hi]
    ):
        return False
    if hi - lo == 1 and (words[lo].isupper() or words[lo] in load_heads().firsts):
        return False  # a lone acronym or head ("MMI", "Polsek"): initials and scales as often as names
    if view.text[view.starts[lo] : view.ends[hi - 1]] in load_heads().not_entities:
        return False
    return _support(view, model, _sentence_of(view, lo), (lo, hi), typ) >= KEEP_SUPPORT


def _span_passes(
    view: TextView,
    model: CrfModel,
    mentions: list[Mention],
    hit_at: dict[tuple[int, int], KBMatch],
    hits: dict[int, KBMatch],
    twins: Twins | None = None,
) -> list[Mention]:
    """The passes over the sorted mentions that read the tagger's scores again: names through
    particles, adjacent mentions merged, list items beside a name (each off when its setting is None)."""
    tw = twins or bound()
    if PARTICLE_MARGIN is not None:
        mentions = _particle_tails(view, model, mentions, hit_at, hits)
    if MERGE_MARGIN is not None:
        mentions = _merge_adjacent(view, model, mentions, hit_at, hits)
    if LIST_SUPPORT is not None:
        mentions = tw._list_items(view, model, mentions, hit_at, hits)
    if NESTED_ORGS and feature_lang(view.lang) == "id":
        mentions = _nested_orgs(view, model, mentions, hit_at, hits)
    if CAPS_SUPPORT is not None:
        mentions = tw._capital_runs(view, model, mentions, hit_at, hits)
    if EDGE_MARGIN is not None:
        mentions = tw._edge_words(view, model, mentions, hit_at, hits)
    if JOIN_MARGIN is not None:
        mentions = tw._connector_joins(view, model, mentions, hit_at, hits)
    if DOC_PERSON_SPLIT:
        mentions = tw._doc_person_split(view, model, mentions, hit_at, hits)
    if PERSON_FIRST_FROM_NAME:
        mentions = _person_first_words(view, model, mentions, hit_at, hits)
    if SLASH_PAIR_SUPPORT is not None:
        mentions = _slash_pairs(view, model, mentions, hit_at, hits)
    if PLACE_CHAIN_SPLIT and feature_lang(view.lang) == "id":
        mentions = _place_chains(view, model, mentions, hit_at, hits)
    if INITIALS_EXPANSION:
        mentions = _initials_expansions(view, model, mentions, hit_at, hits)
    return mentions


#: A bracketed acronym spelled exactly by the initials of the capitalized words right before it ("Seleksi
#: Nasional Penerimaan Mahasiswa Baru (SNPMB)", "Palestine Prisoner's Society (PPS)") makes those words one
#: name, of the type the tagger's scores favour, in place of the mentions inside them: the article's own
#: evidence of where the name starts, when the tagger's log-odds of the words as that name are at least
#: ``INITIALS_SUPPORT`` (Indonesian text spells out terms as often as names: "Indeks Harga Saham Gabungan
#: (IHSG)", "Rencana Pembangunan Jangka Menengah Nasional (RPJMN)", which the tagger scores far lower);
#: False: off.
INITIALS_EXPANSION = True
INITIALS_SUPPORT = -2.0
#: Tokens that may sit between the spelled words without a letter of their own ("Badan Meteorologi,
#: Klimatologi, dan Geofisika (BMKG)", "Prisoner's").
_SPELL_GAP = frozenset([",", "and", "dan", "&", "of", "for", "the", "on", "in", "di", "'", "’", "’s", "'s"])


def _spelled_start(view: TextView, k: int, lo: int) -> int:
    """The first token of the capitalized words ending at token ``k`` (exclusive) whose initials spell the
    acronym after them exactly (letters from the last word back; gap words ``_SPELL_GAP`` spell nothing),
    not before ``lo``; -1 when they do not."""
    words = view.words
    acr = words[k + 1]
    left, j = len(acr), k
    while left and j > lo:
        w = words[j - 1]
        if w[:1].isupper() and w.isalpha() and w[0] == acr[left - 1]:
            left -= 1
        elif w not in _SPELL_GAP or j == k:
            return -1
        j -= 1
    return j if not left and words[j] not in _SPELL_GAP else -1


def _acronym_at(view: TextView, k: int) -> bool:
    """Whether tokens ``k .. k+2`` are "( ACR )" after a space: two to eight capital letters."""
    words = view.words
    if k + 2 >= len(words) or words[k] != "(" or words[k + 2] != ")" or k == 0:
        return False
    acr = words[k + 1]
    return (
        2 <= len(acr) <= 8
        and acr.isalpha()
        and acr.isupper()
        and view.text[view.ends[k - 1] : view.starts[k]] == " "
    )


_SPLIT_GAP = frozenset([",", "and", "dan", "&"])


def _joined_head(view: TextView, m: Mention, lo: int) -> tuple[int, int] | None:
    """The tokens of the name before a connector when mention ``m`` joins it to the spelled words from
    token ``lo`` ("Pakistan Army and | Federal Constabulary (FC)"), else None."""
    a = bisect_left(view.starts, m.start)
    j = lo
    while j > a and view.words[j - 1] in _SPLIT_GAP:  # a coordination, not "Return of | Refugees"
        j -= 1
    ok = j < lo and j > a and view.starts[a] == m.start and m.type in ("ORG", "GPE", "LOC")
    return (a, j) if ok and view.words[j - 1][:1].isalnum() else None


def _initials_expansions(
    view: TextView,
    model: CrfModel,
    mentions: list[Mention],
    hit_at: dict[tuple[int, int], KBMatch],
    hits: dict[int, KBMatch],
) -> list[Mention]:
    """Names spelled by the bracketed acronym after them (``INITIALS_EXPANSION``) replace the mentions
    inside them; a mention reaching outside the spelled words is left as it is."""
    if " (" not in view.text:
        return mentions
    words = view.words
    added: list[Mention] = []
    drop: set[int] = set()
    for k in compress(range(len(words)), map("(".__eq__, words)):
        if not _acronym_at(view, k):
            continue
        sent = _sentence_of(view, k)
        lo = _spelled_start(view, k, sent[0])
        if lo < 0 or k - lo < 2:
            continue
        a, b = view.starts[lo], view.ends[k - 1]
        inside = [i for i, m in enumerate(mentions) if m.start < b and m.end > a]
        if any((mentions[i].start, mentions[i].end) == (a, b) or mentions[i].end > b for i in inside):
            continue
        left = [i for i in inside if mentions[i].start < a]
        head = _joined_head(view, mentions[left[0]], lo) if len(left) == 1 else None
        if left and head is None:
            continue
        sups = _supports(view, model, sent, (lo, k), _RUN_TYPES)
        best = max(range(3), key=sups.__getitem__)
        if sups[best] < INITIALS_SUPPORT:
            continue
        typ = _RUN_TYPES[best]
        drop.update(inside)
        added.append(_link(view, lo, k, typ, hit_at, hits, "", model))
        if head is not None:  # "Pakistan Army and | Federal Constabulary (FC)": the first name stays
            added.append(
                _link(view, head[0], head[1], KB_TO_CONLL[mentions[left[0]].type], hit_at, hits, "", model)
            )
    if not added:
        return mentions
    return sorted([m for i, m in enumerate(mentions) if i not in drop] + added, key=_START)


#: How much more the tagger's scores must favour a place mention together with the lower-case place noun
#: right before it ("desa Kramas", "kota Pati", "kecamatan Gabus"; ``place_nouns_before``) than the place
#: alone for the mention to take the noun (the name stays the place's, as with ``place_nouns_in_name``).
#: The corpora disagree (NERGrit writes the noun inside the name, the real pages' annotators leave it out),
#: so the tagger trained on all of them decides, sentence by sentence. None: off.
PLACE_HEAD_MARGIN: float | None = 0.0


def _place_heads(view: TextView, model: CrfModel, mentions: list[Mention]) -> list[Mention]:
    """Every place mention right after a lower-case place noun takes it when the tagger's scores favour
    the longer span as one place (``PLACE_HEAD_MARGIN``); the name stays the place's."""
    before = load_heads().place_before
    if PLACE_HEAD_MARGIN is None or before.keys().isdisjoint(view.words):
        return mentions
    text, words, starts, ends = view.text, view.words, view.starts, view.ends
    # the start offset of every token right after a place noun -> that token
    after = {
        starts[k + 1]: k + 1 for k in [i for i, w in enumerate(words) if w in before] if k + 1 < len(words)
    }
    prev_end = 0
    for m in mentions:
        end, prev_end = prev_end, (m.end if m.end > prev_end else prev_end)
        a = after.get(m.start)
        if a is None or m.type not in ("GPE", "LOC"):
            continue
        if starts[a - 1] < end or text[ends[a - 1] : starts[a]] != " ":
            continue
        sent = _sentence_of(view, a)
        if sent[0] > a - 1:
            continue
        b = bisect_left(starts, m.end)
        longer = _support(view, model, sent, (a - 1, b), "LOCATION")
        if longer - _support(view, model, sent, (a, b), "LOCATION") >= PLACE_HEAD_MARGIN:
            m.start = starts[a - 1]
    return mentions


#: The log-odds a capitalized run no mention covers needs as one place *together with* the lower-case place
#: noun right before it ("desa Terangmas", "kecamatan Sirenja"; ``place_nouns_before``): the noun is the
#: article's evidence that a place is named there, so the run takes it (the name stays the run's); the floor
#: is the capital runs' (``CAPS_SUPPORT``). None: off.
HEADED_PLACE_SUPPORT: float | None = -2.0


def _headed_places(
    view: TextView,
    model: CrfModel,
    mentions: list[Mention],
    hit_at: dict[tuple[int, int], KBMatch],
    hits: dict[int, KBMatch],
) -> list[Mention]:
    """Places the tagger left out right after a lower-case place noun, where its scores support the noun
    and the capitalized run after it as one place (``HEADED_PLACE_SUPPORT``)."""
    before = load_heads().place_before
    if HEADED_PLACE_SUPPORT is None or before.keys().isdisjoint(view.words):
        return mentions
    words, starts, ends = view.words, view.starts, view.ends
    covered = bytearray(len(words) + 1)
    for m in mentions:
        lo, hi = _token_range(view, m)
        covered[lo:hi] = b"\x01" * (hi - lo)
    skip = _run_skip()
    added: list[Mention] = []
    for k in [i for i, w in enumerate(words) if w in before]:
        if k + 1 >= len(words) or covered[k] or not _run_start(view, k + 1, covered, skip):
            continue
        sent = _sentence_of(view, k)
        b = k + 2
        while b < sent[1] and b - k <= 4 and _run_start(view, b, covered, skip):
            b += 1
        if b > sent[1] or not _run_candidate(view, k + 1, b):
            continue
        b = _hyphen_join(view, k + 1, b)[1]  # "desa Ma'rang"
        if b < len(words) and ends[b - 1] == starts[b] and (words[b] == "-" or words[b][:1].isalnum()):
            continue  # the run goes on ("kota Primorsko-Akhtarsk"): where it ends is not clear
        if b > sent[1] or _support(view, model, sent, (k, b), "LOCATION") < HEADED_PLACE_SUPPORT:
            continue
        m = _link(view, k + 1, b, "LOCATION", hit_at, hits, "", model)
        if m.type in ("GPE", "LOC"):
            m.start = starts[k]
            added.append(m)
            covered[k:b] = b"\x01" * (b - k)
    return sorted(mentions + added, key=_START) if added else mentions


def _run_start(view: TextView, j: int, covered: bytearray, skip: frozenset[str]) -> bool:
    """Whether token ``j`` goes on a capitalized run after the token before it: capitalized, no mention's,
    not a word that splits runs, one space after the token before."""
    w = view.words[j]
    return (
        view.caps[j]
        and not covered[j]
        and w[:1].isalpha()
        and w not in skip
        and view.text[view.ends[j - 1] : view.starts[j]] == " "
    )


#: A place mention the knowledge base does not link that closes in a capitalized designator ("Calabarzon
#: Region", "Eastern Visayas Region"; ``place_nouns_in_name``) is named without it (the mention keeps it);
#: False: the surface is the name.
PLACE_DESIGNATOR_NAMES = True


def _designator_name(
    view: TextView, m: Mention, hi: int, nouns: dict[str, tuple[tuple[str, ...], ...]]
) -> None:
    """Name the place mention ``m`` (ending at token ``hi``) without its closing designator word."""
    last = view.words[hi - 1] if hi else ""
    if not last[:1].isupper() or (last,) not in nouns.get(last, ()) or view.starts[hi - 1] <= m.start:
        return
    rest = view.text[m.start : view.starts[hi - 1]].rstrip()
    if rest and " " in view.text[m.start : m.end] and rest[-1:].isalnum():
        m.name, m.key = rest, "place:" + rest


def _place_nouns(view: TextView, mentions: list[Mention]) -> list[Mention]:
    """Every place mention takes the lower-case place noun after it (:func:`_place_noun_end`), whichever
    pass made it or retyped it ("Siem Pang | district", tagged as a person's name); the name stays the
    place's."""
    nouns = load_heads().place_in_name
    if nouns.keys().isdisjoint(view.words):
        return mentions
    for i, m in enumerate(mentions):
        if m.type not in ("GPE", "LOC"):
            continue
        hi = bisect_left(view.starts, m.end)
        if PLACE_DESIGNATOR_NAMES and m.entry is None and m.key.startswith("place:"):
            _designator_name(view, m, hi, nouns)
        if hi < len(view.words) and view.words[hi] in nouns and view.starts[hi - 1] < m.end:
            end = _place_noun_end(view, hi)
            if end > hi and (i + 1 == len(mentions) or mentions[i + 1].start >= view.ends[end - 1]):
                m.end = view.ends[end - 1]
    return mentions


#: The log-odds (``CrfModel.support``) at which a capitalized run no mention covers becomes a name of
#: the type the tagger's scores favour most: the Viterbi path left it O, yet its scores nearly chose it
#: ("merek Hitachi", "dikuasai RSF"); None: off.
CAPS_SUPPORT: float | None = -2.0
#: How much the best type's log-odds must beat the second's: a capitalized word the tagger cannot type is
#: rarely a name. By outlet CV 0 / 1 / 2: 1657 / 1647 / 1642 names found (main 1623), entities matching a gold
#: name 0.759 / 0.762 / 0.767 (main 0.769); NERGrit valid 0.726 / 0.734 / 0.736 (main 0.736). ner7, with its
#: span passes (docs/ner7.md), margins 0 / 0.5 / 1: 1691 / 1686 / 1681 names, NERGrit valid 0.725 / 0.732 / 0.733.
CAPS_TYPE_MARGIN = 0.5
_RUN_TYPES = ("PERSON", "ORGANIZATION", "LOCATION")


#: A run whose type the tagger cannot tell (``CAPS_TYPE_MARGIN``) between a place and another type is a
#: place when a lower-case place noun stands right after or before it ("Genting and Pangkalan villages",
#: "wilayah Kutum"; ``place_nouns_after`` / ``place_nouns_before``); False: the margin decides.
CAPS_PLACE_CUE = True


def _place_cued(view: TextView, a: int, b: int, sups: list[float]) -> bool:
    """Whether the run ``[a, b)``, whose place log-odds are among its two best, has a place noun beside it."""
    if not CAPS_PLACE_CUE or sups[2] < sorted(sups)[1]:
        return False
    heads, words, text = load_heads(), view.words, view.text
    nxt = words[b] if b < len(words) and text[view.ends[b - 1] : view.starts[b]] == " " else ""
    prev = words[a - 1] if a > 0 and text[view.ends[a - 1] : view.starts[a]] == " " else ""
    return nxt in heads.place_after or prev in heads.place_before


#: The log-odds a run right after a speech verb that comes before its speaker ("imbuh Djatmiko", "said
#: Smith") needs as a person (the tagger's own best type): the speaker's slot is the article's evidence
#: that a person is named there, as a list item's is (``LIST_SUPPORT``).
SPEAKER_SUPPORT = -4.0


def _speaker_slot(view: TextView, a: int) -> bool:
    """Whether the run at token ``a`` follows a speech verb written before its speaker, one space apart."""
    return (
        a > 0 and view.words[a - 1] in _speech_verbs() and view.text[view.ends[a - 1] : view.starts[a]] == " "
    )


def _run_candidate(view: TextView, a: int, b: int) -> bool:
    """Whether the token run ``[a, b)`` may be a name the tagger nearly found: it holds a name's word,
    no knowledge-base hit (those went through the knowledge-base floor), and holds at most one word that
    unlabelled text writes mostly lower-case ("Kerangka Ekonomi Makro" is a title-case phrase)."""
    if any(view.hit_cover[a:b]):  # the cheap test first
        return False
    if b - a > 1:
        cases = _case_classes()
        if sum(cases.get(x.lower()) in ("L", "l") for x in view.words[a:b]) >= 2:
            return False
    return _keep(view, a, b)


def _run_inside_name(view: TextView, j: int) -> bool:
    """Whether the run at ``j`` goes on a name whose start the pass cannot judge: right after a
    sentence's capitalized first word ("'Super | Mario Run'", "Saw | Lon village") or a lower-case
    name particle ("Cees van der | Hoeven")."""
    if j == 0 or view.text[view.ends[j - 1] : view.starts[j]] != " ":
        return False
    w = view.words[j - 1]
    if view.firsts[j - 1]:
        return view.caps[j - 1] and w[:1].isalpha() and w not in _run_skip()
    return w in _lex().particles


@lru_cache(maxsize=1)
def _run_skip() -> frozenset[str]:
    """Words that are no name's start and split capitalized runs: stop words, titles, roles, honorifics,
    head words ("Presiden", "Selasa", "Menteri")."""
    lex = _lex()
    return lex.unnamed | lex.honorifics | load_heads().firsts


def _repeated(view: TextView, a: int, b: int) -> bool:
    """Whether the run's text comes again in the article (the article's own evidence of a name)."""
    surface = view.text[view.starts[a] : view.ends[b - 1]]
    return view.text.count(surface) > 1


def py_free_caps(
    caps: list[bool],
    firsts: list[int],
    starts: list[int],
    words: list[str],
    skip: frozenset[str],
    mstarts: list[int],
    mends: list[int],
) -> list[int]:
    """Reference of ``_ner_hot.free_caps``: the capitalized tokens that open no sentence (a sentence's
    first word says nothing by its capital), are no word of ``skip`` and start outside every mention
    (``mstarts`` / ``mends``: the mentions' character spans, sorted by start)."""
    n = len(caps)
    if len(firsts) != n or len(starts) != n or len(words) != n or len(mends) != len(mstarts):
        raise ValueError("caps, firsts, starts and words (and mstarts, mends) differ in length")
    out: list[int] = []
    p, reach = 0, -1
    for j in compress(range(n), map(gt, caps, firsts)):
        if words[j] in skip:
            continue
        s = starts[j]
        while p < len(mstarts) and mstarts[p] <= s:
            reach = max(reach, mends[p])
            p += 1
        if s >= reach:
            out.append(j)
    return out


def _capital_runs(
    view: TextView,
    model: CrfModel,
    mentions: list[Mention],
    hit_at: dict[tuple[int, int], KBMatch],
    hits: dict[int, KBMatch],
) -> list[Mention]:
    """Capitalized runs outside every mention that the tagger's scores nearly chose as a name
    (``CAPS_SUPPORT``), typed by the best of its three types when that type is clear
    (``CAPS_TYPE_MARGIN``); a lone acronym only when the article writes it again (its own evidence
    that the letters name something)."""
    floor = CAPS_SUPPORT
    if floor is None:
        return mentions
    hot = _compiled()
    starts, ends = list(map(_START, mentions)), list(map(_END, mentions))
    args = (view.caps, view.firsts, view.starts, view.words, _run_skip(), starts, ends)
    free = hot.free_caps(*args) if hot is not None else py_free_caps(*args)
    words, text, starts, ends = view.words, view.text, view.starts, view.ends
    added: list[Mention] = []
    i, nf = 0, len(free)
    while i < nf:
        j = free[i]
        i += 1
        if not words[j][:1].isalpha():
            continue
        sent = _sentence_of(view, j)
        # the run: free tokens one after another, one space apart, at most four, in the sentence
        while (
            i < nf
            and free[i] == free[i - 1] + 1
            and free[i] < sent[1]
            and free[i] - j < 4
            and words[free[i]][:1].isalnum()
            and text[ends[free[i] - 1] : starts[free[i]]] == " "
        ):
            i += 1
        b = free[i - 1] + 1
        if _run_inside_name(view, j) or not _run_candidate(view, j, b):
            continue
        sups = _supports(view, model, sent, (j, b), _RUN_TYPES)
        best = max(range(3), key=sups.__getitem__)
        cued = sups[best] - sorted(sups)[1] < CAPS_TYPE_MARGIN and _place_cued(view, j, b, sups)
        if cued:
            best = 2  # the tagger hesitates between a place and another type; a place noun beside it decides
        if (
            sups[best] >= (floor if best or not _speaker_slot(view, j) else min(floor, SPEAKER_SUPPORT))
            and (cued or sups[best] - sorted(sups)[1] >= CAPS_TYPE_MARGIN)
            and (b - j > 1 or not words[j].isupper() or _repeated(view, j, b))
        ):
            lo, hi = _hyphen_join(view, j, b)  # "el-Fasher", "Hsu Heng-pin"
            added.append(_link(view, lo, hi, _RUN_TYPES[best], hit_at, hits, "", model))
    return sorted(mentions + added, key=_START) if added else mentions


#: A span whose last words are a person's name the article writes on its own elsewhere ("Kepala Bulog
#: Subdivre III Bojonegoro Irsan Nasution" … "Irsan mengaku") is split: the article's own evidence that the
#: name closing the span is a person's; False: off.
DOC_PERSON_SPLIT = True
_SPLIT_TYPES = {"PERSON": "PERSON", "ORG": "ORGANIZATION", "GPE": "LOCATION", "LOC": "LOCATION"}


def _person_forms(view: TextView, mentions: list[Mention]) -> set[str]:
    """The texts of the article's person mentions (the evidence of :func:`_doc_person_split`)."""
    return {view.text[m.start : m.end] for m in mentions if m.type == "PERSON"}


def _token_range(view: TextView, m: Mention) -> tuple[int, int]:
    """The tokens ``[lo, hi)`` of mention ``m``: from the token it starts at up to the first token that
    starts at or after its end."""
    return bisect_left(view.starts, m.start), bisect_left(view.starts, m.end)


def _aligned(view: TextView, m: Mention, lo: int, hi: int) -> bool:
    """Whether the mention spans two or more whole tokens ``[lo, hi)``."""
    return hi - lo > 1 and hi <= len(view.ends) and view.starts[lo] == m.start and view.ends[hi - 1] == m.end


def _tail_word(view: TextView, k: int) -> bool:
    """Whether token ``k`` may be a word of a person's name closing a longer span."""
    w = view.words[k]
    return (
        w[:1].isupper()
        and w.replace("-", "").isalpha()
        and not w.isupper()
        and w not in _run_skip()
        and view.text[view.ends[k - 1] : view.starts[k]] == " "
    )


def _org_signal(view: TextView, lo: int, hi: int) -> bool:
    """Whether the words ``[lo, hi)`` show an organisation or a place rather than a person's first names:
    an acronym, a number or a head word (a knowledge-base place is often a first name: "David", "Jerome")."""
    heads = load_heads()
    lex = _lex()
    for k in range(lo, hi):
        w = view.words[k]
        if (
            (w.isupper() and len(w) > 1)
            or any(c.isdigit() for c in w)
            or w in heads.firsts
            or w in lex.org_heads
            or w in lex.gpe_heads
        ):
            return True
    return False


#: A span's tail whose first word the article writes elsewhere as a speaker after a speech verb ("kata
#: Unggul saat") is a person's name too (the speech verbs of ``kb/speech.yaml`` as evidence); False: only
#: person mentions count.
DOC_SPEAKER_EVIDENCE = True


@lru_cache(maxsize=1)
def _speech_verbs() -> frozenset[str]:
    """One-word speech verbs that come before the speaker ("kata", "ujar", "said"; an organisation speaks
    after its name as often as a person: "Polda Metro Jaya mengatakan", "the Service said")."""
    from streams.core.hot import read_yaml
    from streams.nlp.kb import KB_DIR

    d: dict[str, Any] = read_yaml((KB_DIR / "speech.yaml").read_text(encoding="utf-8"))
    one = [str(x) for x in d.get("verbs_inverted", []) if str(x) and " " not in str(x)]
    return frozenset(one) | frozenset(x.capitalize() for x in one)  # as written, or opening a sentence


def _spoken_by(text: str, w: str) -> bool:
    """Whether ``text`` writes the word ``w`` right after a speech verb that comes before the speaker ("kata
    Unggul", "said Smith"): the article's own evidence that ``w`` names a speaker."""
    if not DOC_SPEAKER_EVIDENCE:
        return False
    verbs = _speech_verbs()
    i = text.find(w)
    while i > 0:
        end = i + len(w)
        if text[i - 1] == " " and (end == len(text) or not text[end].isalnum()):
            k = max(text.rfind(" ", 0, i - 1), text.rfind("\n", 0, i - 1)) + 1
            if text[k : i - 1].lstrip("\"“‘'(") in verbs:
                return True
        i = text.find(w, end)
    return False


def _doc_person_cut(
    view: TextView,
    lo: int,
    hi: int,
    typ: str,
    people: set[str],
    spoken: Callable[[str, str], bool] | None = None,
) -> int:
    """Where the person's name closing ``[lo, hi)`` starts (0: none): its one to three last words, as a
    whole or by their first word, are a person mention of the article elsewhere (or the first word, no
    knowledge-base name, is a speaker of the article: :func:`_spoken_by`); the words before them stay a name
    (an organisation's or place's: a person's span needs such a sign in them), never only a title or head
    word."""
    if typ == "PERSON" and not _org_signal(view, lo, hi - 1):
        return 0  # no words before any cut show an organisation: a person's full name ("Ellen Segal Huvelle")
    lex = _lex()
    text, words = view.text, view.words
    first = hi
    while first > max(lo + 1, hi - 3) and _tail_word(view, first - 1):
        first -= 1  # the tail words closing the span
    for cut in range(first, hi):
        before = words[cut - 1]
        if before in lex.unnamed or before in lex.honorifics or not before[:1].isalnum():
            continue
        if all(w in _run_skip() or w in lex.gpe_heads or w in lex.org_heads for w in words[lo:cut]):
            continue  # "Jalan | Sudirman": a head word and the person it is named after
        if typ == "PERSON" and not _org_signal(view, lo, cut):
            continue
        # the evidence last: it reads the article's other mentions and, failing them, its text
        if text[view.starts[cut] : view.ends[hi - 1]] in people or (hi - cut > 1 and words[cut] in people):
            return cut
        if all(t == "O" for t in view.kbtags[cut:hi]) and (spoken or _spoken_by)(text, words[cut]):
            return cut
    return 0


def _doc_person_split(
    view: TextView,
    model: CrfModel,
    mentions: list[Mention],
    hit_at: dict[tuple[int, int], KBMatch],
    hits: dict[int, KBMatch],
) -> list[Mention]:
    """Spans closed by a person's name the article writes on its own elsewhere, split into the name before
    (its type kept, or for a person's span the tagger's better of organisation and place) and the person."""
    people = _person_forms(view, mentions)
    text = view.text
    said: dict[str, bool] = {}

    def spoken(text: str, w: str) -> bool:  # _spoken_by, once a word
        got = said.get(w)
        if got is None:
            got = said[w] = _spoken_by(text, w)
        return got

    out: list[Mention] = []
    changed = False
    skip = _run_skip()
    for m in mentions:
        gap = text.rfind(" ", m.start, m.end) if m.type in _SPLIT_TYPES else -1
        last = text[gap + 1 : m.end]  # the last word: a person's name's, or nothing to split
        if gap < 0 or not last[:1].isupper() or last.isupper() or last in skip:
            out.append(m)
            continue
        lo, hi = _token_range(view, m)
        cut = _doc_person_cut(view, lo, hi, m.type, people, spoken) if _aligned(view, m, lo, hi) else 0
        if not cut:
            out.append(m)
            continue
        if m.type == "PERSON":
            sups = _supports(view, model, _sentence_of(view, lo), (lo, cut), ("ORGANIZATION", "LOCATION"))
            typ = "ORGANIZATION" if sups[0] >= sups[1] else "LOCATION"
        else:
            typ = _SPLIT_TYPES[m.type]
        out.append(_link(view, lo, cut, typ, hit_at, hits, m.type if m.type in ("GPE", "LOC") else "", model))
        out.append(_link(view, cut, hi, "PERSON", hit_at, hits, "", model))
        changed = True
    return sorted(out, key=_START) if changed else mentions


#: An Indonesian organisation named inside a longer one ("Biro Komunikasi dan Pelayanan Publik |
#: Kementerian Kesehatan", "Pusat Data dan Informasi | Badan Nasional Penanggulangan Bencana") is also a
#: mention of its own; False: off.
NESTED_ORGS = True


def _nested_orgs(
    view: TextView,
    model: CrfModel,
    mentions: list[Mention],
    hit_at: dict[tuple[int, int], KBMatch],
    hits: dict[int, KBMatch],
) -> list[Mention]:
    """The organisation that closes a longer organisation's name, from the last strong institution head
    inside it (not its first word) to its end, as one more mention."""
    heads, weak = _lex().org_heads, load_heads().weak
    words = view.words
    added: list[Mention] = []
    for m in mentions:
        if m.type != "ORG" or view.text.count(" ", m.start, m.end) < 2:
            continue
        a, b = _token_range(view, m)
        for k in range(b - 2, a, -1):
            if words[k] in heads and words[k] not in weak and view.caps[k - 1]:
                added.append(_link(view, k, b, "ORGANIZATION", hit_at, hits, "", model))
                break
    return sorted(mentions + added, key=_START) if added else mentions


#: Two mentions side by side ("Padang" GPE "Pariaman" PERSON, "Kemenkes" ORG "Thailand" GPE) become
#: one name of either type when the tagger's log-odds of the whole (``CrfModel.support``) are at most this
#: much below those of the two parts summed; None: off.
MERGE_MARGIN: float | None = 2.0
#: A one-word person after an organisation or place stays apart when the article writes the word again
#: without the word before it (its own evidence that the word is a name by itself); False: merged by the
#: scores alone.
MERGE_KEEP_REPEATED = True


#: A name goes on through lower-case particles ("van der", "bin", "al-") to the capitalized word after
#: them when the tagger's log-odds of the longer span are at most this much below the name's; None: off.
PARTICLE_MARGIN: float | None = 3.0


def _particle_step(view: TextView, j: int, lo: int, hi: int, step: int) -> int:
    """Past one particle at ``j`` going ``step`` (+1/-1): "van", "al" "-", "ash" "-"; else ``j``."""
    words, lex = view.words, _lex()
    if step > 0:
        if j < hi and words[j] in lex.particles:
            return j + 2 if j + 1 < hi and words[j + 1] == "-" else j + 1
        if j + 1 < hi and words[j + 1] == "-" and words[j].lower() in lex.particles | lex.hyphen_particles:
            return j + 2
        return j
    if (
        j >= lo
        and words[j] == "-"
        and j - 1 >= lo
        and words[j - 1].lower() in lex.particles | lex.hyphen_particles
    ):
        return j - 2
    if j >= lo and words[j] in lex.particles:
        return j - 1
    return j


def _particle_end(view: TextView, k: int, lo: int, hi: int, step: int = 1) -> int:
    """Going ``step`` from token ``k``: one or two particles, then a capitalized word (not a stop word or
    title going back); the index past that word, or ``k`` when the tokens are not so."""
    j, n = k, 0
    while n < 2:
        nxt = _particle_step(view, j, lo, hi, step)
        if nxt == j:
            break
        j, n = nxt, n + 1
    if n and lo <= j < hi and view.caps[j] and view.words[j][:1].isalpha():
        if step < 0 and view.words[j] in _lex().blocked_stop:
            return k
        return j + step
    return k


@lru_cache(maxsize=1)
def _particle_forms() -> frozenset[str]:
    """Every particle as written (lower-case, capitalized): a quick "no particle here" check."""
    lex = _lex()
    both = lex.particles | lex.hyphen_particles
    return frozenset(both | {w.capitalize() for w in both})


def _particle_tails(
    view: TextView,
    model: CrfModel,
    mentions: list[Mention],
    hit_at: dict[tuple[int, int], KBMatch],
    hits: dict[int, KBMatch],
) -> list[Mention]:
    """Names that go on through lower-case particles: "Cees van der | Hoeven", "Omar | al-Hobi",
    "Stadion Jassim | bin Hamad" (``PARTICLE_MARGIN``); a mention the longer name covers gives way."""
    words, starts, ends = view.words, view.starts, view.ends
    forms = _particle_forms()
    if forms.isdisjoint(words):
        return mentions  # most articles: no particle at all
    at = [k for k in range(len(words)) if words[k] in forms]
    # the mention ends right before a particle, or starts right after one (and its hyphen)
    near = {ends[k - 1] for k in at if k > 0} | {
        starts[k + 2 if words[k + 1] == "-" and k + 2 < len(words) else k + 1]
        for k in at
        if k + 1 < len(words)
    }
    out: list[Mention] = []
    skip = -1
    for m in mentions:
        if m.start < skip:
            continue
        typ = KB_TO_CONLL.get(m.type)
        if typ is None or (m.end not in near and m.start not in near):
            out.append(m)
            continue
        a, b = _token_range(view, m)
        lo, hi = _sentence_of(view, a)
        start, end = a, b
        while typ is not None and _particle_end(view, end, lo, hi) > end:
            end = _particle_end(view, end, lo, hi)
        while typ is not None and _particle_end(view, start - 1, lo, hi, -1) < start - 1:
            back = _particle_end(view, start - 1, lo, hi, -1) + 1
            if out and out[-1].end > starts[back]:
                break  # the word before the particles is another name's
            start = back
        if (start, end) != (a, b):
            longer = _support(view, model, (lo, hi), (start, end), typ)
            if longer >= _support(view, model, (lo, hi), (a, b), typ) - PARTICLE_MARGIN:  # type: ignore[operator]
                new = _link(view, start, end, typ, hit_at, hits, "", model)  # type: ignore[arg-type]
                if new.type in ("GPE", "LOC"):  # "Zamboanga del Norte province"
                    new.end = view.ends[max(end, _place_noun_end(view, end)) - 1]
                out.append(new)
                skip = new.end
                continue
        out.append(m)
    return out


def _mergeable(view: TextView, p: Mention, m: Mention) -> bool:
    """Which neighbours may merge: an organisation or place, then a place or a one-word person (a
    person's full name after an organisation is its official: "BI | Perry Warjiyo"); not two places or
    a place and an organisation ("Kursk | Rusia", "Palestina | Hamas")."""
    if p.type == "PERSON" or (m.type == "PERSON" and " " in view.text[m.start : m.end]):
        return False
    return p.type == "ORG" or m.type == "PERSON"


def _alone_elsewhere(view: TextView, p: Mention, m: Mention) -> bool:
    """Whether the article writes ``m``'s text again, not after the word before it ("Habiburokhman" again,
    not "88 Antiteror" again)."""
    text = view.text
    surface = text[m.start : m.end]
    before = text[text.rfind(" ", p.start, p.end) + 1 : m.start]  # the last word of p and the space
    return text.count(surface) > text.count(before + surface)


def _kept_apart(view: TextView, p: Mention, m: Mention) -> bool:
    """Whether the article keeps the person ``m`` apart from the name ``p`` before it: it names the person
    alone ("Fraksi Gerindra | Habiburokhman" … "Habiburokhman."), or writes the place of two words or more
    before it alone ("Kabupaten Jombang | Gunadi" … "Kabupaten Jombang,")."""
    text = view.text
    return _alone_elsewhere(view, p, m) or (
        PERSON_TAIL_CLOSED_MARGIN is not None
        and p.type in ("GPE", "LOC")
        and " " in text[p.start : p.end]
        and _closed_elsewhere(text, p.start, p.end)
    )


def _merge_adjacent(
    view: TextView,
    model: CrfModel,
    mentions: list[Mention],
    hit_at: dict[tuple[int, int], KBMatch],
    hits: dict[int, KBMatch],
) -> list[Mention]:
    """Adjacent mentions (one space or a hyphen between, same sentence, see :func:`_mergeable`; two known
    names joined by a hyphen are a pair) the tagger's scores
    nearly read as one name ("Densus 88" "Antiteror", "Padang" "Pariaman") become one (``MERGE_MARGIN``)."""
    starts, words = view.starts, view.words
    out: list[Mention] = []
    text = view.text
    for m in mentions:
        p = out[-1] if out else None
        if (
            p is None
            or m.start != p.end + 1
            or text[p.end] not in " -"
            or not _mergeable(view, p, m)
            or (text[p.end] == "-" and p.entry is not None and m.entry is not None)  # "TNI-Polri": a pair
        ):
            out.append(m)
            continue
        if MERGE_KEEP_REPEATED and m.type == "PERSON" and _kept_apart(view, p, m):
            out.append(m)
            continue
        typs = list(dict.fromkeys((KB_TO_CONLL.get(p.type, ""), KB_TO_CONLL.get(m.type, ""))))
        if "" in typs:
            out.append(m)
            continue
        a, (mid, b) = bisect_left(starts, p.start), _token_range(view, m)
        sent = _sentence_of(view, a)
        if (
            not sent[0] <= a < b <= sent[1]
            or b - a > 8
            or not all(view.caps[k] or words[k] == "-" or words[k][:1].isdigit() for k in range(a, b))
        ):
            out.append(m)
            continue
        parts = _support(view, model, sent, (a, mid), KB_TO_CONLL[p.type]) + _support(
            view, model, sent, (mid, b), KB_TO_CONLL[m.type]
        )
        best, typ = max((_support(view, model, sent, (a, b), t), t) for t in typs)
        if best >= parts - MERGE_MARGIN:  # type: ignore[operator]
            out[-1] = _link(view, a, b, typ, hit_at, hits, "", model)
        else:
            out.append(m)
    return out


#: A mention takes up to ``EDGE_WORDS`` capitalized words (or a number after it) right beside it that no
#: mention holds when the tagger's log-odds of the longer span, at its best type, are at most this much below
#: the mention's own ("U.S. | Geological Survey", "BPBD | Bali", "Al-Aqsa | Mosque"); None: off.
EDGE_MARGIN: float | None = 3.0
EDGE_WORDS = 2


@lru_cache(maxsize=1)
def _edge_skip() -> frozenset[str]:
    """Words no mention takes at its edge: stop words, titles, roles, honorifics, non-names, degrees."""
    lex = _lex()
    return lex.unnamed | lex.honorifics | frozenset(load_heads().degrees)


_ATTACHED = frozenset(["-", "'", "’", "‘", "`"])
#: A web address's end after a name ("Medcom | .id", "Tribun-Papua | .com"): a stop and two or three
#: lower-case letters, once or twice, attached.
_DOMAIN_PIECE = re.compile(r"[a-z]{2,3}")


def _glued(view: TextView, k: int) -> bool:
    """Whether token ``k`` touches the tokens on both sides (no space: "Lapu" "-" "Lapu")."""
    return (
        0 < k < len(view.words) - 1
        and view.ends[k - 1] == view.starts[k]
        and view.ends[k] == view.starts[k + 1]
    )


def _chain_start(view: TextView, j: int, used: bytearray) -> int:
    """The first piece of the hyphen chain that ends at token ``j`` ("Tehreek-e-Taliban"): ``j`` when no
    hyphen is glued before it, ``j + 1`` when a piece is no word or another mention's."""
    words, k = view.words, j
    while k >= 2 and words[k - 1] == "-" and _glued(view, k - 1):
        k -= 2
    if any(used[k : j + 1]) or not all(w[:1].isalpha() for w in words[k : j + 1 : 2]):
        return j + 1
    return k


def _left_units(view: TextView, a: int, sent_lo: int, used: bytearray, typ: str) -> list[int]:
    """Where the mention starting at ``a`` may start instead, nearest first: the hyphen chain glued to it
    ("Lapu- | Lapu Shipping Lines"), then up to ``EDGE_WORDS`` units one space apart, each an acronym that
    opens no sentence or a capitalized hyphen chain ("BPBD | Bali", "Tehreek-e-Taliban | Pakistan"). No
    glued capitalized piece joins a person ("Fajar-Rian" are two people)."""
    words, skip, out, lo, heads = view.words, _edge_skip(), [], a, load_heads()
    if typ != "PERSON" and lo - 2 >= sent_lo and words[lo - 1] == "-" and _glued(view, lo - 1):
        k = _chain_start(view, lo - 2, used)
        if k <= lo - 2 and k >= sent_lo and words[k][:1].isupper():
            out.append(k)  # "Tehrik-e- | Taliban Pakistan"
            lo = k
    while (
        len(out) < EDGE_WORDS and lo - 1 >= sent_lo and view.text[view.ends[lo - 1] : view.starts[lo]] == " "
    ):
        j = lo - 1
        w = words[j]
        if used[j] or w in skip or not w[:1].isalpha():
            break
        k = _chain_start(view, j, used)
        if k < j and words[k][:1].isupper() and not view.firsts[k]:
            lo = k  # a capitalized hyphen chain
        elif len(w) > 1 and w.isupper() and not view.firsts[j]:
            lo = j  # an acronym
        elif w in heads.firsts and w not in heads.facility and words[a] not in heads.firsts:
            lo = j  # a head before a name ("Polres | Situbondo"; not a building, "Gedung | DPR", nor a head
            # before a head, "Sekolah | SMP Negeri 1")
        else:
            break
        out.append(lo)
    return out


def _glued_end(view: TextView, b: int, sent_hi: int, used: bytearray, typ: str) -> int:
    """The end of the glued hyphen chain ("Lapu-Lapu", not after a person's name) or web address's end
    (".com", ".co" ".id") right after the token before ``b``; ``b`` when none."""
    words, starts, ends, hi = view.words, view.starts, view.ends, b
    while hi + 1 < sent_hi and words[hi] in ("-", ".") and _glued(view, hi) and not used[hi + 1]:
        nxt = words[hi + 1]
        hyphen = words[hi] == "-" and nxt[:1].isalpha() and typ != "PERSON"
        domain = _DOMAIN_PIECE.fullmatch(nxt) is not None and (
            hi + 2 >= len(words) or ends[hi + 1] != starts[hi + 2] or not words[hi + 2][:1].isalnum()
        )
        if not (hyphen or domain):
            break
        hi += 2
    return hi


def _right_word(view: TextView, k: int, used: bytearray, typ: str) -> bool:
    """Whether token ``k`` may end a mention of ``typ`` grown to the right: a capitalized word of two
    letters or more, no mention's, no stop word or title; after a person's name no all-caps word (a
    degree: "Abdullah Sitopan | BA") nor one unlabelled text writes mostly lower-case ("Ivan |
    Pengusaha"); no word another piece is attached to ("Palestine Prisoner | ’s")."""
    words, w = view.words, view.words[k]
    if used[k] or w in _edge_skip() or not w[:1].isalpha() or not view.caps[k] or len(w) == 1:
        return False
    if typ == "PERSON" and (w.isupper() or _case_classes().get(w.lower()) in ("L", "l")):
        return False
    return not (k + 1 < len(words) and view.ends[k] == view.starts[k + 1] and words[k + 1][:1] in _ATTACHED)


def _right_units(view: TextView, b: int, sent_hi: int, used: bytearray, typ: str) -> list[int]:
    """Where the mention ending before ``b`` may end instead, nearest first: a glued piece
    (:func:`_glued_end`), then up to ``EDGE_WORDS`` words one space apart (:func:`_right_word`)."""
    hi = _glued_end(view, b, sent_hi, used, typ)
    out = [hi] if hi > b else []
    while (
        len(out) < EDGE_WORDS
        and hi < sent_hi
        and view.text[view.ends[hi - 1] : view.starts[hi]] == " "
        and _right_word(view, hi, used, typ)
    ):
        hi += 1
        out.append(hi)
    return out


def _cuts_hit(view: TextView, x: int, y: int) -> bool:
    """Whether a knowledge-base name runs across either end of the tokens ``[x, y)``."""
    if not any(view.hit_cover[x - 1 if x else 0 : x + 1]) and not any(view.hit_cover[y - 1 : y + 1]):
        return False
    return any(lo < x < hi or lo < y < hi for lo, hi in view.hit_toks)


#: The mention types the span passes grow (those the tagger learns).
_KB_TO_RUN = frozenset(KB_TO_CONLL)


def _edge_possible(view: TextView, a: int, b: int, skip: frozenset[str], heads: frozenset[str]) -> bool:
    """(quick) Whether anything may join the mention on tokens ``[a, b)``: a hyphen or stop glued after it,
    a capitalized word of two letters or more after it that is no stop word or title, a hyphen glued
    before it, or before it an acronym, a head or a hyphen chain's last piece (see :func:`_left_units`)."""
    words, caps = view.words, view.caps
    if b < len(words):
        w = words[b]
        if w == "-" or w == "." or (caps[b] and len(w) > 1 and w not in skip):
            return True
    if a == 0:
        return False
    w = words[a - 1]
    if w == "-" or (a > 1 and words[a - 2] == "-"):
        return True
    return caps[a - 1] and ((len(w) > 1 and w.isupper()) or w in heads)


def _edge_words(
    view: TextView,
    model: CrfModel,
    mentions: list[Mention],
    hit_at: dict[tuple[int, int], KBMatch],
    hits: dict[int, KBMatch],
) -> list[Mention]:
    """Mentions grown over the free capitalized words beside them that the tagger's scores nearly read
    as part of the name (``EDGE_MARGIN``); the longer span takes its best type."""
    skip, heads = _edge_skip(), load_heads().firsts
    ranges = [_token_range(view, m) for m in mentions]
    maybe = [
        m.type in _KB_TO_RUN and _edge_possible(view, a, b, skip, heads)
        for m, (a, b) in zip(mentions, ranges, strict=True)
    ]
    if not any(maybe):
        return mentions  # (quick) nothing that may join touches any mention
    used = bytearray(len(view.words) + 1)
    for a, b in ranges:
        used[a:b] = b"\x01" * (b - a)
    out: list[Mention] = []
    for m, (a, b), ok in zip(mentions, ranges, maybe, strict=True):
        typ = KB_TO_CONLL.get(m.type)
        if not ok or typ is None or b <= a or view.starts[a] != m.start or view.ends[b - 1] != m.end:
            out.append(m)
            continue
        sent = _sentence_of(view, a)
        lefts, rights = _left_units(view, a, sent[0], used, typ), _right_units(view, b, sent[1], used, typ)
        if not lefts and not rights:
            out.append(m)
            continue
        floor = _support(view, model, sent, (a, b), typ) - EDGE_MARGIN  # type: ignore[operator]
        best: tuple[float, int, int, str] | None = None
        firsts = load_heads().firsts
        for x in [a, *lefts]:
            for y in [b, *rights]:
                if (x, y) == (a, b) or _cuts_hit(view, x, y):
                    continue
                sups = _supports(view, model, sent, (x, y), _RUN_TYPES)
                if x < a and view.words[x] in firsts:
                    sups[0] = float("-inf")  # a head opens no person's name
                k = max(range(3), key=sups.__getitem__)
                if sups[k] >= floor and (best is None or sups[k] > best[0]):
                    best = (sups[k], x, y, _RUN_TYPES[k])
        if best is None:
            out.append(m)
            continue
        _, x, y, t = best
        used[x:y] = b"\x01" * (y - x)
        out.append(_link(view, x, y, t, hit_at, hits, "", model))
    return out


#: A name written with connectors inside ("Ministry of Water Resources and Meteorology", "Badan Meteorologi,
#: Klimatologi, dan Geofisika", "Armed Conflict Location and Event Data"): a mention, one or two connector
#: tokens (``_JOIN_GAP``) and the organisation or free capitalized words after them become one organisation
#: when the tagger's log-odds of the whole are at most this much below those of the parts summed (joining two
#: places, or a place and a person, was tried: the scores do not tell "Kayah and Karen", "Little Big Town
#: and Wiz Khalifa" from one name); None: off.
JOIN_MARGIN: float | None = 2.0
_JOIN_GAP = frozenset([",", "and", "dan", "&", "of", "for"])
#: Two-token connectors: ", dan", ", and", "of the" ("Office of the Commissioner").
_JOIN_PAIRS = frozenset([(",", "dan"), (",", "and"), (",", "&"), ("of", "the"), ("for", "the")])
_JOIN_TYPES = ("ORGANIZATION",)


def _join_right(
    view: TextView, k: int, sent_end: int, p: Mention, nxt: Mention | None, used: bytearray
) -> int:
    """The end of what may join mention ``p`` after the connectors ending at token ``k``: the next mention
    when it starts there (no person, no lone acronym, not when both are known names: those are lists,
    "Reuters & AFP", "Uttar Pradesh and Maharashtra"), else up to three free capitalized words (not stop
    words or titles); ``k`` when none."""
    if nxt is not None and nxt.start == view.starts[k]:
        j = bisect_left(view.starts, nxt.end)
        if (
            KB_TO_CONLL.get(nxt.type) not in _JOIN_TYPES
            or (p.entry is not None and nxt.entry is not None and p.entry.key != nxt.entry.key)
            or (j - k == 1 and view.words[k].isupper())
        ):
            return k
        return j
    skip, j = _edge_skip(), k
    while j < sent_end and j - k < 3 and not used[j] and view.caps[j] and view.words[j][:1].isalpha():
        if view.words[j] in skip or (j > k and view.text[view.ends[j - 1] : view.starts[j]] != " "):
            break
        j += 1
    return j


_JOIN_TEXTS = (",", " and ", " dan ", " & ", " of ", " for ")


def _join_possible(text: str, end: int) -> bool:
    """(quick, from the text alone) Whether a connector (``_JOIN_GAP``) follows a mention ending at ``end``."""
    return text.startswith(_JOIN_TEXTS, end)


def _join_tokens(view: TextView, m: Mention) -> tuple[int, int] | None:
    """The tokens of ``m`` when a connector follows it and it spans whole tokens, else None."""
    if not _join_possible(view.text, m.end):
        return None
    a, b = _token_range(view, m)
    return (a, b) if b > a and view.starts[a] == m.start and view.ends[b - 1] == m.end else None


def _join_whole(
    view: TextView,
    model: CrfModel,
    sent: tuple[int, int],
    akj: tuple[int, int, int],
    own: float,
    nxt: Mention | None,
) -> float | None:
    """The log-odds of the organisation ``[a, j)`` joined through the connectors before ``k`` when they are
    at most ``JOIN_MARGIN`` below the parts': ``own`` plus the next mention ``nxt`` as tagged, or the free
    words ``[k, j)`` as O or as a name of their own; None when below."""
    a, k, j = akj
    if nxt is not None:
        alone = _support(view, model, sent, (k, j), KB_TO_CONLL[nxt.type])
    else:
        alone = max(0.0, *_supports(view, model, sent, (k, j), _RUN_TYPES))
    whole = _support(view, model, sent, (a, j), "ORGANIZATION")
    return whole if whole >= own + alone - JOIN_MARGIN else None  # type: ignore[operator]


def _spelled_alone(view: TextView, k: int, j: int) -> bool:
    """Whether the words ``[k, j)`` are spelled on their own by a bracketed acronym right after them
    ("Pakistan Army and | Federal Constabulary (FC)"): the article names them apart, so they join nothing."""
    return INITIALS_EXPANSION and _acronym_at(view, j) and _spelled_start(view, j, k) == k


def _connector_joins(
    view: TextView,
    model: CrfModel,
    mentions: list[Mention],
    hit_at: dict[tuple[int, int], KBMatch],
    hits: dict[int, KBMatch],
) -> list[Mention]:
    """Organisations joined through a connector to the organisation or free capitalized words after them
    when the tagger's scores nearly read the whole as one organisation (``JOIN_MARGIN``)."""
    words, text = view.words, view.text
    if not any(m.type == "ORG" and _join_possible(text, m.end) for m in mentions):
        return mentions  # (quick) no connector right after any mention
    used = bytearray(len(words) + 1)
    for m in mentions:
        a, b = _token_range(view, m)
        used[a:b] = b"\x01" * (b - a)
    out: list[Mention] = []
    i, n = 0, len(mentions)
    while i < n:
        m = mentions[i]
        i += 1
        typ = KB_TO_CONLL.get(m.type, "")
        ab = _join_tokens(view, m) if typ in _JOIN_TYPES else None
        if ab is None:
            out.append(m)
            continue
        a, b = ab
        sent = _sentence_of(view, a)
        own: float | None = None
        joined = False
        while b < sent[1] and words[b] in _JOIN_GAP:
            k = b + 2 if b + 1 < sent[1] and (words[b], words[b + 1]) in _JOIN_PAIRS else b + 1
            nxt = mentions[i] if i < n else None
            if nxt is not None and k > b + 1 and nxt.start == view.starts[k - 1]:
                k -= 1  # the next mention holds the connector ("dan Geofisika")
            j = _join_right(view, k, sent[1], m, nxt, used) if k < sent[1] else k
            if j <= k or _spelled_alone(view, k, j):
                break
            right = nxt is not None and nxt.start == view.starts[k]
            if own is None:
                own = _support(view, model, sent, (a, b), typ)
            whole = _join_whole(view, model, sent, (a, k, j), own, nxt if right else None)
            if whole is None:
                break
            own, b, joined = whole, j, True
            i += right
        out.append(_link(view, a, b, typ, hit_at, hits, "", model) if joined else m)
    return out


#: A place span that ends with a known town or region after a name of its own ("Ragunan | Jakarta Selatan",
#: "ICE BSD | Tangerang", "Gedung Negara Grahadi | Surabaya") is two names: the place and the town it is
#: in, as the pages write them; the tagger, trained on NERGrit's longer place spans, reads the chain as one.
#: Indonesian text only: English writes the town after a comma, and a chain is one name ("Metro Manila",
#: "North Texas"); False: off.
PLACE_CHAIN_SPLIT = True
#: The tagger's log-odds (best type) the words before the town need as a name of their own.
PLACE_CHAIN_SUPPORT = -2.0


def _chain_name_end(w: str) -> bool:
    """Whether ``w`` can close a place's own name before the town: an acronym or a capitalized word that
    unlabelled text writes capitalized ("Ragunan"; not "West", "Selat", "Tua", "Besar", which go on into
    the town's name; not a number: "SMA Negeri 4 Yogyakarta" is the school's name)."""
    if len(w) > 1 and w.isupper():
        return True
    return w[:1].isupper() and _case_classes().get(w.lower()) not in ("L", "l", "c")


def _chain_town(view: TextView, m: Mention, a: int, b: int) -> int:
    """The first token of a known town or region (a knowledge-base place, no country) that closes the
    place mention ``m`` (tokens ``[a, b)``) after words of its own that hold no known place ("Padang |
    Pariaman" is one regency), open with no head word and end as a name does (:func:`_chain_name_end`);
    ``b`` when there is none."""
    if m.entry is not None or b - a < 2 or not view.hit_cover[b - 1]:
        return b
    for h, (lo, hi) in zip(view.kb_hits, view.hit_toks, strict=True):
        if hi == b and a < lo and h.entry.type == "GPE" and h.entry.key.startswith("place:"):
            if any(view.hit_cover[a:lo]) or not _chain_name_end(view.words[lo - 1]):
                return b
            if view.words[a] in load_heads().firsts:
                return b  # "Jalan Raya Yogya Magelang", "Sungai …": a head's name may end in a town
            return lo
    return b


def _place_chains(
    view: TextView,
    model: CrfModel,
    mentions: list[Mention],
    hit_at: dict[tuple[int, int], KBMatch],
    hits: dict[int, KBMatch],
) -> list[Mention]:
    """Place mentions closed by a known town (:func:`_chain_town`) split into the place and the town."""
    out: list[Mention] = []
    for m in mentions:
        if m.type not in ("GPE", "LOC") or view.text.find(" ", m.start, m.end) < 0:
            out.append(m)
            continue
        a, b = _token_range(view, m)
        cut = _chain_town(view, m, a, b) if view.starts[a] == m.start and view.ends[b - 1] == m.end else b
        if cut >= b:
            out.append(m)
            continue
        sent = _sentence_of(view, a)
        if max(_supports(view, model, sent, (a, cut), _RUN_TYPES)) < PLACE_CHAIN_SUPPORT:
            out.append(m)  # the words before the town are no name by themselves ("Metro | Manila")
            continue
        head = _link(view, a, cut, "LOCATION", hit_at, hits, m.type, model)
        out += [head, _link(view, cut, b, "LOCATION", hit_at, hits, "", model)]
    return out


#: A capitalized run written against a person's full name with a slash ("Febriana Dwipuji Kusuma/Putri
#: Syaikah", "Li Yi Jing/Tan Ning": pairs of players, running mates) is a person too when the tagger's
#: log-odds of that are at least this (the pair is the article's evidence; the tagger reads each side
#: alone); None: off.
SLASH_PAIR_SUPPORT: float | None = -8.0


def _slash_run(view: TextView, k: int, step: int, sent: tuple[int, int]) -> int:
    """From token ``k`` going ``step``: the far end (exclusive) of a run of up to four capitalized words one
    space apart (no stop word or title); ``k`` when token ``k`` is none."""
    words, skip, j = view.words, _edge_skip(), k
    while sent[0] <= j < sent[1] and abs(j - k) < 4:
        w = words[j]
        if not (view.caps[j] and w[:1].isalpha()) or w in skip or view.firsts[j]:
            break
        if j != k:
            gap = view.text[view.ends[min(j, j - step)] : view.starts[max(j, j - step)]]
            if gap != " ":
                break
        j += step
    return j


def _slash_pairs(
    view: TextView,
    model: CrfModel,
    mentions: list[Mention],
    hit_at: dict[tuple[int, int], KBMatch],
    hits: dict[int, KBMatch],
) -> list[Mention]:
    """The other side of a slash pair with a person's full name (``SLASH_PAIR_SUPPORT``) becomes a person;
    mentions inside it give way."""
    if "/" not in view.text:
        return mentions
    words, added = view.words, []
    for m in mentions:
        if m.type != "PERSON" or " " not in view.text[m.start : m.end]:
            continue
        a, b = _token_range(view, m)
        sent = _sentence_of(view, a)
        for slash, first, step in ((b, b + 1, 1), (a - 1, a - 2, -1)):
            if not (sent[0] <= first < sent[1]) or words[slash] != "/" or not _glued(view, slash):
                continue
            far = _slash_run(view, first, step, sent)
            lo, hi = (first, far) if step > 0 else (far + 1, first + 1)
            beyond = hi if step > 0 else lo - 1
            if hi - lo < 1 or (
                sent[0] <= beyond < sent[1]
                and view.caps[beyond]
                and view.text[view.ends[min(beyond, beyond - step)] : view.starts[max(beyond, beyond - step)]]
                == " "
            ):
                continue  # no run, or the capitalized words go on ("Feng Yang | Zhe")
            if _support(view, model, sent, (lo, hi), "PERSON") >= SLASH_PAIR_SUPPORT:  # type: ignore[operator]
                added.append(_link(view, lo, hi, "PERSON", hit_at, hits, "", model))
    if not added:
        return mentions
    spans = [(x.start, x.end) for x in added]
    keep = [m for m in mentions if not any(s < m.end and m.start < e for s, e in spans)]
    have = {(m.start, m.end) for m in keep}
    keep += [x for x in added if (x.start, x.end) not in have]
    return sorted(keep, key=_START)


#: A person's first name closing the organisation or place right before the person ("Departemen Penjara
#: Kyaw | Tun Oo": the head run took "Kyaw") goes to the person when the tagger reads the word alone as a
#: person's more than as anything else and its log-odds of the longer person are within ``FIRST_NAME_MARGIN``
#: of the person's own; False: off.
PERSON_FIRST_FROM_NAME = True


def _first_word_movable(view: TextView, k: int) -> bool:
    """Whether token ``k`` may be a person's first name taken from the name before it: a capitalized
    word, no acronym, no head, stop, title or role word, no knowledge-base name's."""
    w = view.words[k]
    return (
        view.caps[k]
        and w[:1].isalpha()
        and not w.isupper()
        and not view.hit_cover[k]
        and w not in _run_skip()
    )


def _person_first_words(
    view: TextView,
    model: CrfModel,
    mentions: list[Mention],
    hit_at: dict[tuple[int, int], KBMatch],
    hits: dict[int, KBMatch],
) -> list[Mention]:
    """Move the last word of a name right before a person to the person (``PERSON_FIRST_FROM_NAME``)."""
    out = list(mentions)
    for i in range(1, len(out)):
        p, m = out[i - 1], out[i]
        if m.type != "PERSON" or p.type == "PERSON" or m.start != p.end + 1 or view.text[p.end] != " ":
            continue
        (a, b), (c, d) = _token_range(view, p), _token_range(view, m)
        if b - a < 3 or b != c or not _first_word_movable(view, b - 1):
            continue
        sent = _sentence_of(view, c)
        if not sent[0] < b - 1 < d <= sent[1]:
            continue
        first, word = view.words[c], view.words[b - 1]
        if view.text.count(first) > view.text.count(f"{word} {first}"):
            continue  # the article writes the person's name without the word ("Irsan mengaku")
        alone = _supports(view, model, sent, (b - 1, b), _RUN_TYPES)
        if max(alone) != alone[0]:
            continue  # the word reads as a place's or an organisation's ("Bojonegoro | Irsan Nasution")
        own = _support(view, model, sent, (c, d), "PERSON")
        if _support(view, model, sent, (b - 1, d), "PERSON") < own - FIRST_NAME_MARGIN:
            continue
        typ = KB_TO_CONLL.get(p.type, "ORGANIZATION")
        out[i - 1] = _link(
            view, a, b - 1, typ, hit_at, hits, p.type if p.type in ("GPE", "LOC") else "", model
        )
        out[i] = _link(view, b - 1, d, "PERSON", hit_at, hits, "", model)
    return out


#: A capitalized run in a list beside a name ("Gianyar (14), Badung (12), Tabanan (8)"; "Darwis,
#: Hardiawan, Rukasih") is taken as a name of the same type when the tagger's log-odds of that
#: (``CrfModel.support``) are at least this; None: off.
LIST_SUPPORT: float | None = -4.0
_LIST_CONJ = frozenset({"dan", "and", "serta", "atau", "or", "&"})
_LIST_END = frozenset({",", "(", ")", ".", ";", ":", "/"})


#: What a list item may sit beside in the text: a mention ending right before one of these (at its
#: offset) or starting right after it is looked at (``str.find`` scans, no loop over every word).
_LIST_SEPS = (",", " (", *(f" {w} " for w in sorted(_LIST_CONJ)))


def _list_near(text: str) -> set[int]:
    """Character offsets where a mention beside a list separator ends or starts (see ``_LIST_SEPS``)."""
    near: set[int] = set()
    for sep in _LIST_SEPS:
        k = text.find(sep)
        while k >= 0:
            end = k + len(sep)
            near.update((k, end, end + 1))
            k = text.find(sep, end)
    return near


def _named(s: str) -> bool:
    """Whether the text ``s`` opens with a word holding a capital letter (the start of a list item)."""
    w = s.split(" ", 1)[0]
    return w[:1].isalpha() and w != w.lower()


def _list_ahead(after: str) -> bool:
    """Whether the text right after a mention may go on to a list item (a quick check before the token
    walk): an optional short bracket, a comma or a conjunction, then a word with a capital."""
    s = after.lstrip()
    if s[:1] == "(":
        close = s.find(")")
        if close < 0:
            return False
        s = s[close + 1 :].lstrip()
    if s[:1] == ",":
        s = s[1:].lstrip()
        w = s.split(" ", 1)[0]
        if w.lower() in _LIST_CONJ:
            s = s[len(w) :].lstrip()
    else:
        w = s.split(" ", 1)[0]
        if w.lower() not in _LIST_CONJ:
            return False
        s = s[len(w) :].lstrip()
    return _named(s)


def _list_behind(before: str) -> bool:
    """The same check for the text right before a mention: a word with a capital (or a bracket), then a
    comma or a conjunction."""
    s = before.rstrip()
    w = s.rsplit(" ", 1)[-1]
    if w.lower() in _LIST_CONJ:
        s = s[: len(s) - len(w)].rstrip()
    elif s[-1:] != ",":
        return False
    s = s.rstrip(",").rstrip()
    return s[-1:] == ")" or _named(s.rsplit(" ", 1)[-1])


def _skip_bracket(words: list[str], k: int, step: int) -> int:
    """The token past a short bracket ("(14)", "(pilot)") at ``k`` going ``step`` (+1/-1), else ``k``."""
    opener, closer = ("(", ")") if step > 0 else (")", "(")
    if 0 <= k < len(words) and words[k] == opener:
        for j in range(k + step, k + 5 * step, step):
            if not 0 <= j < len(words):
                break
            if words[j] == closer:
                return j + step
    return k


def _list_next(view: TextView, k: int, step: int, lo: int, hi: int, used: bytearray) -> tuple[int, int]:
    """The capitalized run (at most four words, no mention: ``used`` marks the characters of the
    mentions) after the list separator at ``k`` going ``step`` inside the sentence ``[lo, hi)``, as a
    token range; (0, 0) when there is none."""
    words = view.words
    if step > 0:  # "Gianyar | (14), Badung"
        k = _skip_bracket(words, k, step)
    if not lo <= k < hi:
        return 0, 0
    if words[k] == ",":
        k += step
        if lo <= k < hi and words[k].lower() in _LIST_CONJ:
            k += step
    elif words[k].lower() in _LIST_CONJ:
        k += step
    else:
        return 0, 0
    if step < 0:  # "Gianyar (14), | Badung"
        k = _skip_bracket(words, k, step)
    j = k
    starts = view.starts
    while lo <= j < hi and view.caps[j] and not used[starts[j]] and abs(j - k) < 4 and words[j][:1].isalpha():
        j += step
    if j == k:
        return 0, 0
    a, b = (k, j) if step > 0 else (j + 1, k + 1)
    if step > 0 and b < hi and words[b] not in _LIST_END and words[b].lower() not in _LIST_CONJ:
        return 0, 0
    return a, b


def _list_items(
    view: TextView,
    model: CrfModel,
    mentions: list[Mention],
    hit_at: dict[tuple[int, int], KBMatch],
    hits: dict[int, KBMatch],
) -> list[Mention]:
    """Names in a list beside a name the tagger found, of the same type, where the tagger's scores
    support them (``LIST_SUPPORT``): a comma list with counts or ages is where it misses most."""
    added: list[Mention] = []
    text = view.text
    near = _list_near(text)
    if not near:
        return mentions
    todo = [
        (m, *_token_range(view, m))
        for m in mentions
        if (m.end in near and _list_ahead(text[m.end : m.end + 24]))
        or (m.start in near and _list_behind(text[max(0, m.start - 16) : m.start]))
    ]
    if not todo:
        return mentions
    used = bytearray(len(text) + 1)
    for m in mentions:
        used[m.start : m.end] = b"\x01" * (m.end - m.start)
    while todo:
        m, a, b = todo.pop()
        typ = KB_TO_CONLL.get(m.type)
        if typ is None or b <= a:
            continue
        lo, hi = _sentence_of(view, a)
        for k, step in ((b, 1), (a - 1, -1)):
            x, y = _list_next(view, k, step, lo, hi, used)
            if y <= x:
                continue
            sup = _support(view, model, (lo, hi), (x, y), typ)
            if sup < LIST_SUPPORT:  # type: ignore[operator]
                continue
            new = _link(view, x, y, typ, hit_at, hits, "", model)
            used[new.start : new.end] = b"\x01" * (new.end - new.start)
            added.append(new)
            todo.append((new, x, y))
    return sorted(mentions + added, key=_START) if added else mentions


def _bracket_end(view: TextView, m: Mention) -> int:
    """The token after ``(ACR)`` right behind an organisation's name of two words or more (the
    bracket holds one or two capitalized words without digits; the sentence goes on), else -1."""
    if m.type != "ORG" or view.text[m.end : m.end + 2] != " (":
        return -1
    words, starts = view.words, view.starts
    k = bisect_left(starts, m.end)
    if k >= len(words) or words[k] != "(" or " " not in view.text[m.start : m.end]:
        return -1
    for close in (k + 2, k + 3):
        inner = words[k + 1 : close]
        if (
            close < len(words)
            and words[close] == ")"
            and all(w[:1].isupper() and not any(c.isdigit() for c in w) for w in inner)
            and close + 1 < len(words)
            and not view.firsts[close + 1]  # (a word after "(" counts as a first word; the one after ")" not)
        ):
            return close + 1
    return -1


def _bracket_tail(view: TextView, after: int, nxt: Mention) -> int:
    """Where the place named right after the bracket ends (a character offset), else -1: a known place
    there (after a place head such as "Kabupaten"), else the place mention ``nxt`` starting there."""
    start = view.starts[after]
    at = {start}
    if view.words[after] in _lex().gpe_heads and after + 1 < len(view.starts):
        at.add(view.starts[after + 1])
    ends = [
        h.end for h in view.kb_hits if h.start in at and h.entry.type in ("GPE", "LOC") and h.end <= nxt.end
    ]
    if ends:
        return max(ends)
    if nxt.type in ("GPE", "LOC") and nxt.start == start:
        return nxt.end
    return -1


def _bracket_join(view: TextView, mentions: list[Mention]) -> list[Mention]:
    """ "Kepolisian Daerah (Polda) Jabar", "Badan Penanggulangan Bencana Daerah (BPBD) Kabupaten
    Jombang": an organisation's name, its bracketed short name and the place named right after the
    bracket are one organisation (the Indonesian way of naming a regional office). The place mention
    after the bracket (or the tagger's span across it, "Polda) Jabar Komisaris") gives way, up to the
    place's end; a parent organisation ("(PVMBG) Kementerian ESDM") or a person there is not taken."""
    out: list[Mention] = []
    skip = -1
    for i, m in enumerate(mentions):
        if m.start < skip:
            continue
        after = _bracket_end(view, m)
        nxt = mentions[i + 1] if 0 <= after < len(view.starts) and i + 1 < len(mentions) else None
        end = -1
        if (
            nxt is not None
            and nxt.type in ("ORG", "GPE", "LOC")
            and (nxt.start == view.starts[after] or view.text[m.end : nxt.start].strip(" (") == "")
            and nxt.end > view.starts[after]
        ):
            end = _bracket_tail(view, after, nxt)
        if nxt is not None and end > 0:
            surface = view.text[m.start : end]
            out.append(Mention(m.start, end, "ORG", "org:" + surface.casefold(), surface, 0.8))
            skip = nxt.end
            continue
        out.append(m)
    return out


#: How much less likely (log-odds) a person's name may become when it takes the capitalized word the
#: tagger left out before it ("Phillip | Mark Mehrtens", "Nur | Cahyo Sucipto"; 3, 6 and 10 measured alike).
FIRST_NAME_MARGIN = 3.0
#: The margin when the word before is a common given name (``given_names.txt``, a name-head lexicon read as
#: evidence: "sopir bus Nur | Cahyo Sucipto", "tunggal putri Putri | Kusuma Wardani"); such a word counts even
#: when unlabelled text writes it mostly lower-case; None: as any word.
FIRST_NAME_GIVEN_MARGIN: float | None = 6.0


def _first_name(view: TextView, model: CrfModel, lo: int, hi: int, claimed: int) -> int:
    """The start of a tagged person's name, one word earlier when the word before it is a capitalized
    word (not a title, role, stop word or head word, no knowledge-base name) that the tagger's scores
    hardly reject as the name's first word."""
    k = lo - 1
    if k < claimed or k < 0 or not view.caps[k] or view.firsts[k]:
        return lo  # not a sentence's first word, nor in a headline: case tells nothing there
    w = view.words[k]
    lex = _lex()
    given = FIRST_NAME_GIVEN_MARGIN is not None and w in load_given_names()
    if (
        view.text[view.ends[k] : view.starts[lo]] != " "
        or not w[:1].isupper()
        or not w.isalpha()
        or w.isupper()
        or w in lex.unnamed
        or w in lex.honorifics
        or w in load_heads().firsts
        or view.kbtags[k] != "O"
        or (not given and _case_classes().get(w.lower()) in ("L", "l"))  # mostly lower-case: a noun
    ):
        return lo
    sent = _sentence_of(view, lo)
    if k < sent[0]:
        return lo
    longer = _support(view, model, sent, (k, hi), "PERSON")
    shorter = _support(view, model, sent, (lo, hi), "PERSON")
    margin = FIRST_NAME_GIVEN_MARGIN if given else FIRST_NAME_MARGIN
    return k if longer - shorter >= -margin else lo  # type: ignore[operator]


#: How much less likely (log-odds) an organisation's or place's span may become when its last words
#: are read as a person's name instead ("Fraksi Gerindra | Habiburokhman"); by outlet CV 0 / 2 / 4 / 8 give
#: recall 0.864 / 0.866 / 0.866 / 0.858, gold share 0.761 / 0.761 / 0.760 / 0.745.
PERSON_TAIL_MARGIN = 2.0
#: The margin when the span's last word closes a person's name the tagger found elsewhere in the article
#: ("Ducati Francesco Bagnaia" … "kata Bagnaia"): the article's own evidence that the tail is a person.
#: By outlet CV 2 / 5 / 8 / 15: 1653 / 1657 / 1657 / 1657 names (8: "Tunu | Pratama Jaya", a ship, cut).
PERSON_TAIL_DOC_MARGIN = 5.0
#: The margin when the article writes the span's words before the tail elsewhere as a whole name, with no
#: capitalized word after them ("Kabupaten Jombang, …" and "BPBD Kabupaten Jombang Gunadi, Selasa …"): the
#: article's own evidence of where the name ends; None: off.
PERSON_TAIL_CLOSED_MARGIN: float | None = 8.0


def _person_tail(
    view: TextView, model: CrfModel, lo: int, hi: int, typ: str, margin: float | None = None
) -> int:
    """Where a person's name closing an organisation or place span starts (0: none): its last one to
    three words are capitalized words unlabelled text writes capitalized, no title, head word or
    knowledge-base name, and the tagger's scores hardly prefer the span whole (by at most ``margin``,
    ``PERSON_TAIL_MARGIN`` when None)."""
    if typ == "PERSON" or hi - lo < 2:
        return 0
    words, caps = view.words, view.caps
    lex = _lex()
    heads = load_heads()
    cases = _case_classes()
    whole = None
    best, best_gain = 0, -(PERSON_TAIL_MARGIN if margin is None else margin)
    for cut in range(hi - 1, max(lo, hi - 4), -1):
        w = words[cut]
        if (
            not caps[cut]
            or not w.isalpha()
            or w.isupper()
            or view.firsts[cut]
            or view.kbtags[cut] != "O"
            or w in lex.unnamed
            or w in heads.firsts
            or w in heads.tail_org
            or cases.get(w.lower()) in ("L", "l", "c")
            or view.text[view.ends[cut - 1] : view.starts[cut]] != " "
        ):
            break
        left = words[cut - 1]
        if not left[:1].isalnum() or left.islower():
            continue
        if whole is None:
            sent = _sentence_of(view, lo)
            args = (view.words, view.firsts, view.kbtags, sent)
            whole = model.path_support(*args, lo, _bio(typ, hi - lo), view.lang)
        split = model.path_support(*args, lo, _bio(typ, cut - lo) + _bio("PERSON", hi - cut), view.lang)
        gain = split - whole
        if (
            gain < best_gain
            and margin is None
            and PERSON_TAIL_CLOSED_MARGIN is not None
            and gain >= -PERSON_TAIL_CLOSED_MARGIN
            and cut - lo >= 2
            and _written_closed(view, lo, cut)
        ):
            gain = best_gain  # the article writes the name without the tail elsewhere
        if gain >= best_gain:
            best, best_gain = cut, gain
    return best


def _written_closed(view: TextView, lo: int, cut: int) -> bool:
    """Whether the article writes the words ``[lo, cut)`` elsewhere with no capitalized word after them
    ("Kabupaten Jombang," … "Kabupaten Jombang Gunadi, Selasa"): there the name ends before the tail."""
    return _closed_elsewhere(view.text, view.starts[lo], view.ends[cut - 1])


def _closed_elsewhere(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` comes again elsewhere as whole words with no capitalized word after it."""
    surface = text[start:end]
    at = text.find(surface)
    while at >= 0:
        after = text[at + len(surface) : at + len(surface) + 2]
        if (
            at != start
            and (at == 0 or not text[at - 1].isalnum())
            and not after[:1].isalnum()
            and not (after[:1] == " " and after[1:2].isupper())
        ):
            return True
        at = text.find(surface, at + 1)
    return False


def _bio(typ: str, n: int) -> list[str]:
    return [f"B-{typ}"] + [f"I-{typ}"] * (n - 1)


def _extend_span(
    view: TextView,
    lo: int,
    hi: int,
    typ: str,
    kind: str,
    hit_at: dict[tuple[int, int], KBMatch],
    hits: dict[int, KBMatch],
    loc_at: dict[int, int],
) -> tuple[int, int, str, str]:
    """A span grown to the whole name: hyphenated pieces, an administrative head before a place, a
    place's tail, the place that closes an organisation head's name; a building names its ministry."""
    lex = _lex()
    heads = load_heads()
    words, starts, ends = view.words, view.starts, view.ends
    n = len(words)
    if typ != "PERSON" and hi - lo >= 2 and words[lo] in heads.facility:
        inner = hit_at.get((starts[lo + 1], ends[hi - 1]))
        if inner is not None and inner.entry.type == "ORG":
            lo, typ, kind = lo + 1, "ORGANIZATION", "crf"  # "Gedung Kemenhub" names the ministry
    if (hi + 1 < n and ends[hi - 1] == starts[hi]) or (lo >= 2 and ends[lo - 1] == starts[lo]):
        lo, hi = _hyphen_join(view, lo, hi)  # (only a piece attached to the span can join it)
    if (
        typ == "LOCATION"
        and kind == "crf"
        and lo > 0
        and words[lo - 1] in lex.gpe_heads
        and ends[lo - 1] < starts[lo]
    ):
        lo -= 1  # "Kabupaten Cianjur": the administrative head is part of the name
    if typ == "LOCATION" and hi < n and words[hi] in heads.place_tails:  # (no tail word: no tail)
        hi = place_tail_end(view.text, words, starts, ends, hi, _sentence_end(view, hi - 1))
    if typ == "ORGANIZATION" and kind == "crf" and words[lo] in lex.org_heads and hi < n:
        hi = _head_place_end(view, hi, hits, loc_at)
    return lo, hi, typ, kind


def _head_place_end(view: TextView, hi: int, hits: dict[int, KBMatch], loc_at: dict[int, int]) -> int:
    """ "Polres Situbondo", "Angkatan Udara Ukraina": the end of an organisation head's name with the
    place (a known one, or a tagged place span) right after it."""
    starts, ends = view.starts, view.ends
    nxt = hits.get(starts[hi])
    if nxt is not None and nxt.entry.type in ("GPE", "LOC") and view.text[ends[hi - 1] : nxt.start] == " ":
        return bisect_left(starts, nxt.end)
    if hi in loc_at and view.text[ends[hi - 1] : starts[hi]] == " ":
        return loc_at[hi]
    return hi


_APOSTROPHES = frozenset("'‘’`")
#: Pieces after an attached apostrophe that make a contraction, not a longer name ("don't", "they're").
_CONTRACTIONS = frozenset(["s", "t", "re", "ll", "ve", "d", "m"])


def _hyphen_join(view: TextView, lo: int, hi: int) -> tuple[int, int]:
    """Hyphenated names are one name: "Shin Tae-yong", "el-Fasher", "Rostov-on-Don" (a lower-case
    piece continues the name, and a capitalized piece after it; "Pramono-Rano" is two names); so are
    names written with an apostrophe inside ("Ma'rang", "Kan‘an", "O'Brien")."""
    heads = load_heads()
    words, starts, ends = view.words, view.starts, view.ends
    n = len(words)
    while (
        hi + 1 < n
        and ends[hi - 1] == starts[hi]
        and ends[hi] == starts[hi + 1]
        and (
            (
                words[hi] == "-"
                and (words[hi + 1][:1].islower() or words[hi - 1].islower())
                and words[hi + 1] not in heads.hyphen_suffixes
            )
            or (
                words[hi] in _APOSTROPHES
                and words[hi + 1].isalpha()
                and words[hi + 1].lower() not in _CONTRACTIONS
            )
        )
    ):
        hi += 2
    while (
        lo >= 2
        and ends[lo - 2] == starts[lo - 1]
        and ends[lo - 1] == starts[lo]
        and (
            (
                words[lo - 1] == "-"
                and words[lo - 2][:1].islower()
                and words[lo - 2] not in heads.hyphen_prefixes
            )
            or (words[lo - 1] in _APOSTROPHES and words[lo - 2].isalpha() and len(words[lo - 2]) <= 2)
        )
    ):
        lo -= 2
    return lo, hi


def _kb_names_win(view: TextView, lo: int, hi: int, typ: str, hit_starts: list[int]) -> bool:
    """Whether knowledge-base names replace a tagged span: they cover it up to connectors ("Reuters dan
    Antara"), it is a known organisation and a region ("KKB Papua"), or it cuts a multi-word known
    name ("Sir Keir" | "Keir Starmer")."""
    if view.hit_cover.find(1, lo, hi) < 0:
        return False  # no knowledge-base hit overlaps the span
    start, end = view.starts[lo], view.ends[hi - 1]
    k = bisect_left(hit_starts, start)
    if k < len(hit_starts) and hit_starts[k] == start and view.kb_hits[k].end == end:
        return False  # one hit is the very span: the hits do not overlap, so no other one is near
    while k > 0 and view.kb_hits[k - 1].end > start:
        k -= 1
    near = []
    while k < len(view.kb_hits) and view.kb_hits[k].start < end:
        near.append(view.kb_hits[k])
        k += 1
    inside = [h for h in near if start <= h.start and h.end <= end]
    if _kb_split(view, start, end, inside):
        return True
    if (
        typ == "ORGANIZATION"
        and len(inside) == 2
        and inside[0].start == start
        and inside[1].end == end
        and inside[0].entry.type == "ORG"
        and inside[1].entry.key.startswith("place:")
        and view.text[inside[0].end : inside[1].start] == " "
    ):
        return True
    return any(" " in h.alias and (h.start < start < h.end or h.start < end < h.end) for h in near)


def _ministry_country(view: TextView, lo: int, hi: int, typ: str, hits: dict[int, KBMatch]) -> int:
    """ "Kementerian Luar Negeri" + "Kazakhstan": a ministry of a known portfolio takes its country."""
    if typ != "ORGANIZATION" or hi >= len(view.words):
        return hi
    start, end = view.starts[lo], view.ends[hi - 1]
    nxt = hits.get(view.starts[hi])
    if nxt is not None and nxt.entry.type == "GPE" and view.text[end : nxt.start] == " ":
        j = bisect_left(view.starts, nxt.end)
        if _org_name(view, lo, j, hits) != view.text[start : nxt.end]:
            return j
    return hi


#: How much lower the floor is for a known organisation than for a known person or place. The tagger
#: reads organisations worst (their acronyms above all: "KKB", "BWF"), but 2.0 found only 2 more names
#: held out (docs/ner7.md) and, with them in the event models' training articles, 3 fewer right source
#: actors (`eval events --cv 5`: 112 -> 109 of 129, under the 0.85 target), so the floor is the same.
KB_ORG_BELOW = 0.0
#: How much lower the floor is for a known organisation written as an acronym ("KKB", "BWF"): the tagger's
#: scores of a capital-letter word it rarely saw are weak either way, and the knowledge base names it; 0: none.
KB_ACRONYM_BELOW = 0.5


def _acronym(surface: str) -> bool:
    """Whether ``surface`` is one word of capital letters (an acronym: "KKB", "BWF")."""
    return surface.isalpha() and surface.isupper()


def _kb_additions(view: TextView, model: CrfModel, mentions: list[Mention]) -> list[Mention]:
    """Knowledge-base names the tagger did not mark: unambiguous ones where the tagger's scores nearly
    chose them (``CrfModel.support`` at least the model's ``kb_support``, ``KB_ORG_BELOW`` less for an
    organisation); groups and events (types the tagger does not learn) always."""
    used = bytearray(len(view.text) + 1)
    for m in mentions:
        used[m.start : m.end] = b"\x01" * (m.end - m.start)
    floor = model.kb_support
    out: list[Mention] = []
    for h, toks in zip(view.kb_hits, view.hit_toks, strict=True):
        e = h.entry
        if any(used[h.start : h.end]) or e.ambiguous:
            continue
        kb_typ = KB_TO_CONLL.get(e.type)
        if kb_typ is not None:
            sent = _sentence_of(view, toks[0])
            low = floor - KB_ORG_BELOW if kb_typ == "ORGANIZATION" else floor
            if (
                KB_ACRONYM_BELOW
                and kb_typ == "ORGANIZATION"
                and h.end - h.start > 1
                and _acronym(view.text[h.start : h.end])
            ):
                low -= KB_ACRONYM_BELOW
            if _support(view, model, sent, toks, kb_typ) < low:
                continue
        out.append(Mention(h.start, h.end, e.type, e.key, e.name, 0.75, e, "kb"))
    return out


def _join_people(text: str, mentions: list[Mention]) -> list[Mention]:
    """Two tagged people side by side with one space between are one name ("Ayman" "al-Atouneh")."""
    out: list[Mention] = []
    for m in mentions:
        p = out[-1] if out else None
        if (
            p is not None
            and p.type == m.type == "PERSON"
            and p.entry is None
            and m.entry is None
            and p.source == m.source == "crf"
            and text[p.end : m.start] == " "
        ):
            surface = text[p.start : m.end]
            out[-1] = Mention(
                p.start, m.end, "PERSON", "person:" + surface, surface, p.confidence, None, "crf"
            )
        else:
            out.append(m)
    return out


_PAIR = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")


def _retype(view: TextView, mentions: list[Mention]) -> list[Mention]:
    """Types from the words around a name the knowledge base does not know: a lower-case place noun
    after or before it ("the Cherkasy region", "wilayah Kutum") makes a place, a lower-case role
    before it ("regional governor Ihor Taburets") a person; a person span of a candidate pair
    ("Ridwan Kamil-Suswono") is two people. One look at the neighbouring words per mention."""
    english = (view.lang or "").startswith("en")
    cues = load_heads().person_cues["en" if english else "id"]
    out: list[Mention] = []
    for m in _join_people(view.text, mentions):
        if m.entry is not None or m.source != "crf":
            out.append(m)
            continue
        m = _neighbour_type(view, m, cues, english)
        out += _split_pair(m, view.text[m.start : m.end])
    return out


def _neighbour_type(view: TextView, m: Mention, cues: frozenset[str], english: bool) -> Mention:
    """An unlinked mention retyped by its neighbouring words: a place noun after or before it makes a
    place, a person cue before a name-like span a person."""
    heads = load_heads()
    text, words, starts, ends = view.text, view.words, view.starts, view.ends
    lo, hi = _token_range(view, m)
    prev = words[lo - 1] if lo > 0 and text[ends[lo - 1] : starts[lo]] == " " else ""
    nxt = words[hi] if hi < len(words) and text[ends[hi - 1] : starts[hi]] == " " else ""
    surface = text[m.start : m.end]
    place = heads.place_after.get(nxt) or heads.place_before.get(prev)
    if place and m.type not in ("GPE", "LOC"):
        return Mention(m.start, m.end, place, "place:" + surface, surface, m.confidence, None, m.source)
    if (
        prev in cues
        and (m.type in ("GPE", "LOC") or (english and m.type == "ORG"))
        and words[lo] not in heads.org
        and ((hi - lo >= 2 and " " in surface) or words[lo] in load_given_names())
    ):
        return Mention(m.start, m.end, "PERSON", "person:" + surface, surface, m.confidence, None, m.source)
    return m


def _split_pair(m: Mention, surface: str) -> list[Mention]:
    """A person span of a candidate pair ("Ridwan Kamil-Suswono") as two people, else the span."""
    cut = _PAIR.search(surface) if m.type == "PERSON" and "-" in surface else None
    if cut is None or not surface[cut.end()].isupper():
        return [m]
    left = surface[: cut.start()]
    last = left.split()[-1]
    if " " not in left or not last[:1].isupper() or last in load_heads().hyphen_name_prefixes:
        return [m]
    right = surface[cut.end() :]
    mid = m.start + cut.start()
    return [
        Mention(m.start, mid, "PERSON", "person:" + left, left, m.confidence, None, m.source),
        Mention(mid + 1, m.end, "PERSON", "person:" + right, right, m.confidence, None, m.source),
    ]


def _washington(view: TextView, mentions: list[Mention]) -> list[Mention]:
    """A capital used as its government ("Washington said") names the country; "di Washington" the city."""
    kb = load_kb()
    preps = frozenset(load_rules()["place_preps"])
    out = []
    for m in mentions:
        e = m.entry
        if e is not None and e.name.startswith("Washington") and e.type == "GPE":
            prev = view.text[max(0, m.start - 12) : m.start].split()
            target = (
                kb.by_key.get("place:Washington, D.C.")
                if prev and prev[-1].lower() in preps
                else kb.by_key.get("country:US")
            )
            if target is not None:
                m = Mention(
                    m.start, m.end, target.type, target.key, target.name, m.confidence, target, m.source
                )
        out.append(m)
    return out


def _coref(view: TextView, mentions: list[Mention]) -> list[Mention]:
    """Later surnames join the full name; acronyms in brackets join their expansion."""
    persons = _person_names(mentions)
    acronyms, mentions = _bracket_acronyms(view, mentions)
    spelled = _spelled_acronyms(view, mentions, acronyms) if INITIALS_COREF else {}
    if not persons and not acronyms and not spelled:
        return mentions
    out = _relink(view.text, mentions, persons, acronyms)
    out += _bare_mentions(view, out, persons, acronyms | spelled)
    out.sort(key=_START)
    return out


def _person_names(mentions: list[Mention]) -> dict[str, Mention]:
    """The full-name mention a shorter name refers to: a surname or the last two names, and a given
    name alone ("kata Teguh") when one person of the article has it."""
    lex = _lex()
    persons: dict[str, Mention] = {}
    for m in mentions:
        if m.type == "PERSON":
            words = [w for w in m.name.split() if w not in lex.honorifics]
            if len(words) >= 2:
                persons.setdefault(words[-1], m)
                persons.setdefault(" ".join(words[-2:]), m)
    given: dict[str, list[Mention]] = {}
    for m in mentions:
        if m.type == "PERSON":
            words = [w for w in m.name.split() if w not in lex.honorifics]
            if (
                len(words) >= 2
                and words[0][:1].isupper()
                and m.key not in {x.key for x in given.get(words[0], [])}
            ):
                given.setdefault(words[0], []).append(m)
    for w, ms in given.items():
        if len(ms) == 1 and w not in lex.stop:
            persons.setdefault(w, ms[0])
    return persons


def _bracket_acronyms(view: TextView, mentions: list[Mention]) -> tuple[dict[str, Mention], list[Mention]]:
    """ "Rapid Support Forces (RSF)": the bracketed acronym names the same organisation. The acronyms
    with their expansions, and the mentions sorted by start with the bracketed acronyms added."""
    text, words, starts = view.text, view.words, view.starts
    acronyms: dict[str, Mention] = {}
    by_start = {m.start: m for m in mentions}
    for m in mentions:
        if m.type not in ("ORG", "GPE", "LOC") or " " not in text[m.start : m.end]:
            continue
        k = bisect_left(starts, m.end)
        inner = re.search(r" \(([A-Z][A-Za-z]{1,7})\) ", text[m.start : m.end])
        if inner is not None and m.source == "crf":  # "Kepolisian Daerah (Polda) Jabar" (joined)
            acronyms.setdefault(inner.group(1), m)
        if k + 2 < len(words) and words[k] == "(" and words[k + 2] == ")":
            acr = words[k + 1]
            if acr.isupper() and 2 <= len(acr) <= 8 and _bracket_fit(view, m, k + 1):
                acronyms.setdefault(acr, m)
                if starts[k + 1] not in by_start:
                    by_start[starts[k + 1]] = Mention(
                        starts[k + 1], view.ends[k + 1], m.type, m.key, m.name, 0.8, m.entry, "coref"
                    )
    return acronyms, sorted(by_start.values(), key=_START)


#: An acronym spelled exactly by the capitalized words of an organisation the article named before it
#: ("Rapid Support Forces has been accused …" … "The RSF denied …") names that organisation where no other
#: mention holds it, with or without brackets; False: brackets only.
INITIALS_COREF = True


def _spelled_acronyms(
    view: TextView, mentions: list[Mention], acronyms: dict[str, Mention]
) -> dict[str, Mention]:
    """The acronyms (not bracketed ones) that the article writes as a word and that spell an organisation's
    name of two or more capitalized words exactly, with that organisation (its first mention)."""
    out: dict[str, Mention] = {}
    words: set[str] | None = None
    for m in mentions:
        if m.type != "ORG" or " " not in view.text[m.start : m.end]:
            continue
        caps = [w for w in re.findall(r"[^\W\d_][\w'’]*", view.text[m.start : m.end]) if w[:1].isupper()]
        acr = "".join(w[0] for w in caps)
        if len(caps) < 2 or len(acr) != len(caps) or acr in acronyms or acr in out:
            continue
        if words is None:
            words = set(view.words)
        if acr in words:
            out[acr] = m
    return out


def _bracket_fit(view: TextView, m: Mention, k: int) -> bool:
    """Whether the acronym at token ``k``, in brackets after ``m``, names ``m``: its letters fit the
    initials of the mention or of its knowledge-base name ("Pasukan Dukungan Cepat (RSF)": Rapid Support
    Forces), or, after an organisation, it has three or more letters and is no known place (an acronym in
    another language: "Laboratorium Riset Kemanusiaan (HRL)")."""
    acr = view.words[k]
    if _initials_fit(acr, view.text[m.start : m.end]) or (
        m.entry is not None and _initials_fit(acr, m.entry.name)
    ):
        return True
    return m.type == "ORG" and len(acr) >= 3 and not view.hit_cover[k]


def _relink(
    text: str, mentions: list[Mention], persons: dict[str, Mention], acronyms: dict[str, Mention]
) -> list[Mention]:
    """Mentions whose surface is a shorter name of a person (a person, or an ambiguous link) or an
    acronym the article expands in brackets take that entity."""
    out: list[Mention] = []
    for m in mentions:
        surface = text[m.start : m.end]
        full = persons.get(surface)
        ab = acronyms.get(surface)
        if (
            full is not None
            and full.key != m.key
            and (m.type == "PERSON" or (m.entry is not None and m.entry.ambiguous))
        ):
            out.append(Mention(m.start, m.end, "PERSON", full.key, full.name, 0.8, full.entry, "coref"))
        elif ab is not None and ab.key != m.key and m.start != ab.start:
            # an acronym the article expands in brackets names that entity wherever it stands, before its
            # expansion too (a headline or lead gives "RSF", the body "Rapid Support Forces (RSF)")
            out.append(Mention(m.start, m.end, ab.type, ab.key, ab.name, 0.8, ab.entry, "coref"))
        else:
            out.append(m)
    return out


def _bare_mentions(
    view: TextView, out: list[Mention], persons: dict[str, Mention], acronyms: dict[str, Mention]
) -> list[Mention]:
    """New mentions of capitalized words outside every mention in ``out`` that are a shorter name or
    an acronym of an entity named before them."""
    used = bytearray(len(view.text) + 1)
    for m in out:
        used[m.start : m.end] = b"\x01" * (m.end - m.start)
    added: list[Mention] = []
    named = persons.keys() | acronyms.keys()
    caps = view.caps
    # only the tokens that are such a name (found in C), then whether they are capitalized
    for i in compress(range(len(caps)), map(named.__contains__, view.words)):
        if not caps[i]:
            continue
        w = view.words[i]
        full = persons.get(w) or acronyms.get(w)
        if full is not None and not used[view.starts[i]] and view.starts[i] > full.start:
            added.append(
                Mention(
                    view.starts[i], view.ends[i], full.type, full.key, full.name, 0.75, full.entry, "coref"
                )
            )
            used[view.starts[i] : view.ends[i]] = b"\x01" * (view.ends[i] - view.starts[i])
    return added


def _initials_fit(acr: str, phrase: str) -> bool:
    """Whether the acronym's letters appear, in order, among the phrase's word initials (loosely)."""
    initials = "".join(w[0] for w in re.findall(r"\w+", phrase) if w[:1].isupper())
    it = iter(initials.upper())
    return sum(1 for c in acr if c in it) >= max(2, len(acr) - 1)


def find_mentions(
    text: str, lang: str | None = None, analysis: Analysis | None = None, twins: Twins | None = None
) -> list[Mention]:
    """Every entity mention in ``text``, sorted by offset (each mirrored pass run as ``twins``, else as
    :func:`~streams.nlp.ner_twins.bound` chooses now)."""
    tw = twins or bound()
    view = tw.text_view(text, analysis)
    if view.lang is None:
        view.lang = lang
    return tw._coref(view, _recognise(view, load_model(), tw))


def group_mentions(text: str, mentions: list[Mention]) -> list[Entity]:
    """One Entity per referent with all its spans, in order of first mention."""
    groups: dict[str, list[Mention]] = {}
    for m in mentions:
        groups.setdefault(m.key, []).append(m)
    out: list[Entity] = []
    for ms in groups.values():
        first = ms[0]
        e = first.entry
        # the longest surface, the first of the longest (``max`` keeps the first of equal keys)
        surface = (
            text[first.start : first.end]
            if len(ms) == 1
            else max([text[m.start : m.end] for m in ms], key=len)
        )
        conf = min(0.99, max(map(_CONFIDENCE, ms)) + 0.02 * (len(ms) - 1))
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


def extract_entities(text: str, lang: str | None = None, analysis: Analysis | None = None) -> list[Entity]:
    """One Entity per referent with all its spans, in order of first mention."""
    tw = bound()  # the compiled twin or the reference of each mirrored pass, chosen once for the article
    return tw.group_mentions(text, find_mentions(text, lang, analysis, tw))


class EntityStage:
    """Fills ``entities`` from the analysis of ``body``."""

    name: ClassVar[str] = "entities"
    requires: ClassVar[tuple[str, ...]] = ("body", "analysis")
    #: the article's language chooses the lexicon blocks (both are read without it)
    optional: ClassVar[tuple[str, ...]] = ("language",)
    assigns: ClassVar[tuple[str, ...]] = ("entities",)

    def __init__(self, settings: Any = None, state: Any = None):
        load_kb()
        load_model()
        _lex()

    def __call__(self, doc: Doc) -> None:
        if not isinstance(doc.body, str):
            raise StageError("W600", "article body is not text", hint="run the decode stage first")
        doc.entities = extract_entities(doc.body, doc.language, doc.analysis)
