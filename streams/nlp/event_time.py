"""Dates written in an article, placed against the article's own date: which mentions speak of earlier times."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

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


@lru_cache(maxsize=1)
def _regexes() -> tuple[dict[str, int], tuple[tuple[re.Pattern[str], str], ...]]:
    data = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    months = {str(name): int(num) for num, names in (data.get("months") or {}).items() for name in names}
    mon = "(?P<mon>" + "|".join(sorted((re.escape(m) for m in months), key=len, reverse=True)) + r")\.?"
    year = r"(?P<year>(?:19|20)\d\d)"
    day = r"(?P<day>[0-3]?\d)"
    pats = (
        (rf"\b{day}\s+{mon}(?:\s+{year})?\b", "dmy"),  # 7 Oktober 2023, 24 Februari
        (rf"\b{mon}\s+{day}(?:st|nd|rd|th)?\b(?:,?\s+{year})?(?!\d)", "mdy"),  # October 7, 2023; Nov 3
        (rf"\b{mon}\s+{year}\b", "my"),  # March 2022
        (rf"\b(?i:in|pada|bulan|since|sejak|last|early|late|until|hingga|awal|akhir)\s+{mon}\b", "m"),
        (rf"\(\s*(?:\w+,?\s+)?{day}/(?P<nmon>[01]?\d)(?:/{year})?\s*\)", "num"),  # (24/11), (29/9/2023)
        (rf"\b{day}/(?P<nmon>[01]?\d)/{year}\b", "num"),
        (rf"\b{year}\b", "y"),
    )
    return months, tuple((re.compile(p), kind) for p, kind in pats)


def _mention(m: re.Match[str], kind: str, months: dict[str, int]) -> DateMention | None:
    g = m.groupdict()
    yr = int(g["year"]) if g.get("year") else None
    if kind == "num":
        mon = int(g["nmon"])
    elif kind == "y":
        mon = None
    else:
        mon = months.get(g["mon"])
    dy = int(g["day"]) if g.get("day") else None
    if mon is not None and not 1 <= mon <= 12 or dy is not None and not 1 <= dy <= 31:
        return None
    return DateMention(m.start(), m.end(), yr, mon, dy)


def find_dates(body: str) -> list[DateMention]:
    """Every date written in ``body`` (the most specific reading of each span), sorted by position."""
    months, regexes = _regexes()
    out: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for rx, kind in regexes:
        for m in rx.finditer(body):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            d = _mention(m, kind, months)
            if d is not None:
                out.append(d)
                taken.append((m.start(), m.end()))
    out.sort(key=lambda d: d.start)
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


def time_line(body: str, published_at: str | None) -> TimeLine:
    """The dates of ``body`` classed against the publication date (or, without one, the latest date written)."""
    dates = find_dates(body)
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
