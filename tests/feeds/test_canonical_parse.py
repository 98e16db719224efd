"""URL canonicalisation, date hints, Retry-After and back-off: the pure functions of the poller."""

from __future__ import annotations

import pytest

from streams.feeds.canonical import canonical_url
from streams.feeds.fetch import backoff_delay, decode_page, retry_after_seconds
from streams.feeds.parse import parse_published


@pytest.mark.parametrize(
    ("url", "want"),
    [
        (
            "https://www.Example.com:443/a/b?utm_source=x&fbclid=y&id=3#top",
            "https://www.example.com/a/b?id=3",
        ),
        ("https://example.com/news/x/amp?utm_medium=rss", "https://example.com/news/x"),
        ("https://amp.example.com/news/x.html?amp=1&outputType=amp", "https://example.com/news/x.html"),
        ("https://www-example-com.cdn.ampproject.org/c/s/www.example.com/n/1", "https://www.example.com/n/1"),
        ("http://ex.com/read?page=2&news_id=9&gclid=1", "http://ex.com/read?news_id=9&page=2"),
        ("https://ex.com/amp/news/1", "https://ex.com/news/1"),
    ],
)
def test_canonical_url(url: str, want: str) -> None:
    assert canonical_url(url) == want
    assert canonical_url(want) == want, "canonicalisation is idempotent"


def test_parse_published_uses_the_zone_hint_only_for_naive_dates() -> None:
    assert parse_published("Tue, 24 Nov 2026 10:00:00 GMT", "Asia/Jakarta") == "2026-11-24T10:00:00+00:00"
    assert parse_published("2026-11-24T10:00:00", "Asia/Jakarta") == "2026-11-24T10:00:00+07:00"
    assert parse_published("2026-11-24T10:00:00", "+08:00") == "2026-11-24T10:00:00+08:00"
    assert parse_published("kemarin sore", None) is None


def test_retry_after_and_backoff() -> None:
    assert retry_after_seconds("120") == 120.0
    assert 0 <= (retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") or 0) == 0.0
    assert retry_after_seconds("soon") is None
    delays = [backoff_delay(n, 1.0, 60.0) for n in range(1, 10)]
    assert all(d <= 60 for d in delays) and delays[5] >= 16, "exponential, capped"
    assert backoff_delay(1, 1.0, 60.0, retry_after=30) == 30, "never shorter than Retry-After"
    assert len({backoff_delay(4, 1.0, 60.0) for _ in range(20)}) > 1, "jittered"


def test_decode_page_charsets() -> None:
    assert decode_page("é".encode("cp1252"), "text/html; charset=windows-1252") == "é"
    assert decode_page('<meta charset="iso-8859-1">é'.encode("latin-1"), None).endswith("é")
    assert decode_page("é".encode(), None) == "é"
