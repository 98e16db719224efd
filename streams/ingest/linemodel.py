"""A learned page-line classifier: title, byline, dateline, date, caption, furniture or body per line."""

from __future__ import annotations

import bisect
import json
import math
import re
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from streams.core import hot as _core_hot

__all__ = [
    "HEAD_SKIP",
    "LABELS",
    "MODEL_PATH",
    "LineHints",
    "LineModel",
    "OutletMemory",
    "clear_feature_cache",
    "head_features",
    "line_features",
    "line_tokens",
    "load_line_model",
    "own_name",
    "page_features",
    "section_tokens",
    "slug_tokens",
    "stack_features",
]

#: Labels in model order.
LABELS: tuple[str, ...] = ("body", "title", "byline", "dateline", "date", "caption", "furniture")
MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "ingest" / "line_model.json"

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_DIGIT = re.compile(r"\d")
_UPPER = re.compile(r"[A-Z\u00c0-\u00de]")
_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}\b")
_DATEISH = re.compile(
    r"\b(?:\d{1,2}[/-]\d{1,2}[/-]\d{2,4}|\d{4}-\d{2}-\d{2}|(?:jan|feb|mar|apr|mei|may|jun|jul|agu|aug|sep|okt|oct"
    r"|nov|des|dec)[a-z]*\.?\s+\d{1,2}|\d{1,2}\s+(?:jan|feb|mar|apr|mei|may|jun|jul|agu|aug|sep|okt|oct|nov|des"
    r"|dec)[a-z]*\.?\s+\d{4}|\d{1,2}[/-](?:jan|feb|mar|apr|mei|may|jun|jul|agu|aug|sep|okt|oct|nov|des|dec)[a-z]*"
    r"[/-]\d{2,4})",
    re.IGNORECASE,
)
_RELATIVE = re.compile(
    r"\b\d+\s+(?:jam|menit|hari|minggu|hours?|minutes?|days?|weeks?)\s+(?:lalu|yang lalu|ago)\b", re.I
)
_WEEKDAY = re.compile(
    r"\b(?:senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|monday|tuesday|wednesday|thursday|friday|saturday"
    r"|sunday)\b",
    re.IGNORECASE,
)
_ZONE = re.compile(r"\b(?:WIB|WITA|WIT|GMT|UTC|EST|EDT|PST|PDT|BST|IST|CET|AEST|[AP]M)\b")
_CAPTION_WORD = re.compile(
    r"\b(?:foto|photo|photos|image|gambar|credit|getty|ilustrasi|illustration|ap photo|afp|reuters|"
    r"dok|dokumentasi|istimewa|shutterstock|file|pictured|caption|video)\b",
    re.IGNORECASE,
)
_URLISH = re.compile(r"https?://|www\.|\.(?:com|co\.id|id|net|org)\b", re.I)
#: The name of the compiled path (``_pages_hot.pyx``: ``probs`` and ``window``), used when it is built and
#: the analysis runs compiled (``WARTA_COMPILED``); else the pure-Python references below.
_HOT_NAME = "streams.ingest._pages_hot"


def _hot() -> Any:
    """The compiled module when it is built and selected (``streams.core.hot``), else None."""
    return _core_hot.compiled_extension(_HOT_NAME)


#: Features a line shows its neighbours.
_CONTEXT = (
    "len=",
    "words=",
    "end=",
    "first=",
    "rule=",
    "caption_word",
    "label_",
    "name_",
    "date",
    "url",
    "pipe",
    "bullet",
    "short_capitalised",
    "headline_like",
    "sentence",
    "cand",
)


@dataclass
class LineHints:
    """What the page and its producer say about the lines (all optional)."""

    slug: frozenset[str] = frozenset()
    section: frozenset[str] = frozenset()  # words of the URL's directories (section names)
    feed_title: frozenset[str] = frozenset()
    rule_kind: dict[int, str] = field(default_factory=dict)  # line index -> kind the rules removed it as
    rule_title: int | None = None  # index of the line the rules took as title
    rule_byline: set[int] = field(default_factory=set)  # lines holding a byline the rules parsed
    seen: dict[int, int] = field(default_factory=dict)  # line index -> earlier pages of the outlet with it
    link_density: dict[int, float] = field(default_factory=dict)  # HTML blocks: share of text in links
    tag: dict[int, str] = field(default_factory=dict)  # HTML blocks: tag path (e.g. "h1", "figcaption")
    marks: dict[int, list[str]] = field(default_factory=dict)  # lexicon hints (byline label, name-like...)
    own: str = ""  # the outlet's own name from its domain, letters only ("kompas", "businessstandard")


def slug_tokens(url: str | None) -> frozenset[str]:
    """Lower-cased word tokens of a URL's path (the slug), without numbers."""
    if not url:
        return frozenset()
    path = re.sub(r"^[a-z]+://[^/]+", "", url.lower()).split("?")[0]
    return frozenset(t for t in _WORD.findall(path) if not t.isdigit() and len(t) > 1)


def own_name(domain: str | None, suffixes: frozenset[str] = frozenset()) -> str:
    """The outlet's own name in its domain, letters and digits only: ``kompas.tv`` -> ``kompas``,
    ``business-standard.com`` -> ``businessstandard`` (the label before the ``suffixes``; empty
    when shorter than five characters: short names hide in ordinary words)."""
    labels = (domain or "").lower().split(".")
    while len(labels) > 1 and labels[-1] in suffixes:
        labels.pop()
    name = re.sub(r"[^a-z0-9]", "", labels[-1]) if labels else ""
    return name if len(name) >= 5 else ""


def section_tokens(url: str | None) -> frozenset[str]:
    """Lower-cased words of a URL's sections: its directories of one or two words ("news/burma/",
    "en/World/"), without the words of any longer segment (the article's own slug)."""
    if not url:
        return frozenset()
    parts = [p for p in re.sub(r"^[a-z]+://[^/]+", "", url.lower()).split("?")[0].split("/") if p]
    words = [[t for t in _WORD.findall(p) if not t.isdigit()] for p in parts[:-1]]
    # a section is a directory of one or two words; a longer one is the article's slug
    slug = {t for w in [*words, _WORD.findall(parts[-1]) if parts else []] if len(w) > 2 for t in w}
    return frozenset(t for w in words if len(w) <= 2 for t in w if len(t) > 1 and t not in slug)


def _bucket(x: float, edges: Sequence[float]) -> int:
    """The index of the first edge ``x`` does not exceed (``len(edges)`` past the last; edges ascend)."""
    return bisect.bisect_left(edges, x) if x == x else len(edges)  # NaN: past the last, as a scan gives


def _overlap(words: list[str], ref: frozenset[str]) -> int:
    if not ref or not words:
        return -1
    hit = sum(map(ref.__contains__, words))
    return _bucket(hit / len(words), (0.0, 0.3, 0.6, 0.85))


def _end_kind(last: str) -> str:
    if last and last in _END_MARKS:
        return last
    return "d" if last.isdigit() else "a" if last.isalpha() else "o"


_END_MARKS = frozenset('.!?:,;"”’)]|')


_TWO_SENTENCES = re.compile(r"[.!?][\"”’)]*\s+(?=[\"“A-Z])")  # a lookahead: the next word stays scannable
_DASH_EARLY = re.compile(r"\s[-–—]\s")
_ENUM = re.compile(r"(?:\d{1,2}|[a-z])[.)]\s")  # "5. Jakarta: TH", "a) ..."
#: Yes/no features of a line's text: (name, test).
_FLAGS: tuple[tuple[str, Any], ...] = (
    ("bullet", lambda x: x[:1] in "-•*·>»|"),
    ("startquote", lambda x: x[:1] in "\"“‘'"),
    ("pipe", lambda x: "|" in x),
    ("label_colon", lambda x: 0 < x.find(":") < 25),
    ("copyright", lambda x: "©" in x or "copyright" in x.lower()),
    ("at", lambda x: "@" in x),
    ("paren_edge", lambda x: x.startswith("(") or (len(x) < _HEAD and x.endswith(")"))),
    ("dash_early", lambda x: _DASH_EARLY.search(x[:60]) is not None),
    ("enum", lambda x: _ENUM.match(x) is not None),
    ("lower_start", lambda x: x[:1].islower()),
)
#: The yes/no features found by pattern, in one scan of the line's head (each group names one).
_SCAN = re.compile(
    "|".join(
        f"(?P<{name}>{rx.pattern})" if not rx.flags & re.IGNORECASE else f"(?P<{name}>(?i:{rx.pattern}))"
        for name, rx in (
            ("reldate", _RELATIVE),
            ("date", _DATEISH),
            ("time", _TIME),
            ("weekday", _WEEKDAY),
            ("zone", _ZONE),
            ("url", _URLISH),
            ("caption_word", _CAPTION_WORD),
            ("two_sentences", _TWO_SENTENCES),
        )
    )
)


#: Characters of a line searched for the yes/no features.
_HEAD = 200
#: Lines of more words are paragraphs: only their length, case and edge words are features.
_PARAGRAPH_WORDS = 25


def _words_rx(*words: str) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, words)))


_CAPTION_KEYS = _words_rx(
    "foto", "photo", "image", "gambar", "credit", "getty", "ilustrasi", "illustration", "afp",
    "reuters", "dok", "istimewa", "shutterstock", "file", "pictured", "caption", "video",
)  # fmt: skip
#: The patterns of ``_SCAN`` one by one, in its order, each with the cheap test it needs to pass
#: before it can match at all: ``digit`` (a decimal digit in the head), ``ago`` (a digit, and "lalu"
#: or "ago"), ``date`` (a digit, and a ``/``, ``-`` or month word), or a pattern of the words one of which it needs: searched in the
#: case-folded head, or in the head itself for a case-sensitive pattern (None: always searched).
_ALTERNATIVES: tuple[tuple[str, re.Pattern[str], Any, bool], ...] = (
    ("reldate", _RELATIVE, "ago", False),
    ("date", _DATEISH, "date", False),
    ("time", _TIME, "digit", False),
    (
        "weekday",
        _WEEKDAY,
        _words_rx("senin", "selasa", "rabu", "kamis", "jum", "sabtu", "minggu", "day"),
        False,
    ),
    (
        "zone",
        _ZONE,
        _words_rx("WIB", "WIT", "GMT", "UTC", "EST", "EDT", "PST", "PDT", "BST", "IST", "CET", "AM", "PM"),
        True,
    ),
    ("url", _URLISH, _words_rx("http", "www.", ".com", ".co", ".id", ".net", ".org"), False),
    ("caption_word", _CAPTION_WORD, _CAPTION_KEYS, False),
    ("two_sentences", _TWO_SENTENCES, None, False),
)
#: Characters ``re.IGNORECASE`` takes for an ASCII letter that ``str.lower`` does not map to it.
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
#: The words of ``_DATEISH`` that hold no ``/`` or ``-`` (its months).
_MONTHS = _words_rx(
    "jan",
    "feb",
    "mar",
    "apr",
    "mei",
    "may",
    "jun",
    "jul",
    "agu",
    "aug",
    "sep",
    "okt",
    "oct",
    "nov",
    "des",
    "dec",
)


def _may_match(need: Any, case: bool, head: str, folded: str, digit: bool) -> bool:
    """The cheap test of a pattern of ``_ALTERNATIVES`` (False: the pattern cannot match ``head``)."""
    if need is None:
        return True
    if need == "digit":
        return digit
    if need == "ago":
        return digit and ("lalu" in folded or "ago" in folded)
    if need == "date":
        return digit and ("/" in head or "-" in head or _MONTHS.search(folded) is not None)
    return need.search(head if case else folded) is not None


def _scan_names(head: str) -> set[str]:
    """The group names ``_SCAN.finditer(head)`` reports, found faster: a pattern whose cheap test
    fails cannot match and is left out; the rest are searched one by one and their leftmost matches
    consumed in the scan's order (earliest start first, the first pattern on a tie), exactly as the
    alternation would."""
    folded = head.lower() if head.isascii() else head.translate(_FOLD).lower()
    digit = _DIGIT.search(head) is not None
    names: list[str] = []
    alts: list[re.Pattern[str]] = []
    for name, rx, need, case in _ALTERNATIVES:
        if _may_match(need, case, head, folded, digit):
            names.append(name)
            alts.append(rx)
    found: set[str] = set()
    nxt = [rx.search(head) for rx in alts]
    pos = 0
    while True:
        best = -1
        start = len(head) + 1
        for k, m in enumerate(nxt):
            if m is not None and m.start() < pos:
                m = nxt[k] = alts[k].search(head, pos)
            if m is not None and m.start() < start:
                best, start = k, m.start()
        if best < 0:
            return found
        found.add(names[best])
        pos = nxt[best].end()  # type: ignore[union-attr]


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


@lru_cache(maxsize=16384)
def _words(line: str) -> tuple[list[str], list[str]]:
    """The line's word tokens, as written and lower-cased (cached, like :func:`_shape`)."""
    hot = _hot()
    return hot.words(line) if hot is not None else _words_ref(line)  # type: ignore[no-any-return]


def line_tokens(line: str) -> list[str]:
    """The line's word tokens (maximal runs of letters and digits), cached: the list is
    shared, do not change it."""
    return _words(line)[0]


def _words_ref(line: str) -> tuple[list[str], list[str]]:
    """The reference of ``_pages_hot.words``: ``_WORD``'s matches, as written and lower-cased."""
    words = _WORD.findall(line)
    return words, [w.lower() for w in words]


@lru_cache(maxsize=16384)
def _shape(line: str) -> tuple[str, ...]:
    """Features of the line's own text (cached: pages of one outlet repeat their furniture)."""
    words, lowered = _words(line)
    hot = _hot()
    feats, caps = hot.shape_base(line, words, lowered) if hot is not None else _shape_base_ref(line, words)
    nw = len(words)
    # metadata sits at the start of a line: a long paragraph is only searched in its head
    if nw > _PARAGRAPH_WORDS:
        feats.append("paragraph")  # a paragraph: its head is not scanned for metadata patterns
        return tuple(feats)
    head = line[:_HEAD]
    feats.extend(name for name, test in _FLAGS if test(head))
    feats.extend(sorted(_scan_names(head)))
    if 0 < nw <= 6 and caps == nw:
        feats.append("short_capitalised")
    return tuple(feats)


def _shape_base_ref(line: str, words: list[str]) -> tuple[list[str], int]:
    """The reference of ``_pages_hot.shape_base``: length, words, case, digits, last character, edge
    words and ``allcaps`` of the line, and its number of capitalised words."""
    n = len(line)
    nw = len(words)
    lw = [w.lower() for w in (words[:2] + words[-1:] if nw > 2 else words)] or ["-"]
    caps = sum(1 for w in words if w[:1].isupper())
    feats = [
        f"len={_bucket(n, (3, 8, 15, 30, 50, 80, 120, 200, 400))}",
        f"words={_bucket(nw, (0, 1, 2, 3, 5, 8, 12, 20, 35, 60))}",
        f"caps={_bucket(_ratio(caps, nw), (0.0, 0.2, 0.4, 0.6, 0.8, 0.99))}",
        f"digits={_bucket(_ratio(len(_DIGIT.findall(line)), n), (0.0, 0.05, 0.15, 0.3))}",
        "end=" + _end_kind(line.rstrip()[-1:]),
        f"first={lw[0]}",
        f"first2={' '.join(lw[:2]) if nw >= 2 else '-'}",
        f"last={lw[-1]}",
    ]
    if line.isupper():
        feats.append("allcaps")
    return feats, caps


def clear_feature_cache() -> None:
    """Forget cached line shapes (benchmarks call this so repeated runs are not flattered)."""
    _shape.cache_clear()
    _words.cache_clear()
    _shown.cache_clear()
    _n_split.cache_clear()


class _LazyWords:
    """The lower-cased words of each line of a page, tokenised when first read."""

    __slots__ = ("lines",)

    def __init__(self, lines: Sequence[str]):
        self.lines = lines

    def __getitem__(self, i: int) -> list[str]:
        return _words(self.lines[i])[1]


@lru_cache(maxsize=16384)
def _shown(line: str) -> tuple[str, ...]:
    """The shape features a line shows its neighbours."""
    return tuple(x for x in _shape(line) if x.startswith(_CONTEXT))


def _shown_at(lines: Sequence[str], i: int, hints: LineHints) -> list[str]:
    """The features of line ``i`` its neighbours see: those of :func:`line_features` that start with a
    ``_CONTEXT`` prefix, in its order (the shape's, cached with the line, then the rules' verdict and
    the lexicon marks: no other feature :func:`line_features` adds starts with one)."""
    marks = hints.marks.get(i, ())
    return [*_shown(lines[i]), _rule_feature(hints, i), *(x for x in marks if x.startswith(_CONTEXT))]


def _rule_feature(hints: LineHints, i: int) -> str:
    """The rules' verdict on line ``i`` as a feature: its kind before any ":" detail, else kept."""
    kind = hints.rule_kind.get(i)
    return f"rule={kind.split(':')[0] if kind else 'kept'}"


def line_features(
    lines: Sequence[str], i: int, hints: LineHints, words: Sequence[list[str]] | _LazyWords
) -> list[str]:
    """Features of line ``i`` alone: shape, position, page context and the hints."""
    n = len(lines)
    line = lines[i]
    feats = list(_shape(line))
    feats.append(f"top={_bucket(i, (0, 1, 2, 3, 5, 9, 15))}")
    feats.append(f"bottom={_bucket(n - 1 - i, (0, 1, 2, 4, 8))}")
    feats.append(f"rel={min(9, int(10 * i / n))}")
    if hints.slug and (so := _overlap(words[i], hints.slug)) >= 0:
        feats.append(f"slug={so}")
    if hints.feed_title and (fo := _overlap(words[i], hints.feed_title)) >= 0:
        feats.append(f"feed={fo}")
    feats.append(_rule_feature(hints, i))
    if hints.rule_title == i:
        feats.append("rule_title")
    if i in hints.rule_byline:
        feats.append("rule_byline")
    feats.extend(hints.marks.get(i, ()))
    if hints.own and len(words[i]) <= _PARAGRAPH_WORDS and hints.own in "".join(words[i]):
        feats.append("self_ref")  # the outlet names itself: a promo, a credit, "MORE FROM CBS NEWS"
    seen = hints.seen.get(i, 0)
    if seen:
        feats.append(f"seen={min(seen, 3)}")
    if i in hints.link_density:
        feats.append(f"links={_bucket(hints.link_density[i], (0.0, 0.3, 0.6, 0.9))}")
    if i in hints.tag:
        feats.append(f"tag={hints.tag[i]}")
    return feats


def page_features(
    lines: Sequence[str], hints: LineHints, only: Sequence[int] | None = None, *, context: bool = True
) -> list[list[str]]:
    """Features of every line (or of the lines ``only`` names, in that order), with its
    neighbours' main features (a window of two)."""
    n = len(lines)
    targets = list(range(n)) if only is None else list(only)
    need: set[int] = set()
    for i in targets:
        need.update(range(max(0, i - 2), min(n, i + 3)))
    words = _LazyWords(lines)
    own = {i: line_features(lines, i, hints, words) for i in targets}
    page = _PageFacts.of(lines, hints, words, copies=context)
    # where the article text is (left out when only the heads read the features: they skip these)
    text = _TextContext.of(lines, hints, page.anchor) if context else None
    shown = {i: _shown_at(lines, i, hints) for i in need}
    out: list[list[str]] = []
    hot = _hot()
    window = hot.window if hot is not None else _window
    for i in targets:
        feats = ["bias", *own[i], *page.flags(lines, i)]
        near = _neighbourhood(lines, i, page.anchor)
        feats.extend(near)
        if text is not None:
            feats.extend(text.features(i, words[i]))
            if "paragraph" in own[i]:
                # a long caption ("This photo shows …", "… REUTERS/Name") reads like a paragraph: its
                # cues and its place between the title and the lead say otherwise
                feats.extend(f"para&{x}" for x in (*own[i], *near) if x.startswith(_PARA_CUES))
        feats.extend(window(shown, i, n))
        out.append(feats)
    return out


def _window(shown: Mapping[int, list[str]], i: int, n: int) -> list[str]:
    """The main features of the two lines before and after line ``i`` (``edge`` past the page)."""
    out: list[str] = []
    for d in (-2, -1, 1, 2):
        j = i + d
        if 0 <= j < n:
            out.extend(f"{d}:{x}" for x in shown[j])
        else:
            out.append(f"{d}:edge")
    return out


@dataclass
class _PageFacts:
    """What the whole page says about its lines: repeats, URL-slug words, the first title-like line."""

    counts: dict[str, int]
    hits: list[int]
    top_hit: int
    first_title: int
    anchor: int
    copies: dict[int, list[str]] = field(default_factory=dict)

    @classmethod
    def of(
        cls, lines: Sequence[str], hints: LineHints, words: _LazyWords, *, copies: bool = True
    ) -> _PageFacts:
        n = len(lines)
        # lines repeated on the page (a title shown twice, a caption copied)
        counts: dict[str, int] = {}
        for x in lines:
            counts[x] = counts.get(x, 0) + 1
        slug = hints.slug
        hits = [len(slug.intersection(words[i])) for i in range(n)] if slug else [0] * n
        first_title = next((i for i in range(n) if "title_like" in hints.marks.get(i, ())), -1)
        anchor = hints.rule_title if hints.rule_title is not None else first_title
        # lines copying others (the heads skip these: meta mode does not look for them)
        found = _copies(lines, hints, words) if copies else {}
        return cls(counts, hits, max(hits, default=0), first_title, anchor, found)

    def flags(self, lines: Sequence[str], i: int) -> list[str]:
        out = []
        if self.counts[lines[i]] > 1:
            out.append("dup_on_page")
        if self.top_hit >= 3 and self.hits[i] == self.top_hit:
            out.append("slug_best")
        if i == self.first_title:
            out.append("first_title_like")
        out.extend(self.copies.get(i, ()))
        return out


#: A line of at least this many words and at most ``_PARAGRAPH_WORDS`` is compared with the other lines.
_COPY_WORDS = 3


def _copies(lines: Sequence[str], hints: LineHints, words: _LazyWords) -> dict[int, list[str]]:
    """Lines that repeat another line of the page, whole or as its start or its end (case and
    punctuation aside): a caption shown twice, once under a label the rules cut ("IMAGE: Erling Haaland
    scores …" / "Erling Haaland scores …"), a standfirst cut short ("… the coastguard said…") above the
    lead it copies. Each gets ``copy`` with the other line's kind (``copy_of=kept``, ``=caption``,
    ``=title``…), ``copy_part`` when it is the shorter of the two (the longer one, which holds the other,
    gets nothing: a lead its standfirst repeats), ``copy_near`` within two lines."""
    heads: dict[tuple[str, ...], list[int]] = {}
    tails: dict[tuple[str, ...], list[int]] = {}
    for i in range(len(lines)):
        w = words[i]
        if len(w) >= _COPY_WORDS:
            heads.setdefault(tuple(w[:_COPY_WORDS]), []).append(i)
            tails.setdefault(tuple(w[-_COPY_WORDS:]), []).append(i)
    out: dict[int, list[str]] = {}
    groups = [g for g in (*heads.values(), *tails.values()) if len(g) >= 2]
    # the whole words of the lines that share a start or an end with another (most lines share none)
    keys = {i: tuple(words[i]) for g in groups for i in g}
    for group in groups:
        for i in group:
            ki = keys[i]
            if len(ki) > _PARAGRAPH_WORDS:
                continue
            for j in group:
                if j == i or i in out:
                    continue
                kj = keys[j]
                short = len(ki) < len(kj)
                if ki == kj or (short and (kj[: len(ki)] == ki or kj[-len(ki) :] == ki)):
                    kind = hints.rule_kind.get(j)
                    feats = ["copy", f"copy_of={kind.split(':')[0] if kind else 'kept'}"]
                    if short:
                        feats.append("copy_part")
                    if abs(i - j) <= 2:
                        feats.append("copy_near")
                    out[i] = feats
    return out


#: Words of at least this many characters count when a line's words are looked for in the article.
_CONTENT_CHARS = 4


@lru_cache(maxsize=16384)
def _n_split(line: str) -> int:
    """The number of words of the line counted between spaces (``len(line.split())``, cached)."""
    return len(line.split())


#: A line the rules kept with at least this many words is article text the other lines are placed against.
_ANCHOR_WORDS = 20


@dataclass
class _TextContext:
    """Where the page's article text is: the long lines the rules kept (anchors) and their words.

    Furniture sits around the article (captions above the lead, related headlines below its end) or
    repeats other stories' words; a list, a subhead or a hard-wrapped piece of a paragraph sits between
    paragraphs and shares their words."""

    anchors: list[int]
    vocab: frozenset[str]
    lines: Sequence[str]
    title: int = -1
    title_words: frozenset[str] = frozenset()
    runs: dict[int, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, lines: Sequence[str], hints: LineHints, title: int = -1) -> _TextContext:
        # words counted between spaces: cheaper than tokenising every line of the page
        anchors = [
            i for i, x in enumerate(lines) if i not in hints.rule_kind and _n_split(x) >= _ANCHOR_WORDS
        ]
        # every word of the anchors: only words of ``_CONTENT_CHARS`` or more are looked up in it
        vocab = frozenset().union(*(_words(lines[i])[1] for i in anchors))
        tw = (
            frozenset(w for w in _words(lines[title])[1] if len(w) >= _CONTENT_CHARS)
            if title >= 0
            else frozenset()
        )
        return cls(anchors, vocab, lines, title, tw, _list_runs(lines, hints, anchors))

    def features(self, i: int, words: list[str]) -> list[str]:
        out = self._place(i)
        if len(words) <= _PARAGRAPH_WORDS:
            out.extend(self._overlaps(i, [w for w in words if len(w) >= _CONTENT_CHARS]))
        line = self.lines[i]
        # a list item or a short line (a subhead) reads its place against the article text on its own
        kind = "item" if line[:1] in _ITEM_MARKS or _ENUM.match(line) else "short" if len(words) <= 6 else ""
        if kind:
            out.extend([f"{kind}&{x}" for x in out])
        out.extend(self._wraps(i))
        out.extend(self.runs.get(i, ()))
        return out

    def _place(self, i: int) -> list[str]:
        """The distance to the nearest anchor above and below, and whether the line sits between two."""
        k = bisect.bisect_left(self.anchors, i)
        above = i - self.anchors[k - 1] if k > 0 else None
        j = k + 1 if k < len(self.anchors) and self.anchors[k] == i else k
        below = self.anchors[j] - i if j < len(self.anchors) else None
        out = [f"text_above={_distance(above)}", f"text_below={_distance(below)}"]
        if above is not None and below is not None:
            out.append("inside_text")
        return out

    def _overlaps(self, i: int, content: list[str]) -> list[str]:
        """The share of the line's words the article text uses, and the share the title uses."""
        out: list[str] = []
        if not content:
            return out
        # an anchor's own words are in the vocabulary: anchors are not scored this way
        if self.vocab and i not in self.anchors:
            hit = sum(map(self.vocab.__contains__, content))
            out.append(f"in_text={_bucket(hit / len(content), (0.0, 0.3, 0.6, 0.85))}")
        if self.title_words and i != self.title:
            # a related headline shares few of the title's words; a caption or a copy of the title, many
            hit = sum(map(self.title_words.__contains__, content))
            out.append(f"title_sim={_bucket(hit / len(content), (0.0, 0.25, 0.5, 0.85))}")
        return out

    def _wraps(self, i: int) -> list[str]:
        """A paragraph hard-wrapped into short lines: this line goes on in the next, or continues one."""
        line = self.lines[i]
        out = []
        if i + 1 < len(self.lines) and line[-1:].isalnum() and self.lines[i + 1][:1].islower():
            out.append("wraps_next")
        if i > 0 and line[:1].islower() and self.lines[i - 1][-1:] not in '.!?"”':
            out.append("wrapped_prev")
        return out


_ITEM_MARKS = frozenset("-•*·>»–—")


def _is_item(line: str) -> bool:
    return line[:1] in _ITEM_MARKS or _ENUM.match(line) is not None


def _list_runs(lines: Sequence[str], hints: LineHints, anchors: Sequence[int]) -> dict[int, list[str]]:
    """What a run of two or more list items says of each of its items: the line that introduces it
    ("Rinciannya:", "Berikut daftar …", "Key points:"; ``run_intro=announce``: it ends with a colon or
    opens with a word that announces a list, ``furniture.yaml: list_intro``; ``cut``: the rules dropped it, "Baca juga:"; ``line|none``), how many items hold
    a figure or end in a full stop ("- Gianyar: 3 orang" lists data; "- PDIP Ajak Masyarakat …" lists
    headlines), and whether article text follows it (``run_tail``: no paragraph below)."""
    out: dict[int, list[str]] = {}
    n = len(lines)
    i = 0
    last_anchor = anchors[-1] if anchors else -1
    while i < n:
        if not _is_item(lines[i]):
            i += 1
            continue
        j = i
        while j < n and _is_item(lines[j]):
            j += 1
        if j - i >= 2:
            intro = lines[i - 1] if i > 0 else ""
            kind = (
                "none"
                if not intro
                else "cut"
                if (i - 1) in hints.rule_kind
                else "announce"
                if "list_intro" in hints.marks.get(i - 1, ())
                else "line"
            )
            items = lines[i:j]
            digits = sum(1 for x in items if _DIGIT.search(x)) / len(items)
            stops = sum(1 for x in items if x.rstrip()[-1:] in ".!?") / len(items)
            feats = [
                f"run_intro={kind}",
                f"run_digits={_bucket(digits, (0.0, 0.5, 0.99))}",
                f"run_stops={_bucket(stops, (0.0, 0.5, 0.99))}",
                f"run_len={min(j - i, 5)}",
            ]
            if last_anchor < i:
                feats.append("run_tail")
            for k in range(i, j):
                out[k] = feats
        i = j
    return out


def _distance(d: int | None) -> str:
    return "none" if d is None else str(_bucket(d, (1, 2, 4, 8)))


#: Features a paragraph-long line also shows joined with its length (long captions).
_PARA_CUES = ("caption_verb", "credit_", "lead=", "from_title=", "caption_word", "rule=")


def _neighbourhood(lines: Sequence[str], i: int, anchor: int) -> list[str]:
    """Where a line sits against the title and what its neighbours repeat of it: a byline under the
    title, a name shown twice, a name followed by the author's bio ("George Costa" / "George Costa is")."""
    out = []
    if anchor >= 0:
        d = i - anchor
        out.append(f"from_title={d if -1 <= d <= 4 else ('far' if d > 0 else 'before')}")
    line = lines[i]
    if i + 1 < len(lines):
        nxt = lines[i + 1]
        if nxt == line:
            out.append("same_next")
        elif len(line) >= 4 and nxt.startswith(line + " "):
            out.append("opens_next")
    if i > 0 and lines[i - 1] == line:
        out.append("same_prev")
    return out


#: Feature prefixes the heads leave out unless its model says otherwise (too specific for a
#: few hundred candidate lines: the far neighbours, the first two and last words).
HEAD_SKIP: tuple[str, ...] = (
    "-2:", "2:", "first2=", "last=", "text_", "inside_text", "in_text", "item&", "short&", "wrap", "title_sim", "para&", "run_", "copy",
)  # fmt: skip


def head_features(feats: Sequence[str], skip: Sequence[str] = HEAD_SKIP) -> list[str]:
    """The features of a candidate line a head reads."""
    prefixes = tuple(skip)
    return [f for f in feats if not f.startswith(prefixes)] if prefixes else list(feats)


#: Prefixes of the text-context features (``_TextContext`` and the paragraph cues).
_CONTEXT_PREFIXES = (
    "text_",
    "inside_text",
    "in_text",
    "item&",
    "short&",
    "wrap",
    "title_sim",
    "para&",
    "run_",
    "copy",
)


#: Edges of the buckets a neighbour's p(body) falls in (second pass).
_P_EDGES = (0.1, 0.3, 0.5, 0.7, 0.9)


def stack_features(vecs: Sequence[Sequence[float]], i: int, labels: Sequence[str] = LABELS) -> list[str]:
    """What the first pass said about line ``i`` and the lines around it (``vecs``: each line's label
    probabilities in ``labels`` order, body first): furniture comes in runs (a caption and its credit,
    a list of related headlines, the page's tail), so a line whose neighbours read as furniture is
    more likely furniture, and an item between body lines more likely the article's."""
    n = len(vecs)

    def top(j: int) -> str:
        v = vecs[j]
        return labels[max(range(len(v)), key=v.__getitem__)]

    own = vecs[i][0]
    out = [f"s0:b={_bucket(own, _P_EDGES)}", f"s0:t={top(i)}"]
    near = []
    for d in (-2, -1, 1, 2):
        j = i + d
        if 0 <= j < n:
            near.append(vecs[j][0])
            out.append(f"s{d}:b={_bucket(vecs[j][0], _P_EDGES)}")
            if abs(d) == 1:
                out.append(f"s{d}:t={top(j)}")
        else:
            out.append(f"s{d}:edge")
    if near:
        out.append(f"s:win={_bucket(sum(near) / len(near), _P_EDGES)}")
    # a run of lines the first pass reads as not body, this one in it
    run = 0
    for step in (-1, 1):
        j = i + step
        while 0 <= j < n and vecs[j][0] < 0.5:
            run += 1
            j += step
    out.append(f"s:run={min(run, 4)}")
    after = [v[0] for v in vecs[i + 1 :]]
    if after:
        out.append(
            f"s:tail={_bucket(sum(1 for x in after if x < 0.5) / len(after), (0.0, 0.34, 0.67, 0.99))}"
        )
    else:
        out.append("s:tail=last")
    out.extend(f"s0:b={_bucket(own, _P_EDGES)}&{x}" for x in out[2:] if x.startswith(("s-1:b", "s1:b")))
    return out


class LineModel:
    """Multinomial logistic regression over sparse string features (weights per label), optionally
    followed by a second pass (``stack``) that also reads the first pass's verdicts on the neighbours."""

    def __init__(
        self,
        labels: Sequence[str],
        weights: dict[str, list[float]],
        meta: dict[str, Any] | None = None,
        heads: dict[str, dict[str, float]] | None = None,
        stack: dict[str, list[float]] | None = None,
    ):
        self.labels = tuple(labels)
        self.weights = weights
        self.meta = meta or {}
        #: the second pass's weights (over a line's features and :func:`stack_features`), or empty
        self.stack = stack or {}
        #: whether the second pass weighs the line's own features (else only :func:`stack_features`)
        self._stack_own = bool(self.meta.get("stack", {}).get("own", True))
        #: the second pass reads only lines the first gives p(body) below this (the rest stay body)
        self._stack_below = float(self.meta.get("stack", {}).get("below", 1.01))
        #: binary heads ("byline", "title"): logistic models over the same features, each trained only
        #: on the lines that could give the page's byline or title (they rank a page's candidates)
        self.heads = heads or {}
        #: whether a head weighs a text-context feature (then they are built for its candidates too)
        self._head_context = any(k.startswith(_CONTEXT_PREFIXES) for w in self.heads.values() for k in w)

    def head_scores(
        self, head: str, lines: Sequence[str], hints: LineHints, only: Sequence[int]
    ) -> dict[int, float]:
        """P(yes) of each candidate line ``only`` names, from the ``head`` model (empty without one)."""
        return self.heads_scores(lines, hints, {head: only}).get(head, {})

    def heads_scores(
        self, lines: Sequence[str], hints: LineHints, candidates: Mapping[str, Sequence[int]]
    ) -> dict[str, dict[int, float]]:
        """For each head, P(yes) of its candidate lines (the lines' features are built once)."""
        return self.decide(lines, hints, (), candidates)[1]

    def decide(
        self,
        lines: Sequence[str],
        hints: LineHints,
        only: Sequence[int] | None,
        candidates: Mapping[str, Sequence[int]],
    ) -> tuple[list[dict[str, float]], dict[str, dict[int, float]]]:
        """The label probabilities of the lines ``only`` names (None: every line; the others count as
        body) and the heads' scores of their candidates, from one pass over the lines' features."""
        wanted = {h: c for h, c in candidates.items() if self.heads.get(h) and c}
        scored = range(len(lines)) if only is None else only
        union = sorted({*scored, *(i for c in wanted.values() for i in c)})
        # the text-context features only matter to the label model (the heads skip them)
        ctx = bool(scored) or self._head_context
        feats = (
            dict(zip(union, page_features(lines, hints, union, context=ctx), strict=True)) if union else {}
        )
        hot = _hot()
        if hot is not None:
            vecs = hot.score(
                feats, list(scored), len(lines), self.weights, self.stack, self._stack_below,
                self._stack_own, self.labels,
            )  # fmt: skip
        else:
            vecs = self._score_ref(feats, scored, len(lines))
        body = dict(zip(self.labels, [float(label == "body") for label in self.labels], strict=True))
        probs = [body] * len(lines)
        for i in scored:
            probs[i] = dict(zip(self.labels, vecs[i], strict=True))
        return probs, self._score_heads(wanted, feats)

    def _score_ref(self, feats: Mapping[int, list[str]], scored: Sequence[int], n: int) -> list[list[float]]:
        """The reference of ``_pages_hot.score``: each line's label probabilities (a body one-hot for
        the lines not ``scored``), then the second pass on the scored lines the first is unsure of."""
        one = [float(label == "body") for label in self.labels]
        vecs = [one] * n
        for i in scored:
            vecs[i] = self._probs_ref(feats[i], self.weights)
        if self.stack and scored:
            first = vecs
            vecs = list(first)
            for i in scored:
                if first[i][0] >= self._stack_below:
                    continue
                own = feats[i] if self._stack_own else ("bias",)
                vecs[i] = self._probs_ref([*own, *stack_features(first, i, self.labels)], self.stack)
        return vecs

    def _score_heads(
        self, wanted: Mapping[str, Sequence[int]], feats: Mapping[int, list[str]]
    ) -> dict[str, dict[int, float]]:
        out: dict[str, dict[int, float]] = {}
        for head, cands in wanted.items():
            get = self.heads[head].get
            skip = self.meta.get(f"{head}_head", {}).get("skip", HEAD_SKIP)
            scores = out[head] = {}
            for i in cands:
                z = sum(w for f in head_features(feats[i], skip) if (w := get(f)) is not None)
                scores[i] = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
        return out

    def probs(self, feats: Sequence[str], weights: Mapping[str, list[float]] | None = None) -> list[float]:
        """The label probabilities (in ``labels`` order) of a line with features ``feats``."""
        hot = _hot()
        table = self.weights if weights is None else weights
        if hot is not None and type(table) is dict:
            return hot.probs(feats, table, len(self.labels))  # type: ignore[no-any-return]
        return self._probs_ref(feats, table)

    def _probs_ref(self, feats: Sequence[str], weights: Mapping[str, list[float]]) -> list[float]:
        """The reference of ``_pages_hot.probs``: the softmax of the summed weights, label by label."""
        get = weights.get
        vecs = [w for f in feats if (w := get(f)) is not None]
        z = [sum(col) for col in zip(*vecs, strict=True)] if vecs else [0.0] * len(self.labels)
        m = max(z)
        e = [math.exp(v - m) for v in z]
        s = sum(e)
        return [v / s for v in e]

    def predict(
        self, lines: Sequence[str], hints: LineHints, only: Sequence[int] | None = None
    ) -> list[dict[str, float]]:
        """Per line, the probability of each label (lines outside ``only`` count as body)."""
        return self.decide(lines, hints, only, {})[0]

    def to_json(self) -> dict[str, Any]:
        out = {"labels": list(self.labels), "meta": self.meta, "weights": self.weights}
        if self.heads:
            out["heads"] = self.heads
        if self.stack:
            out["stack"] = self.stack
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LineModel:
        return cls(
            data["labels"],
            {k: list(v) for k, v in data["weights"].items()},
            data.get("meta"),
            {h: {k: float(v) for k, v in w.items()} for h, w in (data.get("heads") or {}).items()},
            {k: list(v) for k, v in (data.get("stack") or {}).items()},
        )


@lru_cache(maxsize=1)
def load_line_model(path: str | None = None) -> LineModel | None:
    """The shipped model (None when the file is missing: the rules alone then decide)."""
    p = Path(path) if path else MODEL_PATH
    if not p.is_file():
        return None
    return LineModel.from_json(json.loads(p.read_text(encoding="utf-8")))


class OutletMemory:
    """How many earlier pages of each outlet held a line (bounded: least recently used outlets go)."""

    def __init__(self, max_outlets: int = 512, max_lines: int = 4096):
        self.max_outlets = max_outlets
        self.max_lines = max_lines
        self._outlets: OrderedDict[str, OrderedDict[str, int]] = OrderedDict()

    def seen(self, outlet: str | None, lines: Sequence[str]) -> dict[int, int]:
        """Counts of earlier pages for each line index, then remembers this page's lines."""
        if not outlet:
            return {}
        memo = self._outlets.get(outlet)
        if memo is None:
            memo = self._outlets[outlet] = OrderedDict()
            if len(self._outlets) > self.max_outlets:
                self._outlets.popitem(last=False)
        else:
            self._outlets.move_to_end(outlet)
        out = {i: memo[x] for i, x in enumerate(lines) if x in memo}
        for x in set(lines):
            memo[x] = memo.get(x, 0) + 1
            memo.move_to_end(x)
        while len(memo) > self.max_lines:
            memo.popitem(last=False)
        return out
