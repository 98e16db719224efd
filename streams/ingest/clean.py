"""The ``clean`` stage: article body without page furniture, plus title, lead, byline, dateline, dates, sources."""

from __future__ import annotations

import re
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from itertools import pairwise
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from streams.core.doc import DOC_FIELDS, Doc
from streams.core.errors import StageError
from streams.core.records import SourceInfo
from streams.ingest.dates import find_date, find_relative, first_date, has_offset, localize, parse_date
from streams.ingest.extract import looks_binary
from streams.ingest.linemodel import (
    LineHints,
    LineModel,
    clear_feature_cache,
    line_tokens,
    load_line_model,
    own_name,
    section_tokens,
    slug_tokens,
)
from streams.ingest.normalize import normalize_text
from streams.ingest.rules import (
    FurnitureRule,
    anchored_max_words,
    furniture_rules,
    load_yaml,
    metadata,
    place_zones,
)
from streams.ingest.rules import anchored_prefilter_for as _anchored_for
from streams.ingest.sources import (
    cited_sources,
    domain_of,
    is_domain_like,
    outlet_by_alias,
    outlet_by_domain,
    source_info,
)
from streams.ingest.verdict_twin import rules_verdict_twin

__all__ = [
    "CLEAN_FIELDS",
    "CleanResult",
    "CleanStage",
    "body_lines",
    "byline_candidate",
    "byline_lines",
    "clean_article",
    "clean_byline",
    "clear_line_caches",
    "line_view",
    "rule_hints",
    "split_lead",
]

#: Paragraph separator of ``body`` (spans of later stages are offsets into it).
PARA_SEP = "\n\n"
_MAX_PASSES = 6
_TOP_ZONE = 8  # lines at the top searched for bylines and date lines
_BOTTOM_ZONE = 4  # lines at the bottom searched for bylines (e.g. "Editor: ...")
_HEADING_MAX_WORDS = 25
_TITLE_MAX_WORDS = 20
_SENTENCE_END = re.compile(r"[.!?…:;,][\"”’'»)\]]*$")
_TITLE_BAD_END = re.compile(r"[.:;,][\"”’'»)\]]*$")
_ALNUM = re.compile(r"[^\W_]")
_ALNUM_WORD = re.compile(r"[^\W_]+")
_NAME_TOKEN = re.compile(r"^[A-Z\u00c0-\u024f][\w.'’\-\u00c0-\u024f]*$")


#: The Doc / EnrichedArticle fields the clean stage fills (their types live in core.records).
CLEAN_FIELDS: tuple[str, ...] = (
    "body",
    "title",
    "lead",
    "captions",
    "byline",
    "dateline",
    "published_at",
    "published_at_zone",
    "source",
    "cited_sources",
)
assert set(CLEAN_FIELDS) <= set(DOC_FIELDS), "clean fills only Doc/EnrichedArticle fields"


class CleanResult:
    """Everything the clean stage finds in one article: ``values`` maps each of ``CLEAN_FIELDS``
    to its value (read as attributes: ``result.title``); ``removed`` lists every removed piece
    as ``(kind, text)`` for debugging and metrics."""

    __slots__ = ("removed", "values")

    def __init__(self, values: dict[str, Any], removed: list[tuple[str, str]]):
        unknown = set(values) - set(CLEAN_FIELDS)
        if unknown:
            raise ValueError(f"not clean fields: {sorted(unknown)}")
        self.values = values
        self.removed = removed

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def apply(self, doc: Doc) -> None:
        """Copy the values onto the working document."""
        for name, value in self.values.items():
            setattr(doc, name, value)


@dataclass
class _Ctx:
    """Working state of one cleaning run."""

    title: str | None
    raw_source: str | None
    captions: list[str] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    dateline: str | None = None
    dateline_outlet: str | None = None
    dateline_agencies: list[str] = field(default_factory=list)
    dateline_done: bool = False
    memo: dict[Any, Any] = field(default_factory=dict)
    own_domain: str | None = None
    title_found: bool = False  # the title came from the text (not given by the producer)
    byline: str | None = None  # the byline the line model chose (it may name a desk: "Oleh: Redaksi")


# --------------------------------------------------------------------------- line shapes


@lru_cache(maxsize=8192)
def _words(line: str) -> int:
    return len(line.split())


@lru_cache(maxsize=8192)
def _is_sentence(line: str) -> bool:
    """Ends like a sentence, or is too long to be a heading."""
    return bool(_SENTENCE_END.search(line)) or _words(line) > _HEADING_MAX_WORDS


@lru_cache(maxsize=8192)
def _is_heading(line: str) -> bool:
    """A short line without final punctuation: a title, sub-heading, kicker or link text."""
    return not _is_sentence(line) and len(line) <= 220 and not line.endswith(("?", "!"))


def _cap_ratio(line: str) -> float:
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", line) if len(w) > 3]
    if not words:
        return 1.0
    return sum(w[0].isupper() for w in words) / len(words)


@lru_cache(maxsize=1)
def _list_intro() -> re.Pattern[str]:
    return re.compile(load_yaml("furniture.yaml").get("list_intro", "(?!)"), re.IGNORECASE)


def _is_headline(line: str) -> bool:
    """Reads like a headline (a link to another article): title case, few digits, no list label."""
    if _words(line) > 20 or _cap_ratio(line) < 0.6:
        return False
    digits = sum(ch.isdigit() for ch in line)
    return digits <= 0.1 * len(line) and not re.match(r"^[^:]{1,25}:\s", line)


@lru_cache(maxsize=8192)
def _is_title_like(line: str) -> bool:
    """Could be an article's title: 3..20 words, no sentence-final period, starts like a title."""
    n = _words(line)
    if n < 3 or n > _TITLE_MAX_WORDS or len(line) > 220:
        return False
    if _TITLE_BAD_END.search(line):
        return False
    first = line.lstrip("\"“‘'")[:1]
    if not (first.isupper() or first.isdigit()):
        return False
    # A question, an exclamation or a long line reads as a title only in title case.
    if (line.endswith(("?", "!")) or n > 15) and _cap_ratio(line) < 0.5:
        return False
    # a paragraph opening with a dateline ("JAKARTA - ...") is body text, not a title
    return _parse_dateline(line, None) is None


@lru_cache(maxsize=8192)
def _key(line: str) -> str:
    return " ".join(re.findall(r"\w+", line.casefold()))


_SITE_SUFFIX = re.compile(r"\s+[-|–—:·]\s+[^-|–—:·]{2,40}$")


@lru_cache(maxsize=8192)
def _site_less_key(line: str) -> str:
    """The key of a line without a " - Site Name" suffix (cached: a title is compared with every line)."""
    return _key(_SITE_SUFFIX.sub("", line))


def _same_title(line: str, title: str) -> bool:
    """The line is the title, possibly with (or without) a " - Site Name" suffix."""
    a, b = _key(line), _key(title)
    if a == b:
        return True
    return bool(a) and (_site_less_key(title) == a or _site_less_key(line) == b)


def _title_copy(line: str, title: str) -> bool:
    """The line is the title, or the title behind a short prefix (a date stamp, section names:
    "World World Russian missiles kill ...")."""
    if _same_title(line, title):
        return True
    a, b = _key(line), _key(title)
    return len(b) >= 20 and a.endswith(b) and len(a) - len(b) <= 40


def clear_line_caches() -> None:
    """Forget cached line shapes (benchmarks call this so repeated runs are not flattered)."""
    for fn in (
        _words,
        _is_sentence,
        _is_heading,
        _is_title_like,
        _key,
        _line_marks,
        _site_less_key,
        _verdict,
    ):
        fn.cache_clear()
    byline_candidate.cache_clear()
    clear_feature_cache()


# --------------------------------------------------------------------------- bylines & dates


@lru_cache(maxsize=1)
def _byline_regex() -> re.Pattern[str]:
    labels = metadata()["byline_labels"]
    groups = []
    for kind, labs in labels.items():
        for i, lab in enumerate(sorted(labs, key=len, reverse=True)):
            pattern = r"\s+".join(re.escape(w) for w in lab.split())
            groups.append(f"(?P<{kind}{i}>{pattern})")
    alt = "|".join(groups)
    return re.compile(rf"^(?:{alt})\b\s*[:\-–—]?\s*(?P<rest>.*)$", re.IGNORECASE)


@lru_cache(maxsize=1)
def _particles() -> frozenset[str]:
    return frozenset(metadata()["name_particles"])


def _name(text: str, *, min_tokens: int = 1) -> str | None:
    """``text`` when it reads as a person's (or desk's) name: capitalised words, no digits."""
    text = text.strip(" \t-–—|,:;/")
    tokens = text.split()
    if not (min_tokens <= len(tokens) <= 6) or len(text) > 60:
        return None
    if any(ch.isdigit() for ch in text) or (_SENTENCE_END.search(text) and not text.endswith(".")):
        return None
    if not _NAME_TOKEN.match(tokens[0]):
        return None
    for tok in tokens[1:]:
        if not (_NAME_TOKEN.match(tok) or tok.casefold() in _particles()):
            return None
    return text


def _split_meta(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\s*(?:\||•|·|;|/(?=\s)|\s[-–—]\s|,)\s*", text) if p.strip()]


@lru_cache(maxsize=1)
def _date_label_regex() -> re.Pattern[str]:
    labels = sorted(metadata()["date_labels"], key=len, reverse=True)
    return re.compile(r"\s+(?:" + "|".join(re.escape(x) for x in labels) + r")\b", re.IGNORECASE)


def _before_date_label(rest: str) -> str:
    """A byline's text up to a date label ("Devira Prastiwi diperbarui 13 Agu 2017" -> the name)."""
    m = _date_label_regex().search(rest)
    return rest[: m.start()] + " | " + rest[m.start() :] if m else rest


def _byline_line(line: str, ctx: _Ctx) -> bool:
    """Record a "Penulis: X" / "By X" / "X | date" line's byline and date; True when it is one."""
    if (
        len(line) > 200
        or _words(line) > 16
        or (_SENTENCE_END.search(line) and not re.search(r"\d[.:]?$|WI[BT]A?$", line))
    ):
        return False
    m = _byline_regex().match(line)
    if m is None and "|" in line and _piped_credits(line, ctx):
        return True
    if m:
        return _labelled_byline(m, ctx)
    return _dated_byline(line, ctx)


def _byline_kind(m: re.Match[str]) -> str:
    """The label group a byline match took ("author", "editor…")."""
    return next((k for k, v in m.groupdict().items() if v and k != "rest"), "author")


def _labelled_byline(m: re.Match[str], ctx: _Ctx) -> bool:
    """A labelled byline ("Penulis: A | Editor: B", "By X"): its names and date; False when it names
    nobody."""
    kind = _byline_kind(m)
    rest = _before_date_label(m.group("rest"))
    date = find_date(rest)
    if date:
        rest = rest[: date[1]] + " | " + rest[date[2] :]
    all_parts = _split_meta(rest)
    parts = [p for p in all_parts if not (is_domain_like(p) or outlet_by_alias(p))]
    name = _name(parts[0]) if parts else None
    if name is None and all_parts and len(all_parts) <= 2 and not parts:
        name = all_parts[0]  # "By The Associated Press": the agency is the author
    if name is None:
        return False
    if kind.startswith("editor"):
        ctx.editors.append(name)
    else:
        ctx.authors.append(name)
    # "Penulis: A | Editor: B" on one line
    for p in parts[1:]:
        sub = _byline_regex().match(p)
        if sub and (n2 := _name(_split_meta(sub.group("rest"))[0] if sub.group("rest") else "")):
            (ctx.editors if _byline_kind(sub).startswith("editor") else ctx.authors).append(n2)
    if date:
        ctx.dates.append(date[0])
    return True


def _dated_byline(line: str, ctx: _Ctx) -> bool:
    """An unlabelled line with a date ("X | date", "date | X"): the date and a name beside it; else a
    "name, outlet" line."""
    date = find_date(line)
    if date is None:
        return _name_outlet_line(line, ctx)
    rest = (line[: date[1]] + " | " + line[date[2] :]).strip()
    rest = re.sub(
        r"\b(" + "|".join(re.escape(x) for x in metadata()["date_labels"]) + r")\b\s*:?",
        " ",
        rest,
        flags=re.IGNORECASE,
    )
    parts = _split_meta(rest)
    if sum(_words(p) for p in parts) > 6:
        return False
    if line.endswith((".", "!", "?")) and sum(1 for w in re.findall(r"[^\W\d_]+", rest) if w.islower()) >= 2:
        return False  # "Film itu dijadwalkan tayang 25 Januari 2018." is a sentence, not metadata
    for p in parts:
        if (n := _name(p, min_tokens=2)) and not outlet_by_alias(n) and not is_domain_like(n):
            if n.split()[0].casefold() not in _nav_words():  # "Home Prisoners": a breadcrumb
                ctx.authors.append(n)
            break
    ctx.dates.append(date[0])
    return True


_CREDIT_LABEL = re.compile(
    r"^(?:sumber|source|sumber\s+berita|dikutip\s+dari)\s*:\s*(?P<rest>\S.*)$", re.IGNORECASE
)


def _piped_credits(line: str, ctx: _Ctx) -> bool:
    """ "Sumber: Reuters | Editor: Syamsul Azhar": every part a credit or a labelled name."""
    parts = [p.strip() for p in line.split("|") if p.strip()]
    found: list[tuple[str, str]] = []
    credits: list[str] = []
    for part in parts:
        bm = _byline_regex().match(part)
        if bm is not None and (n := _name(_split_meta(bm.group("rest"))[0] if bm.group("rest") else "")):
            kind = next((k for k, v in bm.groupdict().items() if v and k != "rest"), "author")
            found.append((kind, n))
        elif (cm := _CREDIT_LABEL.match(part)) is not None:
            credits.append(cm.group("rest"))
        else:
            return False
    if not found:
        return False
    for kind, n in found:
        (ctx.editors if kind.startswith("editor") else ctx.authors).append(n)
    ctx.credits.extend(credits)
    return True


def _label_only(line: str) -> str | None:
    """The byline kind ("author"/"editor") when the line is a bare label ("Penulis", "Editor:")."""
    m = _byline_regex().match(line)
    if m is None or m.group("rest").strip():
        return None
    return next((k for k, v in m.groupdict().items() if v and k != "rest"), "author")


def _name_outlet_line(line: str, ctx: _Ctx) -> bool:
    """A byline line: "Ahmad Fauzi - detikNews", "Jane Doe, Reuters"."""
    if _words(line) > 8:
        return False
    parts = _split_meta(line)
    if len(parts) != 2:
        return False
    for name_part, outlet_part in (parts, parts[::-1]):
        if (outlet_by_alias(outlet_part) or is_domain_like(outlet_part)) and (
            n := _name(name_part, min_tokens=2)
        ):
            ctx.authors.append(n)
            return True
    return False


@lru_cache(maxsize=1)
def _nav_words() -> frozenset[str]:
    return frozenset(x.casefold() for x in metadata().get("byline_nav_words", []))


@lru_cache(maxsize=1)
def _not_names() -> frozenset[str]:
    return frozenset(x.casefold() for x in metadata().get("byline_not_names", []))


def clean_byline(text: str | None) -> str | None:
    """A byline without user names, handles or the same name twice ("A; A" -> "A"); None when
    nothing that reads as a name is left."""
    if not text:
        return None
    names: list[str] = []
    seen: set[str] = set()
    for part in re.split(r"\s*(?:;|\||,|\s&\s|\band\b|\bdan\b)\s*", text):
        part = re.sub(r"^(?:by|oleh)\s+", "", part.strip(), flags=re.IGNORECASE).strip(" .")
        if not part or "@" in part or "/" in part or part.casefold() in _not_names():
            continue
        if part.isupper() and len(part) > 3:
            part = part.title()  # "JEFFREY GETTLEMAN" as in an all-caps author meta tag
        key = _key(part)
        if not key or key in seen or _name(part) is None:
            continue
        seen.add(key)
        names.append(part)
    return ", ".join(names) if names else None


def _given_title(title: str | None, *, site_name: str | None, own_domain: str | None) -> str | None:
    """The producer's or the page's title, checked: never a furniture line; a " – Site" suffix
    naming the site or a known outlet is cut."""
    if not title:
        return None
    title = normalize_text(title)
    if not title or _verdict(title).drop is not None:
        return None
    m = re.search(r"\s+[-|–—:·]\s+([^-|–—:·]{2,40})$", title)
    if m and len(title[: m.start()].split()) >= 3:
        suffix = m.group(1).strip()
        own = outlet_by_domain(own_domain) if own_domain else None
        if (
            (site_name and _key(suffix) == _key(site_name))
            or outlet_by_alias(suffix) is not None
            or is_domain_like(suffix)
            or (own is not None and _key(suffix) in {_key(a) for a in (own.name, *own.aliases)})
        ):
            title = title[: m.start()].rstrip()
    return title


# --------------------------------------------------------------------------- furniture


@dataclass(frozen=True, slots=True)
class _Verdict:
    """What the furniture rules make of one line (independent of its position)."""

    line: str  # the line after inline cuts
    drop: str | None = None  # kind of the rule that drops it (or "caption")
    tail: bool = False  # a tail rule: drops it and everything after (second half only)
    cuts: tuple[tuple[str, str], ...] = ()  # (kind, text) cut from the line
    credit: bool = False  # the line itself is a source credit ("Sumber: ...")
    opens_links: bool = False  # a bare "Baca juga:" header: link titles follow


@lru_cache(maxsize=1)
def _unanchored_rules() -> tuple[FurnitureRule, ...]:
    """The rules a line may still match when the anchored pre-filter found nothing."""
    return tuple(r for r in furniture_rules() if not r.anchored)


@lru_cache(maxsize=1)
def _needs_automaton() -> Any:
    """Aho-Corasick automaton over every rule's ``needs`` strings -> the ids of those rules."""
    import ahocorasick

    table: dict[str, set[str]] = {}
    for rule in furniture_rules():
        for need in rule.needs:
            table.setdefault(need, set()).add(rule.id)
    auto = ahocorasick.Automaton()
    for need, ids in table.items():
        auto.add_word(need, frozenset(ids))
    if table:
        auto.make_automaton()
    return auto if table else None


def _rules_with_needs_met(lower: str) -> set[str]:
    """Ids of the rules whose ``needs`` pre-filter the (lower-case) line passes: one scan."""
    auto = _needs_automaton()
    met: set[str] = set()
    if auto is not None:
        for _, ids in auto.iter(lower):
            met |= ids
    return met


@lru_cache(maxsize=16384)
def _verdict(line: str) -> _Verdict:
    """What the furniture rules make of a line (cached: an outlet repeats its furniture on every page)."""
    twin = rules_verdict_twin()  # its compiled twin (streams.ingest.verdict_twin), else the reference
    return twin(line) if twin is not None else _rules_verdict(line)


def _rules_verdict(line: str) -> _Verdict:
    if _ALNUM.search(line) is None:
        return _Verdict(line, "separator")
    cuts: list[tuple[str, str]] = []
    nw = _words(line)
    lower = line.lower()
    limit = anchored_max_words()
    anchored_hit = (limit is None or nw <= limit) and _anchored_for(nw).match(line) is not None
    met = _rules_with_needs_met(lower)
    tail_kind: str | None = None
    for rule in furniture_rules() if anchored_hit else _unanchored_rules():
        if (rule.max_words is not None and nw > rule.max_words) or (rule.anchored and not anchored_hit):
            continue
        if rule.needs and rule.id not in met:
            continue
        m = rule.find(line, lower)
        if m is None:
            continue
        if rule.scope == "inline":
            cuts.append((rule.kind, m.group(0).strip()))
            line = (line[: m.start()] + line[m.end() :]).strip()
            if not line:
                return _Verdict(line, rule.kind, cuts=tuple(cuts))
            nw = _words(line)
            lower = line.lower()
            anchored_hit = (limit is None or nw <= limit) and _anchored_for(nw).match(line) is not None
            met = _rules_with_needs_met(lower)
            continue
        if rule.scope == "tail":
            tail_kind = tail_kind or rule.kind
            continue
        if rule.scope == "caption":
            return _Verdict(line, "caption", cuts=tuple(cuts))
        return _Verdict(
            line,
            rule.kind,
            cuts=tuple(cuts),
            credit=rule.kind in ("credit", "editor"),
            opens_links=rule.opens_list or (rule.kind == "related" and nw <= 3),
        )
    if tail_kind is not None:
        return _Verdict(line, tail_kind, tail=True, cuts=tuple(cuts))
    return _Verdict(line, cuts=tuple(cuts))


@lru_cache(maxsize=1)
def _markup() -> tuple[re.Pattern[str], re.Pattern[str]]:
    spec = load_yaml("furniture.yaml").get("markup") or {}
    return re.compile(spec.get("tag", "(?!)")), re.compile(spec.get("fragment", "(?!)"))


def _strip_markup(text: str, ctx: _Ctx) -> str:
    """Remove HTML tags and tag fragments left in scraped text (their text content stays)."""
    if "<" not in text and '">' not in text:
        return text
    tag, fragment = _markup()

    def cut(m: re.Match[str]) -> str:
        ctx.removed.append(("markup", m.group(0)))
        return ""

    return fragment.sub(cut, tag.sub(cut, text))


def _rejoin_drop_caps(lines: list[str]) -> list[str]:
    """ "W" + "aterlogged streets ...": a lone capital letter line is the first letter of the next."""
    if not any(len(x) == 1 for x in lines):
        return lines
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        # only before a paragraph: a lone letter above a short line may be a list label
        if len(line) == 1 and line.isupper() and line.isalpha() and nxt[:1].islower() and _is_paragraph(nxt):
            out.append(line + nxt)
            i += 2
            continue
        out.append(line)
        i += 1
    return out


#: A hard-wrapped page: most lines of four words or more end near one width of at most this many characters.
_WRAP_MAX_WIDTH = 100
_WRAP_MIN_LINES = 8
_WRAP_END = re.compile(r"[.!?:;][\"”’)]*$")  # a sentence's end, its closing quote or bracket after it


def _wrap_width(lines: list[str]) -> int | None:
    """The width a plain-text page was hard-wrapped at (a paragraph broken into lines of ~60-80
    characters, the next line often opening in lower case), or None for a page of one line a paragraph."""
    sized = sorted(len(x) for x in lines if x.count(" ") >= 3)
    if len(sized) < _WRAP_MIN_LINES:
        return None
    width = sized[int(0.9 * (len(sized) - 1))]
    if width > _WRAP_MAX_WIDTH:
        return None
    near = sum(1 for n in sized if n >= 0.6 * width)
    lower = sum(1 for a, b in pairwise(lines) if len(a) >= 0.6 * width and b[:1].islower())
    # most lines fill the width, and some paragraphs visibly continue on the next line in lower case
    return width if near >= 0.6 * len(sized) and lower >= 0.2 * near else None


def _unwrap(lines: list[str]) -> list[str]:
    """Join a hard-wrapped page's lines back into paragraphs: a line that fills the width and does not
    end a sentence, or one followed by a line that opens in lower case, goes on in the next line.
    Pages of one line a paragraph (web pages, feeds) are left as they are."""
    width = _wrap_width(lines)
    if width is None:
        return lines
    out: list[str] = []
    for line in lines:
        if out:
            prev = out[-1]
            full = len(prev) >= 0.6 * width
            if full and (line[:1].islower() or not _WRAP_END.search(prev)):
                out[-1] = prev + " " + line
                continue
        out.append(line)
    return out


def _is_paragraph(line: str) -> bool:
    return _words(line) >= 4 and _is_sentence(line)


@lru_cache(maxsize=1)
def _faq_spec() -> tuple[re.Pattern[str], int]:
    spec = load_yaml("furniture.yaml").get("faq_block") or {}
    words = sorted(spec.get("question_words", []), key=len, reverse=True)
    alt = "|".join(r"\s+".join(re.escape(p) for p in w.split()) for w in words) or "(?!)"
    n = int(spec.get("max_question_words", 12))
    pattern = rf"^[-–•]?\s*(?:{alt})\b(?:\s+[^\s?]+){{0,{n}}}\?\s+\S"
    return re.compile(pattern, re.IGNORECASE), int(spec.get("min_run", 3))


def _faq_blocks(lines: list[str], ctx: _Ctx) -> list[str]:
    """Drop runs of question-and-answer teaser lines (other stories' FAQ snippets)."""
    question, min_run = _faq_spec()
    is_q = ["?" in x and question.match(x) is not None for x in lines]
    if sum(is_q) < min_run:
        return lines
    drop = [False] * len(lines)
    i = 0
    while i < len(lines):
        if not is_q[i]:
            i += 1
            continue
        j, run, members = i, 0, []
        while j < len(lines) and (is_q[j] or _ALNUM.search(lines[j]) is None):
            if is_q[j]:
                run += 1
            members.append(j)
            j += 1
        if run >= min_run:
            for k in members:
                drop[k] = True
        i = j
    ctx.removed.extend(("faq", x) for x, d in zip(lines, drop, strict=True) if d)
    return [x for x, d in zip(lines, drop, strict=True) if not d]


def _caption_copies(lines: list[str], ctx: _Ctx) -> list[str]:
    """A line repeating a caption (or its first part, without the credit) is a caption too."""
    if not ctx.captions:
        return lines
    keys = [_key(c) for c in ctx.captions]
    out = []
    for line in lines:
        k = _key(line)
        if _words(line) >= 5 and any(c == k or c.startswith(k + " ") for c in keys):
            ctx.removed.append(("caption", line))
            continue
        out.append(line)
    return out


#: A word glued to the next sentence's first word: a letter or digit, then a capitalised word ("SaudiDari",
#: "Rp15.700/LiterSelain"); the left part of the token has three letters or more ("iPhone" is no glue).
_GLUE = re.compile(r"(?<=[^\W\d_]{3})(?<=[a-z])(?=[A-Z][a-z])")


@lru_cache(maxsize=4096)
def _glued_headline(line: str) -> tuple[str, str] | None:
    """A related link's headline and the paragraph it was glued to, split where a word runs into a
    capitalised one, when what follows reads as a sentence of five words or more (None otherwise)."""
    if _words(line) < 8:
        return None
    for m in _GLUE.finditer(line):
        head, tail = line[: m.start()].rstrip(), line[m.start() :].strip()
        if _words(head) >= 3 and _words(tail) >= 5 and _SENTENCE_END.search(tail):
            return head, tail
    return None


def _furniture(lines: list[str], ctx: _Ctx) -> list[str]:
    out: list[str] = []
    follow_related = False
    n = len(lines)
    for i, line in enumerate(lines):
        v = ctx.memo.get(line)
        if v is None:
            v = ctx.memo[line] = _verdict(line)
        if follow_related:
            if v.drop is None and (_is_heading(v.line) or _is_title_like(v.line)):
                ctx.removed.append(("related", line))
                continue
            follow_related = False
            if v.drop is None and (split := _glued_headline(v.line)):
                # "Baca Juga:" then "Harga Minyakita Naik Jadi Rp15.700/LiterSelain dilakukan …"
                ctx.removed.append(("related", split[0]))
                out.append(split[1])
                continue
        if v.drop == "related" and (split := _glued_headline(v.line)):
            # "BACA JUGA: … Dipindahkan ke Arab SaudiDari jumlah itu, 200 warga …": the link's headline
            # runs into the next paragraph; the paragraph stays
            ctx.removed.append(("related", split[0]))
            out.append(split[1])
            continue
        if v.tail and i < max(1, n // 2):
            # a tail marker in the first half ("Komentar" under the title) goes alone
            v = _Verdict(v.line, v.drop, cuts=v.cuts)
        for kind, cut in v.cuts:
            ctx.removed.append((kind, cut))
            if kind in ("credit", "editor"):
                ctx.credits.append(cut)
        if v.tail:
            ctx.removed.extend(("tail:" + (v.drop or ""), x) for x in lines[i:])
            break
        if v.drop == "caption":
            ctx.captions.append(v.line)
            continue
        if v.drop is not None:
            ctx.removed.append((v.drop, v.line))
            if v.credit:
                ctx.credits.append(v.line)
            follow_related = v.opens_links
            continue
        out.append(v.line)
    return out


def _name_in_place(line: str, ctx: _Ctx) -> bool:
    """ "Jane Smith in Kyiv" right under the title (English bylines); True if so."""
    m = re.match(r"^(.+?)\s+(?:in|reporting\s+from)\s+(.+)$", line)
    if m is None or _words(line) > 5:
        return False
    name = _name(m.group(1), min_tokens=2)
    if name is None or _words(name) > 3 or not _place(m.group(2)):
        return False
    ctx.authors.append(name)
    return True


def _bare_dateline(line: str, ctx: _Ctx) -> bool:
    """A dateline on a line of its own ("Jakarta, CNN Indonesia --"): record it; True if so."""
    if len(line) > 80 or not line.rstrip().endswith(("-", "–", "—", "―", "−")):
        return False
    found = _dash_dateline(line, line, ctx.own_domain, bare=True)
    if found is None:
        return False
    _, place, outlet, agencies = found
    _record_dateline(ctx, place, outlet, agencies)
    return True


_PLACE_CREDIT = re.compile(
    r"^(?P<place>[^\W\d_][^\-–—]{1,60}?)\s*(?:-\s*-|--|-|–|—|―)+\s*(?P<credit>[^\-–—]{2,40})$"
)


def _place_credit_line(line: str, ctx: _Ctx) -> bool:
    """ "Jakarta, Indonesia — AFP" on a line of its own: the dateline and the credited outlet."""
    if len(line) > 90 or ("-" not in line and "–" not in line and "—" not in line and "―" not in line):
        return False
    m = _PLACE_CREDIT.match(line)
    if m is None:
        return False
    credit = m.group("credit").strip()
    if not (outlet_by_alias(credit) or is_domain_like(credit)):
        return False
    parts = [p.strip() for p in m.group("place").split(",") if p.strip()]
    if not parts or len(parts) > 2 or not all(_place(p) for p in parts):
        return False
    if not any(_known_place(p) for p in parts):
        return False  # "Ahmad Fauzi - detikNews" is a byline, not a place
    known = outlet_by_alias(credit)
    if known is not None and known.kind == "agency":
        _record_dateline(ctx, parts[0], None, [credit])
    else:
        _record_dateline(ctx, parts[0], credit, [])
    return True


def _metadata_lines(lines: list[str], ctx: _Ctx) -> list[str]:
    """Remove byline and date lines from the top and bottom zones, recording what they say."""
    n = len(lines)
    out: list[str] = []
    skip_next = False
    for i, line in enumerate(lines):
        in_zone = i < _TOP_ZONE or i >= n - _BOTTOM_ZONE
        if i < _TOP_ZONE and (_bare_dateline(line, ctx) or _place_credit_line(line, ctx)):
            ctx.removed.append(("dateline", line))
            continue
        if skip_next:
            skip_next = False
            ctx.removed.append(("byline", line))
            continue
        if in_zone and _words(line) <= 3 and (kind := _label_only(line)) is not None:
            # "Andi Muttya\nPenulis" (label under the name) or "Penulis\nAndi Muttya"
            prev = _name(out[-1], min_tokens=2) if out else None
            following = _name(lines[i + 1], min_tokens=2) if i + 1 < n else None
            target = ctx.editors if kind.startswith("editor") else ctx.authors
            if prev is not None and not _is_title_like_name(out[-1], ctx):
                target.append(prev)
                ctx.removed.extend((("byline", out.pop()), ("byline", line)))
                continue
            if following is not None:
                target.append(following)
                ctx.removed.append(("byline", line))
                skip_next = True
                continue
        if in_zone and ("nb", line) not in ctx.memo:
            if _byline_line(line, ctx):
                ctx.removed.append(("byline", line))
                continue
            ctx.memo[("nb", line)] = True
        # only right under a title found in the text: a sub-heading can read the same way
        if i <= 1 and ctx.title_found and not ctx.authors and _name_in_place(line, ctx):
            ctx.removed.append(("byline", line))
            continue
        out.append(line)
    return out


def _is_title_like_name(line: str, ctx: _Ctx) -> bool:
    """The line is the article's title (a short headline can read like a name)."""
    return bool(ctx.title) and _same_title(line, ctx.title or "")


def _is_table_row(line: str) -> bool:
    """A row of a table the article is made of: three cells or more, one of them a number."""
    cells = [c.strip() for c in line.split(" | ")]
    return len(cells) >= 3 and any(c.replace(".", "").replace(",", "").isdigit() for c in cells)


def _top_and_bottom(lines: list[str], ctx: _Ctx) -> list[str]:
    """Drop the title line, kickers repeated later, and trailing link lines after the article."""
    # leading lines equal to the title; leading headings that recur further down (kickers)
    if ctx.title:
        # "Ekonomi" / "Nasional" kickers above the (page's own, or a repeated) title line
        at = next((i for i, x in enumerate(lines[:3]) if _same_title(x, ctx.title)), None)
        if at and all(_is_heading(x) and _words(x) <= 3 for x in lines[:at]):
            ctx.removed.extend(("section", x) for x in lines[:at])
            lines = lines[at:]
    while lines:
        first = lines[0]
        if ctx.title and _same_title(first, ctx.title):
            ctx.removed.append(("title", first))
            lines = lines[1:]
            continue
        if _is_heading(first) and len(lines) > 2 and any(_key(x) == _key(first) for x in lines[2:]):
            ctx.removed.append(("section", first))
            lines = lines[1:]
            continue
        if len(lines) > 1 and _is_heading(first) and _words(first) <= 2 and _is_sentence(lines[1]):
            ctx.removed.append(("section", first))  # "Nasional" above the first paragraph
            lines = lines[1:]
            continue
        break
    return _trailing_links(lines, ctx)


def _trailing_links(lines: list[str], ctx: _Ctx) -> list[str]:
    """Headline-like lines after the last sentence are links to other articles (unless a sentence
    announced them as a list, "Berikut jadwalnya:", or they are the rows of a table)."""
    if not any(_is_sentence(x) for x in lines):
        return lines
    last_sentence = max(i for i, x in enumerate(lines) if _is_sentence(x))
    trailing = lines[last_sentence + 1 :]
    if (
        trailing
        and not _list_intro().search(lines[last_sentence])
        and all(_is_heading(x) and _is_headline(x) for x in trailing)
        and not any(_is_table_row(x) for x in trailing)
    ):
        ctx.removed.extend(("related", x) for x in trailing)
        lines = lines[: last_sentence + 1]
    return lines


def _extract_title(lines: list[str], ctx: _Ctx) -> list[str]:
    """Take the title from the top lines (kickers before it are dropped)."""
    cands: list[int] = []
    for i, line in enumerate(lines[:4]):
        if _is_title_like(line) or (_is_heading(line) and _words(line) <= 2):
            cands.append(i)
        else:
            break
    if not cands or cands[-1] + 1 >= len(lines):
        return lines  # no heading-like top line, or nothing but headings
    rest_keys = {_key(x) for x in lines[len(cands) :]}
    for i in cands:
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(cands) else None
        kicker = (
            _words(line) <= 2
            or _key(line) in rest_keys
            or (nxt is not None and _words(line) <= 5 and len(nxt) >= 2 * len(line) and _is_title_like(nxt))
        )
        if kicker and nxt is not None:
            continue
        if not _is_title_like(line):
            return lines
        ctx.title = line
        ctx.title_found = True
        ctx.removed.extend(("section", lines[k]) for k in range(i))
        ctx.removed.append(("title", line))
        return lines[i + 1 :]
    return lines


# --------------------------------------------------------------------------- dateline


_DASH = re.compile(r"(?:\s+(?:-\s*-|--|-)|\s*(?:–|—|―|−)+)\s*")


def _place(part: str) -> bool:
    toks = part.split()
    if not (1 <= len(toks) <= int(metadata().get("dateline_max_words", 4))):
        return False
    return all(_NAME_TOKEN.match(t) and not any(c.isdigit() for c in t) for t in toks)


def _dateline(lines: list[str], ctx: _Ctx, own_domain: str | None) -> list[str]:
    """Strip a leading dateline ("KYIV -", "JAKARTA, KOMPAS.com -", "Outlet.com, ") off the first paragraph."""
    idx = next((i for i, x in enumerate(lines[:3]) if not _is_heading(x)), None)
    if idx is None:
        return lines
    para = lines[idx]
    found = _parse_dateline(para, own_domain)
    if found is None:
        # decks, summaries or captions may come first: a paragraph a few lines down that opens
        # with the outlet's web address ("TRIBUNNEWS.COM - ...") is where the article starts
        for k in range(idx + 1, min(len(lines), idx + 8)):
            head = lines[k][:60]
            if "(" not in head and "." not in head.split(" ", 1)[0]:
                continue  # neither "(Agency)" nor "Outlet.com" opens the line
            cand = _parse_dateline(lines[k], own_domain)
            if cand is not None and _known_credit(cand[2], cand[3]):
                # photo captions above it ("..., on Friday, Sept. 20, 2024.") go to captions
                before = [x for x in lines[:k] if _lead_caption().search(x) and _is_sentence(x)]
                ctx.captions.extend(before)
                ctx.removed.extend(("caption", x) for x in before)
                lines = [x for x in lines[:k] if x not in before] + lines[k:]
                idx = k - len(before)
                para, found = lines[idx], cand
                break
    if found is None:
        return lines
    end, place, outlet, agencies = found
    rest = para[end:].lstrip()
    if len(rest.split()) < 3 or not any(ch.isalpha() for ch in rest):
        return lines  # what follows must be a sentence, not a stub
    _record_dateline(ctx, place, outlet, agencies)
    ctx.removed.append(("dateline", para[:end].strip()))
    return [*lines[:idx], rest, *lines[idx + 1 :]]


def _known_credit(outlet: str | None, agencies: list[str]) -> bool:
    """The dateline names a known outlet or agency ("TRIBUNNEWS.COM", "(Bloomberg)")."""
    if outlet is not None and (outlet_by_alias(outlet) or outlet_by_domain(outlet.lower())):
        return True
    return any(outlet_by_alias(a) for a in agencies)


@lru_cache(maxsize=1)
def _lead_caption() -> re.Pattern[str]:
    return re.compile(load_yaml("furniture.yaml").get("caption_before_lead", "(?!)"))


def _record_dateline(ctx: _Ctx, place: str | None, outlet: str | None, agencies: list[str]) -> None:
    """Keep the first dateline's parts; a second one right after ("KONTAN.CO.ID - KYIV -") fills
    in what the first lacked."""
    if not ctx.dateline_done:
        ctx.dateline_done = True
        ctx.dateline, ctx.dateline_outlet, ctx.dateline_agencies = place, outlet, agencies
        return
    ctx.dateline = ctx.dateline or place
    ctx.dateline_outlet = ctx.dateline_outlet or outlet
    ctx.dateline_agencies = ctx.dateline_agencies or agencies


def _parse_dateline(
    para: str, own_domain: str | None
) -> tuple[int, str | None, str | None, list[str]] | None:
    head = para[:100]
    found = _dash_dateline(para, head, own_domain)
    if found is not None:
        return found
    # "GAZA: At least 16 ..." / "Jakarta: Kepala Biro ...": a gazetteer place before a colon
    m = re.match(r"^([^\W\d_][^\W\d_ .'-]*(?:[ .'-][^\W\d_]+){0,3})\s*:\s+(?=[\"“‘(]?[A-Z0-9])", head)
    if m and _place(m.group(1)) and _known_place(m.group(1)):
        return m.end(), m.group(1), None, []
    # "Newestindonesia.co.id, Amerika ..." / "Suara.com - Cerita ..."
    m = re.match(r"^([\w-]+(?:\.[\w-]+)+)\s*(?:,|(?:\s+(?:-\s*-|--|-)|\s*(?:–|—)+))\s*(?=\S)", head)
    if m and is_domain_like(m.group(1)):
        return m.end(), None, m.group(1), []
    return None


def _dash_dateline(
    para: str, head: str, own_domain: str | None, *, bare: bool = False
) -> tuple[int, str | None, str | None, list[str]] | None:
    """``PLACE[, OUTLET] [(AGENCY)] -`` at the start of the paragraph (``bare``: the whole line)."""
    dm = _DASH.search(head)
    if dm is None or dm.start() == 0 or (dm.end() < len(para) if bare else dm.end() >= len(para)):
        return None
    pre = head[: dm.start()].strip()
    if not _dateline_prefix(pre):
        return None
    agencies = [a.strip() for a in re.findall(r"\(([^()]{2,40})\)", pre)]
    unbracketed = re.sub(r"\([^()]*\)", " ", pre)
    parts = [p.strip() for p in unbracketed.split(",") if p.strip()]
    if not parts and agencies and pre.startswith("(") and all(outlet_by_alias(a) for a in agencies):
        return dm.end(), None, None, agencies  # "(Bloomberg) -- Indonesia has ..."
    if not parts or len(parts) > 3:
        return None
    found = _dateline_parts(parts, bool(agencies), own_domain)
    if found is None:
        return None
    place, outlet = found
    if (
        place is not None
        and outlet is None
        and not agencies
        and not _lone_place(place, para[dm.end() : dm.end() + 1], bare)
    ):
        return None
    if place is None and outlet is None and not agencies:
        return None
    return dm.end(), place, outlet, agencies


def _dateline_prefix(pre: str) -> bool:
    """Whether the text before a dateline's dash can be one: short, no sentence punctuation unless it
    names a domain or holds a bracket."""
    if not pre or len(pre) > 70:
        return False
    return not (re.search(r"[.!?;:\"“”]\s", pre + " ") and not _domainish_or_paren(pre))


def _lone_place(place: str, after: str, bare: bool) -> bool:
    """Whether a place alone (no outlet, no agency) makes a dateline: in capitals, or in title case one
    word followed by a capitalised word (``after``; or the whole line when ``bare``): "Jakarta -
    Sebuah bus ..." is one, "Jokowi - yang akrab disapa ..." is not."""
    return place.isupper() or (len(place.split()) <= 1 and (after.isupper() or bare))


def _dateline_parts(
    parts: list[str], bracketed: bool, own_domain: str | None
) -> tuple[str | None, str | None] | None:
    """The place and the outlet among the comma-separated parts of a dateline before its dash
    (``bracketed``: it names an agency in brackets), or None when a part is neither nor a date, a
    region or a country after the place."""
    place: str | None = None
    outlet: str | None = None
    own = (own_domain or "").split(".")[0]
    for part in parts:
        if is_domain_like(part) or outlet_by_alias(part) or (own and part.replace(" ", "").casefold() == own):
            outlet = outlet or part
        elif re.fullmatch(r"[A-Z][a-z]{2,8}\.?\s+\d{1,2}", part):  # "Nov 5" in wire datelines
            continue
        elif place is None and _place(part):
            place = part
        elif place is not None and bracketed and _place(part):
            continue  # "KYIV, Ukraine (AP) -": the region after the place
        elif place is not None and _place(part) and _known_place(part):
            continue  # "CONCEPCION, Chile --": the country after the place is never the source
        elif place is not None and place.isupper() and outlet is None and _place(part) and not part.isupper():
            outlet = part  # "PADANG, Warta Sumbar -": the capitals are the place, the rest the outlet
        else:
            return None
    return place, outlet


def _domainish_or_paren(pre: str) -> bool:
    return "(" in pre or any(is_domain_like(p.strip()) for p in re.split(r"[,\s]+", pre) if p)


# --------------------------------------------------------------------------- dates and zones


def _published(
    given: str | datetime | None, meta: dict[str, Any], ctx: _Ctx, source: SourceInfo
) -> tuple[str | None, str | None]:
    """The publication time and how its zone was decided (see EnrichedArticle.published_at_zone).

    A time without a zone takes the outlet's zone, else the dateline place's; when neither is
    known it stays a local time and the zone is "unknown" (no zone is guessed).
    """
    published = parse_date(given) if given else None
    published = published or parse_date(meta.get("date")) or first_date(ctx.dates)
    if published is None:
        return None, None
    if has_offset(published):
        return published, "stated"
    outlet = outlet_by_domain(source.domain) or (outlet_by_alias(source.name) if source.name else None)
    if outlet is not None and outlet.tz:
        return localize(published, outlet.tz), "outlet"
    zone = place_zones().get(" ".join((ctx.dateline or "").split()).casefold())
    if zone:
        return localize(published, zone), "dateline"
    return published, "unknown"


def _relative_published(
    removed: list[tuple[str, str]], fetched_at: float, source: SourceInfo
) -> tuple[str | None, str | None]:
    """A relative time in a metadata line the cleaning removed ("2 jam lalu", "Updated 3 hours
    ago", "Oleh A - 1 jam lalu") against the fetch time, in the outlet's zone when it is known."""
    try:
        now = datetime.fromtimestamp(float(fetched_at), tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None, None
    outlet = outlet_by_domain(source.domain) or (outlet_by_alias(source.name) if source.name else None)
    how = "stated"
    if outlet is not None and outlet.tz:
        try:
            now, how = now.astimezone(ZoneInfo(outlet.tz)), "outlet"
        except (ZoneInfoNotFoundError, ValueError):
            pass
    lines = [t for k, t in removed if k in ("date", "byline", "section") or k.startswith("model:")]
    for line in lines:
        if _words(line) <= 16 and (found := find_relative(line, now)):
            return found[0], how
    return None, None


@lru_cache(maxsize=4096)
def _known_place(text: str) -> bool:
    """A place the gazetteer knows: a dateline place with a time zone, or a country."""
    key = " ".join(text.split()).casefold()
    if not key or key in place_zones():
        return key in place_zones()
    import pycountry

    try:
        pycountry.countries.lookup(text.strip())
    except LookupError:
        return False
    return len(key) > 3  # "USA" or "UK" may be an outlet's initials; names are longer


# --------------------------------------------------------------------------- lead


_SENT_SPLIT = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")
_ABBREV = re.compile(
    r"\b(?:[A-Z]|[A-Z][a-z]{1,3}|No|Jl|Jln|St|Mr|Mrs|Ms|Dr|Prof|Jend|Kol|Letjen|Mayjen|Brigjen)\.$"
)


def _abbrev_before(para: str, end: int) -> bool:
    """The text just before ``end`` ends with an abbreviation ("Dr.", "Jl.", "A.").

    Only a bounded window before the break is read, so scanning a paragraph stays linear.
    """
    start = max(0, end - 24)
    window = para[start:end].rstrip('"”’)')
    m = _ABBREV.search(window)
    if m is None:
        return False
    # a window that starts inside a longer word must not look like a word boundary
    return not (m.start() == 0 and start > 0 and (para[start - 1].isalnum() or para[start - 1] == "_"))


def split_lead(body: str, *, max_sentences: int = 2, min_chars: int = 140) -> str:
    """The first one or two sentences of the first real paragraph (a prefix of that paragraph).

    Linear in the paragraph's length: each sentence break is checked against a bounded window,
    and the scan stops at the break that ends the lead.
    """
    paras = body.split(PARA_SEP)
    para = next((p for p in paras if _is_sentence(p) and _words(p) >= 6), paras[0] if paras else "")
    cut = len(para)
    k = 0
    for m in _SENT_SPLIT.finditer(para):
        if _abbrev_before(para, m.start()):
            continue
        k += 1
        if k >= max_sentences or m.start() >= min_chars:
            cut = m.start()
            break
    return para[:cut].rstrip()


# --------------------------------------------------------------------------- entry point


def _rule_passes(norm: str, ctx: _Ctx, own_domain: str | None) -> tuple[list[str], list[str]]:
    """The page's lines and what the rules keep of them (the rules' verdicts become model hints)."""
    norm = _strip_markup(norm, ctx)
    orig = _unwrap(_rejoin_drop_caps([x.strip() for x in norm.split("\n") if x.strip()]))
    lines = _faq_blocks(orig, ctx)
    for _ in range(_MAX_PASSES):
        before = lines
        lines = _metadata_lines(lines, ctx)
        lines = _furniture(lines, ctx)
        if ctx.title is None:
            # until a title is found, the top may still hold one once kickers/bylines are gone
            lines = _extract_title(lines, ctx)
        lines = _top_and_bottom(lines, ctx)
        lines = _dateline(lines, ctx, own_domain)
        if lines == before:
            break
    lines = _rejoin_drop_caps(_caption_copies(lines, ctx))  # again: furniture may have split one
    return orig, _relative_date_lines(lines, ctx)


_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _relative_date_lines(lines: list[str], ctx: _Ctx) -> list[str]:
    """Drop short lines that only state a relative time ("Kompas.com - 2 jam lalu", "Updated 3 hours ago")."""
    out = []
    for i, line in enumerate(lines):
        near = i < _TOP_ZONE or i >= len(lines) - _BOTTOM_ZONE
        found = find_relative(line, _EPOCH) if near and _words(line) <= 8 else None
        rest = (line[: found[1]] + " " + line[found[2] :]).strip(" -|•·,:") if found else ""
        if found and _words(rest) <= 3 and not _SENTENCE_END.search(rest):
            ctx.removed.append(("date", line))
            continue
        out.append(line)
    return out


def _align(orig: list[str], kept: list[str]) -> dict[int, list[str]]:
    """For each original line, the kept lines that came from it (in order; greedy, left to right)."""
    out: dict[int, list[str]] = {}
    j = 0
    for k in kept:
        for i in range(j, len(orig)):
            if k in orig[i] or orig[i] in k:
                out.setdefault(i, []).append(k)
                j = i if k != orig[i] else i + 1
                break
    return out


def rule_hints(orig: list[str], ctx: Any, kept: dict[int, list[str]]) -> LineHints:
    """What the rules decided about each line, as model features."""
    kinds: dict[str, str] = {}
    for kind, text in ctx.removed:
        kinds.setdefault(text, kind)
    hints = LineHints()
    for i, line in enumerate(orig):
        if i in kept:
            continue
        hints.rule_kind[i] = kinds.get(line, "caption" if line in ctx.captions else "other")
    if ctx.title_found and ctx.title:
        hints.rule_title = next((i for i, x in enumerate(orig) if ctx.title in x), None)
    names = [a for a in (*ctx.authors, *ctx.editors) if a]
    hints.rule_byline = {i for i, x in enumerate(orig) if i not in kept and any(a in x for a in names)}
    for i, line in enumerate(orig):
        hints.marks[i] = list(_line_marks(line))
    _candidate_marks(orig, hints)
    _lead_marks(orig, ctx, hints)
    return hints


def _lead_marks(lines: list[str], ctx: Any, hints: LineHints) -> None:
    """Where a line sits against the lead, the paragraph the dateline opened: between the title and
    the lead sit captions and standfirsts."""
    cut = next((text for kind, text in ctx.removed if kind == "dateline"), None)
    if not cut:
        return
    lead = next((i for i, x in enumerate(lines[: _TOP_ZONE + 8]) if x.startswith(cut)), None)
    if lead is None:
        return
    for i in range(len(lines)):
        hints.marks[i].append("lead=" + ("before" if i < lead else "at" if i == lead else "after"))


def _candidate_marks(lines: list[str], hints: LineHints) -> None:
    """How a line's byline name sits on the page: its words written in lower case elsewhere ("Related
    News" / "the news"), the name repeated in other lines (the article's subject, not its author)."""
    cands = {i: c for i, x in enumerate(lines) if (c := byline_candidate(x)) is not None}
    if not cands:
        return
    lower: set[str] = set()
    for x in lines:
        lower.update(filter(str.islower, line_tokens(x)))  # the line model's cached tokens (``[^\W_]+``)
    for i, cand in cands.items():
        words = [w.lower() for w in _ALNUM_WORD.findall(cand)]
        if any(w in lower for w in words):
            hints.marks[i].append("cand_lower")
        # the next line opening with this one is the author's bio ("George Costa is a reporter …")
        bio = i + 1 if i + 1 < len(lines) and lines[i + 1].startswith(lines[i] + " ") else -1
        others = sum(1 for j, x in enumerate(lines) if j not in (i, bio) and x != lines[i] and cand in x)
        hints.marks[i].append(f"cand_elsewhere={min(others, 2)}")


_CAPTION_MAX_WORDS = 40  # longer lines are paragraphs: a caption verb is not looked for in them


@lru_cache(maxsize=1)
def _caption_verbs() -> re.Pattern[str]:
    words = sorted(metadata().get("caption_verbs", []), key=len, reverse=True)
    return re.compile(
        r"\b(?:" + "|".join(r"\s+".join(map(re.escape, w.split())) for w in words) + r")\b", re.I
    )


@lru_cache(maxsize=1)
def _call_to_action() -> re.Pattern[str]:
    words = sorted(metadata().get("call_to_action", []), key=len, reverse=True)
    return re.compile(
        r"\b(?:" + "|".join(r"\s+".join(map(re.escape, w.split())) for w in words) + r")\b", re.I
    )


#: Characters ``re.IGNORECASE`` matches with an ASCII letter that ``str.lower`` does not map to it.
_FOLD_ASCII = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


@lru_cache(maxsize=4)
def _key_words(key: str) -> tuple[str, ...] | None:
    """The longest word of each phrase of ``metadata.yaml: key``, lower-cased (a phrase matches only where
    all its words are; the longest is the rarest). None when a word is not made of ASCII letters only:
    then no shortcut is taken."""
    phrases = [w.lower().split() for w in metadata().get(key, [])]
    words = {max(p, key=lambda w: (len(w), w)) for p in phrases if p}
    if not all(w.isascii() and w.isalpha() for p in phrases for w in p):
        return None
    return tuple(sorted(words))


def _lexicon_search(rx: re.Pattern[str], key: str, line: str) -> bool:
    """``rx.search(line)`` for a phrase lexicon's pattern (``\b(?:phrase|…)\b``, case-insensitive),
    skipped when no phrase's longest word is in the line at all (lower-cased as the pattern's case
    folding reads ASCII letters): the alternation tries every phrase at every position, the
    substring tests run in C."""
    needs = _key_words(key)
    if needs is not None:
        folded = line.lower() if line.isascii() else line.translate(_FOLD_ASCII).lower()
        if not any(w in folded for w in needs):
            return False
    return rx.search(line) is not None


_SEPARATED = re.compile(r"[|•·,–—]|\s-\s")
#: A photographer after an agency's name in capitals ("REUTERS/Afolabi Sotunde", "TEMPO/Subekti", "Bs/tim").
_SLASH_CREDIT = re.compile(r"\b[A-Z][A-Za-z]*\s?/\s?[A-Za-z]")


@lru_cache(maxsize=1)
def _credit_end() -> re.Pattern[str]:
    """A caption's closing credit: a bracket naming an agency or a photo word, or "/ist" at the end."""
    words = sorted(metadata().get("caption_credits", []), key=len, reverse=True)
    alt = "|".join(r"\s+".join(map(re.escape, w.split())) for w in words)
    return re.compile(rf"(?:\((?:[^()]{{0,30}}\b)?(?:{alt})\b[^()]{{0,30}}\)|/\s*(?:{alt}))\W*$", re.I)


def _credit_marks(line: str) -> list[str]:
    tail = line[-60:]
    if "/" not in tail and ")" not in tail:
        return []  # neither pattern can match (most lines: checked before any regex runs)
    marks = []
    if _credit_end().search(tail):
        marks.append("credit_end")
    if _SLASH_CREDIT.search(tail) and "http" not in tail:
        marks.append("credit_slash")
    return marks


@lru_cache(maxsize=8192)
def _line_marks(line: str) -> tuple[str, ...]:
    """Lexicon hints about one line (the outlet-independent tables as features)."""
    marks = ["bullet"] if line[:1] in "-•*·»>" else []
    m = _byline_regex().match(line)
    if m:
        kind = next((k for k, v in m.groupdict().items() if v and k != "rest"), "author")
        marks.append("label_" + re.sub(r"\d+$", "", kind))
    if _words(line) <= 12:
        if _name(line, min_tokens=2):
            marks.append("name_line")
        elif (m or _SEPARATED.search(line)) and _model_byline(line):
            marks.append("name_in_line")  # "Ihfa Firdausya • 27 May 2025", "By Jane Roe, Reuters"
        if outlet_by_alias(line.strip(" ,.-")) or is_domain_like(line.strip()):
            marks.append("outlet_line")
    if cand := byline_candidate(line):
        labelled = _byline_parts(line)[0]
        marks.append(f"cand{'_lab' if labelled else ''}={min(len(cand.split()), 4)}")
        if cand.casefold() in _not_names():
            marks.append("cand_desk")
        if org_candidate(cand):
            marks.append("cand_org")  # a desk or an agency: "Redaksi", "IANS", "Times Wire Services"
        if _words(line) > 12:
            marks.append("cand_glued")  # "BS Web Team New Delhi An airstrike …"
    return tuple(marks + _lexicon_marks(line))


def _lexicon_marks(line: str) -> list[str]:
    """Calls to action, caption verbs and credits, a list's introduction and the line's shape."""
    marks = []
    if _words(line) <= 15 and _lexicon_search(_call_to_action(), "call_to_action", line):
        marks.append("cta")  # "Share to friends", "Gabung ke Channel WhatsApp …"
    if _words(line) <= _CAPTION_MAX_WORDS and _lexicon_search(_caption_verbs(), "caption_verbs", line):
        marks.append("caption_verb")
    # "Berikut daftar …", "Rinciannya:", "Key points:" (furniture.yaml: a colon at the end, or an opening
    # word; matched from the start, as the pattern's anchors allow, not searched through the line)
    if line.rstrip().endswith(":") or _list_intro().match(line):
        marks.append("list_intro")
    marks.extend(_credit_marks(line))
    if _is_title_like(line):
        marks.append("title_like")
    if _is_headline(line):
        marks.append("headline_like")
    if _is_sentence(line):
        marks.append("sentence")
    return marks


def line_view(
    text: str, *, url: str | None = None, title: str | None = None
) -> tuple[list[str], list[str], LineHints]:
    """The lines of a page, the rules' output and the hints the model sees (for training)."""
    norm = normalize_text(text)
    ctx = _Ctx(title=_given_title(title, site_name=None, own_domain=domain_of(url)), raw_source=None)
    ctx.own_domain = domain_of(url)
    orig, lines = _rule_passes(norm, ctx, ctx.own_domain)
    kept = _align(orig, lines)
    hints = rule_hints(orig, ctx, kept)
    hints.slug = slug_tokens(url)
    hints.own = _own(url)
    if title:
        hints.feed_title = frozenset(w.lower() for w in _ALNUM_WORD.findall(title))
    return _view(orig, kept), lines, hints


@lru_cache(maxsize=1024)
def _own(url: str | None) -> str:
    """The outlet's own name from the URL's domain (see :func:`own_name`)."""
    tlds = frozenset(t for x in metadata().get("tlds", []) for t in x.split("."))
    return own_name(domain_of(url), tlds)


def _view(orig: list[str], kept: dict[int, list[str]]) -> list[str]:
    """The lines the model reads: what the rules keep of a line (inline cuts made), else the line."""
    return [" ".join(kept[i]) if i in kept else x for i, x in enumerate(orig)]


def _strip_title(line: str, slug: frozenset[str], section: frozenset[str] = frozenset()) -> str:
    """A title line without a leading date stamp, a trailing " | Section" part, or breadcrumbs the URL
    slug does not hold."""
    date = find_date(line[:40])
    if date and _words(line[: date[1]]) <= 1 and _words(line[date[2] :]) >= 3:
        line = line[date[2] :].strip(" -|:,·•")  # "date 2023-03-07 Malaysia floods: ..."
    words = line.split()
    lead = 0
    while lead < min(3, len(words) - 3) and words[lead].lower().strip(".,:|»>-") in section:
        lead += 1
    if lead:
        line = " ".join(
            words[lead:]
        )  # the URL's section names before the headline ("World World Russian ...")
    if " | " in line:
        parts = [p for p in line.split(" | ") if len(p.split()) >= 3]
        if parts:
            line = max(
                parts, key=lambda p: (sum(w.lower() in slug for w in _ALNUM_WORD.findall(p)), -parts.index(p))
            )
    words = line.split()
    hits = [
        i
        for i, w in enumerate(words)
        if any(t.lower() in slug or t.isdigit() for t in _ALNUM_WORD.findall(w))
    ]
    # a breadcrumb of two words or more ("Home Kebencanaan", "Berita Utama Nasional") the slug lacks
    if len(hits) >= 4 and 2 <= hits[0] <= 6 and len(words) - hits[0] >= 3:
        line = " ".join(words[hits[0] :])
    return line


def _model_byline(line: str, *, sure: bool = True) -> str | None:
    """The name(s) in a line the model took as a byline: what the byline rules parse in it, or
    (when the model is ``sure``) the capitalised words before a date or separator."""
    if _label_only(line):
        return None
    sub = _Ctx(title=None, raw_source=None)
    if _byline_line(line, sub) and (found := next(filter(None, map(clean_byline, sub.authors)), None)):
        return found
    if not sure and not _byline_regex().match(line):
        return None
    head = re.split(r"\s+(?:[-|–—•·]|diperbarui|updated|published|posted)\s+|\s*\|\s*", line, maxsplit=1)[0]
    head = re.sub(r"^(?:by|oleh|penulis|reporter|written by)\s*:?\s*", "", head, flags=re.IGNORECASE)
    return clean_byline(head)


@lru_cache(maxsize=1)
def _calendar_words() -> frozenset[str]:
    """Weekday and month words (a byline line's date parts, never a name)."""
    meta = metadata()
    return frozenset(w.casefold() for group in meta["months"] for w in group) | frozenset(
        w.casefold() for w in meta["days"]
    )


@lru_cache(maxsize=1)
def _date_label_words() -> frozenset[str]:
    return frozenset(x.casefold() for x in metadata()["date_labels"])


@lru_cache(maxsize=1)
def _weak_label_regex() -> re.Pattern[str]:
    """Words that may open a byline without being a byline label on their own ("From Times Wire Services")."""
    labels = metadata().get("byline_weak_labels", [])
    return re.compile(r"^(?:" + "|".join(map(re.escape, labels)) + r")\s+(?P<rest>.+)$", re.IGNORECASE)


def _byline_parts(line: str) -> tuple[bool, list[str]]:
    """Whether a line opens with a byline label, and the parts of the rest split at separators and dates."""
    s = line.strip().lstrip("-•*·>» ").strip().rstrip(" ,;:")
    m = _byline_regex().match(s) or _weak_label_regex().match(s)
    rest = m.group("rest") if m else s
    rest = re.sub(r"(?<=[^\W\d_])(?=\d)", " | ", _before_date_label(rest))  # "Agency16 November"
    date = find_date(rest)
    if date:
        rest = rest[: date[1]] + " | " + rest[date[2] :]
    parts = [q for q in map(_without_calendar, _split_meta(rest)) if q]
    return m is not None, parts


def _without_calendar(part: str) -> str:
    """A part without the day, month and number tokens at its ends ("06 February 20 Bonita Ningsih")."""
    cal = _calendar_words()
    toks = part.split()

    def dated(t: str) -> bool:
        t = t.strip(".,").casefold()
        return not t or t in cal or t[0].isdigit()

    while toks and dated(toks[0]):
        toks.pop(0)
    while toks and dated(toks[-1]):
        toks.pop()
    return " ".join(toks)


_LABEL_COLON = re.compile(r"[^\W\d_]\s*:")  # "Ukuran Font:" (a label), not "12:02"


@lru_cache(maxsize=1)
def _desk_words() -> frozenset[str]:
    return frozenset(x.casefold() for x in metadata().get("byline_desk_words", []))


@lru_cache(maxsize=1)
def _desk_opening() -> re.Pattern[str]:
    """A desk's byline glued to the lead: "BS Web Team New Delhi An airstrike …" (one to three
    capitalised words, a capitalised desk word, then a capitalised word)."""
    desk = "|".join(sorted((re.escape(w.title()) for w in _desk_words()), key=len, reverse=True))
    return re.compile(rf"^((?:[A-Z][\w&.'’-]*\s+){{1,3}}(?:{desk}))\s+(?=[A-Z])")


def org_candidate(cand: str) -> bool:
    """Whether a byline candidate names a desk or an agency rather than a person: a desk word
    ("Redaksi", "Staff", "… Web Team", "… Wire Services"), a known outlet, or an acronym ("IANS")."""
    words = cand.split()
    if not words:
        return False
    folded = cand.casefold()
    return (
        folded in _not_names()
        or words[-1].casefold() in _desk_words()
        or outlet_by_alias(cand) is not None
        or (len(words) == 1 and cand.isupper() and 2 <= len(cand) <= 6 and cand.isalpha())
    )


@lru_cache(maxsize=8192)
def byline_candidate(line: str) -> str | None:
    """The name a line would give as a byline, whatever its place on the page ("By IANS," -> "IANS",
    "- Adryan N", "Thursday, 06 February 20 Bonita Ningsih" -> "Bonita Ningsih", "Oleh : Redaksi",
    "BS Web Team New Delhi An airstrike …" -> "BS Web Team").
    The line model decides whether the line is a byline; this only reads the name."""
    bare = line.strip(" -•*·")
    if _words(line) > 12 and (m := _desk_opening().match(bare)):
        return m.group(1)
    if _words(line) > 12 or len(line) > 120 or _label_only(bare) or _is_table_row(line):
        return None  # a table row ("Kabupaten Garut | 14 | 2 | 310") names a place, not an author
    if bare.casefold().startswith(tuple(_date_label_words())):
        return None  # "Last Modified Tuesday, 24 December 2019", "Updated 3 hours ago"
    if "|" in line and not _byline_regex().match(bare):
        # "Sumber: Reuters | Editor: Syamsul Azhar": the first labelled part
        line = next((p for p in line.split("|") if _byline_regex().match(p.strip())), line).strip()
    labelled, parts = _byline_parts(line)
    if not parts or len(parts) > 3 or (not labelled and _LABEL_COLON.search(line)):
        return None
    m = _byline_regex().match(line.strip(" -•*·"))
    editor = labelled and m is not None and _byline_kind(m).startswith("editor")
    return next((n for p in parts if (n := _candidate_name(p.strip(" ."), labelled, editor))), None)


def _candidate_name(part: str, labelled: bool, editor: bool) -> str | None:
    """A part of a byline line that reads as a name (a desk such as "Redaksi" only under an author
    label; an outlet only under a label: "By The Associated Press")."""
    if (
        is_domain_like(part)
        or (outlet_by_alias(part) and not labelled)
        or part.casefold() in _date_label_words()
    ):
        return None
    if _name(part) is None or ((not labelled or editor) and part.casefold() in _not_names()):
        return None
    return part.title() if part.isupper() and len(part) > 5 else part


def _line_byline(line: str) -> str | None:
    """The names of a line the model reads as a byline: what the byline rules parse in it, else the
    name :func:`byline_candidate` reads (a desk such as "Redaksi" counts when the page shows it)."""
    if _label_only(line):
        return None
    sub = _Ctx(title=None, raw_source=None)
    if _byline_line(line, sub) and (found := next(filter(None, map(clean_byline, sub.authors)), None)):
        return found
    return byline_candidate(line)


def byline_lines(lines: list[str], hints: LineHints) -> list[int]:
    """The lines that could give the page's byline: a line holding a name a byline could give
    (:func:`byline_candidate`), or a bare label ("Penulis :") right above one."""
    has = [any(m.startswith("cand") for m in hints.marks.get(i, ())) for i in range(len(lines))]
    return [
        i
        for i in range(len(lines))
        if has[i] or (i + 1 < len(lines) and has[i + 1] and _label_only(lines[i].strip("-•*·: ")))
    ]


def title_lines(lines: list[str], hints: LineHints) -> list[int]:
    """The lines that could be the page's title: the top of the page's lines of two to 30 words, and
    the rules' pick."""
    top = [i for i in range(min(len(lines), _TOP_ZONE + 4)) if 2 <= _words(lines[i]) <= 30]
    if hints.rule_title is not None and hints.rule_title not in top:
        top.append(hints.rule_title)
    return top


def _byline_of(lines: list[str], i: int) -> str | None:
    """The byline line ``i`` gives (a bare label gives the next line's name)."""
    if _label_only(lines[i].strip("-•*·: ")) and i + 1 < len(lines):
        return _line_byline(lines[i + 1].lstrip("-•*· "))
    return _line_byline(lines[i])


def _choose_byline(
    orig: list[str], probs: list[dict[str, float]], ctx: _Ctx, rule_lines: set[int], th: dict[str, float]
) -> None:
    """The likeliest byline line's names; else the rules' byline unless the model rules its line out."""
    ranked = sorted(range(len(orig)), key=lambda i: -probs[i]["byline"])
    for i in ranked[:3]:
        if probs[i]["byline"] < th.get("byline", 0.5):
            break
        label_only = _label_only(orig[i].strip("-•*·: "))
        line = orig[i + 1].lstrip("-•*· ") if label_only and i + 1 < len(orig) else orig[i]
        if name := _line_byline(line):
            ctx.authors, ctx.editors, ctx.byline = [name], [], name
            return
    if not any(probs[i]["byline"] >= th.get("byline_rules", 0.05) for i in rule_lines):
        ctx.authors, ctx.editors = [], []


#: Rule verdicts the model never overturns (a comment section cuts everything after it).
_FINAL = frozenset({"tail", "faq"})


def _meta_lines(orig: list[str], h: LineHints) -> list[int]:
    """The lines scored when the model picks only the title and byline: the top and bottom of the
    page and the rules' picks."""
    n = len(orig)
    extra = {h.rule_title} if h.rule_title is not None else set()
    return sorted(
        set(range(min(n, _TOP_ZONE + 4))) | set(range(max(0, n - _BOTTOM_ZONE), n)) | extra | h.rule_byline
    )


def body_lines(
    orig: list[str],
    kept: Container[int],
    th: Mapping[str, float],
    marks: Mapping[int, Sequence[str]] | None = None,
) -> list[int]:
    """The lines the model scores when it decides the body: every line the rules dropped, and the kept
    ones up to ``score_max_words`` words (a long paragraph the rules kept is article text: the
    furniture the model finds is short lines, captions and lists). With ``score_inner`` 0 in the
    thresholds, a kept paragraph of more than ``score_min_inner`` words is scored only when it is one of
    the first two or the last kept paragraphs, or carries a caption's mark (a caption verb, a photo
    credit): long captions sit above the lead or say what the photo shows; the paragraphs between are
    the article's."""
    most = th.get("score_max_words", 10_000)
    if th.get("score_inner", 1.0) >= 0.5:
        return [i for i, x in enumerate(orig) if i not in kept or _words(x) <= most]
    para = th.get("score_min_inner", 25)
    marks = marks or {}
    paras = [i for i, x in enumerate(orig) if i in kept and para < _words(x)]
    edge = {*paras[:2], *paras[-1:]}
    out = []
    for i, x in enumerate(orig):
        if i not in kept:
            out.append(i)
            continue
        n = _words(x)
        if n <= para or (n <= most and (i in edge or any(m in _CAPTION_MARKS for m in marks.get(i, ())))):
            out.append(i)
    return out


#: Marks of a line (``_line_marks``) that make a long kept paragraph worth scoring: it may be a caption.
_CAPTION_MARKS = frozenset({"caption_verb", "credit_end", "credit_slash"})


def _heads_pass(
    orig: list[str],
    h: LineHints,
    ctx: _Ctx,
    th: dict[str, float],
    scores: dict[str, dict[int, float]],
    want_title: bool,
) -> int | None:
    """Title and byline from the model's heads: the best-scored candidate line above its threshold
    (returns the byline's line, None without a byline)."""
    if want_title:
        ts = scores.get("title", {})
        top = max(ts, key=ts.__getitem__, default=None)
        if top is not None and ts[top] >= th.get("title_head", 0.5):
            ctx.title, ctx.title_found = _strip_title(orig[top], h.slug, h.section), True
        else:
            ctx.title, ctx.title_found = None, False
    bs = scores.get("byline", {})
    best = max(bs, key=bs.__getitem__, default=None)
    name = _byline_of(orig, best) if best is not None and bs[best] >= th.get("byline_head", 0.5) else None
    ctx.authors, ctx.editors, ctx.byline = ([name] if name else []), [], name
    return best if name else None


def _probs_title(
    orig: list[str], probs: list[dict[str, float]], h: LineHints, ctx: _Ctx, th: dict[str, float]
) -> None:
    """The title from the line model's probabilities (a model without heads)."""
    if ctx.title and not ctx.title_found:
        return
    best = max(range(len(orig)), key=lambda i: probs[i]["title"])
    rt = h.rule_title
    if probs[best]["title"] >= th.get("title", 0.5):
        ctx.title, ctx.title_found = _strip_title(orig[best], h.slug, h.section), True
    elif rt is None or probs[rt]["title"] < th.get("title_rules", 0.05):
        ctx.title, ctx.title_found = None, False


def _model_pass(
    model: LineModel,
    orig: list[str],
    lines: list[str],
    ctx: _Ctx,
    *,
    url: str | None,
    given: str | None,
    hints: LineHints | None,
    body_too: bool = True,
    short_cuts: bool = True,
) -> list[str]:
    """The learned classifier decides each line (the rules' verdicts are among its features):
    body lines keep the rules' inline cuts, title and byline come from the likeliest lines.
    Without ``body_too`` only the title and byline are the model's (the body stays the rules', less the
    short lines the model reads as furniture unless ``short_cuts`` is False)."""
    kept = _align(orig, lines)
    h = rule_hints(orig, ctx, kept)
    h.slug, h.section, h.own = slug_tokens(url), section_tokens(url), _own(url)
    if given:
        h.feed_title = frozenset(w.lower() for w in _ALNUM_WORD.findall(given))
    if hints is not None:
        h.seen, h.link_density, h.tag = hints.seen, hints.link_density, hints.tag
    orig = _view(orig, kept)
    th = model.meta.get("thresholds", {})
    byline_at = short = None
    if {"title", "byline"} <= set(model.heads):
        want_title = not ctx.title or ctx.title_found
        cands = {"byline": byline_lines(orig, h), "title": title_lines(orig, h) if want_title else []}
        # meta mode scores the heads' candidates (and its short kept lines with ``meta_short``); full mode
        # also the lines it may cut
        if body_too:
            scored = body_lines(orig, kept, th, h.marks)
        elif short_cuts and th.get("meta_context", 0.0) >= 0.5:
            scored = body_lines(orig, kept, _meta_scoring(th), h.marks)
        else:
            short = _short_lines(orig, kept, th, short_cuts, h.marks)
            scored = _with_dropped_neighbours(short, kept, th, len(orig))
        probs, scores = model.decide(orig, h, scored, cands)
        byline_at = _heads_pass(orig, h, ctx, th, scores, want_title)
    else:
        probs = model.predict(orig, h, None if body_too else _meta_lines(orig, h))
        _probs_title(orig, probs, h, ctx, th)
        _choose_byline(orig, probs, ctx, h.rule_byline, th)
    if not body_too:
        return _meta_body(lines, orig, kept, probs, h, ctx, th, byline_at, short if short_cuts else [])
    return _without_byline(_model_body(orig, lines, kept, probs, h, ctx, th), orig, kept, byline_at, ctx)


def _meta_body(
    lines: list[str],
    orig: list[str],
    kept: dict[int, list[str]],
    probs: list[dict[str, float]],
    h: LineHints,
    ctx: _Ctx,
    th: dict[str, float],
    byline_at: int | None,
    short: list[int] | None,
) -> list[str]:
    """Meta mode's body: the rules' less the title and byline lines, the short lines the model reads as
    furniture (``short``: the lines :func:`_short_lines` named, None when not found yet, [] for no
    cuts), and the kept copies of strings the rules cut (one key per line for both)."""
    lines = _without_byline(_without_title(lines, ctx), orig, kept, byline_at, ctx)
    keys = _PageKeys(orig)
    if th.get("meta_short", 0) > 0:
        lines = _short_cuts(lines, orig, kept, probs, ctx, th, h.marks, keys, short)
    return _without_copies(lines, orig, kept, h, ctx, keys) if th.get("shared", 0.0) >= 0.5 else lines


def _model_body(
    orig: list[str],
    lines: list[str],
    kept: dict[int, list[str]],
    probs: list[dict[str, float]],
    h: LineHints,
    ctx: _Ctx,
    th: dict[str, float],
) -> list[str]:
    """The body the model reads: the lines it takes for article text, with the rules' inline cuts;
    a line the rules dropped comes back only when the model is sure. Copies of one string share one
    decision (:func:`_shared_probs`); a list item has its own cut (``body_list``)."""
    body: list[str] = []
    if th.get("shared", 0.0) >= 0.5:
        probs = _shared_probs(orig, probs)
    for i, (line, p) in enumerate(zip(orig, probs, strict=True)):
        label = max(p, key=p.__getitem__)
        copy = ctx.title is not None and i < _TOP_ZONE and _title_copy(line, ctx.title)
        if label == "title" and not copy:
            label = "body"  # a heading inside the article, not its title
        elif copy:
            label = "title"  # the title shown again at the top of the page
        cut_below = _cut_below(th, label, line)
        if i in kept and (label == "body" or (p["body"] >= cut_below and not copy)):
            body.extend(kept[i])
        elif (
            i not in kept and p["body"] >= th.get("restore", 0.8) and h.rule_kind.get(i, "")[:4] not in _FINAL
        ):
            body.append(line)  # the rules dropped it, the model reads it as article text
        elif i in kept:
            ctx.removed.append(("model:" + label, line))
    return body or lines


_LIST_ITEM = re.compile(r"(?:[-•*·▪●–—]|\d{1,2}[.)])\s")


def _list_item(line: str) -> bool:
    """A bulleted or numbered item ("- Gianyar: 3 orang", "• An estimated 180 …", "5. Jakarta: TH")."""
    return _LIST_ITEM.match(line) is not None


def _cut_below(th: Mapping[str, float], label: str, line: str) -> float:
    """The p(body) under which a line the model labels ``label`` is cut: the label's own threshold
    ("body_caption": captions are cut more readily than furniture), or a list item's ``body_list`` (a data
    list the later stages read, "- Gianyar: 3 orang")."""
    if "body_list" in th and label != "body" and _list_item(line):
        return th["body_list"]
    return th.get("body_" + label, th.get("body", 0.5))


class _PageKeys:
    """The keys of a page's lines (:func:`_key`, and the key without a short label head such as
    "IMAGE:"), each computed at most once a page: meta mode's short cuts and its copy check, and full
    mode's shared decisions, all read them."""

    __slots__ = ("_bare", "_keys", "lines")

    def __init__(self, lines: Sequence[str]):
        self.lines = lines
        self._keys: dict[int, str] = {}
        self._bare: dict[int, str] = {}

    def key(self, i: int) -> str:
        k = self._keys.get(i)
        if k is None:
            k = self._keys[i] = _key(self.lines[i])
        return k

    def bare(self, i: int) -> str:
        """The key of line ``i`` without a short label head (its key when it has none)."""
        k = self._bare.get(i)
        if k is None:
            m = _LABEL_HEAD.match(self.lines[i])
            k = self._bare[i] = _key(self.lines[i][m.end() :]) if m else self.key(i)
        return k


def _shared_probs(
    orig: list[str],
    probs: list[dict[str, float]],
    keys: _PageKeys | None = None,
    only: Sequence[int] | None = None,
    among: Sequence[int] | None = None,
) -> list[dict[str, float]]:
    """One decision per string: the lines of a page that say the same words (case and punctuation
    aside) all take the probabilities of the copy the model reads as least like article text (an
    "Advertising" shown twice, a caption the rules cut under "IMAGE:" and kept bare elsewhere). With
    ``only``, only those lines' probabilities are shared (the others' stay theirs); with ``among``, only
    those lines' probabilities are shared out (the scored ones: an unscored line's is plain body, which
    no scored copy's is below)."""
    keys = keys or _PageKeys(orig)
    best: dict[str, int] = {}
    for i in range(len(orig)) if among is None else among:
        b = probs[i]["body"]
        for k in (keys.key(i), keys.bare(i)):
            if k and (k not in best or b < probs[best[k]]["body"]):
                best[k] = i
    out = list(probs)
    for i in range(len(orig)) if only is None else only:
        k = keys.key(i)
        if k in best:
            out[i] = probs[best[k]]
    return out


def _short_lines(
    orig: list[str],
    kept: Container[int],
    th: Mapping[str, float],
    on: bool = True,
    marks: Mapping[int, Sequence[str]] | None = None,
) -> list[int]:
    """What meta mode may cut (none without ``meta_short``, or when not ``on``): the kept lines of up to
    ``meta_short`` words; with ``marks``, those of up to ``meta_long`` words that are no plain sentence
    between the article's paragraphs (a label, a caption, a call to action, or a line above its first
    paragraph or below its last), and those of up to ``meta_caption_words`` with a caption's mark."""
    short = th.get("meta_short", 0) if on else 0
    if short <= 0:
        return []
    if not marks:
        return [i for i, x in enumerate(orig) if i in kept and _words(x) <= short]
    most, cap = th.get("meta_long", 0), th.get("meta_caption_words", 0)
    first, last = _text_span(orig, kept)
    out = []
    for i, x in enumerate(orig):
        if i not in kept:
            continue
        n = _words(x)
        ms = marks.get(i, ())
        if (
            n <= short
            or (n <= most and (not _is_sentence(x) or not first < i < last or not _EDGE_MARKS.isdisjoint(ms)))
            or (n <= cap and not _CAPTION_MARKS.isdisjoint(ms))
        ):
            out.append(i)
    return out


def _text_span(orig: list[str], kept: Container[int]) -> tuple[int, int]:
    """The article's first and last paragraph (kept lines of ``_LEAD_WORDS`` words or more);
    ``(len(orig), -1)`` without any."""
    paras = [i for i, x in enumerate(orig) if i in kept and _words(x) >= _LEAD_WORDS]
    return (paras[0], paras[-1]) if paras else (len(orig), -1)


def _at_edge(orig: list[str], i: int, first: int, last: int) -> bool:
    """Line ``i`` sits above the article's first paragraph or below its last (``_text_span``) and is
    no sentence: a caption without its full stop, a widget, a related headline (a short lead or a
    list's introduction, which end as sentences, are not at the edge)."""
    return last >= 0 and not first < i < last and not _is_sentence(orig[i])


#: Marks of a sentence between paragraphs that make it worth scoring in meta mode (furniture written as
#: a sentence: "Gabung ke Channel WhatsApp …", a caption).
_EDGE_MARKS = frozenset({"cta", "caption_verb", "credit_end", "credit_slash"})
#: The article's first paragraph is the first kept line of at least this many words.
_LEAD_WORDS = 20


def _with_dropped_neighbours(
    scored: list[int], kept: Container[int], th: Mapping[str, float], n: int
) -> list[int]:
    """The lines meta mode scores and, with ``meta_near``, the lines the rules dropped within two lines
    of one: the second pass reads a neighbour's verdict, and a dropped line left unscored reads as body."""
    if not scored or th.get("meta_near", 0.0) < 0.5:
        return scored
    near = {j for i in scored for j in range(max(0, i - 2), min(n, i + 3)) if j not in kept}
    return sorted(near.union(scored))


def _meta_scoring(th: Mapping[str, float]) -> dict[str, float]:
    """The thresholds :func:`body_lines` picks meta mode's scored lines by: the lines full mode scores
    (the rules' dropped ones too, so the second pass reads its neighbours as full mode does), but a kept
    paragraph of more than ``meta_inner`` words only at the edges or with a caption's mark."""
    most = max(th.get("meta_short", 0), th.get("meta_long", 0))
    inner = th.get("meta_inner", th.get("score_min_inner", 25))
    return {**th, "score_inner": 0.0, "score_max_words": most, "score_min_inner": min(inner, most)}


def _announced(orig: list[str], i: int, marks: Mapping[int, Sequence[str]]) -> bool:
    """Line ``i`` is an item of a list the line above its run announces ("Berikut daftar …:",
    "Key points:"), or that announcing line: the article's own data list, which the later stages read."""
    if not _list_item(orig[i]):
        return _announces(orig, i, marks) and i + 1 < len(orig) and _list_item(orig[i + 1])
    j = i
    while j > 0 and _list_item(orig[j - 1]):
        j -= 1
    return j > 0 and _announces(orig, j - 1, marks)


def _announces(orig: list[str], i: int, marks: Mapping[int, Sequence[str]]) -> bool:
    """Line ``i`` announces a list: it ends with a colon or opens with "Berikut", "Here are"… ("Key
    points:", "Rinciannya:"; a bare byline label such as "Oleh :" is no announcement)."""
    return "list_intro" in marks.get(i, ()) and _label_only(orig[i].strip("-•*·: ")) is None


def _meta_cut(
    orig: list[str],
    i: int,
    p: Mapping[str, float],
    th: Mapping[str, float],
    marks: Mapping[int, Sequence[str]],
    edge: bool = False,
) -> str | None:
    """The label meta mode cuts kept line ``i`` as, or None when it stays: a line of up to ``meta_short``
    words at :func:`_model_body`'s cuts, a longer one (up to ``meta_long``) only below ``meta_long_body``;
    any line whose p(caption) reaches ``meta_caption`` (a photo caption written as a sentence reads as
    body too); never an announced list's item or its announcing line (``meta_announced``). A line at the
    ``edge`` of the article (:func:`_at_edge`: where captions, widgets and related links sit) is cut
    below ``meta_edge_body`` when that is higher."""
    if th.get("meta_announced", 0.0) >= 0.5 and _announced(orig, i, marks):
        return None
    if p.get("caption", 0.0) >= th.get("meta_caption", 2.0):
        return "caption"
    label = max(p, key=p.__getitem__)
    if label in ("body", "title"):
        return None  # a heading inside the article; a copy of the title is _without_title's
    cut_below = _cut_below(th, label, orig[i])
    if _words(orig[i]) > th.get("meta_short", 0):
        cut_below = min(cut_below, th.get("meta_long_body", 0.0))
    if edge:
        cut_below = max(cut_below, th.get("meta_edge_body", 0.0))
    return label if p["body"] < cut_below else None


def _short_cuts(
    lines: list[str],
    orig: list[str],
    kept: dict[int, list[str]],
    probs: list[dict[str, float]],
    ctx: _Ctx,
    th: dict[str, float],
    marks: Mapping[int, Sequence[str]] | None = None,
    keys: _PageKeys | None = None,
    short: list[int] | None = None,
) -> list[str]:
    """The rules' body without the kept lines :func:`_short_lines` names (``short``, when already
    found) that :func:`_meta_cut` cuts (no line comes back)."""
    short = _short_lines(orig, kept, th, True, marks) if short is None else short
    if not short:
        return lines
    if th.get("shared", 0.0) >= 0.5:
        # the copies that may share a lower p(body): the lines scored (the short ones and their
        # neighbours the rules dropped); the others' probabilities are plain body
        among = [i for i, p in enumerate(probs) if p["body"] < 1.0]
        probs = _shared_probs(orig, probs, keys, short, among)
    first, last = _text_span(orig, kept) if th.get("meta_edge_body", 0.0) > 0 else (-1, len(orig))
    drop = [
        ("model:" + label, x)
        for i in short
        if (label := _meta_cut(orig, i, probs[i], th, marks or {}, _at_edge(orig, i, first, last)))
        for x in kept[i]
    ]
    return _dropped(lines, drop, ctx)


def _without_copies(
    lines: list[str],
    orig: list[str],
    kept: dict[int, list[str]],
    h: LineHints,
    ctx: _Ctx,
    keys: _PageKeys | None = None,
) -> list[str]:
    """The rules' body without the kept copies of a string the rules cut elsewhere on the page (one
    decision per string, as :func:`_shared_probs` gives the model's body): "{{#rendered}}" cut as a
    section mark and kept further down, a caption cut under "IMAGE:" and kept bare above it."""
    keys = keys or _PageKeys(orig)
    cut: dict[str, str] = {}
    for i, kind in h.rule_kind.items():
        if kind == "other":
            continue  # no rule named it: a repeated paragraph the rules kept once
        for key in (keys.key(i), keys.bare(i)):
            if key:
                cut.setdefault(key, kind)
    if not cut:
        return lines
    # a kept line's key is computed only when its text holds the longest word of a cut key (each word
    # of a key is in the line's case-folded text): most kept lines are paragraphs no cut line copies
    rare = {max(k.split(" "), key=len) for k in cut}
    drop = [
        ("copy:" + kind, x)
        for i, xs in kept.items()
        if _may_hold(orig[i], rare) and (kind := cut.get(keys.key(i)) or "")
        for x in xs
    ]
    return _dropped(lines, drop, ctx)


def _may_hold(line: str, words: set[str]) -> bool:
    """The line's case-folded text holds one of ``words`` (a key's words are in it: a test before its key)."""
    folded = line.casefold()
    return any(w in folded for w in words)


def _dropped(lines: list[str], drop: list[tuple[str, str]], ctx: _Ctx) -> list[str]:
    """``lines`` without the first copy of each ``(kind, line)`` of ``drop``, each noted as removed
    (``ctx.removed``); ``lines`` itself when there is nothing to drop or when it would drop them all."""
    if not drop or len(drop) >= len(lines):
        return lines
    out = list(lines)
    for kind, x in drop:
        if x in out:
            out.remove(x)
            ctx.removed.append((kind, x))
    return out


#: A short label in front of a line ("IMAGE: …", "Foto: …"): its copy without the label is the same string.
_LABEL_HEAD = re.compile(r"^[^\W\d_][\w.]*(?: [\w.]+)?:\s+")


def _without_title(lines: list[str], ctx: _Ctx) -> list[str]:
    """The rules' body without a leading line that is the (model's) title."""
    top = next((i for i, x in enumerate(lines[:3]) if ctx.title and _title_copy(x, ctx.title)), None)
    if top is None or len(lines) < 2:
        return lines
    ctx.removed.append(("title", lines[top]))
    return lines[:top] + lines[top + 1 :]


def _without_byline(
    lines: list[str], orig: list[str], kept: dict[int, list[str]], at: int | None, ctx: _Ctx
) -> list[str]:
    """The body without the short line the byline head took the byline from ("Adelio Pratama",
    "By IANS,", a bare "Penulis :" and the name below it) when it is still there: page metadata, as a
    title copy is. A long line (a desk glued to the lead) stays."""
    if at is None:
        return lines
    at_lines = [at, at + 1] if _label_only(orig[at].strip("-•*·: ")) else [at]
    drop = [("byline", x) for i in at_lines if i in kept for x in kept[i] if _words(x) <= _BYLINE_LINE_WORDS]
    return _dropped(lines, drop, ctx)


#: A byline line the meta mode takes out of the body has at most this many words.
_BYLINE_LINE_WORDS = 12


def _source(url: str | None, raw_source: str | None, meta: dict[str, Any], ctx: _Ctx) -> SourceInfo:
    """The outlet: the URL's, the producer's, the page's site name or the dateline's credit."""
    source = source_info(
        url=url or meta.get("url"),
        raw_source=raw_source,
        site_name=meta.get("sitename"),
        text_outlet=ctx.dateline_outlet or (ctx.dateline_agencies[0] if ctx.dateline_agencies else None),
    )
    if source.domain is None and meta.get("hostname"):
        source = SourceInfo(name=source.name or meta["hostname"], domain=domain_of(meta["hostname"]))
    return source


def _title_vs_captions(ctx: _Ctx) -> None:
    """A found title that is a photo caption's first sentence goes; captions lose a copied title."""
    title = ctx.title
    if (
        title
        and ctx.title_found
        and any(c.startswith(title) and c[len(title) : len(title) + 1] in {".", ","} for c in ctx.captions)
    ):
        # the "title" was the first sentence of a photo caption shown twice (Going all out: ...)
        ctx.removed.append(("caption", title))
        ctx.title = None
        return
    if title:
        tkey = _key(title)
        ctx.captions = [
            c[len(title) :].strip()
            if _key(c).startswith(tkey) and c.startswith(title) and len(c) > len(title)
            else c
            for c in ctx.captions
        ]


def clean_article(
    text: str,
    *,
    title: str | None = None,
    url: str | None = None,
    raw_source: str | None = None,
    published_at: str | datetime | None = None,
    meta: dict[str, Any] | None = None,
    normalized: bool = False,
    line_model: LineModel | bool | None = None,
    model_body: bool = True,
    hints: LineHints | None = None,
    fetched_at: float | None = None,
    short_cuts: bool = True,
) -> CleanResult:
    """Clean one article's text; raises StageError W201 (binary) or W200 (nothing left).

    ``line_model`` is the learned line classifier (True: the shipped one; None/False: rules only);
    with ``model_body`` False it picks only the title and byline (the body stays the rules');
    ``hints`` adds what the caller knows about the lines (HTML link density and tags, outlet memory).
    ``fetched_at`` (epoch seconds: the producer's ``ingested_at``) resolves "2 jam lalu", "3 hours ago".
    ``short_cuts`` False keeps the short lines meta mode would cut (an HTML page: the extractor's blocks,
    table rows and list items, which the model never saw, stay).
    """
    if not normalized and looks_binary(text):
        raise StageError("W201", "article looks like binary data, not text", hint="send UTF-8 article text")
    meta = meta or {}
    norm = text if normalized else normalize_text(text)
    own_domain = domain_of(url) or domain_of(meta.get("url")) or domain_of(meta.get("hostname"))
    title = _given_title(title, site_name=meta.get("sitename"), own_domain=own_domain)
    ctx = _Ctx(title=title, raw_source=raw_source)
    ctx.own_domain = own_domain
    ctx.captions.extend(normalize_text(c) for c in meta.get("captions") or () if c and c.strip())
    orig, lines = _rule_passes(norm, ctx, own_domain)
    model = load_line_model() if line_model is True else line_model or None
    if isinstance(model, LineModel) and orig:
        lines = _model_pass(
            model,
            orig,
            lines,
            ctx,
            url=url or meta.get("url"),
            given=title,
            hints=hints,
            body_too=model_body,
            short_cuts=short_cuts,
        )
    _title_vs_captions(ctx)
    body = PARA_SEP.join(lines)
    if not body.strip():
        raise StageError(
            "W200",
            "article text is empty after cleaning",
            hint="the input held only page furniture (menus, promos, links); send the article text",
        )
    source = _source(url, raw_source, meta, ctx)
    published, zone_how = _published(published_at, meta, ctx, source)
    if published is None and fetched_at:
        published, zone_how = _relative_published(ctx.removed, fetched_at, source)
    byline = ctx.byline or next((b for b in map(clean_byline, [*ctx.authors, *ctx.editors]) if b), None)
    if byline is None and meta.get("author"):
        byline = clean_byline(str(meta["author"]))
    # credits first ("WASHINGTON (Reuters) -", a trailing "(VoI)"), then outlets named in the body
    cited = cited_sources([body], own=source, leading_credits=ctx.dateline_agencies, credits=ctx.credits)
    return CleanResult(
        {
            "body": body,
            "title": ctx.title,
            "lead": split_lead(body),
            "captions": ctx.captions,
            "byline": byline,
            "dateline": ctx.dateline,
            "published_at": published,
            "published_at_zone": zone_how,
            "source": source,
            "cited_sources": cited,
        },
        ctx.removed,
    )


class CleanStage:
    """Fixes ``body`` (furniture removed) and fills title, lead, captions, byline, dateline, dates, sources."""

    name: ClassVar[str] = "clean"
    requires: ClassVar[tuple[str, ...]] = ("text",)
    #: the producer's metadata (``raw``) and what ``decode`` found in the page (``scratch``), when there
    optional: ClassVar[tuple[str, ...]] = ("raw", "scratch")
    assigns: ClassVar[tuple[str, ...]] = (*CLEAN_FIELDS, "url")

    def __init__(self, settings: Any = None, state: Any = None):
        self.settings = settings
        if settings is None:  # built without the app's settings: the environment still decides
            from streams.core.settings import Settings

            settings = Settings()
        mode = str(getattr(settings, "page_model", "off")).lower()
        self.page_model = mode in ("meta", "full", "true", "1")
        self.model_body = mode in ("full", "true", "1")

    def _clean(self, doc: Doc, meta: dict[str, Any]) -> CleanResult:
        raw = doc.raw
        return clean_article(
            doc.text,
            title=raw.title or meta.get("title"),
            url=raw.url,
            raw_source=raw.source,
            published_at=raw.published_at,
            meta=meta,
            normalized=bool(doc.scratch.get("normalized")),  # set by the decode stage
            line_model=self.page_model,
            # the model decides the body of text pages (what it learned on); an HTML page's blocks were
            # already chosen by the extractor, and the model has never seen one
            model_body=self.model_body and not doc.scratch.get("html_meta"),
            short_cuts=not doc.scratch.get("html_meta"),
            fetched_at=raw.ingested_at,
        )

    def __call__(self, doc: Doc) -> None:
        raw = doc.raw
        meta: dict[str, Any] = doc.scratch.get("html_meta") or {}
        try:
            result = self._clean(doc, meta)
        except StageError as exc:
            if exc.code == "W200" and meta:
                raise StageError(
                    "W202",
                    "HTML page holds no article text (only page furniture was found)",
                    hint="send the article page itself (not an index, login or error page), or its text",
                ) from exc
            raise
        result.apply(doc)
        doc.url = raw.url or meta.get("url")
        doc.scratch["clean_removed"] = result.removed
