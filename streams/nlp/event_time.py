"""Dates written in an article, placed against the article's own date: which mentions speak of earlier times."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import compress
from operator import itemgetter, or_
from pathlib import Path
from typing import Any, cast

from streams.core import hot as _core_hot
from streams.core.hot import read_yaml

__all__ = ["DateMention", "TimeLine", "date_class", "find_dates", "time_line"]

_DATA = Path(__file__).resolve().parent.parent / "data" / "events" / "patterns.yaml"
#: Days before the article's date from which a dated mention is an earlier event, not this news cycle.
OLD_DAYS = 10
#: Days after the article's date from which a dated mention is a plan.
FUTURE_DAYS = 2
#: Characters of the lead whose first day and month date the article when nothing else does.
LEAD_CHARS = 600


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date in the text: its span and what it gives (year, month, day; None where not written)."""

    start: int
    end: int
    year: int | None
    month: int | None
    day: int | None


#: The date forms, tried in this order at each position (one pass over the text): day month year, month day
#: year, month year, a month after a preposition, day/month(/year) numbers, a year alone.
_FORMS = (
    ("dmy", r"\b{day}\s+{mon}(?:\s+{year})?\b"),  # 7 Oktober 2023, 24 Februari
    ("mdy", r"\b{mon}\s+{day}(?:st|nd|rd|th)?\b(?:,?\s+{year})?(?!\d)"),  # October 7, 2023; Nov 3
    ("my", r"\b{mon}\s+{year}\b"),  # March 2022
    ("m", r"\b(?i:{preps})\s+{mon}(?:\s+{year})?\b"),  # in March 2022, pada bulan April
    ("pnum", r"\(\s*(?:\w+,?\s+)?{day}/{nmon}(?:/{year})?\s*\)"),  # (24/11), (Jumat, 29/9/2023)
    ("num", r"\b{day}/{nmon}/{year}\b"),
    ("y", r"\b{year}\b"),
)


@lru_cache(maxsize=1)
def _patterns() -> dict[str, Any]:
    """``patterns.yaml``, parsed once (``_regex`` and ``_anchor_words`` both read it)."""
    return cast("dict[str, Any]", read_yaml(_DATA.read_text(encoding="utf-8")))  # libyaml: 12 ms, not 140


@lru_cache(maxsize=1)
def _regex() -> tuple[dict[str, int], re.Pattern[str]]:
    data = _patterns()
    months = {str(name): int(num) for num, names in (data.get("months") or {}).items() for name in names}
    names = "|".join(sorted((re.escape(m) for m in months), key=len, reverse=True))
    preps = "|".join(re.escape(str(p)) for p in data.get("month_prepositions") or ["in"])
    alts = []
    for kind, form in _FORMS:
        alts.append(
            f"(?P<{kind}>"
            + form.format(
                day=rf"(?P<{kind}_d>[0-3]?\d)",
                mon=rf"(?P<{kind}_m>{names})\.?",
                nmon=rf"(?P<{kind}_n>[01]?\d)",
                year=rf"(?P<{kind}_y>(?:19|20)\d\d)",
                preps=preps,
            )
            + ")"
        )
    return months, re.compile("|".join(alts))


def _mention(m: re.Match[str], months: dict[str, int]) -> DateMention | None:
    kind = m.lastgroup or ""
    g = m.groupdict()
    yr = int(g[kind + "_y"]) if g.get(kind + "_y") else None
    mon: int | None = None
    if g.get(kind + "_n"):
        mon = int(g[kind + "_n"])
    elif g.get(kind + "_m"):
        mon = months.get(g[kind + "_m"])
    dy = int(g[kind + "_d"]) if g.get(kind + "_d") else None
    if (mon is not None and not 1 <= mon <= 12) or (dy is not None and not 1 <= dy <= 31):
        return None
    return DateMention(m.start(), m.end(), yr, mon, dy)


@lru_cache(maxsize=1)
def _anchor_words() -> frozenset[str]:
    """Lower-cased tokens a date form may start with: month names and the prepositions before a month."""
    months, _ = _regex()
    data = _patterns()
    preps = {str(p).casefold() for p in data.get("month_prepositions") or []}
    return frozenset(m.casefold() for m in months) | preps | {"("}


def _token_places(starts: Sequence[int], lowers: Sequence[str]) -> Iterable[int]:
    """The starts of the tokens that start with a digit or are an anchor word (compiled: one typed loop)."""
    anchors = _anchor_words()
    if len(starts) != len(lowers):
        raise ValueError("starts and lowers differ in length")
    hot = _compiled()
    if hot is not None and isinstance(starts, list) and isinstance(lowers, list):
        return cast("list[int]", hot.date_places(starts, lowers, anchors))
    # filtered at C level
    digit = map(str.isdigit, map(itemgetter(slice(0, 1)), lowers))
    return compress(starts, map(or_, digit, map(anchors.__contains__, lowers)))


def _compiled() -> Any:
    """``streams.nlp._events_hot`` when it is built and the hot path is selected (``WARTA_COMPILED``):
    ``core.hot.compiled_extension`` with the (cached, never changing) module kept here."""
    global _EXT
    if _core_hot.HOT is None:
        return None
    if _EXT is _UNSET:
        _EXT = _core_hot.extension("streams.nlp._events_hot")
    return _EXT


_UNSET: Any = object()
_EXT: Any = _UNSET


def find_dates(
    body: str, starts: Sequence[int] | None = None, lowers: Sequence[str] | None = None
) -> list[DateMention]:
    """Every date written in ``body``, sorted by position: at each place the first form that matches.

    With the body's tokens (``starts`` and ``lowers`` of the shared analysis) the forms are tried only at the
    tokens that may start one (a digit, "(", a month, a preposition): a scan of the words, not of the text.
    An article's dates are scanned once, by its shared analysis (``Analysis.dates``), which both the events
    and the dedup stages read."""
    return _find_dates(body, starts, lowers)


def _find_dates(body: str, starts: Sequence[int] | None, lowers: Sequence[str] | None) -> list[DateMention]:
    months, rx = _regex()
    hot = _compiled()
    if starts is None or lowers is None:
        places: Iterable[int] = (m.start() for m in re.finditer(r"\(|\b\w", body))
    elif (
        hot is not None
        and isinstance(starts, list)
        and isinstance(lowers, list)
        and len(starts) == len(lowers)
    ):
        # the same places less the digits where no form can match (exact pre-check: the regex still decides)
        places = hot.date_places_may_match(body, starts, lowers, _anchor_words())
    else:
        places = _token_places(starts, lowers)
    out = []
    reach = 0
    for pos in places:
        if pos < reach:
            continue
        m = rx.match(body, pos)
        if m is None:
            continue
        reach = m.end()
        d = _mention(m, months)
        if d is not None:
            out.append(d)
    return out


def _reference(dates: list[DateMention], published: date | None, lead_end: int) -> date | None:
    """The article's date: its publication date, else the latest full date it writes, else the first day and
    month in its lead ("Jumat (24/11)") in the latest year it names."""
    if published is not None:
        return published
    full = []
    for d in dates:
        if d.year is not None and d.month is not None and d.day is not None:
            try:
                full.append(date(d.year, d.month, d.day))
            except ValueError:
                continue
    if full:
        return max(full)
    years = [d.year for d in dates if d.year is not None]
    for d in dates:
        if d.start < lead_end and d.month is not None and d.day is not None:
            try:
                return date(max(years) if years else 2001, d.month, d.day)
            except ValueError:
                return None
    return None


def date_class(d: DateMention, ref: date | None, ref_year: int | None) -> str:
    """``old`` (an earlier time), ``recent`` (this news cycle), ``future`` or ``unknown``, against the reference."""
    if ref is None:
        if ref_year is None or d.year is None:
            return "unknown"
        return "old" if d.year < ref_year else "recent" if d.year == ref_year else "future"
    year = d.year if d.year is not None else ref.year
    if d.month is None:
        return "old" if year < ref.year else "recent" if year == ref.year else "future"
    if d.day is None:
        months = (ref.year - year) * 12 + ref.month - d.month
        if d.year is None and months < 0:
            months += 12  # "in November" read in January: last year's
        return "old" if months >= 1 else "recent" if months == 0 else "future"
    try:
        when = date(year, d.month, d.day)
    except ValueError:
        return "unknown"
    delta = (ref - when).days
    if d.year is None and delta < -FUTURE_DAYS - 60:
        delta += 365  # "(24/12)" in an article of 2 January
    if delta > OLD_DAYS:
        return "old"
    return "future" if delta < -FUTURE_DAYS else "recent"


@dataclass(frozen=True)
class TimeLine:
    """An article's dates with their class against its reference date; ``near`` looks them up by position."""

    starts: tuple[int, ...]
    classes: tuple[str, ...]
    has_reference: bool

    def between(self, lo: int, hi: int) -> list[tuple[int, str]]:
        """The (position, class) of the dates inside ``[lo, hi)``."""
        i = bisect.bisect_left(self.starts, lo)
        j = bisect.bisect_left(self.starts, hi)
        return [(self.starts[k], self.classes[k]) for k in range(i, j)]


def time_line(
    body: str,
    published_at: str | None,
    starts: Sequence[int] | None = None,
    lowers: Sequence[str] | None = None,
    dates: list[DateMention] | None = None,
) -> TimeLine:
    """The dates of ``body`` classed against the publication date (or, without one, the latest date written);
    ``dates``: ``find_dates(body, starts, lowers)`` when the caller has them already (``Analysis.dates``)."""
    if dates is None:
        dates = find_dates(body, starts, lowers)
    published = None
    if published_at and len(published_at) >= 10:
        try:
            published = date.fromisoformat(published_at[:10])
        except ValueError:
            published = None
    ref = _reference(dates, published, LEAD_CHARS)
    years = [d.year for d in dates if d.year is not None]
    ref_year = ref.year if ref is not None else (max(years) if years else None)
    return TimeLine(
        starts=tuple(d.start for d in dates),
        classes=tuple(date_class(d, ref, ref_year) for d in dates),
        has_reference=ref is not None,
    )
