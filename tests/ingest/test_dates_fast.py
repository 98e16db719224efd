"""``parse_date``'s fast path gives what dateparser gives, on many forms of dates feeds and pages write."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

import streams.ingest.dates as dates
from streams.ingest.dates import fast_date, parse_date
from streams.ingest.rules import metadata

_DAYS = [("Senin", "Monday", "Mon"), ("Selasa", "Tuesday", "Tue"), ("Rabu", "Wednesday", "Wed"),
         ("Kamis", "Thursday", "Thu"), ("Jumat", "Friday", "Fri"), ("Sabtu", "Saturday", "Sat"),
         ("Minggu", "Sunday", "Sun")]  # fmt: skip
_ZONES = ["", " WIB", " WITA", " GMT", " UTC", " (WIB)", " UTC+7", " GMT+07:00", " CEST", " XYZ", " +0700",
          " -05:00", " Z"]  # fmt: skip


def _case(rng: random.Random, word: str) -> str:
    return rng.choice([word, word.lower(), word.upper(), word.capitalize()])


def _one(rng: random.Random, common: bool) -> str:
    """A date string of a random form: weekday (right, wrong or none), day and month in either order,
    every month form of the page rules, years at and beyond 1900-2100, times, offsets and zones;
    ``common``: the forms feeds and pages mostly write (right weekdays, valid days and hours)."""
    day = date(1899, 12, 25) + timedelta(days=rng.randrange(0, 202 * 366))
    d = day.day if common else rng.choice([day.day, day.day, 31, 29, 0])
    month = _case(rng, rng.choice(metadata()["months"][day.month - 1]))
    wd = rng.choice(
        [day.weekday(), None] if common else [day.weekday(), day.weekday(), rng.randrange(7), None]
    )
    head = (
        ""
        if wd is None
        else _case(rng, rng.choice(_DAYS[wd])) + rng.choice([", ", " ", ". "][: 2 if common else 3])
    )
    dd = rng.choice([str(d), f"{d:02d}"])
    body = rng.choice([f"{dd} {month} {day.year}", f"{month} {dd}, {day.year}", f"{month} {dd} {day.year}",
                       f"{dd} {month}. {day.year}", f"{dd}/{day.month}/{day.year}", f"{day.year}/{day.month}/{dd}"]
                      [: 3 if common else 6])  # fmt: skip
    hh = rng.choice([0, 7, 12, 13, 23, rng.randrange(24)] + ([] if common else [24]))
    clock = rng.choice(["", f" {hh:02d}:{rng.randrange(60):02d}", f" {hh:02d}:{rng.randrange(60):02d}:{rng.randrange(61):02d}",
                        f", {hh:02d}:{rng.randrange(60):02d}", f" {hh}.{rng.randrange(60):02d}", f" {hh:02d}:05 PM",
                        f" pukul {hh:02d}:{rng.randrange(60):02d}"][: 4 if common else 7])  # fmt: skip
    return head + body + clock + rng.choice(_ZONES)


def _reference(text: str, monkeypatch: pytest.MonkeyPatch) -> str | None:
    with monkeypatch.context() as m:
        m.setattr(dates, "fast_date", lambda _text: None)
        return parse_date(text)


_FEEDS = [
    "Sun, 06 Dec 2026 10:00:00 +0700", "Sun, 06 Dec 2026 10:00:00 GMT", "06 Dec 2026 10:00:00 +0000",
    "Sun, 6 Dec 2026 03:04:05 -0500", "Minggu, 06 Desember 2026 10:00 WIB", "Rabu, 21 Jan 2026 14:30 WIB",
    "December 6, 2026", "Dec 6, 2026 10:00", "6 Desember 2026", "Senin, 7 Desember 2026 | 10:00 WIB",
    "Mon, 06 Dec 2026 10:00:00 +07:00", "Tue, 06 Dec 2026 10:00:00 +0000", "19 Mei 1883",
]  # fmt: skip


@pytest.mark.parametrize("text", _FEEDS)
def test_feed_and_page_dates_are_dateparser_dates(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_date(text) == _reference(text, monkeypatch)


def test_random_date_forms_are_dateparser_dates(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(28)
    texts = [_one(rng, common=k % 2 == 0) for k in range(1000)]
    fast = 0
    for text in texts:
        norm = " ".join(text.split())
        fast += fast_date(dates._TRAILING_ZONE.sub("", norm).strip()) is not None
        assert parse_date(text) == _reference(text, monkeypatch), text
    assert fast > 250  # the comparison exercised the fast path, not only dateparser


def test_the_fast_path_reads_the_common_forms() -> None:
    for text in _FEEDS[:9]:
        assert fast_date(dates._TRAILING_ZONE.sub("", text).strip()) is not None, text
    assert fast_date("06/12/2026") is None  # numeric forms stay with dateparser
    assert fast_date("Mon, 06 Dec 2026") is None  # the weekday disagrees with the date


def test_a_line_without_a_digit_is_no_date_for_the_pattern_either() -> None:
    rng = random.Random(7)
    words = [
        *(m for g in metadata()["months"] for m in g),
        *metadata()["days"],
        "WIB",
        "pukul",
        "at",
        ",",
        "-",
    ]
    for _ in range(500):
        line = " ".join(_case(rng, rng.choice(words)) for _ in range(rng.randrange(1, 8)))
        assert dates.find_date(line) is None
        assert not any(dates._from_match(m) for m in dates._date_regex().finditer(line))
    assert dates.find_date("Senin, 6 Desember 2026") is not None
