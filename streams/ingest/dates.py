"""Find and parse publication dates in Indonesian and English (WIB/WITA/WIT zones) with dateparser.

A date without a zone stays a local time (ISO 8601 without offset): no zone is guessed here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from streams.ingest.rules import metadata

__all__ = [
    "DATE_RE",
    "fast_date",
    "find_date",
    "find_relative",
    "first_date",
    "has_offset",
    "localize",
    "parse_date",
    "to_iso",
]


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def _date_regex() -> re.Pattern[str]:
    meta = metadata()
    months = _alt([m for group in meta["months"] for m in group])
    days = _alt(meta["days"])
    zones = _alt(list(meta["zones"]))
    day = rf"(?:(?:{days})\.?\s*,?\s*)?"
    core = (
        r"(?P<iso>\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)"
        r"|(?P<nd>\d{1,2})\s*[/.-]\s*(?P<nm>\d{1,2})\s*[/.-]\s*(?P<ny>\d{4}|\d{2})(?!\d)"
        # "16 November 2013", "15/December/2020", "June 17, 2022", "June 17,2022"
        rf"|(?P<dd>\d{{1,2}})(?:\s+|\s*(?P<dsep>[/-])\s*)(?P<dm>{months})\.?(?(dsep)\s*(?P=dsep)\s*|\s*,?\s+)(?P<dy>\d{{4}})"
        rf"|(?P<mm>{months})\.?\s+(?P<md>\d{{1,2}})(?:st|nd|rd|th)?(?:\s*,\s*|\s+)(?P<my>\d{{4}})"
    )
    time = (
        r"(?:\s*[,|/\-–—]?\s*\(?(?:pukul|pkl\.?|jam|at|-)?\s*(?P<hh>\d{1,2})[:.](?P<mi>\d{2})(?:[:.](?P<ss>\d{2}))?"
        r"(?:\s*(?P<ampm>[AaPp])\.?[Mm]\.?)?)?"
    )
    named = rf"\s*\(?(?P<zone>(?:UTC|GMT)\s*[+-]\s*\d{{1,2}}(?::?\d{{2}})?|{zones})"
    # a bare numeric offset or "Z" only right after a clock time ("10:00:00 +0700"): after a date
    # alone "-2026" is a range, not an offset
    numeric = r"(?<=\d[:.]\d\d)\s*\(?(?P<num>[+-]\d{2}:?\d{2}(?!\d)|Z)"
    zone = rf"(?:(?:{named}|{numeric})\)?(?![A-Za-z]))?"
    return re.compile(rf"(?<![\w/]){day}(?P<core>{core}){time}{zone}", re.IGNORECASE)


@lru_cache(maxsize=1)
def _month_numbers() -> dict[str, int]:
    return {name.casefold(): i for i, group in enumerate(metadata()["months"], 1) for name in group}


def _from_match(m: re.Match[str]) -> str | None:
    """Build the date straight from the regex groups (fast path); None when they do not make a date."""
    g = m.groupdict()
    tz = _offset(g["zone"] or g["num"])
    try:
        if g["iso"]:
            value = datetime.fromisoformat(g["iso"].replace("Z", "+00:00"))
            return to_iso(value if value.tzinfo is not None or tz is None else value.replace(tzinfo=tz))
        if g["nd"]:
            d, mo, y = int(g["nd"]), int(g["nm"]), int(g["ny"])
        elif g["dd"]:
            d, mo, y = int(g["dd"]), _month_numbers()[g["dm"].casefold()], int(g["dy"])
        else:
            d, mo, y = int(g["md"]), _month_numbers()[g["mm"].casefold()], int(g["my"])
        if y < 100:
            y += 2000
        hh, mi, ss = int(g["hh"] or 0), int(g["mi"] or 0), int(g["ss"] or 0)
        if g["ampm"]:
            hh = hh % 12 + (12 if g["ampm"].lower() == "p" else 0)
        value = datetime(y, mo, d, hh, mi, ss)
    except (ValueError, KeyError):
        return None
    if not 1900 <= value.year <= 2100:
        return None
    return to_iso(value.replace(tzinfo=tz) if tz is not None else value)


DATE_RE = _date_regex


@lru_cache(maxsize=1)
def _parser() -> Any:
    from dateparser.date import DateDataParser

    return DateDataParser(
        languages=["id", "en"],
        settings={
            "DATE_ORDER": "DMY",
            "PREFER_DAY_OF_MONTH": "first",
            "REQUIRE_PARTS": ["day", "month", "year"],
        },
    )


_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


def _offset(zone: str | None) -> timezone | None:
    if not zone:
        return None
    if zone.strip().upper() == "Z":
        return UTC
    zones: dict[str, str] = metadata()["zones"]
    spec = zones.get(zone.upper(), zone)
    m = _OFFSET.match(spec.strip())
    if not m:
        return None
    sign = -1 if m.group(1) == "-" else 1
    hours, minutes = int(m.group(2)), int(m.group(3) or 0)
    if hours > 14 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def to_iso(value: datetime, *, default: tzinfo | None = None) -> str:
    """ISO 8601; a naive datetime gets ``default``, else stays a local time without an offset."""
    if value.tzinfo is None and default is not None:
        value = value.replace(tzinfo=default)
    return value.isoformat()


def has_offset(iso: str) -> bool:
    """True when an ISO 8601 string from this module carries a UTC offset."""
    return bool(re.search(r"(?:Z|[+-]\d{2}:?\d{2})$", iso)) and "T" in iso


def localize(iso: str, zone: str) -> str:
    """A local ISO time without offset placed in the IANA ``zone`` (daylight saving included)."""
    value = datetime.fromisoformat(iso)
    if value.tzinfo is not None:
        return value.isoformat()
    try:
        return value.replace(tzinfo=ZoneInfo(zone)).isoformat()
    except (ZoneInfoNotFoundError, ValueError):
        return iso


#: A zone at the end of a date string ("WIB", "wib", "(UTC+7)", "(GMT+07:00)", and after a clock time
#: "+0700", "-05:00", "Z") that :func:`parse_date` applies itself; an abbreviation counts only when
#: metadata.yaml ``zones`` lists it (see :func:`_offset`).
_TRAILING_ZONE = re.compile(
    r"\(?(?:\b([A-Za-z]{2,4}|(?:UTC|GMT)\s*[+-]\s*\d{1,2}(?::?\d{2})?)"
    r"|(?<=\d[:.]\d\d)\s*([+-]\d{2}:?\d{2}|Z))\)?\s*$"
)


def parse_date(text: str | datetime | None) -> str | None:
    """A date string (any form dateparser reads, zones like WIB) or datetime -> ISO 8601, else None.

    The common forms of feeds and pages ("Mon, 06 Dec 2026 10:00:00 +0700", "Senin, 6 Desember 2026
    10:00 WIB", "December 6, 2026") are read by :func:`fast_date`, which gives what dateparser gives
    for them (tests/ingest/test_dates_fast.py compares the two); any other form goes to dateparser."""
    if text is None:
        return None
    if isinstance(text, datetime):
        return to_iso(text)
    text = " ".join(str(text).split())[:200]
    if not text:
        return None
    try:
        return to_iso(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    tz: timezone | None = None
    m = _TRAILING_ZONE.search(text)
    if m and (found := _offset(m.group(1) or m.group(2))) is not None:
        tz = found
        text = text[: m.start()].strip()
    fast = fast_date(text)
    if fast is not None:
        return to_iso(fast.replace(tzinfo=tz) if tz is not None else fast)
    return _dateparser_date(text, tz)


#: Month names dateparser reads with the ``id`` and with the ``en`` locale (January first): the fast
#: path reads a name only in a language dateparser reads it in, and a date only when its weekday
#: and month share a language (dateparser reads a date in one language: "Fri januari 15" is none).
_MONTHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "id": (("januari", "jan"), ("februari", "pebruari", "feb", "peb"), ("maret", "mar"), ("april", "apr"),
           ("mei",), ("juni", "jun"), ("juli", "jul"), ("agustus", "agu", "agt"), ("september", "sept", "sep"),
           ("oktober", "okt"), ("november", "nopember", "nov", "nop"), ("desember", "des")),
    "en": (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
           ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"),
           ("october", "oct"), ("november", "nov"), ("december", "dec")),
}  # fmt: skip
#: Weekday names (Monday first, as ``datetime.weekday``) per dateparser locale.
_WEEKDAYS: dict[str, tuple[tuple[str, ...], ...]] = {
    "id": (("senin",), ("selasa",), ("rabu",), ("kamis",), ("jumat",), ("sabtu",), ("minggu",)),
    "en": (("monday", "mon"), ("tuesday", "tue"), ("wednesday", "wed"), ("thursday", "thu"), ("friday", "fri"),
           ("saturday", "sat"), ("sunday", "sun")),
}  # fmt: skip

_Names = dict[str, tuple[int, frozenset[str]]]


def _names(table: dict[str, tuple[tuple[str, ...], ...]], first: int) -> _Names:
    """name -> (number, the languages that read it)."""
    out: dict[str, tuple[int, set[str]]] = {}
    for lang, groups in table.items():
        for i, group in enumerate(groups, first):
            for name in group:
                out.setdefault(name, (i, set()))[1].add(lang)
    return {name: (i, frozenset(langs)) for name, (i, langs) in out.items()}


@lru_cache(maxsize=1)
def _fast_regex() -> tuple[re.Pattern[str], _Names, _Names]:
    months, days = _names(_MONTHS, 1), _names(_WEEKDAYS, 0)
    month, day = _alt(list(months)), _alt(list(days))
    time = r"(?:,?\s(?P<hh>\d{2}):(?P<mi>\d{2})(?::(?P<ss>\d{2}))?(?:\s(?P<off>[+-]\d{2}:?\d{2}))?)?"
    pattern = (
        rf"(?:(?P<wd>{day}),?\s)?"
        rf"(?:(?P<d>\d{{1,2}})\s(?P<m>{month})|(?P<m2>{month})\s(?P<d2>\d{{1,2}}),?)\s(?P<y>\d{{4}}){time}"
    )
    return re.compile(pattern, re.IGNORECASE | re.ASCII), months, days


def fast_date(text: str) -> datetime | None:
    """The common date forms read without dateparser, as dateparser reads them (a naive datetime, or
    one with the numeric offset written after the time), or None for any other form (the caller then
    asks dateparser). ``text`` is whitespace-normalised."""
    rx, months, days = _fast_regex()
    m = rx.fullmatch(text)
    if m is None:
        return None
    g = m.groupdict()
    mon, langs = months[(g["m"] or g["m2"]).lower()]
    try:
        value = datetime(int(g["y"]), mon, int(g["d"] or g["d2"]), int(g["hh"] or 0), int(g["mi"] or 0),
                         int(g["ss"] or 0))  # fmt: skip
    except ValueError:
        return None
    if not 1900 <= value.year <= 2100:
        return None
    if g["wd"]:
        wd, wd_langs = days[g["wd"].lower()]
        if wd != value.weekday() or not wd_langs & langs:
            return None  # a weekday that disagrees with the date, or in another language: dateparser's call
    tz = _offset(g["off"])
    return value.replace(tzinfo=tz) if tz is not None else value


def _dateparser_date(text: str, tz: timezone | None) -> str | None:
    """The date dateparser reads in ``text`` (its zone, if any, already taken off into ``tz``)."""
    try:
        data = _parser().get_date_data(text)
    except Exception:  # dateparser raises assorted errors on odd strings
        return None
    value = getattr(data, "date_obj", None)
    if value is None:
        return None
    if value.tzinfo is None:
        return to_iso(value.replace(tzinfo=tz) if tz is not None else value)
    offset = value.utcoffset()  # the zone dateparser read in the text ("EST", "+0700")
    return to_iso(value.replace(tzinfo=timezone(offset) if offset is not None else None))


#: Every date form of :func:`_date_regex` holds a digit (``\d`` as the pattern reads it): a line
#: without one is no date, and most lines are not (the long pattern is not tried at each position).
_HAS_DIGIT = re.compile(r"\d").search


def find_date(line: str) -> tuple[str, int, int] | None:
    """The first date in a line as ``(ISO 8601, start, end)``, or None."""
    if _HAS_DIGIT(line) is None:
        return None
    for m in _date_regex().finditer(line):
        iso = _from_match(m) or parse_date(m.group(0))
        if iso is not None:
            return iso, m.start(), m.end()
    return None


def first_date(found: list[str]) -> str | None:
    """The first of the dates found on a page, made precise by a later one of the same day that
    states a clock time or an offset ("date 2024-03-09" then "Sabtu, 09 Maret 2024 | 18:36 WIB")."""
    if not found:
        return None

    def precision(iso: str) -> tuple[bool, bool]:
        return not iso.endswith("T00:00:00"), has_offset(iso)

    day = found[0][:10]
    best = found[0]
    for iso in found[1:]:
        if iso[:10] == day and precision(iso) > precision(best):
            best = iso
    return best


_UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400}


@lru_cache(maxsize=1)
def _relative_regex() -> tuple[re.Pattern[str], dict[str, str], dict[str, int]]:
    rel = metadata()["relative"]
    unit_of = {w.casefold(): unit for unit, words in rel["units"].items() for w in words}
    numbers = {str(k).casefold(): int(v) for k, v in rel["numbers"].items()}
    count = rf"(?P<n>\d{{1,3}}|{_alt(list(numbers))})"
    ago = _alt(rel["ago"])
    pattern = (
        rf"(?<!\w)(?:{count}\s*(?P<u>{_alt(list(unit_of))})\s+(?:{ago})"
        rf"|(?P<y>{_alt(rel['yesterday'])})|(?P<now>{_alt(rel['now'])}))(?!\w)"
    )
    return re.compile(pattern, re.IGNORECASE), unit_of, numbers


def find_relative(line: str, now: datetime) -> tuple[str, int, int] | None:
    """A relative time in a line ("2 jam lalu", "3 hours ago", "kemarin") resolved against ``now``
    (the fetch time): ``(ISO 8601, start, end)``; minutes and hours give a time with ``now``'s
    offset, days and weeks a date only; None when there is none."""
    rx, unit_of, numbers = _relative_regex()
    m = rx.search(line)
    if m is None:
        return None
    if m.group("now"):
        return to_iso(now.replace(microsecond=0)), m.start(), m.end()
    if m.group("y"):
        return (now - timedelta(days=1)).date().isoformat(), m.start(), m.end()
    raw = m.group("n").casefold()
    n = int(raw) if raw.isdigit() else numbers.get(raw, 0)
    unit = unit_of[m.group("u").casefold()]
    value = now - timedelta(seconds=n * _UNIT_SECONDS[unit])
    if unit in ("day", "week"):
        return value.date().isoformat(), m.start(), m.end()
    return to_iso(value.replace(second=0, microsecond=0)), m.start(), m.end()
