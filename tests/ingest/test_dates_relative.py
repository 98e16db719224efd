"""Relative publication times ("2 jam lalu", "3 hours ago") resolved against the fetch time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from streams.core.pipeline import build_pipeline
from streams.core.records import RawArticle
from streams.ingest.clean import clean_article
from streams.ingest.dates import find_relative

NOW = datetime(2024, 5, 2, 10, 30, tzinfo=timezone(timedelta(hours=7)))
FETCHED = NOW.timestamp()
PARA = (
    "Pemerintah daerah menyiapkan posko pengungsian di tiga kecamatan setelah sungai meluap pada Senin "
    "malam. Warga diminta tetap waspada karena hujan diperkirakan turun hingga akhir pekan."
)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Kompas.com - 2 jam lalu", "2024-05-02T08:30:00+07:00"),
        ("Updated 3 hours ago", "2024-05-02T07:30:00+07:00"),
        ("45 menit yang lalu", "2024-05-02T09:45:00+07:00"),
        ("an hour ago", "2024-05-02T09:30:00+07:00"),
        ("tiga hari lalu", "2024-04-29"),
        ("2 weeks ago", "2024-04-18"),
        ("Kemarin", "2024-05-01"),
    ],
)
def test_relative_times_in_both_languages(text: str, want: str) -> None:
    found = find_relative(text, NOW)
    assert found is not None and found[0] == want
    assert text[found[1] : found[2]].strip()


@pytest.mark.parametrize(
    "text", ["jam 3 lalu lintas", "Pukul 10.00 WIB", "the hour is late", "lalu lintas padat"]
)
def test_no_relative_time_where_there_is_none(text: str) -> None:
    assert find_relative(text, NOW) is None


def test_a_relative_date_line_dates_the_article_in_the_outlets_zone_and_leaves_the_body() -> None:
    res = clean_article(
        f"Banjir Rendam Bekasi\nKompas.com - 2 jam lalu\n{PARA}",
        url="https://www.kompas.com/read/2024/05/02/banjir",
        fetched_at=FETCHED,
    )
    assert res.published_at == "2024-05-02T08:30:00+07:00"
    assert res.published_at_zone == "outlet"
    assert "jam lalu" not in res.body and res.body.startswith("Pemerintah")


def test_a_relative_time_inside_a_sentence_is_not_the_publication_time() -> None:
    res = clean_article(f"{PARA}\nTiga hari lalu banjir juga melanda kota itu.\n{PARA}", fetched_at=FETCHED)
    assert res.published_at is None
    assert "Tiga hari lalu banjir" in res.body


def test_without_a_fetch_time_a_relative_time_stays_unresolved() -> None:
    res = clean_article(f"Floods hit town\nUpdated 3 hours ago\n{PARA}")
    assert res.published_at is None


def test_the_stage_uses_the_producers_ingested_at() -> None:
    pipeline = build_pipeline(stages=["decode", "clean", "language", "ids"])
    art = pipeline.run(
        RawArticle(id="r1", text=f"Floods hit town\nBy Jane Roe - 3 hours ago\n{PARA}", ingested_at=FETCHED)
    )
    assert art.published_at == "2024-05-02T00:30:00+00:00"
