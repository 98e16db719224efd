"""Dates keep the zone or UTC offset they state (numeric, WIB/WITA/WIT, GMT+7, UTC, Z) in both the
fast path and dateparser's, and a date without one stays a local time."""

from __future__ import annotations

import pytest

import streams.ingest.dates as dates
from streams.ingest.dates import find_date, first_date, has_offset, parse_date

# (text, ISO 8601 it states); the numeric offsets, " Z", lower-case "wib" and zones after an ISO date
# in a line lost their zone before this table was written
_STATED = [
    ("Sun, 06 Dec 2026 10:00:00 +0700", "2026-12-06T10:00:00+07:00"),
    ("Sun, 06 Dec 2026 10:00:00 +07:00", "2026-12-06T10:00:00+07:00"),
    ("Sun, 06 Dec 2026 03:04:05 -0500", "2026-12-06T03:04:05-05:00"),
    ("06 Dec 2026 10:00:00 +0000", "2026-12-06T10:00:00+00:00"),
    ("Sun, 06 Dec 2026 10:00:00 Z", "2026-12-06T10:00:00+00:00"),
    ("Sun, 06 Dec 2026 10:00:00 GMT", "2026-12-06T10:00:00+00:00"),
    ("6 December 2026 10:00 UTC", "2026-12-06T10:00:00+00:00"),
    ("December 6, 2026 10:00 +0700", "2026-12-06T10:00:00+07:00"),
    ("December 6, 2026 10:00 PM (GMT+07:00)", "2026-12-06T22:00:00+07:00"),
    ("Dec 6, 2026 10:00 GMT+7", "2026-12-06T10:00:00+07:00"),
    ("Senin, 7 Desember 2026 10:00 WIB", "2026-12-07T10:00:00+07:00"),
    ("Senin, 7 Desember 2026 10:00 WITA", "2026-12-07T10:00:00+08:00"),
    ("Senin, 7 Desember 2026 10:00 WIT", "2026-12-07T10:00:00+09:00"),
    ("Senin, 7 Desember 2026 10:00 wib", "2026-12-07T10:00:00+07:00"),
    ("Senin, 7 Desember 2026 | 10:00 WIB", "2026-12-07T10:00:00+07:00"),
    ("7 Desember 2026 pukul 10.00 WIB", "2026-12-07T10:00:00+07:00"),
    ("7 Desember 2026 10:00 (WIB)", "2026-12-07T10:00:00+07:00"),
    ("Senin, 7 Desember 2026 10:00:00 +0700", "2026-12-07T10:00:00+07:00"),
    ("7 Desember 2026 10:00 +07:00", "2026-12-07T10:00:00+07:00"),
    ("7 Desember 2026 10:00 (GMT+07:00)", "2026-12-07T10:00:00+07:00"),
    ("7 Desember 2026 10:00 UTC+8", "2026-12-07T10:00:00+08:00"),
    ("07/12/2026 10:00 +0700", "2026-12-07T10:00:00+07:00"),
    ("07/12/2026 10:00 WITA", "2026-12-07T10:00:00+08:00"),
    ("2026-12-07 10:00:00 +0700", "2026-12-07T10:00:00+07:00"),
    ("2026-12-07 10:00 WIB", "2026-12-07T10:00:00+07:00"),
    ("November 06, 2022 04:44 IST", "2022-11-06T04:44:00+05:30"),
    ("Fri, 08 Dec 2023 15:51:18 PKT", "2023-12-08T15:51:18+05:00"),
]
# no zone stated: a local time without an offset (no zone is guessed)
_LOCAL = [
    ("Senin, 7 Desember 2026 10:00", "2026-12-07T10:00:00"),
    ("7 Desember 2026", "2026-12-07T00:00:00"),
    ("December 7, 2026 10:00 AM", "2026-12-07T10:00:00"),
    ("07/12/2026 10:00", "2026-12-07T10:00:00"),
    ("2026-12-07 10:00", "2026-12-07T10:00:00"),
]


def _dateparser_only(text: str, monkeypatch: pytest.MonkeyPatch) -> str | None:
    with monkeypatch.context() as m:
        m.setattr(dates, "fast_date", lambda _text: None)
        return parse_date(text)


@pytest.mark.parametrize(("text", "want"), _STATED + _LOCAL)
def test_a_date_string_keeps_the_zone_it_states(
    text: str, want: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert parse_date(text) == want
    assert _dateparser_only(text, monkeypatch) == want  # the dateparser path agrees
    assert has_offset(want) == ((text, want) in _STATED)


@pytest.mark.parametrize(("text", "want"), _STATED + _LOCAL)
def test_a_date_in_a_line_keeps_the_zone_it_states(text: str, want: str) -> None:
    line = f"Diperbarui {text} oleh Redaksi"
    found = find_date(line)
    assert found is not None and found[0] == want
    assert line[found[1] : found[2]].strip().endswith(text.split()[-1])


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Sun, 06 Dec 2026 10:00:00 +0700", "2026-12-06T10:00:00+07:00"),
        ("6 Desember 2026 10:00 -05:00", "2026-12-06T10:00:00-05:00"),
    ],
)
def test_the_fast_path_reads_the_numeric_offset(text: str, want: str) -> None:
    value = dates.fast_date(text)
    assert value is not None and value.isoformat() == want


@pytest.mark.parametrize(
    ("line", "want"),
    [
        ("Periode 1 Januari 2026 -2027 berlaku", "2026-01-01T00:00:00"),  # a range, not an offset
        ("Rabu, 2 Desember 2026 10:00 waktu setempat", "2026-12-02T10:00:00"),
    ],
)
def test_no_offset_is_read_where_none_is_stated(line: str, want: str) -> None:
    found = find_date(line)
    assert found is not None and found[0] == want


def test_an_unknown_abbreviation_is_not_a_zone() -> None:
    assert parse_date("7 Desember 2026 10:00 XYZ") in (None, "2026-12-07T10:00:00")


_PARA = (
    "Pemerintah daerah menyiapkan posko pengungsian di tiga kecamatan setelah sungai meluap pada Senin "
    "malam. Warga diminta tetap waspada karena hujan diperkirakan turun hingga akhir pekan."
)


@pytest.mark.parametrize(
    ("given", "want", "how"),
    [
        ("Mon, 07 Dec 2026 10:00:00 +0700", "2026-12-07T10:00:00+07:00", "stated"),
        ("Senin, 7 Desember 2026 10:00 WITA", "2026-12-07T10:00:00+08:00", "stated"),
        ("Senin, 7 Desember 2026 10:00", "2026-12-07T10:00:00", "unknown"),
    ],
)
def test_the_published_time_of_an_article_keeps_its_stated_offset(given: str, want: str, how: str) -> None:
    from streams.ingest.clean import clean_article

    res = clean_article(f"Banjir Rendam Kota\n{_PARA}\n{_PARA}", published_at=given)
    assert (res.published_at, res.published_at_zone) == (want, how)


def test_a_clock_time_in_brackets_belongs_to_the_date() -> None:
    found = find_date("Last Modified Tuesday, 24 December 2019 (12:53 IST)")
    assert found is not None and found[0] == "2019-12-24T12:53:00+05:30"


@pytest.mark.parametrize(
    ("found", "want"),
    [
        (["2024-03-09T00:00:00", "2024-03-09T18:36:00+07:00"], "2024-03-09T18:36:00+07:00"),
        (["2024-03-09T18:36:00", "2024-03-09T18:36:00+07:00"], "2024-03-09T18:36:00+07:00"),
        (["2024-03-09T00:00:00", "2024-03-08T18:36:00+07:00"], "2024-03-09T00:00:00"),  # another day
        (["2024-03-09T10:00:00+07:00", "2024-03-09T18:36:00+07:00"], "2024-03-09T10:00:00+07:00"),
        ([], None),
    ],
)
def test_the_first_date_is_made_precise_by_a_later_one_of_the_same_day(
    found: list[str], want: str | None
) -> None:
    assert first_date(found) == want


def test_a_page_dated_twice_takes_the_stated_time_of_the_same_day() -> None:
    from streams.ingest.clean import clean_article

    res = clean_article(
        f"Banjir Rendam Kota\ndate 2024-03-09\nRedaksi - Sabtu, 09 Maret 2024 | 18:36 WIB\n{_PARA}\n{_PARA}"
    )
    assert (res.published_at, res.published_at_zone) == ("2024-03-09T18:36:00+07:00", "stated")


@pytest.mark.parametrize(
    ("line", "want"),
    [
        ("Published June 17,2022", "2022-06-17T00:00:00"),
        ("Home Prisoners 15/December/2020 12:39 PM", "2020-12-15T12:39:00"),
        ("15-Des-2020 10:00 WIB", "2020-12-15T10:00:00+07:00"),
    ],
)
def test_dates_with_a_glued_comma_or_slashes_around_the_month_name(line: str, want: str) -> None:
    found = find_date(line)
    assert found is not None and found[0] == want


def test_mixed_separators_around_the_month_name_are_no_date() -> None:
    assert find_date("kode 15/Desember 2020") is None


def test_a_dated_breadcrumb_names_no_author() -> None:
    from streams.ingest.clean import clean_article

    res = clean_article(f"Home Prisoners 15/December/2020 12:39 PM\nBanjir Rendam Kota\n{_PARA}\n{_PARA}")
    assert res.byline is None or "Prisoners" not in res.byline
    assert res.published_at is not None and res.published_at.startswith("2020-12-15")
